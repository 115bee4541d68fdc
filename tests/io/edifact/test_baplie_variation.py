"""Real-world BAPLIE variation: what carriers' and terminals' files do that the writer does
not, applied to generated plans; every container number must still be recovered.

The maintainers hold real plans of tens of thousands of containers that we do not: these
tests build that class of file instead. A plan is written (both layouts, one or several
messages and interchanges), then changed as real files are (layout: one segment per line
or all on one, CRLF, lines wrapped at a fixed width, blanks and ``Ctrl-Z`` at the end, no
``UNA`` or one with other separators; syntax identifiers UNOA-UNOY; every SMDG label,
right or wrong; lower case; 6- and 8-digit positions; equipment without ``NAD``/``MEA``;
break-bulk and empty slots; repeated ``FTX``/``DGS``/``RNG``; segments the table does not
know; a wrong ``UNT`` count; a message cut off), and read back: the units must be the
ones written, and every problem one the variation explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.io.edifact import (
    StowedUnit,
    StowPlan,
    read_stowplan,
    tokenize,
    write_baplie_calls,
)
from riskprofile.io.edifact._syntax import Segment, ServiceChars, segment, write_segments
from riskprofile.model.codes import container_number_problem
from tests.depth import depth
from tests.io.edifact.test_stowplan import _unit_lists

# UNH message identifiers senders use, per layout; the last of each is the other layout's
# label (a mislabelled plan, read with the layout it is written in and said).
_LABELS = {
    "2.2": [
        ("BAPLIE", "1", "911", "UN", "SMDG15"),
        ("BAPLIE", "D", "95B", "UN", "SMDG20"),
        ("BAPLIE", "D", "95B", "UN", "SMDG21"),
        ("BAPLIE", "D", "95B", "UN", "SMDG22"),
        ("BAPLIE", "D", "95B", "UN"),
        ("BAPLIE", "D", "04B", "UN"),
        ("BAPLIE", "D", "13B", "UN", "SMDG31"),
    ],
    "3.1": [
        ("BAPLIE", "D", "13A", "UN", "SMDG30"),
        ("BAPLIE", "D", "13B", "UN", "SMDG30"),
        ("BAPLIE", "D", "13B", "UN", "SMDG31"),
        ("BAPLIE", "D", "13B", "UN", "SMDG311"),
        ("BAPLIE", "D", "16A", "UN", "SMDG31"),
        ("BAPLIE", "D", "21A", "UN", "SMDG31"),
        ("BAPLIE", "D", "13B", "UN"),
        ("BAPLIE", "D", "95B", "UN", "SMDG22"),
    ],
}
_DG = ("9", "3082")
_SYNTAX = [("UNOA", "2"), ("UNOB", "3"), ("UNOC", "3"), ("UNOY", "4"), ("UNOW", "4")]
# Service characters other than the defaults, each with a release character that the
# data forces into use (a free text holding every separator).
_SERVICES = [
    ServiceChars(),
    ServiceChars("^", "|", ",", "\\", " ", "~"),
    ServiceChars(":", "*", ".", "!", " ", "#"),
    ServiceChars(":", "+", ",", "?", "*", "'"),
]


@dataclass
class Variation:
    """What to do to a written plan; drawn at random, several at once."""

    version: str = "2.2"
    label: int = 3
    syntax: int = 0
    service: int = 0
    una: bool = True
    newline: str = "\n"
    wrap: int | None = None
    tail: str = ""
    lower_tags: bool = False
    lower_data: bool = False
    position_digits: int = 7
    no_nad_mea: bool = False
    ftx: bool = False
    dgs: bool = False
    rng: bool = False
    unknown: bool = False
    break_bulk: bool = False
    empty_slot: bool = False
    wrong_unt: bool = False
    odd_numbers: set[str] = field(default_factory=set)

    def allowed(self) -> set[str]:
        """The problem codes this variation may cause (none for a clean plan)."""
        codes: set[str] = set()
        if self.lower_tags or self.lower_data:  # lower-case data: the tags too
            codes.add("syntax")
        if self.label == len(_LABELS[self.version]) - 1:
            codes.add("directory")
        if self.no_nad_mea or self.wrong_unt:
            codes.add("control_count")
        if self.rng:
            codes.add("too_many")  # RNG repeats once per location and setting
        if self.unknown:
            codes.add("unplaced_segment")
        if self.odd_numbers:
            codes |= {"format", "check_digit"}
        return codes


def _position(position: str, digits: int) -> str:
    # 6 digits: a two-digit bay (old plans); 8: a four-digit bay (some planning systems).
    if digits == 6:
        return position[1:]
    if digits == 8:
        return "0" + position
    return position


def _expected(units: list[StowedUnit], v: Variation) -> list[StowedUnit]:
    out = []
    for unit in units:
        unit = replace(unit, position=_position(unit.position, v.position_digits))
        if v.dgs:  # each DGS followed by another
            unit = replace(
                unit, dangerous_goods=tuple(x for dg in unit.dangerous_goods for x in (dg, _DG))
            )
        if v.no_nad_mea:
            unit = replace(unit, operator=None, gross_mass_kg=None)
        if v.lower_data:
            unit = replace(
                unit,
                container_number=(unit.container_number or "").lower() or None,
                size_type=unit.size_type.lower() if unit.size_type else None,
                port_of_loading=unit.port_of_loading.lower() if unit.port_of_loading else None,
                port_of_discharge=(
                    unit.port_of_discharge.lower() if unit.port_of_discharge else None
                ),
                operator=unit.operator.lower() if unit.operator else None,
            )
        out.append(unit)
    return out


def _vary_message(segments: list[Segment], v: Variation, extra: int) -> list[Segment]:
    """One message's segments (UNH to UNT) changed as ``v`` says."""
    three = v.version == "3.1"
    out: list[Segment] = []
    for seg in segments:
        tag = seg.tag
        if tag == "UNH":
            seg = segment("UNH", seg.value(1), _LABELS[v.version][v.label])
        elif tag == "LOC" and seg.value(1) == "147":
            position = _position(seg.value(2, 1) or "", v.position_digits)
            seg = Segment("LOC", (seg.elements[0], (position, *seg.elements[1][1:])))
        elif tag in ("NAD", "MEA") and v.no_nad_mea and seg.value(1) not in ("AAE", "VGM"):
            continue  # NAD+CA/CF; a 2.x location's MEA+VGM stays (its MEA is mandatory)
        elif tag == "MEA" and v.no_nad_mea:
            seg = segment("MEA", seg.value(1), seg.value(2, 1), "KGM")  # the value dropped
        elif tag == "TMP" and v.rng:
            out.append(seg)
            out += [segment("RNG", "5", ("CEL", "-25", "-15"))] * 2
            continue
        elif tag == "UNT":
            body = [*out, *_additions(v, three, extra)]
            count = len(body) + 1 + (7 if v.wrong_unt else 0)
            return [*body, segment("UNT", str(count), seg.value(2))]
        out.append(seg)
        if tag == "LOC" and seg.value(1) == "147":
            if v.ftx:  # the location's free text, releases forced by the separators
                out += [segment("FTX", "AAA", None, None, "TOP+STOW: 2'S ?*#|~^!")] * 2
            if v.unknown:
                out += [segment("ZZZ", "1"), segment("HAN", "SW")]
        if tag == "DGS" and v.dgs:
            out.append(segment("FTX", "AAD", None, None, "FLAMMABLE"))
            out += [segment("DGS", "IMD", *_DG), segment("FTX", "AAD", None, None, "ENV")]
    raise AssertionError("no UNT")


