"""Import: verified warnings become a watch list, feedback and seizures outcome records.

Everything goes into one folder (``--into``):

- ``partner_warnings.json``: every warning imported, with its expiry (the state);
- ``partner_warnings.csv``: the containers of the warnings still in force, one per row
  (column ``value``, then expiry, message id, sender, category, urgency, the reason, the
  warning PCU as ``source`` and the date it warned as ``added``):
  a watch list for a profile beside it (``lists: partner_warnings: {file:
  partner_warnings.csv}``), used as ``container_number in $partner_warnings``;
- ``partner_warning_bls.csv``: the same for bills of lading (``bl_number in …``);
- ``outcomes.csv``: one row per feedback or seizure message, for evaluation.

Expiry is applied whenever the folder is written (:func:`import_message`,
:func:`refresh_watch_list`): an expired warning leaves the watch list, not the state.
Importing the same message twice into a folder changes nothing. Every file is replaced
atomically and the log is written last, so that a killed import loses nothing; imports
into one folder take turns on ``.import.lock``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskprofile.errors import ExchangeError, InputFormatError, NotAddressedError, ReplayedError
from riskprofile.exchange._files import folder_lock, read_limited, write_atomic
from riskprofile.exchange._log import Direction, ExchangeLog
from riskprofile.exchange._messages import Feedback, RiskWarning, Seizure
from riskprofile.exchange._signing import digest, verify
from riskprofile.exchange._trust import TrustStore
from riskprofile.io import csv_text
from riskprofile.io.shared import JsonInputError, JsonLimits, csv_line, loads

__all__ = [
    "OUTCOME_COLUMNS",
    "PARTY_LIST_COLUMNS",
    "WATCH_LIST_COLUMNS",
    "ImportResult",
    "import_message",
    "refresh",
    "refresh_watch_list",
]

STATE = "partner_warnings.json"
CONTAINERS = "partner_warnings.csv"
BILLS = "partner_warning_bls.csv"
PARTIES = "partner_warning_parties.csv"
PARTY_KEYS = "partner_warning_party_keys.csv"
OUTCOMES = "outcomes.csv"
LIST_FILES = (CONTAINERS, BILLS, PARTIES, PARTY_KEYS)
"""The watch lists derived from the state, rewritten by every import and refresh."""
LOCK = ".import.lock"

WATCH_LIST_COLUMNS = ("value", "expires", "message_id", "sender", "category", "urgency",
                      "reason", "source", "added")  # fmt: skip
"""The columns of the watch lists: ``source`` is the PCU that warned, ``added`` the date
(UTC) its warning was created."""
PARTY_LIST_COLUMNS = (*WATCH_LIST_COLUMNS, "role")
"""The columns of the party watch lists (a party warning's names and identifiers, or
their keys): those of the other lists, and the party's role."""
OUTCOME_COLUMNS = ("message_id", "kind", "sender", "created", "warning_id", "container_number",
                   "inspected", "result", "finding", "goods_category", "quantity", "unit",
                   "concealment", "route", "photos")  # fmt: skip

