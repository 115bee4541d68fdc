"""The column-wise CUSCAR reader: an interchange straight into the shipment frame.

The model path (:mod:`._reader`: a :class:`~riskprofile.Manifest` per message, then
:func:`~riskprofile.model.shipment.flatten`) is the reference and stays so; for a large
interchange it builds millions of small objects. This path makes none per segment:

1. the text is cut into segments by plain splits in Polars (released service
   characters are swapped for placeholders first, as the tokenizer does; the two
   halves of the text on two threads) and held in one Polars column;
2. the envelope is checked on its few service segments (``UNB``, ``UNH``, ``UNT``,
   ``UNZ``), each read by the tokenizer itself;
3. the *tags* alone walk each message through its segment table (the group parser's
   own rule, made a complete table of moves per state and tag first: one list lookup
   per segment), giving each segment its group path and each group occurrence a
   number; repeats over the table's limits are counted in Polars;
4. each field of the mapping is taken where its selectors say, for every record at
   once (first match wins, as in the model path; the four record sections two at a
   time on two threads), and the records are laid out as the rows of the flat layout
   that :func:`~riskprofile.io.table_rows` writes for the same manifest;
5. those rows are read by the column-wise flat reader (:mod:`riskprofile.io._frame`),
   which normalises and checks every value as it does for CSV and Parquet, while what
   is routed to the model path (below) is read on a thread of its own.

The cyclic garbage collector is paused for the whole read: nothing it makes is cyclic
garbage.

Exact by routing: a message this path could read differently from the model path goes
through the model path alone (its shipments and its rejection are then the model's own,
put back in file order): any problem the model path would report or flag (a segment out
of place, a count, a value that does not read, another message type or directory, a
message function other than an original), and anything the flat layout says otherwise
than the manifest (the rules of :mod:`riskprofile.io._frame._json`: a blank or padded
text, a container number off ISO 6346 on a B/L without a key party's name, a B/L
number twice, two messages of one vessel call...). A file whose envelope is not plain
``[UNB] (UNH...UNT)* [UNZ]``, a strict read, a mapping feature this path does not take,
and a flat read that rejected or routed a row send the whole file through the model path
(``FrameBatch.fallback`` says why).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from riskprofile.errors import InputFormatError
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._layout import COLUMNS
from riskprofile.io.edifact._cutting import _Cut, _envelope, _State, _WholeFile
from riskprofile.io.edifact._envelope import Message, open_envelopes
from riskprofile.io.edifact._fields import _Columns
from riskprofile.io.edifact._mapping import EdifactMapping
from riskprofile.io.edifact._reader import (
    _read_message,
    _rejected,
    paused_gc,
    read_text,
)
from riskprofile.io.edifact._rows import _assemble, _Laid, unmark_twice
from riskprofile.io.edifact._syntax import (
    Segment,
    ServiceChars,
    tokenize,
    write_segment,
)
from riskprofile.model import Strictness, validation_context
from riskprofile.model.manifest import Manifest

if TYPE_CHECKING:
    from riskprofile.io._frame import FrameBatch


__all__ = ["EdifactColumns", "edifact_columns", "read_edifact_frame"]


@dataclass
class EdifactColumns:
    """A CUSCAR file cut for the column-wise reader.

    Attributes:
        cells: the flat layout's rows (every column as text) of what is read
            column-wise, in file order, with ``unit`` (the message number) and ``bill``
            (the B/L's id, null for a container no B/L names).
        fast: the messages with rows in ``cells`` (units of the file, from 1), in order.
        routed: unit -> the whole message, for the model path (nothing of it in
            ``cells``).
        parts: unit -> the segments (their places in the file) of the part of a message
            the model path reads (its header, the B/Ls and containers routed, and their
            closure: the rest is in ``cells``); ``part`` cuts it out as a message.
        fast_bills: ``unit``, ``run`` (the n-th B/L of the message in ``cells``) and
            ``key`` (the B/L's place in the file), to put shipments back in order.
        part_bills: unit -> the file places of the B/Ls in ``parts[unit]``, in order.
        declared: ``unit``, ``container_number``, ``key``: where each container is first
            declared (the order of the containers no B/L names).
        whole: the whole message of a unit (when its part cannot be read alone).
        part: the part of a message of ``parts`` as a message (with its trailer).
        units: the file's units (messages; the envelope is plain, so no other).
        service: the service characters.
        reasons: unit -> why (some of) it goes through the model path.
    """

    cells: pl.DataFrame
    fast: list[int]
    routed: dict[int, Message]
    parts: dict[int, list[int]]
    fast_bills: pl.DataFrame
    part_bills: dict[int, list[int]]
    declared: pl.DataFrame
    whole: Callable[[int], Message]
    part: Callable[[int], Message]
    units: int
    service: ServiceChars
    reasons: dict[int, str] = field(default_factory=dict)


# --- the whole read --------------------------------------------------------------------------


def edifact_columns(text: str, mapping: EdifactMapping) -> EdifactColumns:
    """Cut a CUSCAR file's text for the column-wise reader (see the module docstring).

    Raises:
        _WholeFile: the whole file goes through the model path (the reason).
        InputFormatError: the ``UNA`` is unusable.
    """
    cut = _Cut(text)
    del text
    envelope = _envelope(cut)
    columns = _Columns(cut, envelope, mapping)
    with paused_gc():
        frame = columns.place()
    # BGM message function other than an original: flagged by the model path.
    bgm = (
        frame.lazy()
        .filter(columns.where(lambda s: s.tag == "BGM" and not s.names))
        .select("unit", "raw")
        .group_by("unit", maintain_order=True)
        .first()
        .collect()
    )
    function = cut.component(pl.col("raw"), 3, 1)
    columns.route_where(bgm, (function != "9") & (function != ""), "not an original message")
    laid = _assemble(columns, frame)
    bills, boxes = _closure(columns, laid)
    bad = columns.bad
    # A message left with no B/L and no container of its own goes whole.
    rest = pl.concat(
        [
            laid.bills.filter(~pl.col("id").is_in(list(bills))).select("unit"),
            laid.boxes.filter(~pl.col("id").is_in(list(boxes))).select("unit"),
        ]
    )
    left = set(rest.get_column("unit").to_list())
    # The message of each B/L and container routed (only those: not one Python pair
    # per record of the file).
    routed_ids = pl.Series([*bills, *boxes], dtype=pl.Int64).implode()
    unit_of = dict(
        laid.bills.filter(pl.col("id").is_in(routed_ids)).select("id", "unit").iter_rows()
    )
    unit_of.update(
        laid.boxes.filter(pl.col("id").is_in(routed_ids)).select("id", "unit").iter_rows()
    )
    partial = {unit_of[i] for i in [*bills, *boxes]} - set(bad)
    for unit in sorted(partial - left):
        columns.route([unit], "every B/L and container of the message goes through the models")
    partial &= left
    cells = laid.rows.filter(
        ~pl.col("unit").is_in(list(bad)) & ~pl.col("bill").is_in(list(bills)).fill_null(False)
    )
    routed_numbers = (
        laid.boxes.filter(pl.col("id").is_in(list(boxes)))
        .select("unit", "container_number", pl.lit(True).alias("_routed"))
        .unique(["unit", "container_number"])
    )
    cells = (
        cells.join(
            routed_numbers, on=["unit", "container_number"], how="left", maintain_order="left"
        )
        .filter(~(pl.col("bill").is_null() & pl.col("_routed").fill_null(False)))
        .drop("_routed")
    )

    def whole(number: int) -> Message:
        first, last = envelope.messages[number - 1]
        return _message(cut, first, last, envelope.interchange)

    routed = {number: whole(number) for number in sorted(bad)}
    parts = _parts(columns, frame, sorted(partial - set(bad)), bills, boxes)

    def part(number: int) -> Message:
        return _part(columns, number, parts[number])

    fast = [n for n in range(1, len(envelope.messages) + 1) if n not in bad]
    fast_bills = (
        laid.bills.filter(~pl.col("unit").is_in(list(bad)) & ~pl.col("id").is_in(list(bills)))
        .sort("at")
        .select("unit", pl.int_range(pl.len()).over("unit").alias("run"), pl.col("at").alias("key"))
    )
    part_bills: dict[int, list[int]] = {}
    for unit, at in (
        laid.bills.filter(pl.col("id").is_in(list(bills)))
        .sort("at")
        .select("unit", "at")
        .iter_rows()
    ):
        part_bills.setdefault(unit, []).append(at)
    declared = laid.boxes.group_by("unit", "container_number").agg(pl.col("at").min().alias("key"))
    reasons = dict(bad)
    for record, reason in [*columns.bad_bills.items(), *columns.bad_boxes.items()]:
        reasons.setdefault(unit_of.get(record, 0), reason)
    return EdifactColumns(
        cells,
        fast,
        routed,
        parts,
        fast_bills,
        part_bills,
        declared,
        whole,
        part,
        len(envelope.messages),
        cut.service,
        reasons,
    )


def _closure(columns: _Columns, laid: _Laid) -> tuple[set[int], set[int]]:
    """The B/Ls and containers routed, with every B/L and container they share a
    container number with, and so on (what the model path counts across them: B/Ls per
    container, goods per container, a number's declarations)."""
    bills = set(columns.bad_bills)
    boxes = set(columns.bad_boxes)
    if not bills and not boxes:
        return bills, boxes
    listed = laid.listed.select("unit", "bill", "container_number")
    declared = laid.boxes.select("unit", pl.col("id").alias("box"), "container_number")
    keys = ["unit", "container_number"]
    # The container numbers concerned, grown until no B/L or container adds one.
    numbers = pl.concat(
        [
            listed.filter(pl.col("bill").is_in(list(bills))).select(keys),
            declared.filter(pl.col("box").is_in(list(boxes))).select(keys),
        ]
    ).unique()
    while True:
        more_bills = listed.join(numbers, on=keys, how="semi").get_column("bill").unique()
        grown = set(more_bills.to_list()) - bills
        bills |= grown
        if not grown:
            break
        added = listed.filter(pl.col("bill").is_in(list(grown))).select(keys)
        numbers = pl.concat([numbers, added]).unique()
    boxes |= set(declared.join(numbers, on=keys, how="semi").get_column("box").to_list())
    return bills, boxes


def _parts(
    columns: _Columns, frame: pl.DataFrame, units: list[int], bills: set[int], boxes: set[int]
) -> dict[int, list[int]]:
    """The part of each message of ``units`` the model path reads, as the places of its
    segments in the file: every segment but those of the B/Ls and containers read
    column-wise (the segments of every part picked in one filter, not one per
    message)."""
    if not units:
        return {}
    each = columns.mapping.each
    keep = pl.col("unit").is_in(units)
    for section, chosen in (("consignments", bills), ("containers", boxes)):
        path = each.get(section, ())
        depth = len(path)
        if not 0 < depth <= columns.max_depth:
            continue
        inside = columns.where(_within(path))
        keep = keep & (~inside | pl.col(f"occ{depth}").is_in(list(chosen)))
    picked = frame.lazy().filter(keep).group_by("unit").agg(pl.col("at")).collect()
    return dict(sorted(picked.iter_rows()))


def _within(path: tuple[str, ...]) -> Callable[[_State], bool]:
    """Whether a state is in the group at ``path`` (or a group in it)."""
    depth, names = len(path), tuple(path)
    return lambda s: s.names[:depth] == names


def _part(columns: _Columns, unit: int, ats: list[int]) -> Message:
    """The part of message ``unit`` made of the segments at ``ats`` (its ``UNT`` last),
    as a message of its own with a trailer that counts them (tokenized here: on the
    model path's thread)."""
    cut = columns.cut
    head = columns.envelope.heads[unit - 1]
    trailer = write_segment(Segment("UNT", ((str(len(ats)),), (head.reference,))), cut.service)
    tokens = tokenize(cut.text_from(ats[:-1], trailer))
    (message,) = open_envelopes(tokens).messages
    message.interchange = columns.envelope.interchange
    return message


def _message(cut: _Cut, first: int, last: int, interchange: str | None) -> Message:
    """The message of segments ``first`` to ``last`` as the envelope reader gives it
    (its problems placed at its file segment numbers, in its interchange)."""
    tokens = tokenize(cut.text_of(first, last))
    (message,) = open_envelopes(tokens).messages
    offset = first
    message.problems = [
        replace(
            p,
            interchange=interchange,
            segment=p.segment + offset if p.segment is not None else None,
        )
        for p in message.problems
    ]
    message.first += offset
    message.interchange = interchange
    return message


def read_edifact_frame(
    path: Path,
    mapping: object,
    strictness: Strictness,
    progress: Callable[[int, int], None] | None = None,
) -> FrameBatch | str:
    """A CUSCAR file into the shipment frame, column-wise (see the module docstring);
    the reason when the whole file must go through the model path instead.

    Raises:
        InputFormatError: the file cannot be read, or its ``UNA`` is unusable.
        MappingError: the mapping file is invalid.
    """
    from riskprofile.io._frame import FrameBatch
    from riskprofile.io._frame.shared import read_text_rows
    from riskprofile.io.edifact._reader import _mapping

    if strictness == "strict":
        return "strict EDIFACT input"
    if not (mapping is None or isinstance(mapping, EdifactMapping | str | Path)):
        return "EDIFACT input with a column mapping"  # refused by the model path
    resolved = _mapping(mapping)
    source = str(path)
    try:
        text = read_text(path)
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=source) from None
    try:
        # The collector paused throughout: the sections' and the flat reader's Python
        # objects (rows, parsed parties and dates, distinct values) are no cyclic
        # garbage, and each collection would walk them all again.
        with paused_gc():
            split = edifact_columns(text, resolved)
    except _WholeFile as exc:
        return f"EDIFACT input: {exc}"
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=source) from None
    del text
    if not split.fast:
        return "EDIFACT input: no message the column-wise path reads alone"
    fast_count, total = len(split.fast), split.units

    def rows_to_units(done: int, rows: int) -> None:
        if progress is not None:
            progress(done * fast_count // max(rows, 1), total)

    cells = split.cells.drop("unit", "bill")
    # The model path's messages and parts (Python, holding the GIL) are read on a
    # thread of their own while the flat reader (mostly Polars, which lets go of the
    # GIL) reads the rest: on two cores the two overlap.
    with ThreadPoolExecutor(max_workers=1) as pool, paused_gc():
        side = pool.submit(_model_side, split, resolved, strictness, source)
        read = read_text_rows(path, cells, "edifact", strictness, rows_to_units)
        del cells
        models = side.result()
    if read.rejected or read.rows_via_models:
        return "EDIFACT input: rows the column-wise path does not read alone"
    merged = _in_file_order(read.frame, split, models)
    if isinstance(merged, str):
        return merged
    frame, rejected, manifests = merged
    frame = unmark_twice(frame, list(_CALL_COLUMNS))
    if progress is not None:
        progress(total, total)
    return FrameBatch(
        source=source,
        format="edifact",
        strictness=strictness,
        frame=frame,
        rejected=tuple(rejected),
        records_read=total,
        manifests=manifests,
        ignored_columns=(),
        record_unit="message",
        rows_via_models=len(split.routed) + len(split.parts),
    )


@dataclass
class _ModelSide:
    """What the model path reads of a file (whole messages and parts of messages): its
    shipments as a frame keyed for the file order (``_unit``, ``_tail``, ``_key``,
    ``_at``; ``None`` when none), its rejected records, the manifests it adds to (or
    takes from) the column-wise ones, and the messages whose column-wise rows are
    dropped because the model path read them whole."""

    frame: pl.DataFrame | None
    rejected: list[RejectedRecord]
    manifests: int
    dropped: list[int]


def _model_side(
    split: EdifactColumns, mapping: EdifactMapping, strictness: Strictness, source: str
) -> _ModelSide:
    """The messages and parts of messages the model path reads, each shipment keyed
    where ``flatten`` of the whole message puts it (see :func:`_in_file_order`). Needs
    nothing of the column-wise rows: it runs beside the flat reader."""
    from riskprofile.model.frame import shipment_frame
    from riskprofile.model.shared import flagged_element
    from riskprofile.model.shipment import flatten

    rejected: list[RejectedRecord] = []
    manifests = 0
    shipments = []
    order: list[tuple[int, int, int]] = []
    dropped: list[int] = []
    wanted = sorted({*split.routed, *split.parts})
    # Where each container of a part's message is first declared (only those messages).
    declared_at = {
        (u, n): k
        for u, n, k in split.declared.filter(pl.col("unit").is_in(list(split.parts))).iter_rows()
    }
    for number in wanted:
        message = split.routed.get(number)
        outcome = None
        if message is None:  # a part: read alone unless the model says the whole message
            outcome = read_message(split.part(number), mapping, split.service, strictness,
                                   source, number)  # fmt: skip
            # A flag on a value of the message's header (a vessel IMO off its check
            # digit) reads alike in the part and in the whole message, and the flat
            # reader gives the rows read column-wise the same; any other flag that is
            # not about one of the part's own B/Ls or containers may concern the rest.
            common = isinstance(outcome, RejectedRecord) or any(
                flag.field not in _HEADER_FIELDS
                and (
                    (found := flagged_element(flag)) is None
                    or found[0] not in ("consignments", "containers")
                )
                for flag in outcome.quality_flags
            )
            if common:
                dropped.append(number)
                message = split.whole(number)
                outcome = None
        if outcome is None:
            assert message is not None
            outcome = read_message(message, mapping, split.service, strictness, source, number)
            if isinstance(outcome, RejectedRecord):
                rejected.append(outcome)
                manifests -= number in split.parts
                continue
            manifests += number in split.routed
            mine = flatten(outcome)
            shipments += mine
            order += [(number, 0, 0)] * len(mine)
            continue
        assert isinstance(outcome, Manifest)
        bill_keys = split.part_bills.get(number, [])
        for index, box in _places(outcome):
            if index is not None:
                order.append((number, 0, bill_keys[index]))
            else:
                order.append((number, 1, declared_at.get((number, box), 0)))
        shipments += flatten(outcome)
    frame = None
    if shipments:
        frame = shipment_frame(shipments).with_columns(
            pl.Series("_unit", [o[0] for o in order], dtype=pl.Int64),
            pl.Series("_tail", [o[1] for o in order], dtype=pl.Int64),
            pl.Series("_key", [o[2] for o in order], dtype=pl.Int64),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
        )
    return _ModelSide(frame, rejected, manifests, dropped)


def _in_file_order(
    fast: pl.DataFrame, split: EdifactColumns, models: _ModelSide
) -> tuple[pl.DataFrame, list[RejectedRecord], int] | str:
    """The frame of every message in file order, its rejected records and the
    manifests read: ``fast`` (the column-wise rows) and what the model path read
    (``models``: whole messages, and the parts of messages), each shipment placed where
    ``flatten`` of the whole message puts it: B/Ls in message order, then the containers
    no B/L names in the order first declared."""
    # Each message read column-wise is one vessel call, its shipments together.
    first = pl.int_range(pl.len()) == 0
    changed = first | pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(c).shift(1)) for c in _CALL_COLUMNS
    )
    runs = fast.select(changed.cast(pl.Int64).cum_sum().alias("_run")).to_series() - 1
    if fast.height == 0 or int(runs[-1]) + 1 != len(split.fast):
        return "EDIFACT input: messages the column-wise path does not tell apart"
    units = pl.Series(split.fast, dtype=pl.Int64).gather(runs)
    keyed = fast.with_columns(units.alias("_unit"))
    # Within a message, the n-th run of one B/L number is its n-th B/L read column-wise.
    new_bill = (pl.int_range(pl.len()) == 0) | pl.col("bl_number").ne_missing(
        pl.col("bl_number").shift(1)
    )
    keyed = keyed.with_columns(
        (new_bill & pl.col("bl_number").is_not_null())
        .cast(pl.Int64)
        .cum_sum()
        .over("_unit")
        .sub(1)
        .alias("run"),
        pl.col("bl_number").is_null().cast(pl.Int64).alias("_tail"),
    )
    counted = (
        keyed.filter(pl.col("_tail") == 0)
        .group_by("_unit")
        .agg((pl.col("run").max() + 1).alias("n"))
    )
    expected = split.fast_bills.group_by("unit").agg(pl.len().alias("n"))
    check = counted.join(expected, left_on="_unit", right_on="unit", how="full", coalesce=True)
    if check.filter(pl.col("n").ne_missing(pl.col("n_right"))).height:
        return "EDIFACT input: B/Ls the column-wise path does not tell apart"
    fast_bills = split.fast_bills.with_columns(pl.col("unit").cast(pl.Int64))
    declared = split.declared.with_columns(pl.col("unit").cast(pl.Int64))
    keyed = (
        keyed.join(
            fast_bills.rename({"unit": "_unit", "key": "_bill_key"}),
            on=["_unit", "run"],
            how="left",
            maintain_order="left",
        )
        .join(
            declared.rename({"unit": "_unit", "key": "_box_key"}),
            on=["_unit", "container_number"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(pl.col("_tail") == 1)
            .then(pl.col("_box_key"))
            .otherwise(pl.col("_bill_key"))
            .fill_null(0)
            .alias("_key"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
        )
        .drop("run", "_bill_key", "_box_key")
    )
    if models.dropped:
        keyed = keyed.filter(~pl.col("_unit").is_in(models.dropped))
    parts = [keyed]
    if models.frame is not None:
        parts.append(models.frame)
    frame = pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]
    frame = frame.sort("_unit", "_tail", "_key", "_at", maintain_order=True)
    manifests = len(split.fast) + models.manifests  # each gives a manifest (a part too)
    return frame.drop("_unit", "_tail", "_key", "_at"), models.rejected, manifests


# The columns that tell one vessel call from the next in a frame read column-wise.
_CALL_COLUMNS = (
    "manifest_ref",
    "vessel_name",
    "vessel_imo",
    "voyage_number",
    "port_of_call",
    "arrival",
)


# The message header's own values (the layout's voyage columns): a flag on one of them
# is the header's alone.
_HEADER_FIELDS = frozenset(c.name for c in COLUMNS if c.group == "voyage")


def _places(manifest: Manifest) -> list[tuple[int | None, str | None]]:
    """Each shipment ``flatten`` makes of ``manifest``, in its order: the index of its
    B/L (``None`` for a container no B/L names) and its container number. One per
    container a B/L names (one for a B/L naming none), then the containers no B/L names,
    once each, as first declared (``riskprofile.model.shipment``'s pieces)."""
    places: list[tuple[int | None, str | None]] = []
    named: set[str] = set()
    for index, bill in enumerate(manifest.consignments):
        numbers = bill.all_container_numbers
        named.update(numbers)
        places += [(index, n) for n in numbers] or [(index, None)]
    for box in manifest.containers:
        if box.number not in named:
            named.add(box.number)
            places.append((None, box.number))
    return places


def read_message(
    message: Message,
    mapping: EdifactMapping,
    service: ServiceChars,
    strictness: Strictness,
    source: str,
    number: int,
) -> Manifest | RejectedRecord:
    """One message through the model path, as :func:`iter_edifact_manifests` reads it."""
    context = validation_context(strictness)
    with paused_gc():
        outcome = _read_message(message, mapping, service, strictness, context)
    if isinstance(outcome, Manifest):
        return outcome
    problems, doc = outcome
    return _rejected(source, number, problems, doc)
