"""Flat tables out: manifests written as rows of the flat layout, to CSV or Parquet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from riskprofile.errors import DataError
from riskprofile.io._cells import CsvWriter, csv_cell, csv_line
from riskprofile.io._layout import COLUMNS, DECLARATION_COLUMNS
from riskprofile.model.manifest import Container, GoodsItem, Manifest, Party
from riskprofile.model.shared import EXTRA_PREFIX

__all__ = ["FlatSink", "cell_text", "checked_row", "table_rows", "write_csv", "write_parquet"]


def cell_text(value: Any) -> str | None:
    """A value of :func:`table_rows` as the flat writers write it: None as is, a bool
    ``true``/``false``, a list joined with ``;`` (an empty one None), anything else its
    ``str``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value) if value else None
    return str(value) if not isinstance(value, str) else value


def _party_cells(prefix: str, party: Party | None, aeo: bool) -> dict[str, Any]:
    if party is None:
        return {}
    cells: dict[str, Any] = {
        f"{prefix}_name": party.name,
        f"{prefix}_address": party.address,
        f"{prefix}_country": party.country,
        f"{prefix}_identifier": party.identifier,
    }
    if aeo:
        cells[f"{prefix}_aeo"] = party.aeo
    return cells


def _goods_cells(g: GoodsItem) -> dict[str, Any]:
    return {
        "hs_code": g.hs_code, "description": g.description, "packages": g.packages,
        "package_type": g.package_type, "gross_weight_kg": g.gross_weight_kg,
        "net_weight_kg": g.net_weight_kg, "value": g.value, "currency": g.currency,
        "origin_country": g.origin_country, "un_number": g.un_number,
        "imdg_class": g.imdg_class,
    }  # fmt: skip


def table_rows(manifests: Iterable[Manifest]) -> Iterator[dict[str, Any]]:
    """Manifests as rows of the flat layout (column name -> value or None); a bill of
    lading's custom fields as ``x_<name>`` on each of its rows."""
    for m in manifests:
        voyage = {
            "vessel_name": m.vessel_name, "vessel_imo": m.vessel_imo,
            "voyage_number": m.voyage_number, "carrier_scac": m.carrier_scac,
            "port_of_call": m.port_of_call,
            "arrival": m.arrival.isoformat() if m.arrival else None,
        }  # fmt: skip
        boxes = {c.number: c for c in m.containers}

        def box_cells(number: str | None, boxes: dict[str, Container] = boxes) -> dict[str, Any]:
            if number is None:
                return {}
            box = boxes.get(number)
            cells: dict[str, Any] = {"container_number": number}
            if box is not None:
                cells.update(
                    container_size_type=box.size_type,
                    container_full=box.full,
                    seal_numbers=[s.number for s in box.seals],
                    seal_sealers=[s.sealer or "" for s in box.seals]
                    if any(s.sealer for s in box.seals) else [],
                    verified_gross_mass_kg=box.verified_gross_mass_kg,
                    tare_kg=box.tare_kg,
                    container_reefer_celsius=box.reefer_celsius,
                )  # fmt: skip
            return cells

        named: set[str] = set()
        for c in m.consignments:
            bill = {
                "bl_number": c.bl_number, "master_bl_number": c.master_bl_number,
                "bl_issue_date": c.issue_date.isoformat() if c.issue_date else None,
                "place_of_receipt": c.place_of_receipt, "port_of_loading": c.port_of_loading,
                "transshipment_ports": list(c.transshipment_ports),
                "port_of_discharge": c.port_of_discharge,
                "place_of_delivery": c.place_of_delivery, "freight_terms": c.freight_terms,
                "pre_carriage_mode": c.pre_carriage_mode, "on_carriage_mode": c.on_carriage_mode,
                **_party_cells("shipper", c.shipper, True),
                **_party_cells("consignee", c.consignee, True),
                **_party_cells("notify", c.notify_party, True),
                **_party_cells("freight_payer", c.freight_payer, True),
                **{name: getattr(c, name) for name in DECLARATION_COLUMNS},
                **{EXTRA_PREFIX + name: value for name, value in c.extra.items()},
            }  # fmt: skip
            # Rows follow the B/L's container order (a reader meets each container in
            # the same order), each container's goods lines in declared order, then the
            # lines shared by all its containers.
            emitted = False
            for number in [*c.all_container_numbers, None]:
                lines = [g for g in c.goods if g.container_number == number]
                if number is not None:
                    named.add(number)
                    if not lines:
                        emitted = True
                        yield {**voyage, **bill, **box_cells(number)}
                for g in lines:
                    emitted = True
                    yield {**voyage, **bill, **box_cells(number), **_goods_cells(g)}
            if not emitted:
                yield {**voyage, **bill}
        for box in m.containers:
            if box.number not in named:
                named.add(box.number)
                yield {**voyage, **box_cells(box.number)}