MAX_STATE_BYTES = 256 * 1024 * 1024
"""The largest state or outcome file read (about a million warnings)."""
_STATE_LIMITS = JsonLimits(max_bytes=MAX_STATE_BYTES, max_depth=8, allow_constants=False)


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        message: the message imported.
        already_imported: the same message (same bytes) was already imported into this
            folder: nothing changed.
        active_warnings: warnings in force in the watch list after the import.
        files: the files written.
        answers: for feedback and seizure reports, the warning answered, in words, and
            whether the log holds it as sent to the message's sender (``feedback on
            warning w-1.KZ-AKT, sent to KZ-AKT``); empty for a warning.
    """

    message: RiskWarning | Feedback | Seizure
    already_imported: bool
    active_warnings: int
    files: tuple[Path, ...]
    answers: str = ""


def _corrupt(path: Path, detail: str) -> InputFormatError:
    return InputFormatError(
        f"{detail}; restore it from a backup, or move it away and import the messages again",
        path=str(path),
    )


def _read_state(folder: Path) -> dict[str, Any]:
    path = folder / STATE
    if not path.exists():
        return {}
    data = read_limited(path, MAX_STATE_BYTES, "warning state")
    try:
        state = loads(data, _STATE_LIMITS)
    except JsonInputError as exc:
        raise _corrupt(path, f"not the JSON this library writes ({exc.reason})") from None
    if not isinstance(state, dict) or not all(isinstance(e, dict) for e in state.values()):
        raise _corrupt(path, "not a mapping of message id to warning")
    return state


def _read_outcomes(folder: Path) -> list[dict[str, str]]:
    path = folder / OUTCOMES
    if not path.exists():
        return []
    data = read_limited(path, MAX_STATE_BYTES, "outcome file")
    try:
        rows = [
            {k: csv_text(v) if isinstance(v, str) else v for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(data.decode("utf-8")))
        ]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _corrupt(path, f"not readable as CSV ({exc})") from None
    if rows and "message_id" not in rows[0]:
        raise _corrupt(path, "no message_id column")
    return rows


def _csv_bytes(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    # Values from a partner's message (B/L and container numbers, reasons) are untrusted:
    # none may run as a spreadsheet formula; the readers take the quote off again.
    lines = [csv_line(columns)] + [csv_line(row.get(c) for c in columns) for row in rows]
    return "".join(lines).encode("utf-8")


def _expiry(path: Path, message_id: str, entry: dict[str, Any]) -> dt.datetime:
    try:
        expires = dt.datetime.fromisoformat(str(entry["expires"]))
    except (KeyError, ValueError):
        raise _corrupt(path, f"warning {message_id} has no valid expiry") from None
    if expires.tzinfo is None:
        raise _corrupt(path, f"warning {message_id} has an expiry without a time zone")
    return expires


def _write_lists(folder: Path, state: dict[str, Any], now: dt.datetime) -> tuple[int, int]:
    """Write the watch lists from ``state``; (warnings in force, warnings expired)."""
    containers: list[dict[str, Any]] = []
    bills: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    active = expired = 0
    for message_id, entry in sorted(state.items()):
        expires = _expiry(folder / STATE, message_id, entry)
        if expires <= now:
            expired += 1
            continue
        active += 1
        created = entry.get("created")
        common = {
            "expires": expires.isoformat(),
            "message_id": message_id,
            "sender": entry.get("sender", ""),
            "category": entry.get("category", ""),
            "urgency": entry.get("urgency", ""),
            "reason": "; ".join(str(r.get("explanation", "")) for r in entry.get("reasons", [])),
            "source": entry.get("sender", ""),
            "added": dt.datetime.fromisoformat(created).astimezone(dt.UTC).date().isoformat()
            if created
            else "",
        }
        if entry.get("container_number"):
            containers.append({"value": entry["container_number"], **common})
        bills.extend({"value": bl, **common} for bl in entry.get("bl_numbers", []))
        if not entry.get("container_number") and not entry.get("bl_numbers"):
            # a warning about a party: its names and identifiers, or their keys
            for party in entry.get("parties") or []:
                role = {"role": party.get("role", "")}
                for field in ("name", "identifier"):
                    if party.get(field) and not str(party[field]).startswith("hmac-"):
                        parties.append({"value": party[field], **common, **role})
                if party.get("name_key"):
                    keys.append({"value": party["name_key"], **common, **role})
    for name, rows, columns in ((CONTAINERS, containers, WATCH_LIST_COLUMNS),
                                (BILLS, bills, WATCH_LIST_COLUMNS),
                                (PARTIES, parties, PARTY_LIST_COLUMNS),
                                (PARTY_KEYS, keys, PARTY_LIST_COLUMNS)):  # fmt: skip
        rows.sort(key=lambda r: (r["value"], r["message_id"]))
        write_atomic(folder / name, _csv_bytes(columns, rows))
    return active, expired


def _list_files(folder: Path) -> tuple[Path, ...]:
    """The watch lists :func:`_write_lists` writes, in the order written."""
    return tuple(folder / name for name in LIST_FILES)


def refresh(folder: str | Path, *, now: dt.datetime) -> tuple[int, int]:
    """Rewrite the watch lists of ``folder`` from its state at ``now``; returns how many
    warnings are in force and how many have expired (left out of the lists)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFormatError("no such folder of partner warnings", path=str(folder))
    try:
        with folder_lock(folder, LOCK):
            return _write_lists(folder, _read_state(folder), now)
    except OSError as exc:
        raise InputFormatError(f"cannot write the watch lists: {exc.strerror or exc}",
                               path=str(folder)) from None  # fmt: skip


def refresh_watch_list(folder: str | Path, *, now: dt.datetime) -> int:
    """Rewrite the watch lists of ``folder`` from its state, leaving out the warnings
    expired at ``now``; returns how many warnings are in force."""
    return refresh(folder, now=now)[0]


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


def _state_entry(message: RiskWarning, fingerprint: str) -> dict[str, Any]:
    return {
        "sender": message.sender,
        "container_number": message.container_number,
        "bl_numbers": message.bl_numbers,
        "created": message.created.isoformat(),
        "expires": message.expires.isoformat(),
        "category": message.category,
        "urgency": message.urgency,
        "reasons": [r.model_dump() for r in message.reasons],
        "parties": [p.model_dump(exclude_none=True) for p in message.parties],
        "digest": fingerprint,
    }


def _held(message: RiskWarning | Feedback | Seizure, folder: Path, fingerprint: str) -> str | None:
    """The digest of the message this folder holds under the message's id (None: none).
    Folders written before digests were kept count as holding this very message."""
    if isinstance(message, RiskWarning):
        entry = _read_state(folder).get(message.message_id)
        return None if entry is None else str(entry.get("digest") or fingerprint)
    rows = _read_outcomes(folder)
    return fingerprint if any(r.get("message_id") == message.message_id for r in rows) else None