def _additions(v: Variation, three: bool, extra: int) -> list[Segment]:
    """The locations added at the end of a message: break-bulk cargo, an empty slot."""
    out = []
    cell = ("9711", "5") if three else ("", "5")
    if v.break_bulk:
        out.append(segment("LOC", "147", (f"09{extra:03d}82", *cell)))
        if not three:
            out += [segment("MEA", "WT", None, "KGM"), segment("RFF", ("BM", "1"))]
        out.append(segment("EQD", "BB"))
        if three:
            out.append(segment("CNT", ("8", "1")))
    if v.empty_slot:
        out.append(segment("LOC", "147", (f"08{extra:03d}82", *cell)))
        out.append(segment("FTX", "AGW", None, None, "LOST SLOT"))
        out.append(segment("CNT", ("8", "0")) if three else segment("MEA", "WT", None, "KGM"))
        if not three:
            out.append(segment("RFF", ("BM", "1")))
    return out


def _interchange(calls: list[list[StowedUnit]], v: Variation, first: int) -> str:
    written = write_baplie_calls(
        [("MSC ANNA", "0425W", units) for units in calls],
        version=v.version,  # type: ignore[arg-type]
    )
    segments = tokenize(written).segments
    out: list[Segment] = []
    message: list[Segment] = []
    extra = first
    for seg in segments:
        if seg.tag == "UNB":
            seg = Segment("UNB", (_SYNTAX[v.syntax], *seg.elements[1:]))
        if seg.tag == "UNH":
            message = [seg]
        elif message:
            message.append(seg)
            if seg.tag == "UNT":
                out += _vary_message(message, v, extra)
                extra += 1
                message = []
        else:
            out.append(seg)
    if v.lower_tags:
        out = [s._replace(tag=s.tag.lower()) for s in out]
    service = _SERVICES[v.service]
    text = write_segments(out, service, una=v.una or service != ServiceChars(), newline=False)
    if v.lower_data:
        una = service.una() if text.startswith("UNA") else ""
        text = una + text[len(una) :].lower()
    return text