def _custom_names(
    manifests: Iterable[Manifest], extra: Sequence[str] | None
) -> tuple[Iterable[Manifest], list[str]]:
    """The manifests (gathered when they must be looked through) and the custom fields
    to write as columns, ``x_<name>``: those named, or all that the manifests have,
    sorted by name."""
    if extra is not None:
        return manifests, [EXTRA_PREFIX + name for name in extra]
    if not isinstance(manifests, Sequence):
        manifests = list(manifests)
    found = {name for m in manifests for c in m.consignments for name in c.extra}
    return manifests, [EXTRA_PREFIX + name for name in sorted(found)]


def checked_row(row: dict[str, Any], custom: set[str]) -> dict[str, Any]:
    """``row``, refused (:class:`~riskprofile.DataError`) when it holds a custom field
    that is not among ``custom`` (``x_<name>``)."""
    for name in row:
        if name.startswith(EXTRA_PREFIX) and name not in custom:
            raise DataError(
                f"bill of lading {row.get('bl_number')}: custom field {name} is not among "
                f"the custom fields to write ({', '.join(sorted(custom)) or 'none'})"
            )
    return row


def write_csv(
    manifests: Iterable[Manifest], path: str | Path, *, extra: Sequence[str] | None = None
) -> int:
    """Write manifests as a CSV file in the flat layout; returns the rows written.

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) is written
    with a leading quote (:func:`~riskprofile.io.csv_cell`); the readers take it off.

    A goods line that a multi-container B/L shares (no container number) is written
    without one, followed by one row per container of the B/L.

    Custom fields (``Consignment.extra``) are written after the layout's columns as
    ``x_<name>`` (a date ISO 8601, a bool ``true``/``false``, a list joined with ``;``):
    ``extra`` names them (without the prefix); by default they are the custom fields the
    manifests have, sorted by name, and manifests that are not a list are gathered first
    to find them. A manifest with a custom field that ``extra`` does not name is refused
    (:class:`~riskprofile.DataError`), never written without it. To read them back, a
    column mapping declares each with its type (``extra: {cleared: {column: x_cleared,
    type: date}}``).
    """
    manifests, custom = _custom_names(manifests, extra)
    allowed = set(custom)
    names = [c.name for c in COLUMNS] + custom
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = CsvWriter(handle)
        writer.writerow(names)
        for row in table_rows(manifests):
            checked_row(row, allowed)
            writer.writerow(["" if (v := cell_text(row.get(n))) is None else v for n in names])
            count += 1
    return count


_CHUNK_ROWS = 8192  # rows of a Parquet file written at a time (a row group each)


