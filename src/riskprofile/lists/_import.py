"""Reading an official list file of a known or detected format into a
:class:`~riskprofile.lists.ListImport`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from riskprofile.errors import InputFormatError
from riskprofile.lists._common import MAX_LIST_SOURCE_BYTES, Problems, local, parse_xml, read_source
from riskprofile.lists._eu import TITLE as EU_TITLE
from riskprofile.lists._eu import read_eu
from riskprofile.lists._ftm import TITLE as FTM_TITLE
from riskprofile.lists._ftm import read_ftm
from riskprofile.lists._model import ListImport
from riskprofile.lists._ofac import TITLE as OFAC_TITLE
from riskprofile.lists._ofac import read_ofac
from riskprofile.lists._un import TITLE as UN_TITLE
from riskprofile.lists._un import read_un
from riskprofile.lists._un1718 import TITLE as UN1718_TITLE
from riskprofile.lists._un1718 import read_un1718

__all__ = ["SOURCES", "ListSource", "detect_source", "import_list"]

ListSource = Literal["un", "un1718", "eu", "ofac", "ftm"]
"""The formats an official list is read from."""

SOURCES: dict[str, str] = {
    "un": UN_TITLE,
    "un1718": UN1718_TITLE,
    "eu": EU_TITLE,
    "ofac": OFAC_TITLE,
    "ftm": FTM_TITLE,
}
"""Each format's name and the list it holds."""

# The root element of each XML format.
_ROOTS = {"CONSOLIDATED_LIST": "un", "export": "eu", "Sanctions": "ofac"}


def detect_source(data: bytes, path: str = "<bytes>") -> ListSource:
    """The format of a list file, from its first line (a JSON object: FollowTheMoney; a
    table header with an IMO column: the 1718 Committee's vessels) or its XML root
    element (``CONSOLIDATED_LIST``: UN, ``export``: EU, ``Sanctions``: OFAC).

    Raises:
        InputFormatError: none of them.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "ftm"
    if head.startswith(b"<"):
        root = local(parse_xml(data, path).tag)
        if root in _ROOTS:
            return _ROOTS[root]  # type: ignore[return-value]
        raise InputFormatError(
            f"is XML with root element <{root[:80]}>, none of the official lists' "
            "(CONSOLIDATED_LIST: UN, export: EU, Sanctions: OFAC)",
            path=path,
        )
    first = head.split(b"\n", 1)[0]
    if b"IMO" in first.upper() and (b"," in first or b"\t" in first or b";" in first):
        return "un1718"
    raise InputFormatError(
        "is neither XML (UN, EU, OFAC), JSON lines (FollowTheMoney) nor a table of "
        "vessels with an IMO column (UN 1718); give its format: un, un1718, eu, ofac or ftm",
        path=path,
    )


def import_list(
    source: ListSource | Literal["auto"],
    path: str | Path,
    *,
    limit: int = MAX_LIST_SOURCE_BYTES,
    edition: str | None = None,
) -> ListImport:
    """Read the official list file ``path`` of format ``source`` (``auto``: detected
    with :func:`detect_source`) into the normalised entity table.

    ``edition`` (``YYYY-MM-DD``) states the list's publication date when the file does
    not (a 1718 vessels table, FollowTheMoney lines without ``last_change``); a file that
    gives its own keeps it.

    Every record is an entity or a problem: a record that cannot be used (no name, a
    line that is not JSON) and a value that is dropped (an IMO number with a wrong check
    digit, an unknown country name) are in :attr:`ListImport.problems` with the reason.

    Raises:
        InputFormatError: the file is not of the format (or of any, with ``auto``), is
            not well-formed, has a DTD or entity declarations (refused: entity bombs,
            external entities), is not UTF-8 (FollowTheMoney), is larger than ``limit``
            or not a regular file.
        OSError: it cannot be read.
    """
    where = str(path)
    data = read_source(path, limit)
    if source == "auto":
        source = detect_source(data, where)
    if source not in SOURCES:
        raise InputFormatError(f"unknown list format {source!r}; one of: {', '.join(SOURCES)}")
    problems = Problems()
    found: str | None
    if source in ("ftm", "un1718"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"is not UTF-8 text (byte {exc.start}): give {SOURCES[source]} as UTF-8",
                path=where,
            ) from None
        if source == "ftm":
            found, entities = read_ftm(text, problems)
        else:
            try:
                found, entities = read_un1718(text, problems)
            except ValueError as exc:
                raise InputFormatError(str(exc), path=where) from None
    else:
        root = parse_xml(data, where)
        expected = {v: k for k, v in _ROOTS.items()}[source]
        if local(root.tag) != expected:
            raise InputFormatError(
                f"has root element <{local(root.tag)[:80]}>, not <{expected}> of the "
                f"{SOURCES[source]}",
                path=where,
            )
        reader = {"un": read_un, "eu": read_eu, "ofac": read_ofac}[source]
        found, entities = reader(root, problems)
    return ListImport(
        source=source,
        title=SOURCES[source],
        edition=found or edition,
        path=where,
        entities=tuple(entities),
        problems=tuple(problems.found),
    )
