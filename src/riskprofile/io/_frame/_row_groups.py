"""A Parquet file's row groups (how many rows each holds), read from its footer.

A slice of a Parquet file's records that begins or ends inside a row group makes Polars
decode that whole row group, so slices cut at vessel calls decoded most row groups twice
(once for each slice they straddle). The loader decodes each row group once and hands
its rows to the slices that hold them; for that it needs the row groups' sizes, which
only the file's footer (Thrift's compact protocol, ``FileMetaData.row_groups[].num_rows``)
says. Polars does not expose them, and pyarrow costs a tenth of a second and some 40 MiB
to import for a few hundred bytes.

The sizes are a hint: every slice is still read by its own row numbers, so a footer read
wrongly (or not at all: :func:`row_group_sizes` gives None) costs time, never a value.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["row_group_sizes"]

# Footers above this are not read (a footer of many thousand row groups is a few MiB).
_MAX_FOOTER = 64 * 1024 * 1024
_MAX_DEPTH = 64

# Thrift compact protocol types.
_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY = range(9)
_LIST, _SET, _MAP, _STRUCT = 9, 10, 11, 12


class _FooterError(ValueError):
    """The footer is not what Thrift's compact protocol and Parquet's schema say."""


class _Compact:
    """Just enough of Thrift's compact protocol to walk a footer: varints, field headers,
    and skipping any value."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise _FooterError("the footer ends inside a value")
        value = self.data[self.at]
        self.at += 1
        return value

    def varint(self) -> int:
        value = shift = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 70:
                raise _FooterError("a varint longer than ten bytes")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def field(self, last: int) -> tuple[int, int]:
        """The next field's (id, type); type ``_STOP`` ends the struct."""
        header = self.byte()
        kind = header & 0x0F
        if kind == _STOP:
            return 0, _STOP
        delta = header >> 4
        return (last + delta if delta else self.zigzag()), kind

    def collection(self) -> tuple[int, int]:
        """A list's or set's (size, element type)."""
        header = self.byte()
        size = header >> 4
        if size == 15:
            size = self.varint()
        if size > len(self.data) - self.at:  # every element takes a byte at least
            raise _FooterError("a list longer than the footer")
        return size, header & 0x0F

    def skip(self, kind: int, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            raise _FooterError("values nested too deep")
        if kind in (_TRUE, _FALSE):
            return
        if kind == _BYTE:
            self.byte()
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.take(8)
        elif kind == _BINARY:
            self.take(self.varint())
        elif kind in (_LIST, _SET):
            size, element = self.collection()
            for _ in range(size):
                # Booleans in a list take a byte each.
                self.byte() if element in (_TRUE, _FALSE) else self.skip(element, depth + 1)
        elif kind == _MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip(types >> 4, depth + 1)
                    self.skip(types & 0x0F, depth + 1)
        elif kind == _STRUCT:
            last = 0
            while True:
                last, field_kind = self.field(last)
                if field_kind == _STOP:
                    return
                self.skip(field_kind, depth + 1)
        else:
            raise _FooterError(f"an unknown compact type {kind}")

    def take(self, n: int) -> None:
        if n < 0 or self.at + n > len(self.data):
            raise _FooterError("the footer ends inside a value")
        self.at += n


def _sizes(footer: bytes) -> list[int]:
    """``FileMetaData.row_groups[].num_rows`` (fields 4 and 3 of Parquet's Thrift
    definitions) of a footer."""
    reader = _Compact(footer)
    sizes: list[int] | None = None
    last = 0
    while True:
        last, kind = reader.field(last)
        if kind == _STOP:
            break
        if last != 4 or kind != _LIST:
            reader.skip(kind)
            continue
        count, element = reader.collection()
        if element != _STRUCT:
            raise _FooterError("row groups that are not structs")
        sizes = []
        for _ in range(count):
            rows = None
            field = 0
            while True:
                field, field_kind = reader.field(field)
                if field_kind == _STOP:
                    break
                if field == 3 and field_kind == _I64:
                    rows = reader.zigzag()
                else:
                    reader.skip(field_kind)
            if rows is None or rows < 0:
                raise _FooterError("a row group without its number of rows")
            sizes.append(rows)
    if sizes is None:
        raise _FooterError("no row groups")
    return sizes


def row_group_sizes(path: Path) -> list[int] | None:
    """How many rows each row group of the Parquet file holds, in file order; None when
    the footer cannot be read (the caller then reads without the hint).

    >>> import tempfile, polars as pl
    >>> path = Path(tempfile.mkdtemp()) / "groups.parquet"
    >>> pl.DataFrame({"a": ["x"] * 10}).write_parquet(path, row_group_size=4)
    >>> row_group_sizes(path)
    [4, 4, 2]
    """
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            if size < 12:
                return None
            handle.seek(size - 8)
            tail = handle.read(8)
            length = int.from_bytes(tail[:4], "little")
            if tail[4:] != b"PAR1" or not 0 < length <= min(size - 12, _MAX_FOOTER):
                return None
            handle.seek(size - 8 - length)
            footer = handle.read(length)
        return _sizes(footer)
    except (OSError, _FooterError):
        return None
