"""The flat table layout (CSV, Parquet): one row per goods line, and the column mapping
that lets an administration's own export be read without code.

Every row repeats its voyage, bill of lading and container columns. A row may also carry
only a bill of lading and a container (a container of the B/L with no goods line of its
own), only a bill of lading (no container data yet), or only a container (a container no
B/L names).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import MappingError
from riskprofile.model.shared import EXTRA_TYPES, NORMALISERS, ExtraColumn, is_extra_name

__all__ = [
    "COLUMNS",
    "DECLARATION_COLUMNS",
    "Column",
    "ColumnMapping",
    "read_mapping_yaml",
    "render_layout",
]

Group = Literal["voyage", "bill_of_lading", "container", "goods"]
Kind = Literal["text", "number", "integer", "date", "datetime", "list", "bool"]

MAX_MAPPING_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the flat layout: where its value goes in the data model."""

    name: str
    group: Group
    path: tuple[str, ...]
    kind: Kind
    description: str


def _party(role: str, key: str, label: str, aeo: bool = True) -> list[Column]:
    cols = [
        Column(f"{role}_name", "bill_of_lading", (key, "name"), "text", f"{label} name."),
        Column(f"{role}_address", "bill_of_lading", (key, "address"), "text", f"{label} address."),
        Column(f"{role}_country", "bill_of_lading", (key, "country"), "text",
               f"{label} country, ISO 3166-1 alpha-2."),
        Column(f"{role}_identifier", "bill_of_lading", (key, "identifier"), "text",
               f"{label} trader identifier."),
    ]  # fmt: skip
    if aeo:
        cols.append(
            Column(f"{role}_aeo", "bill_of_lading", (key, "aeo"), "bool",
                   f"{label} is an AEO (yes/no, true/false, 1/0).")
        )  # fmt: skip
    return cols


def _declaration() -> list[Column]:
    """The goods declaration's own columns (an export of declarations, one per B/L): the
    shipment fields of the same names."""
    texts = (
        ("customs_office", "Customs office of declaration (code)."),
        ("customs_procedure", "Customs procedure or regime code (4000, 4071, ...)."),
        ("import_type", "Import type, as the administration codes it."),
        ("import_use", "Declared use of the imported goods."),
        ("payment_type", "How duties and taxes are paid."),
        ("transport_mode", "Mode of transport at the border (UN/ECE Rec. 19 code)."),
        ("departure_country", "Country of departure, ISO 3166-1 alpha-2."),
        ("origin_country_indicator", "The declaration's country-of-origin indicator."),
        ("tax_type", "Type of the main duty or tax."),
    )
    cols = [Column(name, "bill_of_lading", (name,), "text", text) for name, text in texts]
    cols.append(Column("tax_rate", "bill_of_lading", ("tax_rate",), "number",
                       "Rate of that duty or tax, percent."))  # fmt: skip
    cols += [
        Column("declarant_name", "bill_of_lading", ("declarant_name",), "text",
               "Declarant (or customs broker) name."),
        Column("declarant_identifier", "bill_of_lading", ("declarant_identifier",), "text",
               "Declarant identifier (licence, NTN, EORI...)."),
    ]  # fmt: skip
    return cols