def _layout(text: str, v: Variation) -> str:
    terminator = "'"
    pieces = []
    for piece in text.split("\x00"):  # each interchange its own terminator
        una = piece.startswith("UNA")
        terminator = piece[8] if una else "'"
        pieces.append(piece.replace(terminator, terminator + v.newline))
    text = "".join(pieces)
    if v.wrap:
        flat = text.replace("\n", "").replace("\r", "")
        text = "\r\n".join(flat[i : i + v.wrap] for i in range(0, len(flat), v.wrap))
    return text + v.tail


def _plain(plan: StowPlan) -> list[StowedUnit]:
    return [replace(u, message=None, segment=None) for u in plan.units]


def _write(tmp: Path, text: str) -> Path:
    path = tmp / "plan.edi"
    path.write_bytes(text.encode("utf-8"))
    return path


@st.composite
def variations(draw: st.DrawFn) -> Variation:
    version = draw(st.sampled_from(["2.2", "3.1"]))
    service = draw(st.integers(0, len(_SERVICES) - 1))
    return Variation(
        version=version,
        label=draw(st.integers(0, len(_LABELS[version]) - 1)),
        syntax=draw(st.integers(0, len(_SYNTAX) - 1)),
        service=service,
        una=draw(st.booleans()) if service == 0 else True,
        newline=draw(st.sampled_from(["", "\n", "\r\n", "  \n"])),
        wrap=draw(st.sampled_from([None, None, 80, 61])),
        tail=draw(st.sampled_from(["", "\n", "   \r\n\r\n", "\x1a", "\x00\x00\x00"])),
        lower_tags=draw(st.booleans()),
        lower_data=draw(st.booleans()),
        position_digits=draw(st.sampled_from([6, 7, 8])),
        no_nad_mea=draw(st.booleans()),
        ftx=draw(st.booleans()),
        dgs=draw(st.booleans()),
        rng=draw(st.booleans()),
        unknown=draw(st.booleans()),
        break_bulk=draw(st.booleans()),
        empty_slot=draw(st.booleans()),
        wrong_unt=draw(st.booleans()),
    )


