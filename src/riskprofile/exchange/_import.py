"""Import: verified warnings become a watch list, feedback and seizures outcome records.

Everything goes into one folder (``--into``):

- ``partner_warnings.json``: every warning imported, with its expiry (the state);
- ``partner_warnings.csv``: the containers of the warnings still in force, one per row
  (column ``value``, then expiry, message id, sender, category, urgency and the reason):
  a watch list for a profile beside it (``lists: partner_warnings: {file:
  partner_warnings.csv}``), used as ``container_number in $partner_warnings``;
- ``partner_warning_bls.csv``: the same for bills of lading (``bl_number in …``);
- ``outcomes.csv``: one row per feedback or seizure message, for evaluation.

Expiry is applied whenever the folder is written (:func:`import_message`,
:func:`refresh_watch_list`): an expired warning leaves the watch list, not the state.
Importing the same message twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskprofile.errors import ExchangeError, NotAddressedError, ReplayedError
from riskprofile.exchange._log import ExchangeLog
from riskprofile.exchange._messages import Feedback, RiskWarning, Seizure, parse_message
from riskprofile.exchange._signing import digest, verify
from riskprofile.exchange._trust import TrustStore

__all__ = [
    "OUTCOME_COLUMNS",
    "WATCH_LIST_COLUMNS",
    "ImportResult",
    "import_message",
    "refresh_watch_list",
]

STATE = "partner_warnings.json"
CONTAINERS = "partner_warnings.csv"
BILLS = "partner_warning_bls.csv"
OUTCOMES = "outcomes.csv"

WATCH_LIST_COLUMNS = ("value", "expires", "message_id", "sender", "category", "urgency",
                      "reason")  # fmt: skip
OUTCOME_COLUMNS = ("message_id", "kind", "sender", "created", "warning_id", "container_number",
                   "inspected", "result", "finding", "goods_category", "quantity", "unit",
                   "concealment", "route", "photos")  # fmt: skip


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        message: the message imported.
        already_imported: the same message (same bytes) was imported before: nothing
            changed.
        active_warnings: warnings in force in the watch list after the import.
        files: the files written.
    """

    message: RiskWarning | Feedback | Seizure
    already_imported: bool
    active_warnings: int
    files: tuple[Path, ...]


def _read_state(folder: Path) -> dict[str, Any]:
    path = folder / STATE
    if not path.exists():
        return {}
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def _csv_text(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def refresh_watch_list(folder: str | Path, *, now: dt.datetime) -> int:
    """Rewrite the watch lists of ``folder`` from its state, leaving out the warnings
    expired at ``now``; returns how many warnings are in force."""
    folder = Path(folder)
    state = _read_state(folder)
    containers: list[dict[str, Any]] = []
    bills: list[dict[str, Any]] = []
    active = 0
    for message_id, entry in sorted(state.items()):
        if dt.datetime.fromisoformat(entry["expires"]) <= now:
            continue
        active += 1
        common = {
            "expires": entry["expires"],
            "message_id": message_id,
            "sender": entry["sender"],
            "category": entry["category"],
            "urgency": entry["urgency"],
            "reason": "; ".join(r["explanation"] for r in entry["reasons"]),
        }
        if entry.get("container_number"):
            containers.append({"value": entry["container_number"], **common})
        bills.extend({"value": bl, **common} for bl in entry.get("bl_numbers", []))
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in ((CONTAINERS, containers), (BILLS, bills)):
        rows.sort(key=lambda r: (r["value"], r["message_id"]))
        (folder / name).write_text(_csv_text(WATCH_LIST_COLUMNS, rows), encoding="utf-8")
    return active


def _outcome_row(message: Feedback | Seizure) -> dict[str, Any]:
    row: dict[str, Any] = {
        "message_id": message.message_id,
        "kind": message.kind,
        "sender": message.sender,
        "created": message.created.isoformat(),
        "warning_id": message.warning_id or "",
        "container_number": message.container_number or "",
    }
    if isinstance(message, Feedback):
        row.update(inspected=str(message.inspected).lower(), result=message.result,
                   finding=message.finding or "")  # fmt: skip
    else:
        row.update(result="seizure", goods_category=message.goods_category,
                   quantity=message.quantity, unit=message.unit,
                   concealment=message.concealment, route=";".join(message.route),
                   photos=";".join(message.photos))  # fmt: skip
    return row


def _apply(message: RiskWarning | Feedback | Seizure, folder: Path, now: dt.datetime) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(message, RiskWarning):
        state = _read_state(folder)
        state[message.message_id] = {
            "sender": message.sender,
            "container_number": message.container_number,
            "bl_numbers": message.bl_numbers,
            "expires": message.expires.isoformat(),
            "category": message.category,
            "urgency": message.urgency,
            "reasons": [r.model_dump() for r in message.reasons],
        }
        text = json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (folder / STATE).write_text(text, encoding="utf-8")
        return
    path = folder / OUTCOMES
    existing = []
    if path.exists():
        existing = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    if any(r["message_id"] == message.message_id for r in existing):
        return
    existing.append(_outcome_row(message))
    path.write_text(_csv_text(OUTCOME_COLUMNS, existing), encoding="utf-8")


def import_message(
    data: bytes,
    *,
    trust: TrustStore,
    log: ExchangeLog,
    into: str | Path,
    now: dt.datetime,
    recipient: str | None = None,
) -> ImportResult:
    """Verify a signed message (:func:`verify`) and import it into the folder ``into``.

    Importing the very same bytes again is a no-op (``already_imported``); another
    message reusing a received id is refused as ``replayed``. With ``recipient`` (the
    importing PCU's id), a message not addressed to it is refused as ``not_addressed``.
    Every outcome, refusals included, is logged.
    """
    folder = Path(into)
    fingerprint = digest(data)
    files: tuple[Path, ...] = (folder / CONTAINERS, folder / BILLS)
    try:
        verified = verify(data, trust, now=now, log=log)
    except ReplayedError as exc:
        imported = log.query(direction="imported", message_id=exc.message_id)
        if any(e.digest == fingerprint for e in imported):
            message = parse_message(json.loads(data)["payload"])
            active = refresh_watch_list(folder, now=now)
            return ImportResult(message, True, active, files)
        log.record("rejected", at=now, message_id=exc.message_id, digest=fingerprint,
                   note=f"{exc.reason}: {exc.detail}")  # fmt: skip
        raise
    except ExchangeError as exc:
        log.record("rejected", at=now, message_id=exc.message_id, digest=fingerprint,
                   note=f"{exc.reason}: {exc.detail}")  # fmt: skip
        raise
    message = verified.message
    if recipient is not None and recipient not in message.recipients:
        refusal = NotAddressedError(
            f"addressed to {', '.join(message.recipients)}, not to {recipient}",
            message_id=message.message_id,
        )
        log.record("rejected", at=now, message_id=message.message_id, digest=fingerprint,
                   note=f"{refusal.reason}: {refusal.detail}")  # fmt: skip
        raise refusal
    common: dict[str, Any] = {"kind": message.kind, "message_id": message.message_id,
                              "sender": message.sender, "partner": message.sender,
                              "digest": fingerprint}  # fmt: skip
    log.record("received", at=now, **common)
    _apply(message, folder, now)
    active = refresh_watch_list(folder, now=now)
    if not isinstance(message, RiskWarning):
        files = (*files, folder / OUTCOMES)
    log.record("imported", at=now, note=f"{active} warning(s) in force in {folder}", **common)
    return ImportResult(message, False, active, files)