COLUMNS: tuple[Column, ...] = (
    Column("vessel_name", "voyage", ("vessel_name",), "text", "Vessel name."),
    Column("vessel_imo", "voyage", ("vessel_imo",), "text", "IMO ship number (7 digits)."),
    Column("voyage_number", "voyage", ("voyage_number",), "text", "Voyage number."),
    Column("carrier_scac", "voyage", ("carrier_scac",), "text", "Carrier SCAC code."),
    Column("port_of_call", "voyage", ("port_of_call",), "text", "UN/LOCODE of the port of call."),
    Column("arrival", "voyage", ("arrival",), "datetime", "Arrival time (UTC if no zone)."),
    Column("bl_number", "bill_of_lading", ("bl_number",), "text", "Bill of lading number."),
    Column("master_bl_number", "bill_of_lading", ("master_bl_number",), "text",
           "Master B/L number, for a house B/L."),
    Column("bl_issue_date", "bill_of_lading", ("issue_date",), "date", "B/L issue date."),
    *_party("shipper", "shipper", "Shipper"),
    *_party("consignee", "consignee", "Consignee"),
    *_party("notify", "notify_party", "Notify party"),
    *_party("freight_payer", "freight_payer", "Freight payer"),
    Column("place_of_receipt", "bill_of_lading", ("place_of_receipt",), "text",
           "UN/LOCODE of the place of receipt."),
    Column("port_of_loading", "bill_of_lading", ("port_of_loading",), "text",
           "UN/LOCODE of the port of loading."),
    Column("transshipment_ports", "bill_of_lading", ("transshipment_ports",), "list",
           "Transshipment UN/LOCODEs in order, separated by the list separator."),
    Column("port_of_discharge", "bill_of_lading", ("port_of_discharge",), "text",
           "UN/LOCODE of the port of discharge."),
    Column("place_of_delivery", "bill_of_lading", ("place_of_delivery",), "text",
           "UN/LOCODE of the place of delivery."),
    Column("freight_terms", "bill_of_lading", ("freight_terms",), "text",
           "prepaid or collect (also P/PP/C/CC)."),
    Column("pre_carriage_mode", "bill_of_lading", ("pre_carriage_mode",), "text",
           "Mode of the pre-carriage (UN/ECE Rec. 19 code 1-9, or sea/rail/road/air...)."),
    Column("on_carriage_mode", "bill_of_lading", ("on_carriage_mode",), "text",
           "Mode of the on-carriage (as pre_carriage_mode)."),
    *_declaration(),
    Column("container_number", "container", ("number",), "text", "ISO 6346 container number."),
    Column("container_size_type", "container", ("size_type",), "text",
           "ISO 6346 size-type code (22G1, 45R1, legacy 2200)."),
    Column("container_full", "container", ("full",), "bool", "Full or empty (F/E, FCL/MT, ...)."),
    Column("seal_numbers", "container", ("seals", "number"), "list",
           "Seal numbers, separated by the list separator."),
    Column("seal_sealers", "container", ("seals", "sealer"), "list",
           "Who put each seal on (carrier/shipper/customs/other or CA/SH/CU), same order."),
    Column("verified_gross_mass_kg", "container", ("verified_gross_mass_kg",), "number",
           "Verified gross mass, kg."),
    Column("tare_kg", "container", ("tare_kg",), "number", "Tare, kg."),
    Column("container_reefer_celsius", "container", ("reefer_celsius",), "number",
           "Reefer set temperature, degrees Celsius."),
    Column("hs_code", "goods", ("hs_code",), "text", "HS code, 6 to 10 digits (dots allowed)."),
    Column("description", "goods", ("description",), "text", "Goods description."),
    Column("packages", "goods", ("packages",), "integer", "Number of packages."),
    Column("package_type", "goods", ("package_type",), "text", "Package type code."),
    Column("gross_weight_kg", "goods", ("gross_weight_kg",), "number", "Gross weight, kg."),
    Column("net_weight_kg", "goods", ("net_weight_kg",), "number", "Net weight, kg."),
    Column("value", "goods", ("value",), "number", "Declared value."),
    Column("currency", "goods", ("currency",), "text", "ISO 4217 currency of the value."),
    Column("origin_country", "goods", ("origin_country",), "text", "Country of origin."),
    Column("un_number", "goods", ("un_number",), "text",
           "UN number of dangerous goods (4 digits; UN 1263 is read as 1263)."),
    Column("imdg_class", "goods", ("imdg_class",), "text",
           "IMDG class or division of those goods (3, 6.1, 1.4S)."),
)  # fmt: skip

COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
DECLARATION_COLUMNS: tuple[str, ...] = tuple(c.name for c in _declaration())
"""The goods declaration's columns, each the consignment field and the shipment field of
the same name."""


