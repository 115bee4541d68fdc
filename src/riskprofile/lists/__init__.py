"""Official sanctions lists read into one entity table and written as watch lists.

PCUs are sent the UN Security Council consolidated list (with the vessels the 1718
Committee designated, by IMO number), the EU financial sanctions file, OFAC's advanced
SDN XML and FollowTheMoney JSON lines (OpenSanctions). :func:`import_list` reads any of
them - XML with :mod:`defusedxml`, a bounded read, every record an entity or a problem
with its reason - into :class:`Entity` records; :func:`write_watch_lists` writes them as
the CSV list files profiles already read: a names list to compare with party names
(``consignee_name in $un_names``, explained with ``{$un_names.programme}``) and one list
per identifier kind (``vessel_imo in $un_imo``).

    >>> import tempfile
    >>> from riskprofile.lists import import_list, write_watch_lists
    >>> imported = import_list("auto", "examples/lists/un-consolidated-sample.xml")
    >>> len(imported.entities)
    5
    >>> written = write_watch_lists(imported, tempfile.mkdtemp(), "un")
    >>> [w.path.name for w in written if w.watch_list]
    ['un_names.csv', 'un_imo.csv', 'un_passports.csv', 'un_national_ids.csv']
"""

from riskprofile.lists._import import SOURCES, ListSource, detect_source, import_list
from riskprofile.lists._model import (
    Entity,
    EntityKind,
    Identifier,
    IdentifierKind,
    ImportProblem,
    ListImport,
)
from riskprofile.lists._write import WrittenList, watch_list_rows, write_watch_lists

__all__ = [
    "SOURCES",
    "Entity",
    "EntityKind",
    "Identifier",
    "IdentifierKind",
    "ImportProblem",
    "ListImport",
    "ListSource",
    "WrittenList",
    "detect_source",
    "import_list",
    "watch_list_rows",
    "write_watch_lists",
]