def _write(message: RiskWarning | Feedback | Seizure, folder: Path, fingerprint: str,
           now: dt.datetime) -> tuple[int, tuple[Path, ...]]:  # fmt: skip
    """Write the message into the folder, each file replaced atomically: the state first,
    the lists derived from it after, so that a kill at any point leaves whole files that
    a new import of the same message completes."""
    files = _list_files(folder)
    state = _read_state(folder)
    if isinstance(message, RiskWarning):
        state[message.message_id] = _state_entry(message, fingerprint)
        text = json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(folder / STATE, text.encode("utf-8"))
        files = (folder / STATE, *files)
    else:
        rows = _read_outcomes(folder)
        if not any(r.get("message_id") == message.message_id for r in rows):
            rows.append(_outcome_row(message))
            write_atomic(folder / OUTCOMES, _csv_bytes(OUTCOME_COLUMNS, rows))
        files = (*files, folder / OUTCOMES)
    active, _expired = _write_lists(folder, state, now)
    return active, files


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

    Importing the very same bytes into the same folder again is a no-op
    (``already_imported``); into another folder, it imports there too. Another message
    reusing a received id is refused as ``replayed``. With ``recipient`` (the importing
    PCU's id), a message not addressed to it is refused as ``not_addressed``. Every
    outcome, refusals included, is logged.

    The import is one step: the files are replaced atomically (state first, watch lists
    after), and the log says ``received`` and ``imported`` in one transaction, only once
    the files are on disk. A process killed at any point leaves every file whole, and
    importing the message again completes the import; never a warning lost as
    ``replayed``.
    """
    folder = Path(into)
    fingerprint = digest(data)
    try:
        verified = verify(data, trust, now=now)
        message = verified.message
        if recipient is not None and recipient not in message.recipients:
            raise NotAddressedError(
                f"addressed to {', '.join(message.recipients)}, not to {recipient}",
                message_id=message.message_id,
            )
    except ExchangeError as exc:
        _refused(log, exc, now, fingerprint)
        raise
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder, LOCK):
            return _import_verified(message, fingerprint, log, folder, now)
    except OSError as exc:
        raise InputFormatError(f"cannot write the import: {exc.strerror or exc}",
                               path=str(exc.filename or folder)) from None  # fmt: skip


def _refused(log: ExchangeLog, exc: ExchangeError, now: dt.datetime, fingerprint: str) -> None:
    log.record("rejected", at=now, message_id=exc.message_id, digest=fingerprint,
               note=f"{exc.reason}: {exc.detail}")  # fmt: skip


def _import_verified(
    message: RiskWarning | Feedback | Seizure,
    fingerprint: str,
    log: ExchangeLog,
    folder: Path,
    now: dt.datetime,
) -> ImportResult:
    """The import of a verified message, under the folder's lock."""
    try:
        received = log.received(message.message_id)
        if any(e.digest != fingerprint for e in received):
            raise ReplayedError("another message was received under this id",
                                message_id=message.message_id)  # fmt: skip
        held = _held(message, folder, fingerprint)
        if held is not None and held != fingerprint:
            raise ReplayedError(f"{folder} holds another message under this id",
                                message_id=message.message_id)  # fmt: skip
    except ExchangeError as exc:
        _refused(log, exc, now, fingerprint)
        raise
    if held is not None and received:
        # The lists are rewritten (at this `now`): every one of them is reported.
        active, _expired = _write_lists(folder, _read_state(folder), now)
        return ImportResult(message, True, active, _list_files(folder))
    active, files = _write(message, folder, fingerprint, now)
    refers_to = None if isinstance(message, RiskWarning) else message.warning_id
    common: dict[str, Any] = {"at": now, "kind": message.kind, "message_id": message.message_id,
                              "sender": message.sender, "partner": message.sender,
                              "digest": fingerprint, "refers_to": refers_to}  # fmt: skip
    entries: list[tuple[Direction, dict[str, Any]]] = []
    if not received:
        entries.append(("received", common))
    note = f"{active} warning(s) in force in {folder}"
    answered = _answered(message, log)
    if answered:
        note = f"{answered}; {note}"
    entries.append(("imported", {**common, "note": note}))
    log.record_many(entries)
    return ImportResult(message, False, active, files, answered)


def _answered(message: RiskWarning | Feedback | Seizure, log: ExchangeLog) -> str:
    """What a feedback or seizure message answers, in words: a warning this PCU sent to
    its sender, or one it has no record of sending (said, not hidden)."""
    if isinstance(message, RiskWarning) or message.warning_id is None:
        return ""
    what = "feedback" if isinstance(message, Feedback) else "seizure report"
    sent = log.query(direction="sent", kind="warning", message_id=message.warning_id)
    if any(e.partner == message.sender for e in sent):
        return f"{what} on warning {message.warning_id}, sent to {message.sender}"
    return (f"{what} on warning {message.warning_id}, which this log has no record of "
            f"sending to {message.sender}")  # fmt: skip
