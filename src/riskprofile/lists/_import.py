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

__all__ = ["SOURCES", "ListSource", "detect_source", "import_list"]

ListSource = Literal["un", "eu", "ofac", "ftm"]
"""The formats an official list is read from."""

SOURCES: dict[str, str] = {
    "un": UN_TITLE,
    "eu": EU_TITLE,
    "ofac": OFAC_TITLE,
    "ftm": FTM_TITLE,
}
"""Each format's name and the list it holds."""

# The root element of each XML format.
_ROOTS = {"CONSOLIDATED_LIST": "un", "export": "eu", "Sanctions": "ofac"}


def detect_source(data: bytes, path: str = "<bytes>") -> ListSource:
    """The format of a list file, from its first line (a JSON object: FollowTheMoney) or
    its XML root element (``CONSOLIDATED_LIST``: UN, ``export``: EU, ``Sanctions``:
    OFAC).

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
    raise InputFormatError(
        "is neither XML (UN, EU, OFAC) nor JSON lines (FollowTheMoney); "
        "give its format: un, eu, ofac or ftm",
        path=path,
    )


def import_list(
    source: ListSource | Literal["auto"],
    path: str | Path,
    *,
    limit: int = MAX_LIST_SOURCE_BYTES,
) -> ListImport:
    """Read the official list file ``path`` of format ``source`` (``auto``: detected
    with :func:`detect_source`) into the normalised entity table.

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
    if source == "ftm":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"is not UTF-8 text (byte {exc.start}): FollowTheMoney lines are UTF-8", path=where
            ) from None
        edition, entities = read_ftm(text, problems)
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
        edition, entities = reader(root, problems)
    return ListImport(
        source=source,
        title=SOURCES[source],
        edition=edition,
        path=where,
        entities=tuple(entities),
        problems=tuple(problems.found),
    )