def _odd(number: str, kind: int) -> str:
    """A container number as some plans write it: with blanks, or without its check
    digit."""
    return f"{number[:4]} {number[4:10]} {number[10]}" if kind == 0 else number[:10]


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _unit_lists(min_size=1, max_size=7),
    variations(),
    st.integers(1, 3),
    st.integers(1, 2),
    st.dictionaries(st.integers(0, 6), st.integers(0, 1), max_size=2),
)
def test_every_container_of_a_varied_plan_is_recovered(
    tmp_path_factory: pytest.TempPathFactory,
    units: list[StowedUnit],
    v: Variation,
    messages: int,
    interchanges: int,
    odd: dict[int, int],
) -> None:
    for index, kind in odd.items():
        if index < len(units):
            number = _odd(units[index].container_number or "", kind)
            units[index] = replace(units[index], container_number=number)
            v.odd_numbers.add(number.lower() if v.lower_data else number)
    # One message per bay section, in one interchange or two (each with its own UNA).
    chunks = [c for c in (units[i::messages] for i in range(messages)) if c]
    half = (len(chunks) + 1) // 2 if interchanges == 2 else len(chunks)
    groups = [g for g in (chunks[:half], chunks[half:]) if g]
    texts = []
    expected: list[StowedUnit] = []
    first = 0
    for group in groups:
        texts.append(_interchange(group, v, first))
        for chunk in group:
            expected += _expected(chunk, v)
            if v.break_bulk:
                expected.append(StowedUnit(f"09{first:03d}82", equipment="BB"))
            first += 1
    text = _layout("\x00".join(texts), v)
    plan = read_stowplan(_write(tmp_path_factory.mktemp("varied"), text))

    numbers = [u.container_number for u in expected if u.equipment == "CN"]
    assert plan.container_numbers == numbers
    assert [(u.position, u.equipment) for u in plan.units] == [
        (u.position, u.equipment) for u in expected
    ]
    assert _plain(plan) == expected  # every field, not only the number
    vessel = ("msc anna", "0425w") if v.lower_data else ("MSC ANNA", "0425W")
    assert (plan.vessel, plan.voyage) == vessel
    assert plan.empty_locations == ([f"08{n:03d}82" for n in range(first)] if v.empty_slot else [])
    unexplained = {p.code for p in plan.problems} - v.allowed()
    assert not unexplained, [str(p) for p in plan.problems if p.code in unexplained]
    # A number off ISO 6346 is recovered as written and flagged at its EQD.
    flagged = {p.value for p in plan.problems if p.code in ("format", "check_digit")}
    assert flagged == v.odd_numbers
    # Only laid out differently: no segment is rejected unless the variation put one
    # there that the table does not know.
    if not v.unknown:
        assert "unplaced_segment" not in {p.code for p in plan.problems}


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_unit_lists(min_size=1, max_size=6), st.sampled_from(["2.2", "3.1"]), st.data())
def test_a_plan_cut_off_keeps_every_container_before_the_cut(
    tmp_path_factory: pytest.TempPathFactory,
    units: list[StowedUnit],
    version: str,
    data: st.DataObject,
) -> None:
    text = write_baplie_calls([("V", "1", units)], version=version)  # type: ignore[arg-type]
    start = text.index("UNS+D'") if version == "3.1" else text.index("LOC+147")
    cut = data.draw(st.integers(start, len(text) - len("UNT+99+1'\nUNZ+1+1'\n")))
    plan = read_stowplan(_write(tmp_path_factory.mktemp("cut"), text[:cut]))
    ends = []  # where each EQD's terminator is, in file order
    at = text.find("EQD+")
    while at != -1:
        ends.append(text.index("'", at))
        at = text.find("EQD+", at + 1)
    before = sum(1 for end in ends if end < cut)
    numbers = plan.container_numbers
    # Every container whose EQD was whole before the cut is there, in order.
    assert numbers[:before] == [u.container_number for u in units][:before]
    # At most one more: the EQD the cut fell in, kept as written and flagged if broken.
    assert len(numbers) <= before + 1
    if len(numbers) == before + 1 and container_number_problem(numbers[-1]) is not None:
        assert numbers[-1] in {p.value for p in plan.problems}
    assert "truncated" in {p.code for p in plan.problems}  # the cut is said


def test_a_lost_eqd_qualifier_is_read_as_a_container(tmp_path: Path) -> None:
    text = write_baplie_calls([("V", "1", [StowedUnit("0010182", "MSKU9070323")])])
    plan = read_stowplan(_write(tmp_path, text.replace("EQD+CN+", "EQD++")))
    assert plan.container_numbers == ["MSKU9070323"]