def did_you_mean(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def yaml_line(node: yaml.Node | None, *path: str) -> int | None:
    """The 1-based line of the key at ``path`` (e.g. ``("defaults", "port_of_call")``)."""
    line = None
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return line
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                line, node = k.start_mark.line + 1, v
                break
        else:
            return line
    return line


_OPTION_KEYS = (
    "columns", "defaults", "delimiter", "encoding", "list_separator", "decimal_comma",
    "date_format", "datetime_format", "extra",
)  # fmt: skip
_EXTRA_KEYS = ("column", "type", "normalise")


@dataclass(frozen=True)
class ColumnMapping:
    """How to read a flat file whose columns are not named as in our layout.

    Attributes:
        columns: our column name -> the file's column name, or a list of file columns
            whose non-empty values are joined into one list (``seal_numbers: [SEAL1,
            SEAL2]``). Columns not mapped are looked for under our own name.
        defaults: our column name -> a value used when the file has no such column or
            the cell is empty (``port_of_call: PKKHI``).
        delimiter: CSV field delimiter.
        encoding: text encoding of the file.
        list_separator: separator inside list cells (transshipment ports, seals).
        decimal_comma: numbers are written ``1.234,56``.
        date_format, datetime_format: ``strptime`` formats; ISO 8601 when absent.
        extra: the file's own columns read as custom fields (``x_<name>`` in rules; see
            :mod:`riskprofile.model._extra`), in the order declared.
        source: the mapping file, for error messages.

    A mapping file is YAML with the same keys::

        delimiter: ";"
        decimal_comma: true
        date_format: "%d/%m/%Y"
        columns:
          bl_number: "B/L No"
          seal_numbers: ["Seal 1", "Seal 2"]
        defaults:
          port_of_call: PKKHI
        extra:
          office: {column: "Office", type: text, normalise: upper}
    """

    columns: dict[str, str | tuple[str, ...]]
    defaults: dict[str, str]
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    list_separator: str = ";"
    decimal_comma: bool = False
    date_format: str | None = None
    datetime_format: str | None = None
    source: str | None = None
    extra: tuple[ExtraColumn, ...] = ()

    @classmethod
    def identity(cls) -> ColumnMapping:
        """The mapping for files already in our layout."""
        return cls(columns={}, defaults={})

    @classmethod
    def of(cls, mapping: ColumnMapping | str | Path | None) -> ColumnMapping:
        """The mapping a reader was given: none (our layout), a mapping, or a mapping file.

        >>> ColumnMapping.of(None) == ColumnMapping.identity()
        True
        """
        if mapping is None:
            return cls.identity()
        if isinstance(mapping, ColumnMapping):
            return mapping
        return cls.from_file(mapping)

    @classmethod
    def from_dict(
        cls, data: Any, *, source: str | None = None, node: yaml.Node | None = None
    ) -> ColumnMapping:
        """Build a mapping from a dict as in a mapping file, checking every key."""

        def fail(message: str, key: str | None = None, suggestion: str | None = None) -> None:
            path = (section, key) if section and key else (key,) if key else ()
            line = yaml_line(node, *path) if path else None
            raise MappingError(message, path=source, line=line, suggestion=suggestion)

        section: str | None = None
        if not isinstance(data, dict):
            fail("a mapping file must be a YAML mapping of options")
        for key in data:
            if key not in _OPTION_KEYS:
                fail(
                    f"unknown option {key!r}", str(key), did_you_mean(str(key), list(_OPTION_KEYS))
                )
        names = list(COLUMN_BY_NAME)
        columns: dict[str, str | tuple[str, ...]] = {}
        raw_columns = data.get("columns") or {}
        if not isinstance(raw_columns, dict):
            fail("'columns' must map our column names to the file's column names", "columns")
        section = "columns"
        for ours, theirs in raw_columns.items():
            if ours not in COLUMN_BY_NAME:
                fail(
                    f"{ours!r} is not a column of the layout",
                    str(ours),
                    did_you_mean(str(ours), names),
                )
            if isinstance(theirs, list) and theirs and all(isinstance(t, str) for t in theirs):
                if COLUMN_BY_NAME[ours].kind != "list":
                    fail(f"{ours!r} takes one column, not a list", str(ours))
                columns[ours] = tuple(theirs)
            elif isinstance(theirs, str) and theirs:
                columns[ours] = theirs
            else:
                fail(f"{ours!r} must name a column of the file (text)", str(ours))
        defaults: dict[str, str] = {}
        raw_defaults = data.get("defaults") or {}
        if not isinstance(raw_defaults, dict):
            fail("'defaults' must map our column names to values", "defaults")
        section = "defaults"
        for ours, value in raw_defaults.items():
            if ours not in COLUMN_BY_NAME:
                fail(
                    f"{ours!r} is not a column of the layout",
                    str(ours),
                    did_you_mean(str(ours), names),
                )
            if not isinstance(value, str | int | float | bool):
                fail(f"the default for {ours!r} must be a single value", str(ours))
            defaults[ours] = str(value)
        section = "extra"
        raw_extra = data.get("extra") or {}
        if not isinstance(raw_extra, dict):
            fail("'extra' must map custom field names to {column, type, normalise}", "extra")
        extra: list[ExtraColumn] = []
        for name, spec in raw_extra.items():
            if not isinstance(name, str) or not is_extra_name(name):
                fail(
                    f"{name!r} is not a custom field name (lower case letters, digits and _, "
                    "starting with a letter, at most 40 characters)",
                    str(name),
                )
            if isinstance(spec, str) and spec:
                spec = {"column": spec}
            if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
                fail(f'{name!r} needs a column: {{column: "File Column", type: text}}', name)
            for key in spec:
                if key not in _EXTRA_KEYS:
                    fail(f"{name!r}: unknown key {key!r}", name, did_you_mean(str(key),
                         list(_EXTRA_KEYS)))  # fmt: skip
            kind, how = spec.get("type", "text"), spec.get("normalise", "strip")
            if kind not in EXTRA_TYPES:
                fail(f"{name!r}: type {kind!r} is not one of {', '.join(EXTRA_TYPES)}", name,
                     did_you_mean(str(kind), list(EXTRA_TYPES)))  # fmt: skip
            if how not in NORMALISERS:
                fail(f"{name!r}: normalise {how!r} is not one of {', '.join(NORMALISERS)}",
                     name, did_you_mean(str(how), list(NORMALISERS)))  # fmt: skip
            extra.append(ExtraColumn(name, spec["column"], kind, how))
        section = None
        options: dict[str, Any] = {}
        for key in ("delimiter", "encoding", "list_separator", "date_format", "datetime_format"):
            if key in data:
                if not isinstance(data[key], str) or not data[key]:
                    fail(f"{key!r} must be a non-empty text", key)
                options[key] = data[key]
        if "delimiter" in options and len(options["delimiter"]) != 1:
            fail("'delimiter' must be one character", "delimiter")
        if "decimal_comma" in data:
            if not isinstance(data["decimal_comma"], bool):
                fail("'decimal_comma' must be true or false", "decimal_comma")
            options["decimal_comma"] = data["decimal_comma"]
        if "encoding" in options:
            import codecs

            try:
                codecs.lookup(options["encoding"])
            except LookupError:
                fail(f"unknown encoding {options['encoding']!r}", "encoding")
        return cls(columns=columns, defaults=defaults, source=source, extra=tuple(extra), **options)

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMapping:
        """Read a YAML mapping file (safe YAML, at most 256 KiB)."""
        data, node = read_mapping_yaml(path)
        return cls.from_dict(data, source=str(path), node=node)

    def source_columns(self, ours: str) -> tuple[str, ...]:
        """The file's column(s) read for one of our columns."""
        theirs = self.columns.get(ours, ours)
        return theirs if isinstance(theirs, tuple) else (theirs,)


_MAX_FLOW_DEPTH = 64  # a mapping file nests three deep at most (columns: {ours: [a, b]})


def _flow_deeper_than(text: str, limit: int) -> bool:
    """Whether a ``[``/``{`` collection of ``text`` nests more than ``limit`` deep (quoted
    text and comments aside)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, quote, comment, previous = 0, "", False, "\n"
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return False


def read_mapping_yaml(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """A mapping file's data and node graph (for line numbers): safe YAML, at most
    :data:`MAX_MAPPING_BYTES`; any problem is a :class:`MappingError` naming the file."""
    path = Path(path)
    try:
        # A FIFO given as a mapping would otherwise make the command wait for ever.
        raw = read_regular_file(path, MAX_MAPPING_BYTES)
    except RefusedFileError as exc:
        if exc.code != "too_large":
            raise MappingError(str(exc), path=str(path)) from None
        size = f"{exc.size}" if exc.size is not None else f"over {MAX_MAPPING_BYTES}"
        raise MappingError(
            f"file is {size} bytes; mapping files are limited to {MAX_MAPPING_BYTES}",
            path=str(path),
        ) from None
    except OSError as exc:
        raise MappingError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(f"not UTF-8 text (byte {exc.start})", path=str(path)) from None
    if _flow_deeper_than(text, _MAX_FLOW_DEPTH):
        # Refused before PyYAML reads it: its scanner takes time in the square of the
        # depth (a second for 5,000 '['), before it gives up on the recursion below.
        raise MappingError("values are nested too deeply", path=str(path))
    try:
        loader = yaml.SafeLoader(text)  # composed once: the node (for lines) and the data
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            path=str(path),
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except RecursionError:  # PyYAML composes nested values recursively
        raise MappingError("values are nested too deeply", path=str(path)) from None
    return data or {}, node


def render_layout() -> str:
    """The flat layout's columns as a Markdown table (in ``docs/input.md``)."""
    lines = ["| column | part | kind | description |", "| --- | --- | --- | --- |"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {c.group.replace('_', ' ')} | {c.kind} | {c.description} |")
    return "\n".join(lines) + "\n"
