"""Reading CUSCAR files: envelopes, segment groups, the mapping, and the batch account."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError, MappingError
from riskprofile.io import detect_format, read_batch, read_manifests
from riskprofile.io.edifact import (
    load_mapping,
    open_envelopes,
    place_segments,
    segment_table,
    tokenize,
    write_segments,
)
from riskprofile.io.edifact._groups import table_for
from tests.depth import depth

DATA = Path(__file__).resolve().parents[2] / "data" / "edifact"
SAMPLE = DATA / "karachi-d95b.edi"


def _write(tmp_path: Path, text: str, name: str = "x.edi") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_reads_without_a_rejected_segment() -> None:
    batch = read_batch(SAMPLE)
    assert batch.records_read == 1
    assert not batch.rejected
    assert batch.record_unit == "message"
    assert batch.manifests == 1
    assert {s.container_number for s in batch.shipments} == {"CSQU3054383", "MSKU9070323"}
    assert not [f for s in batch.shipments for f in s.quality_flags if f.startswith("edifact")]


def test_fields_are_read_where_the_default_mapping_says() -> None:
    (manifest,) = read_manifests(SAMPLE)
    assert (manifest.vessel_name, manifest.vessel_imo, manifest.voyage_number) == (
        "MAERSK ESSEN",
        "9321483",
        "0425W",
    )
    assert manifest.port_of_call == "PKKHI"
    assert manifest.arrival is not None
    assert manifest.arrival.isoformat() == "2026-12-08T14:00:00+00:00"
    box = manifest.containers[0]
    assert (box.size_type, box.full, box.verified_gross_mass_kg, box.tare_kg) == (
        "22G1",
        True,
        24500.0,
        2200.0,
    )
    assert [(s.number, s.sealer) for s in box.seals] == [("ML-4471203", "carrier")]
    bill = manifest.consignments[0]
    assert bill.shipper is not None
    assert bill.shipper.name == "GULF STAR GENERAL TRADING LLC"
    assert bill.consignee is not None
    assert bill.consignee.name == "INDUS IMPEX (PVT) LTD"
    assert (bill.place_of_receipt, bill.port_of_loading, bill.port_of_discharge) == (
        "AEJEA",
        "AEJEA",
        "PKKHI",
    )
    assert bill.transshipment_ports == ["OMSLL"]
    assert bill.freight_terms == "prepaid"
    item = bill.goods[0]
    assert (item.hs_code, item.packages, item.package_type) == ("851713", 1200, "CT")
    assert item.description == "USED MOBILE PHONES AND ACCESSORIES: 1200 CARTONS"
    assert (item.gross_weight_kg, item.net_weight_kg, str(item.value), item.currency) == (
        21800.0,
        20500.0,
        "184000.00",
        "USD",
    )
    assert item.container_number == "CSQU3054383"


def test_format_is_detected_by_suffix_and_by_content(tmp_path: Path) -> None:
    assert detect_format(Path("day.edi")) == "edifact"
    assert detect_format(Path("day.EDIFACT")) == "edifact"
    unnamed = _write(tmp_path, SAMPLE.read_text(), "cuscar.msg")
    assert detect_format(unnamed) == "edifact"
    assert len(read_batch(unnamed).shipments) == 2


def test_house_bill_links_to_its_master(tmp_path: Path) -> None:
    text = (
        "UNH+1+CUSCAR:D:95B:UN'BGM+785+1+9'CNI+1'RFF+MB:MAEU1'RFF+BH:FWD77'"
        "NAD+CZ+++A'NAD+CN+++B'UNT+8+1'"
    )
    (manifest,) = read_manifests(_write(tmp_path, text))
    bill = manifest.consignments[0]
    assert (bill.bl_number, bill.master_bl_number) == ("FWD77", "MAEU1")


def test_weight_units_and_decimal_comma(tmp_path: Path) -> None:
    text = (
        "UNA:+,? 'UNH+1+CUSCAR:D:95B:UN'BGM+785'CNI+1+B1'RFF+BM:B1'"
        "GID+1'MEA+AAE+G+TNE:1,5'GID+2'MEA+AAE+G+LBR:1000'UNT+9+1'"
    )
    (manifest,) = read_manifests(_write(tmp_path, text))
    weights = [g.gross_weight_kg for g in manifest.consignments[0].goods]
    assert weights == [1500.0, pytest.approx(453.59237)]


# --- envelopes and control counts ----------------------------------------------------------

_MESSAGE = "UNH+{ref}+CUSCAR:D:95B:UN'BGM+785'CNI+1'RFF+BM:B{ref}'UNT+{count}+{ref}'"


def test_several_messages_per_interchange(tmp_path: Path) -> None:
    text = (
        "UNB+UNOC:3+S+R+261206:0900+7'"
        + "".join(_MESSAGE.format(ref=n, count=5) for n in (1, 2, 3))
        + "UNZ+3+7'"
    )
    batch = read_batch(_write(tmp_path, text))
    assert batch.manifests == 3
    assert batch.records_read == 3
    assert not batch.rejected
    assert sorted(s.bl_number for s in batch.shipments) == ["B1", "B2", "B3"]


def test_a_wrong_unt_count_is_flagged_when_lenient_and_rejects_when_strict(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, _MESSAGE.format(ref=1, count=9))
    lenient = read_batch(path)
    assert not lenient.rejected
    assert "edifact:control_count" in lenient.shipments[0].quality_flags
    strict = read_batch(path, strictness="strict")
    assert strict.records_read == 1
    assert len(strict.rejected) == 1
    (problem,) = strict.rejected[0].problems
    assert problem.field == "message 1, segment 5 (UNT), element 1"
    assert problem.value == "9"
    assert "the message has 5" in problem.reason
    assert strict.rejected[0].bl_numbers == ("B1",)


def test_a_wrong_unz_count_and_reference_are_reported(tmp_path: Path) -> None:
    text = "UNB+UNOC:3+S+R+261206:0900+7'" + _MESSAGE.format(ref=1, count=5) + "UNZ+2+8'"
    batch = read_batch(_write(tmp_path, text))
    assert batch.manifests == 1
    reasons = [p.reason for r in batch.rejected for p in r.problems]
    assert any("UNZ counts 2" in r for r in reasons)
    assert any("UNZ reference 8" in r for r in reasons)
    assert batch.records_read == batch.records_accepted + len(batch.rejected)


def test_segments_outside_messages_and_a_missing_trailer_are_reported(tmp_path: Path) -> None:
    text = "BGM+785'" + _MESSAGE.format(ref=1, count=5) + "FTX+AAA'UNH+2+CUSCAR:D:95B:UN'CNI+1'"
    batch = read_batch(_write(tmp_path, text))
    stray = [r for r in batch.rejected if "outside any message" in r.reason]
    assert [r.record for r in stray] == [1, 3]
    # The unterminated second message is kept (lenient) and flagged as truncated; it has
    # no B/L number, so it gives no shipment: still counted, still reported.
    assert batch.records_read == 4
    assert batch.records_read == batch.records_accepted + len(batch.rejected)


def test_another_message_type_is_rejected(tmp_path: Path) -> None:
    text = "UNH+1+INVOIC:D:96A:UN'BGM+380'UNT+3+1'"
    batch = read_batch(_write(tmp_path, text))
    assert len(batch.rejected) == 1
    assert "INVOIC" in batch.rejected[0].reason


# --- segment groups ------------------------------------------------------------------------


def test_the_same_segment_sits_in_different_groups_by_directory() -> None:
    body = "EQD+CN+CSQU3054383'LOC+9+PKKHI'CNI+1'RFF+BM:B1'GID+1'CST++1234'LOC+27+CN'"
    for directory, expected in (("95B", 2), ("00B", 0)):
        text = f"UNH+1+CUSCAR:D:{directory}:UN'BGM+785'{body}UNT+10+1'"
        (message,) = open_envelopes(tokenize(text)).messages
        table, note = table_for(message)
        assert table is not None
        assert note is None
        _root, problems = place_segments(message, table)
        assert len([p for p in problems if p.code == "unplaced_segment"]) == expected


def test_groups_nest_and_repeat() -> None:
    text = SAMPLE.read_text()
    (message,) = open_envelopes(tokenize(text)).messages
    root, problems = place_segments(message, segment_table("CUSCAR", "D95B"))
    assert not problems
    assert len(root.groups["SG5"]) == 2
    consignments = root.groups["SG7"]
    assert len(consignments) == 2
    assert len(consignments[0].groups["SG8"][0].groups["SG11"]) == 3
    assert "SG6" in root.groups["SG5"][1].groups  # the reefer's TMP


def test_an_unknown_directory_is_read_with_the_nearest_table(tmp_path: Path) -> None:
    text = _MESSAGE.format(ref=1, count=5).replace("95B", "98B")
    batch = read_batch(_write(tmp_path, text))
    assert "edifact:directory" in batch.shipments[0].quality_flags
    # D.96B has D.95B's structure: read with its table, nothing to say.
    same = read_batch(_write(tmp_path, text.replace("98B", "96B"), "same.edi"))
    assert not [f for f in same.shipments[0].quality_flags if f.startswith("edifact:")]


def test_an_out_of_place_segment_is_named(tmp_path: Path) -> None:
    text = "UNH+1+CUSCAR:D:95B:UN'BGM+785'CNI+1'RFF+BM:B1'EQD+CN+CSQU3054383'UNT+6+1'"
    strict = read_batch(_write(tmp_path, text), strictness="strict")
    (problem,) = strict.rejected[0].problems
    assert problem.field == "message 1, segment 5 (EQD)"
    assert "no place here in the CUSCAR D95B segment table" in problem.reason


def test_a_bad_value_is_flagged_on_its_record_with_its_place(tmp_path: Path) -> None:
    text = "UNH+1+CUSCAR:D:95B:UN'BGM+785'CNI+1'RFF+BM:B1'GID+1+many:CT'MEA+AAE+G+KGM:abc'UNT+7+1'"
    path = _write(tmp_path, text)
    (manifest,) = read_manifests(path)
    flags = manifest.consignments[0].goods[0].quality_flags
    assert {(f.field, f.code, f.value) for f in flags} == {
        ("packages", "invalid_value", "many"),
        ("gross_weight_kg", "invalid_value", "KGM abc"),
    }
    assert "message 1, segment 6 (MEA), element 3" in flags[1].message
    strict = read_batch(path, strictness="strict")
    assert len(strict.rejected[0].problems) == 2


# --- the mapping ---------------------------------------------------------------------------


def test_a_country_mapping_moves_a_field(tmp_path: Path) -> None:
    mapping = _write(
        tmp_path,
        "message: CUSCAR\nconsignments:\n  each: SG7\n  bl_number: SG8/RFF[1.1=AAQ] 1.2\n"
        "goods:\n  each: SG8/SG14\n  hs_code: FTX[1=ABN] 4.1\n",
        "country.yaml",
    )
    text = "UNH+1+CUSCAR:D:95B:UN'BGM+785'CNI+1'RFF+AAQ:X9'GID+1'FTX+ABN+++847130'UNT+7+1'"
    (manifest,) = read_manifests(_write(tmp_path, text), mapping=mapping)
    assert manifest.consignments[0].bl_number == "X9"
    assert manifest.consignments[0].goods[0].hs_code == "847130"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("consignment:\n  each: SG7\n", "did you mean 'consignments'?"),
        ("goods:\n  each: SG8/SG14\n  hs_cod: CST 2.1\n", "did you mean 'hs_code'?"),
        ("goods:\n  each: SG8/SG14\n  hs_code: cst 2.1\n", "is not a segment tag"),
        ("goods:\n  each: SG8/SG14\n  hs_code: CST 2.x\n", "is not an element"),
        ("goods:\n  each: SG8/SG14\n  hs_code: CST 0\n", "count from 1"),
        ("goods:\n  each: SG8/SG14\n  hs_code: CST[0=X] 2.1\n", "count from 1"),
        ("goods:\n  each: SG8/SG14\n  hs_code: CST 2.0\n", "count from 1"),
        ("goods:\n  hs_code: CST 2.1\n", "needs 'each'"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text, "bad.yaml")
    with pytest.raises(MappingError, match=message) as caught:
        load_mapping(path)
    assert caught.value.line is not None


def test_a_column_mapping_is_refused_for_edifact(tmp_path: Path) -> None:
    from riskprofile.io import ColumnMapping

    with pytest.raises(InputFormatError, match="column mapping"):
        read_manifests(SAMPLE, mapping=ColumnMapping.identity())


# --- property: corruption never crashes and is always reported --------------------------


@st.composite
def _corrupted(draw: st.DrawFn) -> tuple[str, str]:
    tokens = tokenize(SAMPLE.read_text())
    segments = list(tokens.segments)
    index = draw(st.integers(1, len(segments) - 2))  # UNB and UNZ stay
    kind = draw(st.sampled_from(["drop", "swap", "junk_tag", "junk_value", "duplicate"]))
    segment = segments[index]
    if kind == "drop":
        del segments[index]
    elif kind == "swap":
        segments[index], segments[index + 1] = segments[index + 1], segments[index]
    elif kind == "junk_tag":
        segments[index] = type(segment)(
            draw(st.sampled_from(["XYZ", "ZZ1", "FOO"])), segment.elements
        )
    elif kind == "duplicate":
        segments.insert(index, segment)
    else:
        junk = draw(st.text(alphabet="abc-?:+'", min_size=1, max_size=5))
        elements = list(segment.elements) or [("",)]
        where = draw(st.integers(0, len(elements) - 1))
        elements[where] = (junk,)
        segments[index] = type(segment)(segment.tag, tuple(elements))
    return write_segments(segments, tokens.service, una=True), kind


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_corrupted())
def test_corruption_never_crashes_and_is_reported(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str]
) -> None:
    text, kind = case
    path = tmp_path_factory.mktemp("corrupt") / "x.edi"
    path.write_text(text, encoding="utf-8")
    for strictness in ("lenient", "strict"):
        batch = read_batch(path, strictness=strictness)  # type: ignore[arg-type]
        assert batch.records_read == batch.records_accepted + len(batch.rejected)
        assert batch.records_read >= 1
        if kind in ("drop", "duplicate", "junk_tag"):
            # A segment lost, added or unknown: the control count or the segment table
            # catches it, and it is said out loud.
            flagged = any(
                f.startswith("edifact:") for s in batch.shipments for f in s.quality_flags
            )
            assert batch.rejected or flagged
            if strictness == "strict":
                assert batch.rejected


def test_the_column_wise_reader_reads_edifact_without_the_models() -> None:
    from riskprofile.io import read_frame
    from riskprofile.model.frame import shipment_frame

    batch = read_frame(SAMPLE)  # tests/io/edifact/test_columns.py: the property tests
    assert batch.fallback is None
    assert batch.rows_via_models == 0
    assert batch.frame.equals(shipment_frame(read_batch(SAMPLE).shipments))
    assert batch.record_unit == "message"


def test_the_docs_show_the_bundled_default_mapping() -> None:
    bundled = (
        Path(__file__).resolve().parents[3]
        / "src"
        / "riskprofile"
        / "io"
        / "edifact"
        / "cuscar-un.yaml"
    ).read_text(encoding="utf-8")
    page = (Path(__file__).resolve().parents[3] / "docs" / "edifact.md").read_text(encoding="utf-8")
    assert f"```yaml\n{bundled}```" in page, "docs/edifact.md shows a stale default mapping"


def test_a_file_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from riskprofile.io.edifact import _reader

    monkeypatch.setattr(_reader, "MAX_FILE_BYTES", 100)
    path = _write(tmp_path, SAMPLE.read_text())
    with pytest.raises(InputFormatError, match="more than the 100 bytes"):
        read_batch(path)


def test_sniffing_never_opens_what_is_not_a_file(tmp_path: Path) -> None:
    import os

    from riskprofile.io.edifact import looks_like_edifact

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not looks_like_edifact(fifo)  # would block forever if it opened the FIFO
    assert not looks_like_edifact(tmp_path)


def test_a_mapping_that_is_not_yaml_or_not_a_file_is_refused(tmp_path: Path) -> None:
    import os

    bad = _write(tmp_path, "goods: [unclosed\n", "bad.yaml")
    with pytest.raises(MappingError, match="YAML"):
        load_mapping(bad)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(MappingError):
        load_mapping(fifo)


def test_many_small_bad_messages_stay_linear(tmp_path: Path) -> None:
    # 3,000 messages each with a malformed segment: every problem lands on its message.
    text = "".join(f"UNH+{n}+CUSCAR:D:95B:UN'bad'UNT+3+{n}'" for n in range(3000))
    batch = read_batch(_write(tmp_path, text), strictness="strict")
    assert len(batch.rejected) == 3000
    assert all("not a segment tag" in r.reason for r in batch.rejected)


def test_outcomes_are_not_read_from_edifact() -> None:
    from riskprofile.evaluation import read_outcomes

    with pytest.raises(InputFormatError, match="not EDIFACT"):
        read_outcomes(SAMPLE)


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2000), st.integers(0, 3), st.text(alphabet="A1'+:?\n ", max_size=3)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_characters_cut_or_inserted_anywhere_never_crash(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, str]]
) -> None:
    text = SAMPLE.read_text()
    for at, cut, insert in edits:
        at %= len(text)
        text = text[:at] + insert + text[at + cut :]
    path = tmp_path_factory.mktemp("chars") / "x.edi"
    path.write_text(text, encoding="utf-8")
    for strictness in ("lenient", "strict"):
        try:
            batch = read_batch(path, strictness=strictness)  # type: ignore[arg-type]
        except InputFormatError as exc:
            error = str(exc)
        else:
            assert batch.records_read == batch.records_accepted + len(batch.rejected)
            continue
        # Only a spoilt UNA makes the whole file unreadable.
        assert text.startswith("UNA"), error
        assert not text.startswith("UNA:+.? '"), error
        return


def test_packages_from_pac_when_gid_has_none(tmp_path: Path) -> None:
    text = "UNH+1+CUSCAR:D:95B:UN'BGM+785'CNI+1'RFF+BM:B1'GID+1'PAC+40++BG'UNT+7+1'"
    (manifest,) = read_manifests(_write(tmp_path, text))
    item = manifest.consignments[0].goods[0]
    assert (item.packages, item.package_type) == (40, "BG")


def test_a_cancellation_or_replacement_is_said_out_loud(tmp_path: Path) -> None:
    text = "UNH+1+CUSCAR:D:95B:UN'BGM+785+M1+{code}'CNI+1'RFF+BM:B1'UNT+5+1'"
    original = read_batch(_write(tmp_path, text.format(code="9"), "o.edi"))
    assert "edifact:message_function" not in original.shipments[0].quality_flags
    cancelled = read_manifests(_write(tmp_path, text.format(code="1"), "c.edi"))
    (manifest,) = list(cancelled)
    (flag,) = [f for f in manifest.quality_flags if f.code == "message_function"]
    assert flag.value == "1"
    assert "cancellation" in flag.message
    assert "message 1, segment 2 (BGM), element 3" in flag.message
