"""The column-wise CUSCAR reader (``read_frame`` of an ``.edi`` file) against the model
path, the reference: same frame, same rejected records, same counts."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.io import read_batch, read_frame
from riskprofile.io.edifact import (
    EdifactMapping,
    Segment,
    default_mapping,
    load_mapping,
    tokenize,
    write_cuscar,
    write_segments,
)
from riskprofile.io.edifact._columns import edifact_columns
from riskprofile.io.edifact._mapping import FIELDS
from riskprofile.model.frame import shipment_frame
from riskprofile.model.manifest import Manifest, Seal
from riskprofile.synth import generate_manifests
from tests.depth import depth
from tests.strategies import manifests

DATA = Path(__file__).resolve().parents[2] / "data" / "edifact"
DEFAULT_YAML = Path(__file__).resolve().parents[3] / "src/riskprofile/io/edifact/cuscar-un.yaml"


def _same_as_the_models(path: Path) -> None:
    fast = read_frame(path)
    reference = read_batch(path)
    assert fast.frame.equals(shipment_frame(reference.shipments))
    assert list(fast.rejected) == reference.rejected
    assert fast.records_read == reference.records_read
    assert fast.manifests == reference.manifests
    assert fast.record_unit == reference.record_unit == "message"


def test_a_clean_port_day_is_read_column_wise(tmp_path: Path) -> None:
    day = list(generate_manifests(seed=3, containers=150, defect_rate=0.0))
    path = tmp_path / "day.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 0
    assert batch.frame.height > 150
    _same_as_the_models(path)


def test_the_sample_is_read_column_wise() -> None:
    batch = read_frame(DATA / "karachi-d95b.edi")
    assert batch.fallback is None
    assert batch.rows_via_models == 0
    _same_as_the_models(DATA / "karachi-d95b.edi")


def test_a_message_with_a_defect_goes_through_the_models_alone(tmp_path: Path) -> None:
    day = [
        *generate_manifests(seed=5, containers=20, defect_rate=0.0),
        *generate_manifests(seed=6, containers=20, defect_rate=0.0, port_of_call="AEJEA"),
    ]
    tokens = tokenize(write_cuscar(day))
    segments = list(tokens.segments)
    # A weight that does not read, in the second message only.
    starts = [i for i, s in enumerate(segments) if s.tag == "UNH"]
    assert len(starts) >= 2
    at = next(i for i in range(starts[1], len(segments)) if segments[i].tag == "MEA")
    mea = segments[at]
    segments[at] = Segment(mea.tag, (*mea.elements[:2], ("KGM", "12x5")))
    path = tmp_path / "x.edi"
    path.write_text(write_segments(segments, tokens.service, una=True), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 1
    assert any("invalid_value" in f for flags in batch.frame["quality_flags"] for f in flags)
    _same_as_the_models(path)


def test_a_package_count_that_is_a_released_separator_is_routed_not_a_crash(
    tmp_path: Path,
) -> None:
    # GID+1+?::CT reads the package count as ":" - not a number: the B/L goes through
    # the models (flagged), and the column-wise cast must not fail on it.
    day = list(generate_manifests(seed=5, containers=20, defect_rate=0.0))
    tokens = tokenize(write_cuscar(day))
    segments = list(tokens.segments)
    at = next(i for i, s in enumerate(segments) if s.tag == "GID" and len(s.elements) > 1)
    gid = segments[at]
    segments[at] = Segment(gid.tag, (gid.elements[0], (":", *gid.elements[1][1:]),
                                     *gid.elements[2:]))  # fmt: skip
    path = tmp_path / "x.edi"
    path.write_text(write_segments(segments, tokens.service, una=True), encoding="utf-8")
    batch = read_frame(path)
    assert batch.rows_via_models >= 1
    _same_as_the_models(path)


@st.composite
def _interchanges(draw: st.DrawFn) -> str:
    """Random manifests written as CUSCAR, now and then with a segment spoilt."""
    originals: list[Manifest] = draw(st.lists(manifests(), min_size=1, max_size=3))
    directory = draw(st.sampled_from(["D00B", "D95B"]))
    tokens = tokenize(write_cuscar(originals, directory=directory))
    segments = list(tokens.segments)
    kind = draw(st.sampled_from(["none", "none", "drop", "swap", "junk_tag", "junk_value",
                                 "duplicate", "release"]))  # fmt: skip
    if kind != "none" and len(segments) > 3:
        index = draw(st.integers(1, len(segments) - 2))
        segment = segments[index]
        if kind == "drop":
            del segments[index]
        elif kind == "swap":
            segments[index], segments[index + 1] = segments[index + 1], segments[index]
        elif kind == "junk_tag":
            segments[index] = Segment(draw(st.sampled_from(["XYZ", "ZZ1", "FOO"])),
                                      segment.elements)  # fmt: skip
        elif kind == "duplicate":
            segments.insert(index, segment)
        else:
            alphabet = "ab-?:+' " if kind == "release" else "abc1.,-"
            junk = draw(st.text(alphabet=alphabet, min_size=0, max_size=5))
            elements = list(segment.elements) or [("",)]
            where = draw(st.integers(0, len(elements) - 1))
            parts = list(elements[where])
            parts[draw(st.integers(0, len(parts) - 1))] = junk
            elements[where] = tuple(parts)
            segments[index] = Segment(segment.tag, tuple(elements))
    return write_segments(segments, tokens.service, una=True)


@settings(max_examples=depth(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_interchanges())
def test_the_column_wise_frame_is_the_model_paths(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("cols") / "x.edi"
    path.write_text(text, encoding="utf-8")
    _same_as_the_models(path)


@settings(max_examples=depth(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([0.05, 0.2, 0.5]), st.sampled_from([0, 1]))
def test_a_port_day_with_defects_reads_as_the_models_read_it(
    tmp_path_factory: pytest.TempPathFactory, seed: int, defect_rate: float, second: int
) -> None:
    # Planted defects (duplicate B/Ls, check digits, bad weights...) send their B/Ls and
    # containers, with every one sharing a container with them, through the model path.
    day = list(generate_manifests(seed=seed, containers=30, defect_rate=defect_rate))
    if second:
        day += generate_manifests(seed=seed + 1, containers=10, defect_rate=defect_rate,
                                  port_of_call="AEJEA")  # fmt: skip
    path = tmp_path_factory.mktemp("defects") / "day.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    _same_as_the_models(path)


def _spoilt_vgm(text: str) -> str:
    """``text`` with its first VGM a value that does not read (its container and their
    B/Ls go through the models)."""
    spoilt = re.sub(r"(MEA\+AAE\+VGM\+KGM:)[0-9]+", r"\g<1>12x5", text, count=1)
    assert spoilt != text
    return spoilt


def test_defects_send_only_their_bills_through_the_models(tmp_path: Path) -> None:
    day = list(generate_manifests(seed=12, containers=200, defect_rate=0.05))
    path = tmp_path / "day.edi"
    path.write_text(_spoilt_vgm(write_cuscar(day)), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 1  # messages with a part read through the models
    assert batch.frame.height > 200
    _same_as_the_models(path)


def test_a_bill_of_lading_number_twice_is_read_column_wise(tmp_path: Path) -> None:
    # The later B/L of a number given twice is read apart from the first and flagged, as
    # the models read it: its shipment ids (#2 where both name a container), the B/Ls
    # in a container counted by number.
    day = list(generate_manifests(seed=12, containers=200, defect_rate=0.05))
    path = tmp_path / "day.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 0
    frame = batch.frame
    assert frame.filter(pl.col("quality_flags").list.contains("bl_number:duplicate")).height
    assert frame.filter(pl.col("shipment_id").str.ends_with("#2")).height
    assert not frame.filter(pl.col("bl_number").str.contains("\ue000")).height
    flags = {f for fs in frame["quality_flags"] for f in fs}
    assert "container_number:check_digit" in flags
    _same_as_the_models(path)


def _spoilt_check_digit(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


def test_a_container_number_off_its_check_digit_is_read_column_wise(tmp_path: Path) -> None:
    # The flat reader flags it as the models do: no B/L goes to the models for it.
    day = list(generate_manifests(seed=5, containers=20, defect_rate=0.0))
    text = write_cuscar(day)
    number = day[0].containers[0].number
    path = tmp_path / "day.edi"
    path.write_text(text.replace(number, _spoilt_check_digit(number)), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 0
    flags = {f for fs in batch.frame["quality_flags"] for f in fs}
    assert "container_number:check_digit" in flags
    _same_as_the_models(path)


def test_a_bad_container_number_on_a_bill_without_a_consignee_goes_to_the_models(
    tmp_path: Path,
) -> None:
    # The models flag the B/L's container numbers before its consistency flags (no
    # consignee name), the flat reader after them: such a B/L is read by the models.
    day = list(generate_manifests(seed=5, containers=20, defect_rate=0.0))
    tokens = tokenize(write_cuscar(day))
    segments = list(tokens.segments)
    at = next(i for i, s in enumerate(segments) if s.tag == "SGP")
    number = segments[at].elements[0][0]
    cni = max(i for i in range(at) if segments[i].tag == "CNI")
    nad = next(
        i for i in range(cni, at) if segments[i].tag == "NAD" and segments[i].value(1) == "CN"
    )
    segments[nad] = Segment("NAD", (("CN",),))  # a consignee without a name: none
    text = write_segments(segments, tokens.service, una=True)
    path = tmp_path / "day.edi"
    path.write_text(text.replace(number, _spoilt_check_digit(number)), encoding="utf-8")
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 1
    both = {"container_number:check_digit", "consignee_name:missing"}
    assert any(both <= set(fs) for fs in batch.frame["quality_flags"])
    _same_as_the_models(path)


def test_a_cuscar_file_scores_as_its_shipments_read_through_the_models(tmp_path: Path) -> None:
    from riskprofile import load_profiles, score
    from riskprofile.profiles import bundled_profiles_path

    day = list(generate_manifests(seed=13, containers=120, defect_rate=0.05))
    path = tmp_path / "day.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    profiles = load_profiles(bundled_profiles_path(), country="PK")
    fast = score(path, profiles, as_of="2026-12-08")  # read column-wise (read_frame)
    reference = score(read_batch(path).shipments, profiles, as_of="2026-12-08")

    def ranked(run: object) -> list[tuple[object, ...]]:
        return [
            (b.key, b.score, b.lane, sorted(f"{h.profile_id}/{h.indicator_id}" for h in b.hits))
            for b in run.containers  # type: ignore[attr-defined]
        ]

    assert ranked(fast) == ranked(reference)
    assert any(b.hits for b in fast.containers)


def _polars_steps(text: str, mapping: EdifactMapping) -> int:
    """The eager Polars steps ``edifact_columns`` takes (each goes through ``lazy()``)."""
    import threading

    counted = 0
    lazy = pl.DataFrame.lazy
    lock = threading.Lock()  # the sections are read on two threads

    def counting(frame: pl.DataFrame) -> pl.LazyFrame:
        nonlocal counted
        with lock:
            counted += 1
        return lazy(frame)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pl.DataFrame, "lazy", counting)
        edifact_columns(text, mapping)
    return counted


def test_a_sections_fields_are_read_in_one_pass_not_per_selector(tmp_path: Path) -> None:
    # Every field given one more selector (one that never matches, on segments the
    # mapping reads already): the column-wise
    # reader's Polars steps stay as many (one pass per section reads every selector),
    # where reading selector by selector took several steps more for each.
    text = (DATA / "karachi-d95b.edi").read_text(encoding="utf-8")
    extended = {}
    for section, fields in yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8")).items():
        if not isinstance(fields, dict):
            extended[section] = fields
            continue
        extended[section] = {}
        for name, selectors in fields.items():
            listed = [selectors] if isinstance(selectors, str) else selectors
            if name != "each" and all(s.split()[-1][:1].isdigit() and "." in s.split()[-1]
                                      for s in listed):  # fmt: skip
                head, place = listed[0].split()
                listed = [*listed, re.sub(r"\[[^]]*\]", "", head) + "[1=ZZZ] " + place]
            extended[section][name] = listed if name != "each" else selectors
    path = tmp_path / "extended.yaml"
    path.write_text(yaml.safe_dump(extended), encoding="utf-8")
    more = load_mapping(path)
    added = sum(
        len(more.selectors(s, n)) - len(default_mapping().selectors(s, n))
        for s, names in FIELDS.items()
        for n in names
    )
    assert added >= 15
    assert _polars_steps(text, more) == _polars_steps(text, default_mapping())
    # ...and the frame is the same.
    edi = tmp_path / "x.edi"
    edi.write_text(text, encoding="utf-8")
    assert read_frame(edi, mapping=path).frame.equals(read_frame(edi).frame)


@pytest.mark.parametrize("seals", [9, 10])
def test_a_segment_over_its_repeat_limit_goes_through_the_models(
    tmp_path: Path, seals: int
) -> None:
    # SEL may stand 9 times under an EQD (SG5): the tenth is a problem the model path
    # reports; counted column-wise as the length of a run of one group state.
    day = [
        *generate_manifests(seed=5, containers=20, defect_rate=0.0),
        *generate_manifests(seed=6, containers=20, defect_rate=0.0, port_of_call="AEJEA"),
    ]
    box = day[-1].containers[2]
    many = [Seal(number=f"SL{n:06d}", sealer="carrier") for n in range(seals)]
    day[-1].containers[2] = box.model_copy(update={"seals": many})
    path = tmp_path / "x.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    assert write_cuscar(day).count(f"SEL+SL{seals - 1:06d}") == 1
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == (seals > 9)
    _same_as_the_models(path)


def test_a_header_flag_does_not_send_the_whole_message_through_the_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second message has a vessel IMO off its check digit (a flag on the header,
    # which the flat reader gives the rows read column-wise too) and a container whose
    # VGM does not read (it and its B/Ls go through the models): the part read through
    # the models is kept, not the whole message read again.
    from riskprofile.io.edifact import _columns

    first = list(generate_manifests(seed=5, containers=20, defect_rate=0.0))
    second = list(generate_manifests(seed=6, containers=20, defect_rate=0.0,
                                     port_of_call="AEJEA"))  # fmt: skip
    imo, box = second[0].vessel_imo, second[0].containers[0].number
    assert imo is not None
    assert imo != first[0].vessel_imo
    head, body = write_cuscar(first + second).split(f"+{imo}:", 1)
    bad_imo = imo[:-1] + str((int(imo[-1]) + 1) % 10)
    text = re.sub(
        f"(EQD\\+CN\\+{box}[^']*'\\s*MEA\\+AAE\\+VGM\\+KGM:)[0-9]+",
        r"\g<1>12x5",
        f"{head}+{bad_imo}:{body}",
    )
    assert "12x5" in text
    path = tmp_path / "x.edi"
    path.write_text(text, encoding="utf-8")
    wholes = []
    whole_message = _columns._message
    monkeypatch.setattr(_columns, "_message", lambda *a: wholes.append(a) or whole_message(*a))
    batch = read_frame(path)
    assert batch.fallback is None
    assert batch.rows_via_models == 1
    assert wholes == []
    flags = [f for fs in batch.frame["quality_flags"] for f in fs]
    assert "vessel_imo:check_digit" in flags
    assert "verified_gross_mass_kg:invalid_value" in flags
    _same_as_the_models(path)


def test_the_models_read_their_parts_beside_the_flat_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parts routed through the models (Python) are read on a thread of their own
    # while the flat reader (Polars) reads the rest: the flat reader here waits for a
    # part to be read, which happens only if the two run side by side.
    import threading

    from riskprofile.io._frame import shared
    from riskprofile.io.edifact import _columns

    day = list(generate_manifests(seed=12, containers=200, defect_rate=0.05))
    path = tmp_path / "day.edi"
    path.write_text(_spoilt_vgm(write_cuscar(day)), encoding="utf-8")
    assert not edifact_columns(path.read_text(encoding="utf-8"), default_mapping()).routed
    part_read = threading.Event()
    threads = set()
    tokenized = set()
    read_message, read_rows = _columns.read_message, shared.read_text_rows
    tokenize = _columns.tokenize

    def tokenizing(text: str) -> object:
        tokenized.add(threading.get_ident())
        return tokenize(text)

    def reading_a_message(*args: object) -> object:
        threads.add(threading.get_ident())
        part_read.set()
        return read_message(*args)  # type: ignore[arg-type]

    waited = []

    def reading_rows(*args: object, **kwargs: object) -> object:
        waited.append(part_read.wait(timeout=30))
        return read_rows(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_columns, "read_message", reading_a_message)
    monkeypatch.setattr(shared, "read_text_rows", reading_rows)  # as the reader imports it
    monkeypatch.setattr(_columns, "tokenize", tokenizing)
    batch = read_frame(path)
    assert waited == [True]
    # The part is cut out and tokenized on the models' thread too.
    assert threads == tokenized
    assert threading.get_ident() not in threads
    assert batch.fallback is None
    assert batch.rows_via_models >= 1
    monkeypatch.undo()
    _same_as_the_models(path)


def test_the_sections_are_read_two_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The B/Ls' section waits here until the goods lines' section has started: it can
    # only if the two are read side by side. What they route is routed as if read one
    # after the other (the frame is the model path's, and the reasons the same twice).
    import threading

    from riskprofile.io.edifact._fields import _Columns

    day = list(generate_manifests(seed=11, containers=200, defect_rate=0.05))
    text = write_cuscar(day)
    goods_started = threading.Event()
    waited = []
    section = _Columns.section

    def reading(self: _Columns, frame: pl.DataFrame, name: str, *rest: object) -> object:
        if name == "goods":
            goods_started.set()
        elif name == "consignments":
            waited.append(goods_started.wait(timeout=30))
        return section(self, frame, name, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(_Columns, "section", reading)
    first = edifact_columns(text, default_mapping())
    assert waited == [True]
    again = edifact_columns(text, default_mapping())
    assert first.reasons == again.reasons
    assert first.cells.equals(again.cells)
    path = tmp_path / "day.edi"
    path.write_text(text, encoding="utf-8")
    _same_as_the_models(path)


def test_placing_the_segments_does_not_copy_their_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The segments of a plain interchange (all in messages but its UNB and UNZ) are
    # kept by a slice of the segment column, not filtered into a copy of its texts.
    from riskprofile.io.edifact._cutting import _Cut, _envelope
    from riskprofile.io.edifact._fields import _Columns

    day = list(generate_manifests(seed=3, containers=60, defect_rate=0.0))
    cut = _Cut(write_cuscar(day))
    columns = _Columns(cut, _envelope(cut), default_mapping())
    copied = []
    filter_ = pl.DataFrame.filter

    def filtering(frame: pl.DataFrame, *args: object, **kwargs: object) -> pl.DataFrame:
        out = filter_(frame, *args, **kwargs)  # type: ignore[arg-type]
        if "raw" in out.columns:
            copied.append(out.height)
        return out

    monkeypatch.setattr(pl.DataFrame, "filter", filtering)
    placed = columns.place()
    assert placed.height == cut.frame.height - 2  # UNB and UNZ
    assert max(copied, default=0) < placed.height // 10


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_interchanges(), st.sampled_from(["\n", "\r\n", "", " "]))
def test_the_segment_column_holds_the_tokenizers_segments(text: str, newline: str) -> None:
    # The text is cut in Polars, its two halves apart: each segment is the one the
    # tokenizer reads, wherever the middle falls (a released terminator, a line break).
    from riskprofile.io.edifact._cutting import _Cut, _WholeFile

    text = text.replace("'\n", "'" + newline)
    try:
        cut = _Cut(text)
    except _WholeFile:
        return
    tokens = tokenize(text)
    raws = cut.frame.get_column("raw").to_list()
    assert cut.segments(raws) == tokens.segments
    assert cut.frame.get_column("tag").to_list() == [
        s.tag if re.fullmatch(r"[A-Z][A-Z0-9]{2}", s.tag) else "" for s in tokens.segments
    ]


def test_the_text_is_cut_on_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from riskprofile.io.edifact._cutting import _Cut

    day = list(generate_manifests(seed=3, containers=30, defect_rate=0.0))
    text = write_cuscar(day)
    threads = []
    collect = pl.LazyFrame.collect

    def collecting(frame: pl.LazyFrame, *args: object, **kwargs: object) -> pl.DataFrame:
        threads.append(threading.get_ident())
        return collect(frame, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.LazyFrame, "collect", collecting)
    cut = _Cut(text)
    assert len(threads) == 2
    assert threading.get_ident() not in threads
    assert cut.frame.height == len(tokenize(text).segments)


def test_the_collector_is_paused_while_the_file_is_read(tmp_path: Path) -> None:
    # Nothing the column-wise read makes is cyclic garbage: the cyclic collector, which
    # walked every live object again and again (239 collections at 100k containers),
    # does not run while the file is read (a few when the result is put together).
    import gc

    day = list(generate_manifests(seed=11, containers=300, defect_rate=0.05))
    path = tmp_path / "day.edi"
    path.write_text(_spoilt_vgm(write_cuscar(day)), encoding="utf-8")
    read_frame(path)  # modules imported, caches filled
    collections = []

    def counting(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(counting)
    try:
        batch = read_frame(path)
    finally:
        gc.callbacks.remove(counting)
    assert gc.isenabled()
    assert batch.rows_via_models >= 1
    assert len(collections) <= 2, collections


def test_a_mapping_a_section_cannot_take_falls_back_from_its_thread(tmp_path: Path) -> None:
    # The goods section, read on a thread of its own, finds a mapping feature the
    # column-wise path does not take: the whole file goes through the models, said so.
    mapping = yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8"))
    mapping["goods"]["description"] = ["FTX[1=AAA] 4", "FTX[1=BLC] 4"]
    mapping_path = tmp_path / "mapping.yaml"
    mapping_path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    day = list(generate_manifests(seed=3, containers=40, defect_rate=0.0))
    path = tmp_path / "day.edi"
    path.write_text(write_cuscar(day), encoding="utf-8")
    batch = read_frame(path, mapping=mapping_path)
    assert batch.fallback is not None
    assert "several selectors for description" in batch.fallback
    reference = read_batch(path, mapping=mapping_path)
    assert batch.frame.equals(shipment_frame(reference.shipments))


def test_a_segment_gets_its_occurrences_not_every_attribute_of_its_state() -> None:
    # Placing the segments adds to the segment column only what differs segment by
    # segment (the message, the state, the place, each group occurrence); a state's
    # group path, depth and limits are read from the state where a query needs them,
    # not gathered into a column per attribute for every one of the file's segments.
    from riskprofile.io.edifact._cutting import _Cut, _envelope
    from riskprofile.io.edifact._fields import _Columns

    day = list(generate_manifests(seed=3, containers=40, defect_rate=0.0))
    cut = _Cut(write_cuscar(day))
    columns = _Columns(cut, _envelope(cut), default_mapping())
    placed = columns.place()
    occurrences = [f"occ{d}" for d in range(1, columns.max_depth + 1)]
    assert placed.columns == ["raw", "tag", "unit", "state", "at", *occurrences]


def test_the_sections_read_their_segments_without_partitioning_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Each part a section reads (a tag in a group) is one lazy filter on the states that
    # stand for it, reading three columns; no partition of the whole segment column
    # (every segment and column of the file copied into one frame per tag and group).
    partitioned = []
    partition_by = pl.DataFrame.partition_by

    def partitioning(frame: pl.DataFrame, *args: object, **kwargs: object) -> object:
        partitioned.append(frame.height)
        return partition_by(frame, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pl.DataFrame, "partition_by", partitioning)
    text = write_cuscar(list(generate_manifests(seed=4, containers=40, defect_rate=0.0)))
    split = edifact_columns(text, default_mapping())
    assert partitioned == []
    assert split.cells.height > 40
    path = tmp_path / "day.edi"
    path.write_text(text, encoding="utf-8")
    _same_as_the_models(path)


def test_a_measure_or_a_date_is_read_from_its_components_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A weight (MEA), a temperature (TMP) or a date (DTM) read from a whole element takes
    # its number and unit (or text and format) from the components: the element's joined
    # text (a regex replace over every segment of the part) is not made just to ask
    # whether there is one.
    from riskprofile.io.edifact._selected import _Selected

    joined: list[str] = []
    whole = _Selected._whole

    def recording(self: _Selected, part: object, number: int) -> pl.Expr:
        joined.append(part.tag)  # type: ignore[attr-defined]
        return whole(self, part, number)  # type: ignore[arg-type]

    monkeypatch.setattr(_Selected, "_whole", recording)
    day = list(generate_manifests(seed=6, containers=30, defect_rate=0.0))
    split = edifact_columns(write_cuscar(day), default_mapping())
    assert split.cells.get_column("gross_weight_kg").is_not_null().any()
    assert joined  # the texts read whole (FTX) still are
    assert not {"MEA", "TMP", "DTM"} & set(joined)


@settings(max_examples=depth(60), deadline=None)
@given(st.lists(st.text(alphabet=" \t\n\x1c\x85\u3000\u2028ab;", max_size=6), max_size=8))
def test_a_padded_text_is_found_as_stripping_finds_it(texts: list[str]) -> None:
    # The padded-text check tests a cell's first and last characters against what
    # str.strip removes, rather than comparing each cell with a stripped copy of it.
    from riskprofile.io._frame.shared import PY_WHITESPACE
    from riskprofile.io.edifact._rows import _padded_or_long

    found = pl.DataFrame({"v": texts}, schema={"v": pl.String}).select(_padded_or_long("v"))
    assert found.to_series().to_list() == [t != t.strip(PY_WHITESPACE) for t in texts]


def test_placeholders_are_swapped_back_per_record_not_per_segment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A file with released service characters: each part's hits keep the components as
    # they stand in the cut text (placeholders), the conditions compare them in that form,
    # and the placeholders are swapped back on the records' aggregates (one row per
    # record), not on every component of every segment (seals excepted: a list of pairs).
    from riskprofile.io.edifact._selected import _Selected

    swaps: list[str] = []
    in_hits: list[str] = []
    from polars.expr.string import ExprStringNameSpace

    hits, replace_many = _Selected.hits, ExprStringNameSpace.replace_many

    def tracking_hits(self: _Selected, part: object, *args: object) -> pl.LazyFrame:
        in_hits.append(part.tag)  # type: ignore[attr-defined]
        try:
            return hits(self, part, *args)  # type: ignore[arg-type]
        finally:
            in_hits.pop()

    def counting(self: object, *args: object, **kwargs: object) -> pl.Expr:
        if in_hits:
            swaps.append(in_hits[-1])
        return replace_many(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_Selected, "hits", tracking_hits)
    monkeypatch.setattr(ExprStringNameSpace, "replace_many", counting)
    day = list(generate_manifests(seed=8, containers=30, defect_rate=0.0))
    bill = day[0].consignments[0]
    goods = bill.goods[0].model_copy(update={"description": "A+B:C'D?E CRATES"})
    shipper = bill.shipper.model_copy(update={"name": "O'NEIL + SONS: ?LTD"})  # type: ignore[union-attr]
    day[0] = day[0].model_copy(
        update={
            "consignments": [
                bill.model_copy(update={"goods": [goods, *bill.goods[1:]], "shipper": shipper}),
                *day[0].consignments[1:],
            ]
        }
    )
    text = write_cuscar(day)
    assert all(released in text for released in ("?'", "?+", "?:", "??"))
    path = tmp_path / "released.edi"
    path.write_text(text, encoding="utf-8")
    frame = read_frame(path).frame
    assert "A+B:C'D?E CRATES" in frame.get_column("description").to_list()
    assert "O'NEIL + SONS: ?LTD" in frame.get_column("shipper_name").to_list()
    assert set(swaps) <= {"SEL"}
    _same_as_the_models(path)
