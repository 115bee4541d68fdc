"""``read_batch``: any supported file in, shipments and rejected records out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from riskprofile.errors import InputFormatError, RecordError
from riskprofile.io._batch import Batch, FieldProblem, RejectedRecord, problems_from_validation
from riskprofile.io._json import DOCUMENT_LIMITS, FILE_LIMITS, iter_lines, read_document
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._table import TableReader
from riskprofile.io._tabular import (
    csv_rows,
    open_table,
    parquet_rows,
    require_batch_file,
    table_mapping,
)
from riskprofile.io.edifact import iter_edifact_manifests, looks_like_edifact
from riskprofile.model import Strictness, validation_context
from riskprofile.model.manifest import Manifest
from riskprofile.model.shipment import Shipment, flatten

__all__ = [
    "BatchFormat",
    "ManifestReading",
    "detect_format",
    "iter_json_manifests",
    "read_batch",
    "read_manifests",
    "write_json",
]

BatchFormat = Literal["json", "jsonl", "csv", "parquet", "edifact"]

_SUFFIXES: dict[str, BatchFormat] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".edi": "edifact",
    ".edifact": "edifact",
}


def detect_format(path: Path) -> BatchFormat:
    """The batch format from the file name (``.json``, ``.jsonl``, ``.csv``, ``.parquet``)."""
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    if looks_like_edifact(path):
        return "edifact"
    raise InputFormatError(
        "cannot tell the format from the file name; use .json, .jsonl, .csv or .parquet, "
        "or pass format=",
        path=str(path),
    )


def json_documents(path: Path, fmt: BatchFormat) -> Iterator[tuple[int, Any]]:
    source = str(path)
    if fmt == "jsonl":
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=source) from None
        with handle:
            for line in iter_lines(handle, DOCUMENT_LIMITS):
                if line.error is not None:
                    yield line.number, Undecodable(line.error.reason)
                else:
                    yield line.number, line.value
        return
    data = read_document(path, FILE_LIMITS)
    if isinstance(data, dict) and "manifests" in data and isinstance(data["manifests"], list):
        data = data["manifests"]
    if isinstance(data, dict):
        yield 1, data
    elif isinstance(data, list):
        yield from enumerate(data, start=1)
    else:
        raise InputFormatError(
            "expected a manifest object, a list of manifests or {'manifests': [...]}",
            path=source,
        )


class Undecodable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def iter_json_manifests(
    path: str | Path,
    *,
    strictness: Strictness = "lenient",
    rejected: list[RejectedRecord] | None = None,
    format: Literal["json", "jsonl"] | None = None,
    numbers: list[int] | None = None,
) -> Iterator[Manifest]:
    """Stream the manifests of a JSON or JSON Lines file.

    JSON Lines files are read one line at a time, so memory stays flat however large the
    file; a JSON array is parsed whole. Records that fail validation are appended to
    ``rejected`` (when given) and skipped. ``numbers`` (when given) receives each yielded
    manifest's record number (its line, or its place in the array from 1), in order.
    """
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in ("json", "jsonl"):
        raise InputFormatError(f"not a JSON file (format {fmt})", path=str(path))
    context = validation_context(strictness)
    for number, doc in json_documents(path, fmt):
        read = json_manifest(str(path), number, doc, context)
        if isinstance(read, Manifest):
            if numbers is not None:
                numbers.append(number)
            yield read
        elif rejected is not None:
            rejected.append(read)


def json_manifest(
    source: str, number: int, doc: Any, context: dict[str, Any]
) -> Manifest | RejectedRecord:
    """One document of a JSON or JSON Lines file (record ``number``, as
    :func:`json_documents` gives it) as its manifest, or as the record rejected with its
    reasons: what :func:`iter_json_manifests` does with each."""
    if isinstance(doc, Undecodable):
        problems = [FieldProblem(None, None, doc.reason)]
    elif not isinstance(doc, dict):
        problems = [FieldProblem(None, None, "a manifest must be a JSON object")]
    else:
        try:
            return Manifest.model_validate(doc, context=context)
        except RecordError as exc:
            problems = problems_from_validation(exc)
    boxes, bills = _units_of(doc)
    return RejectedRecord(source, number, tuple(problems), boxes, bills)


def _items(value: Any) -> list[Any]:
    """A document's list, or nothing when the document holds something else there."""
    return value if isinstance(value, list) else []