# --- each variation that lost a container or rejected a segment before, on its own ----------

_PLAN = [
    StowedUnit("0020182", "MSKU9070323", "45R1", True, 18250.5, "CNSHA", "PKKHI", (), -18.0),
    StowedUnit("0040382", "CSQU3054383", "22G1", True, 24500.0, "AEJEA", "PKKHI"),
]


def _text(version: str = "2.2") -> str:
    return write_baplie_calls([("V", "1", _PLAN)], version=version)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_segment_tags_in_lower_case_are_read_and_said_once(tmp_path: Path, version: str) -> None:
    # Was: "no BAPLIE message in the file" (the envelope knows UNH, not unh).
    text = _text(version)
    lower = "\n".join(line[:3].lower() + line[3:] for line in text.splitlines()[1:])
    plan = read_stowplan(_write(tmp_path, lower))
    assert plan.container_numbers == ["MSKU9070323", "CSQU3054383"]
    assert [(p.code, p.reason) for p in plan.problems] == [
        ("syntax", f"{len(text.splitlines()) - 1} segment tags in lower case, read in upper case")
    ]


@pytest.mark.parametrize(
    ("version", "label", "table"),
    [("2.2", "BAPLIE:D:13B:UN:SMDG31", "D95B"), ("3.1", "BAPLIE:D:95B:UN:SMDG22", "D21A")],
)
def test_a_plan_labelled_with_the_other_layout_is_read_in_the_layout_it_is_written_in(
    tmp_path: Path, version: str, label: str, table: str
) -> None:
    # Was: every EQD unplaced, no container read.
    text = _text(version)
    written = "BAPLIE:D:95B:UN:SMDG22" if version == "2.2" else "BAPLIE:D:13B:UN:SMDG31"
    plan = read_stowplan(_write(tmp_path, text.replace(written, label)))
    assert _plain(plan) == _PLAN
    (note,) = plan.problems
    assert (note.code, note.tag, note.value) == ("directory", "UNH", label)
    assert note.reason.endswith(f"read with the {table} segment table")


def test_a_file_of_concatenated_interchanges_each_with_its_own_una(tmp_path: Path) -> None:
    # Was: the second UNA a segment outside any message, and the second interchange cut
    # with the first one's separators (its containers lost).
    first = write_baplie_calls([("V", "1", _PLAN[:1])])
    segments = tokenize(write_baplie_calls([("V", "1", _PLAN[1:])])).segments
    second = write_segments(segments, ServiceChars("^", "|", ",", "\\", " ", "~"), una=True)
    plan = read_stowplan(_write(tmp_path, first + second.replace("24500", "24500,5")))
    assert plan.problems == []
    assert plan.container_numbers == ["MSKU9070323", "CSQU3054383"]
    assert plan.units[1].gross_mass_kg == 24500.5  # the second interchange's decimal comma


def test_lines_wrapped_at_a_fixed_width_and_a_ctrl_z_at_the_end(tmp_path: Path) -> None:
    # Was: a container number holding the line break, and the Ctrl-Z a segment without
    # its terminator.
    flat = _text().replace("\n", "")
    wrapped = "\r\n".join(flat[i : i + 80] for i in range(0, len(flat), 80)) + "\r\n\x1a"
    assert sum(not line.endswith("'") for line in wrapped.split("\r\n")) > 3  # cut inside
    plan = read_stowplan(_write(tmp_path, wrapped))
    assert plan.problems == []
    assert _plain(plan) == _PLAN