def write_parquet(
    manifests: Iterable[Manifest], path: str | Path, *, extra: Sequence[str] | None = None
) -> int:
    """Write manifests as a Parquet file in the flat layout (all columns text); custom
    fields as :func:`write_csv` writes them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    manifests, custom = _custom_names(manifests, extra)
    allowed = set(custom)
    names = [c.name for c in COLUMNS] + custom
    schema = pa.schema([(n, pa.string()) for n in names])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in table_rows(manifests):
            checked_row(row, allowed)
            chunk.append({n: cell_text(row.get(n)) for n in names})
            if len(chunk) >= _CHUNK_ROWS:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                count += len(chunk)
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


class FlatSink:
    """A flat CSV or Parquet file written from text columns (Polars frames of the
    layout's columns, ``names``): the bytes :func:`write_csv` and :func:`write_parquet`
    write for the same rows (``data convert``'s column-wise path). Use as a context
    manager; :meth:`write` takes the next rows."""

    def __init__(self, path: str | Path, names: Sequence[str], fmt: str) -> None:
        self.path = Path(path)
        self.names = list(names)
        self.fmt = fmt
        self.rows = 0
        self._handle: Any = None
        self._writer: Any = None
        self._pending: list[Any] = []
        self._pending_rows = 0

    def __enter__(self) -> FlatSink:
        if self.fmt == "csv":
            self._handle = open(self.path, "w", newline="", encoding="utf-8")
            self._handle.write(csv_line(self.names, lineterminator="\r\n"))
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema([(n, pa.string()) for n in self.names])
            self._writer = pq.ParquetWriter(str(self.path), self._schema)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            if self._pending_rows and exc[0] is None:
                self._flush(final=True)
            self._writer.close()
        if self._handle is not None:
            self._handle.close()

    def write(self, frame: Any) -> None:
        """Write the rows of ``frame`` (a Polars frame with a text column per name)."""
        if frame.height == 0:
            return
        self.rows += frame.height
        if self._handle is not None:
            # Each record is one text cell, written as it is (no quotes, no line end).
            self._handle.flush()
            _csv_records(frame, self.names).to_frame().write_csv(
                self._handle, include_header=False, quote_style="never", line_terminator=""
            )
            return
        import pyarrow as pa

        columns = [frame[n].to_arrow().cast(pa.string()) for n in self.names]
        self._pending.append(pa.Table.from_arrays(columns, schema=self._schema))
        self._pending_rows += frame.height
        self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        """Write the pending rows in row groups of ``_CHUNK_ROWS``, as
        :func:`write_parquet` cuts them (the last, short one only at the end)."""
        import pyarrow as pa

        if self._pending_rows < _CHUNK_ROWS and not final:
            return
        table = pa.concat_tables(self._pending)
        start = 0
        while table.num_rows - start >= _CHUNK_ROWS or (final and start < table.num_rows):
            # One chunk per column, as Table.from_pylist gives write_parquet.
            self._writer.write_table(table.slice(start, _CHUNK_ROWS).combine_chunks())
            start += _CHUNK_ROWS
        rest = table.slice(start)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows


def _csv_records(frame: Any, names: list[str]) -> Any:
    """Each row of ``frame`` as :func:`~riskprofile.io.csv_line` writes it (cells that a
    spreadsheet would run as a formula quoted by :func:`~riskprofile.io.csv_cell`, once
    per distinct cell; quotes where the csv module puts them), ended by CRLF."""
    import polars as pl

    cells = []
    for name in names:
        s = frame[name]
        marked = s.str.contains(r"^[=+\-@\t\r']").fill_null(False)
        if marked.any():
            values = s.filter(marked).unique()
            s = s.replace(values, pl.Series([csv_cell(v) for v in values.to_list()]))
        col = pl.lit(s)
        quoted = pl.lit('"') + col.str.replace_all('"', '""', literal=True) + pl.lit('"')
        cells.append(
            pl.when(col.str.contains('[,"\n\r]')).then(quoted).otherwise(col).fill_null("")
        )
    line = pl.concat_str(cells, separator=",") + pl.lit("\r\n")
    return frame.select(line.alias("_line")).to_series()