def _units_of(doc: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The container and B/L numbers a rejected manifest document names, as far as it can
    be read (text values only, each once)."""
    boxes: dict[str, None] = {}
    bills: dict[str, None] = {}
    if not isinstance(doc, dict):
        return (), ()

    def text(value: Any, into: dict[str, None]) -> None:
        if isinstance(value, str) and value.strip():
            into.setdefault(value.strip(), None)

    for box in _items(doc.get("containers")):
        if isinstance(box, dict):
            text(box.get("number"), boxes)
    for bill in _items(doc.get("consignments")):
        if not isinstance(bill, dict):
            continue
        text(bill.get("bl_number"), bills)
        numbers = bill.get("container_numbers")
        for number in numbers if isinstance(numbers, list) else []:
            text(number, boxes)
        for item in _items(bill.get("goods")):
            if isinstance(item, dict):
                text(item.get("container_number"), boxes)
    return tuple(boxes), tuple(bills)


def read_batch(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    strictness: Strictness = "lenient",
    format: BatchFormat | None = None,
) -> Batch:
    """Read a batch file into shipments, keeping every rejected record with its reasons.

    Args:
        path: a JSON manifest document (or list of them), JSON Lines of manifests, a CSV
            file or a Parquet file in the flat layout (one row per goods line).
        mapping: for flat files, a :class:`ColumnMapping` or the path of a mapping YAML
            file, when the file's columns are not named as in the layout.
        strictness: ``"lenient"`` (default) keeps records with invalid codes and flags
            them, so that rules can see the problem; ``"strict"`` rejects them.
        format: ``json``, ``jsonl``, ``csv`` or ``parquet``; from the file name when
            omitted.

    Returns:
        A :class:`Batch`: ``records_accepted + len(rejected) == records_read`` always.

    Raises:
        InputFormatError: the file cannot be read at all (missing, wrong format, no usable
            header).
        MappingError: the mapping file is invalid.

    >>> batch = read_batch("examples/data/karachi-sample.csv")
    >>> batch.records_read == batch.records_accepted + len(batch.rejected)
    True
    """
    reading = read_manifests(path, mapping=mapping, strictness=strictness, format=format)
    shipments: list[Shipment] = []
    for manifest in reading:
        shipments.extend(flatten(manifest))
    return reading.batch(shipments)


class ManifestReading:
    """Manifests read from a batch file, one at a time, and what was rejected.

    Iterate it (once) for the :class:`~riskprofile.Manifest` objects; ``rejected`` and
    ``records_read`` are complete when the iteration ends. JSON Lines files stream; a flat
    file yields its manifests after its last row, because a container's bills of lading
    may be anywhere in the file.
    """

    def __init__(
        self,
        source: str,
        strictness: Strictness,
        unit: str,
        manifests: Iterator[Manifest],
        table: TableReader | None = None,
        rejected: list[RejectedRecord] | None = None,
        numbers: list[int] | None = None,
    ) -> None:
        self.source = source
        self.strictness: Strictness = strictness
        self.record_unit = unit
        # JSON readers append to this list while the iteration runs.
        self.rejected: list[RejectedRecord] = rejected if rejected is not None else []
        self.manifests = 0
        self._iterator = manifests
        self._table = table
        # JSON readers: each manifest's record number, in the order they are yielded.
        self.record_numbers: list[int] = numbers if numbers is not None else []

    def __iter__(self) -> Iterator[Manifest]:
        for manifest in self._iterator:
            self.manifests += 1
            yield manifest
        if self._table is not None:
            self.rejected = self._table.rejected_records()

    @property
    def records_read(self) -> int:
        """Records read so far (all of them once iteration has ended)."""
        if self._table is not None:
            return self._table.rows_read
        return self.manifests + len(self.rejected)

    @property
    def ignored_columns(self) -> list[str]:
        """Columns of a flat file that neither the layout nor the mapping uses."""
        return list(self._table.ignored_columns) if self._table is not None else []

    def batch(self, shipments: list[Shipment]) -> Batch:
        """The :class:`Batch` for these shipments (after iteration)."""
        return Batch(
            self.source,
            self.strictness,
            shipments,
            list(self.rejected),
            self.records_read,
            self.manifests,
            ignored_columns=self.ignored_columns,
            record_unit=self.record_unit,
        )


def read_manifests(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    strictness: Strictness = "lenient",
    format: BatchFormat | None = None,
) -> ManifestReading:
    """Read a batch file as :class:`~riskprofile.Manifest` objects (e.g. to convert a CSV
    export to JSON); arguments as for :func:`read_batch`.

    >>> reading = read_manifests("examples/data/customs-export.csv",
    ...                          mapping="examples/mappings/customs-export.yaml")
    >>> manifests = list(reading)
    >>> reading.records_read == 12
    True
    """
    path = Path(path)
    source = str(path)
    require_batch_file(path, source)
    fmt = format or detect_format(path)
    validation_context(strictness)  # reject a bad mode before reading anything
    if fmt == "edifact":  # ``mapping``: an EDIFACT mapping file (docs/edifact.md)
        if isinstance(mapping, ColumnMapping):
            raise InputFormatError("a column mapping applies to CSV and Parquet only", path=source)
        rejected_units: list[RejectedRecord] = []
        units: list[int] = []
        messages = iter_edifact_manifests(
            path, strictness=strictness, mapping=mapping, rejected=rejected_units, numbers=units
        )
        return ManifestReading(
            source, strictness, "message", messages, rejected=rejected_units, numbers=units
        )
    if fmt in ("json", "jsonl"):
        if mapping is not None:
            raise InputFormatError("a column mapping applies to CSV and Parquet only", path=source)
        unit = "line" if fmt == "jsonl" else "manifest"
        rejected: list[RejectedRecord] = []
        numbers: list[int] = []
        manifests = iter_json_manifests(
            path, strictness=strictness, rejected=rejected, format=fmt, numbers=numbers
        )
        return ManifestReading(
            source, strictness, unit, manifests, rejected=rejected, numbers=numbers
        )
    resolved = ColumnMapping.of(mapping)
    if fmt == "csv":
        resolved = table_mapping(path, resolved)
        # surrogateescape: an undecodable byte costs its record, not the batch.
        with open_table(path, resolved, source, errors="surrogateescape") as handle:
            header, rows = csv_rows(handle, resolved, source)
            table = _read_rows(header, rows, resolved, strictness, source)
        return ManifestReading(source, strictness, "line", table.finish(), table)
    header, rows = parquet_rows(path, source)
    table = _read_rows(header, rows, resolved, strictness, source)
    return ManifestReading(source, strictness, "row", table.finish(), table)


def _read_rows(
    header: list[str],
    rows: Iterable[tuple[int, dict[str, Any]]],
    mapping: ColumnMapping,
    strictness: Strictness,
    source: str,
) -> TableReader:
    reader = TableReader(mapping, strictness, header, source)
    try:
        for line, row in rows:
            reader.add(line, row)
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"not {mapping.encoding} text ({exc.reason} at byte {exc.start}); "
            "set 'encoding' in the column mapping",
            path=source,
        ) from None
    return reader


def write_json(
    manifests: Iterable[Manifest], path: str | Path, *, lines: bool | None = None
) -> int:
    """Write manifests as JSON Lines (``.jsonl``) or a JSON array; returns the count."""
    path = Path(path)
    if lines is None:
        lines = path.suffix.lower() in (".jsonl", ".ndjson")
    with JsonSink(path, lines=lines) as sink:
        for manifest in manifests:
            sink.write_texts([manifest.model_dump_json(exclude_defaults=True)])
    return sink.count


class JsonSink:
    """A JSON array or JSON Lines file of manifests written from their JSON texts (each
    a manifest's ``model_dump_json(exclude_defaults=True)``), laid out as
    :func:`write_json` lays them out: one manifest a line, the array's ``[`` and ``]``
    on lines of their own. Use as a context manager; :meth:`write` takes the next
    manifests (``data convert``'s column-wise path)."""

    def __init__(self, path: str | Path, *, lines: bool) -> None:
        self.path = Path(path)
        self.lines = lines
        self.count = 0
        self._handle: Any = None

    def __enter__(self) -> JsonSink:
        self._handle = open(self.path, "w", encoding="utf-8")
        if not self.lines:
            self._handle.write("[\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.lines and exc[0] is None:
            self._handle.write("]\n")
        self._handle.close()

    def write_texts(self, texts: Sequence[str]) -> None:
        """Write the next manifests, each given as its JSON text."""
        if not texts:
            return
        if self.lines:
            self._handle.write("\n".join(texts) + "\n")
        else:
            self._handle.write(("," if self.count else "") + "\n,".join(texts) + "\n")
        self.count += len(texts)

    def write(self, frame: Any) -> None:
        """Write the manifests of ``frame`` (a Polars frame whose ``manifest`` column
        holds each one's JSON text, without a line end: JSON escapes them)."""
        import polars as pl

        if frame.height == 0:
            return
        texts = frame.select("manifest")
        if not self.lines:  # each after the file's first follows a comma
            first = pl.int_range(pl.len()) == 0 if self.count == 0 else pl.lit(False)
            comma = pl.when(first).then(pl.lit("")).otherwise(pl.lit(","))
            texts = texts.select(pl.concat_str([comma, pl.col("manifest")]).alias("manifest"))
        self._handle.flush()
        texts.write_csv(self._handle, include_header=False, quote_style="never")
        self.count += frame.height
