"""Party warnings matched against a batch: by name (normalised as the history store
resolves traders) when the partner sent it readable, by key (:func:`party_key` under the
secret the two PCUs share) when it sent only the key."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskprofile.errors import InputFormatError
from riskprofile.exchange._files import read_limited
from riskprofile.exchange._import import MAX_STATE_BYTES, PARTIES, PARTY_KEYS
from riskprofile.exchange._messages import _normal_party_key
from riskprofile.io import csv_text

__all__ = ["PartyMatch", "match_parties"]

_ROLES = ("shipper", "consignee", "notify", "freight_payer")


@dataclass(frozen=True)
class PartyMatch:
    """A container of the batch with a party a partner PCU warned about.

    Attributes:
        container_number: the container (its key when it has no number).
        bl_number: the bill of lading the party is on.
        role: the party's role in the batch (``consignee``...).
        name: the party's name in the batch.
        by: ``name`` (the partner sent it readable) or ``key`` (only its key).
        message_id, source, added, reason: the warning's, as the watch list has them.
    """

    container_number: str
    bl_number: str | None
    role: str
    name: str
    by: str
    message_id: str
    source: str
    added: str
    reason: str


def _entries(folder: Path, name: str, now: dt.datetime) -> list[dict[str, str]]:
    path = folder / name
    if not path.exists():
        return []
    data = read_limited(path, MAX_STATE_BYTES, "party watch list")
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFormatError(f"not a party watch list ({exc})", path=str(path)) from None
    kept = []
    for row in rows:
        clean = {k: csv_text(v) if isinstance(v, str) else "" for k, v in row.items() if k}
        try:
            in_force = dt.datetime.fromisoformat(clean.get("expires", "")) > now
        except ValueError:
            raise InputFormatError("an entry without a valid expiry", path=str(path)) from None
        if in_force and clean.get("value"):
            kept.append(clean)
    return kept


def match_parties(
    frame: Any, folder: str | Path, *, now: dt.datetime, secret: str | None = None
) -> list[PartyMatch]:
    """The parties of a shipment frame (:func:`~riskprofile.io.read_frame`'s) that the
    party warnings in force at ``now`` in ``folder`` name: readable names and
    identifiers compared after normalising (spelling, case and legal form do not
    count), keys compared under ``secret`` (the one the partner's policy hashed with;
    without it, keys are not compared). In batch order."""
    import polars as pl

    from riskprofile.history import trader_name
    from riskprofile.history.shared import trader_name_expr

    folder = Path(folder)
    named = _entries(folder, PARTIES, now)
    keyed = _entries(folder, PARTY_KEYS, now) if secret else []
    if not named and not keyed:
        return []
    by_name: dict[str, dict[str, str]] = {}
    for row in named:
        normal = trader_name(row["value"])
        by_name.setdefault(normal or row["value"].upper(), row)
    by_key = {row["value"]: row for row in keyed}
    found = []
    for role in _ROLES:
        column = f"{role}_name"
        if column not in frame.columns:
            continue
        ident = f"{role}_identifier"
        rows = frame.select(
            pl.col("container_number"), pl.col("bl_number"), pl.col(column).alias("name"),
            trader_name_expr(pl.col(column)).alias("normal"),
            (pl.col(ident) if ident in frame.columns else pl.lit(None, pl.String)).alias("ident"),
        ).filter(pl.col("name").is_not_null())  # fmt: skip
        for container, bl, name, normal, ident_value in rows.iter_rows():
            hit, by = by_name.get(normal or ""), "name"
            if hit is None and ident_value:
                hit = by_name.get(str(ident_value).upper())
            if hit is None and secret and normal:
                hit, by = by_key.get(_normal_party_key(normal, secret)), "key"
            if hit is not None:
                found.append(PartyMatch(container or "", bl, role, name, by,
                                        hit.get("message_id", ""), hit.get("source", ""),
                                        hit.get("added", ""), hit.get("reason", "")))  # fmt: skip
    return found
