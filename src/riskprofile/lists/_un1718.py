"""The vessels the UN Security Council's 1718 Committee (DPRK) designated, as a table of
their own: the Committee publishes the list of designated vessels as a table on its web
page (vessel name, IMO number, date of designation); a PCU saves it as CSV or TSV. The
header names the columns: one with ``IMO`` in its name holds the numbers, one with
``name`` or ``vessel`` the names, one with ``date`` the designation dates; the others
(flag, reason) are not read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace

from riskprofile.lists._common import Problems, parse_date
from riskprofile.lists._model import Entity

__all__ = ["TITLE", "read_un1718"]

TITLE = "UN Security Council 1718 Committee designated vessels"
PROGRAMME = "DPRK"

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"), 1)}  # fmt: skip


def _date(text: str) -> dt.date | None:
    """``2018-03-30``, ``30 March 2018`` or ``30/03/2018`` (day first)."""
    found = parse_date(text)
    if found is not None:
        return found
    match = re.fullmatch(r"\s*(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})\s*", text)
    try:
        if match and match[2].lower() in _MONTHS:
            return dt.date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        match = re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", text)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def _column(header: list[str], *words: str) -> int | None:
    for index, name in enumerate(header):
        if any(word in name.lower() for word in words):
            return index
    return None


def read_un1718(text: str, problems: Problems) -> tuple[str | None, list[Entity]]:
    """The vessels of a 1718 designated-vessels table (the edition is not in it).

    Raises:
        ValueError: the header has no IMO column or no name column (the message says so).
    """
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return None, []
    header = [cell.strip() for cell in rows[0][1]]
    imo = _column(header, "imo")
    name = _column(header, "vessel name", "name", "vessel")
    if imo is None or name is None or imo == name:
        raise ValueError(
            f"its header ({', '.join(header)[:200]}) has no "
            + ("IMO number column" if imo is None else "vessel name column")
            + ": a 1718 vessels table has one column with IMO and one with name in its header"
        )
    date = _column(header, "date")
    flag = _column(header, "flag")
    vessels: dict[str, Entity] = {}
    for line, row in rows[1:]:
        cells = [" ".join(cell.split()) for cell in row] + [""] * len(header)
        record = f"line {line}"
        if not cells[imo]:
            problems.add(record, header[imo], "", "no IMO number: nothing to screen; not used")
            continue
        found = problems.imo(record, header[imo], cells[imo])
        if found is None:
            continue
        known = vessels.get(found.value)
        if known is not None:  # listed again: another name of the same ship
            if cells[name] and cells[name] not in (known.name, *known.aliases):
                vessels[found.value] = replace(known, aliases=(*known.aliases, cells[name]))
            continue
        listed = None
        if date is not None and cells[date]:
            listed = _date(cells[date])
            if listed is None:
                problems.add(record, header[date], cells[date], "not a date")
        country = None
        if flag is not None and cells[flag]:
            country = problems.country(record, header[flag], cells[flag])
        entity = Entity(
            entity_id=found.value,
            kind="vessel",
            name=cells[name],
            countries=(country,) if country else (),
            identifiers=(found,),
            programmes=(PROGRAMME,),
            listed_since=listed,
        )
        if problems.named(entity, record, header[name]) is not None:
            vessels[found.value] = entity
    entities = list(vessels.values())
    return None, entities