def test_break_bulk_is_on_board_and_no_container(tmp_path: Path) -> None:
    # Was: the break-bulk's identifier one of the container numbers on board, so the
    # cross-check called it a container on no manifest.
    text = _text().replace("EQD+CN+CSQU3054383+22G1:102:5", "EQD+BB+BREAKBULK1")
    plan = read_stowplan(_write(tmp_path, text))
    assert plan.problems == []
    assert plan.container_numbers == ["MSKU9070323"]
    assert [(u.container_number, u.equipment, u.is_container) for u in plan.units] == [
        ("MSKU9070323", "CN", True),
        ("BREAKBULK1", "BB", False),
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [("CSQU 305438 3", "format"), ("CSQU305438", "format"), ("CSQU3054384", "check_digit")],
)
def test_a_container_number_off_iso_6346_is_kept_as_written_and_flagged(
    tmp_path: Path, written: str, code: str
) -> None:
    # Was: kept, and said nowhere.
    for version in ("2.2", "3.1"):
        plan = read_stowplan(_write(tmp_path, _text(version).replace("CSQU3054383", written)))
        assert plan.container_numbers == ["MSKU9070323", written]
        (flag,) = plan.problems
        assert (flag.code, flag.tag, flag.element, flag.value) == (code, "EQD", "2.1", written)


def test_a_location_whose_loc_147_is_missing_keeps_its_container(tmp_path: Path) -> None:
    # BAPLIE 2: a location that starts with its LOC+9 (the LOC+147 left out). Was: the
    # port read as the container's position.
    text = _text().replace("LOC+147+0040382::5'\n", "")
    plan = read_stowplan(_write(tmp_path, text.replace("UNT+20+", "UNT+19+")))
    assert plan.container_numbers == ["MSKU9070323", "CSQU3054383"]
    second = plan.units[1]
    assert (second.position, second.port_of_loading, second.port_of_discharge) == (
        "",
        "AEJEA",
        "PKKHI",
    )
    # Its MEA, before the LOC+9 that opens the location, has no place: said too.
    assert [(p.code, p.tag, p.value) for p in plan.problems] == [
        ("unplaced_segment", "MEA", None),
        ("no_position", "LOC", "9"),
    ]


def test_the_fast_iso_6346_check_agrees_with_the_model_s() -> None:
    from riskprofile.io.edifact._stowplan import _iso6346

    for number in ["CSQU3054383", "MSKU9070323", "CSQU3054384", "AAAU0000007", "csqu3054383"]:
        assert _iso6346(number) == (container_number_problem(number) is None)


@settings(max_examples=depth(100))
@given(st.from_regex(r"[A-Z]{3}[UJZ][0-9]{7}", fullmatch=True))
def test_the_fast_iso_6346_check_agrees_with_the_model_s_on_any_number(number: str) -> None:
    from riskprofile.io.edifact._stowplan import _iso6346

    assert _iso6346(number) == (container_number_problem(number) is None)


def test_break_bulk_is_left_out_of_the_cross_check_in_both_paths() -> None:
    from riskprofile.io import read_frame, read_manifests
    from riskprofile.io.edifact import compare_stowplan, join_stowplan

    cuscar = Path(__file__).resolve().parents[3] / "examples" / "data" / "karachi-cuscar.edi"
    plan = read_stowplan(
        Path(__file__).resolve().parents[2] / "data" / "edifact" / "baplie-smdg22.edi"
    )
    cargo = StowedUnit("0990082", "BREAKBULK1", port_of_discharge="PKKHI", equipment="BB")
    loose = StowedUnit("0980082", None, port_of_discharge="PKKHI", equipment="BB")
    with_cargo = replace(plan, units=[*plan.units, cargo, loose])
    manifests = list(read_manifests(cuscar))
    assert compare_stowplan(manifests, with_cargo) == compare_stowplan(manifests, plan)
    frame = read_frame(cuscar).frame
    joined, check = join_stowplan(frame, with_cargo)
    before, was = join_stowplan(frame, plan)
    assert joined.equals(before)
    assert (check.units, check.unnumbered, check.other_equipment) == (was.units, 0, 2)
    assert check.not_manifested == was.not_manifested
    assert check.as_dict()["other_equipment"] == 2


def test_a_file_written_all_in_lower_case_una_included(tmp_path: Path) -> None:
    # Was: the lower-case una a segment outside any message.
    plan = read_stowplan(_write(tmp_path, _text("3.1").lower()))
    assert plan.container_numbers == ["msku9070323", "csqu3054383"]
    assert [p.code for p in plan.problems] == ["syntax"]  # the tags, said once
