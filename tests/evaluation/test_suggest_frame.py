"""``suggest`` on the shipment frame (column-wise counts) equals ``suggest`` on the shipment
objects (the reference): the same candidates, figures, stack and profile text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import Shipment
from riskprofile.errors import DataError
from riskprofile.evaluation import HISTORY_COLUMNS, Outcome
from riskprofile.evaluation._members import MEMBER_SCHEMA, Members
from riskprofile.evaluation._outcome_table import OutcomeTable, outcome_table
from riskprofile.evaluation._suggest import suggest
from riskprofile.model.frame import shipment_frame
from tests.depth import current, depth

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPLIT = dt.date(2026, 2, 10)
CONTAINERS = ["MSCU1234565", "CSQU3054383", "TGHU8821303", "MAEU1234560"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Shipment], list[Outcome], dict[str, Any]]:
    """Random histories over few values (so that values repeat and pass the tests):
    containers shared by several B/Ls and vessel calls, B/Ls without one, days from the
    arrival (in and out of UTC), the B/L date or only the inspection, several codes and
    origins per shipment, value bands, traders, tax types, a text custom field; outcomes
    by unit key, container or B/L number, some matching nothing, some not inspected."""
    count = draw(st.integers(30, 90))
    shipments: list[Shipment] = []
    outcomes: list[Outcome] = []
    some = st.sampled_from
    for n in range(count):
        call = draw(some(["V/1", "V/2", "V/3"]))
        bl = f"BL{n:04d}"
        container = draw(st.none() | some(CONTAINERS))
        day = START + dt.timedelta(days=draw(st.integers(0, 59)), hours=draw(st.integers(0, 23)))
        when = draw(some(["arrival", "arrival", "offset", "bl", "none"]))
        fields: dict[str, Any] = {
            "shipment_id": f"{call}/{bl}/{container or '-'}",
            "manifest_ref": call,
            "bl_number": bl,
            "container_number": container,
            "hs_codes": draw(st.lists(some(["85171300", "620342", "851762", "3004"]), max_size=2)),
            "origin_countries": draw(st.lists(some(["CN", "VN", "IN"]), max_size=2)),
            "port_of_loading": draw(st.none() | some(["CNSHA", "AEJEA", "E", ""])),
            "consignee_name": draw(st.none() | some(["ALPHA", "BRAVO", ""])),
            "shipper_name": draw(st.none() | some(["SH1", "SH2"])),
            "consignee_identifier": draw(st.none() | some(["ID1", "ID2"])),
            "tax_type": draw(st.none() | some(["CD", "RD", ""])),
            "customs_office": draw(st.none() | some(["OF1", "OF2"])),
            "transshipment_ports": draw(st.lists(some(["SGSIN", "MYPKG"]), max_size=2)),
            "place_of_receipt": draw(st.none() | some(["CNXYZ", "VNABC"])),
        }
        codes = fields["hs_codes"]
        fields["hs_subheadings"] = sorted({c[:6] for c in codes if len(c) >= 6})
        fields["hs_headings"] = sorted({c[:4] for c in codes})
        fields["hs_chapters"] = sorted({c[:2] for c in codes})
        if draw(st.booleans()):
            fields["value_per_kg"] = draw(some([0.5, 1.0, 2.0, 3.5, 8.0, 0.0]))
            fields["value_currency"] = draw(some(["USD", "USD", "EUR"]))
        if draw(st.booleans()):
            fields["x_office"] = draw(some(["A", "B", ""]))
        if when == "arrival":
            fields["arrival"] = day
        elif when == "offset":  # a day other than UTC's near midnight
            fields["arrival"] = day.astimezone(dt.timezone(dt.timedelta(hours=-5)))
        elif when == "bl":
            fields["bl_issue_date"] = day.date()
        shipments.append(Shipment(**fields))
        how = draw(some(["key", "container", "bl", "none", "nothing", "unmatched"]))
        finding = draw(st.booleans())
        inspected = finding or draw(st.booleans())
        date = day.date() if draw(st.booleans()) else None
        if how == "key":
            unit = f"{call}/{container}" if container else f"{call}/B/L {bl}"
            outcomes.append(Outcome(unit, inspected=inspected, finding=finding, date=date))
        elif how == "container" and container:
            outcomes.append(Outcome(container, inspected=inspected, finding=finding, date=date))
        elif how == "bl":
            outcomes.append(Outcome(bl.lower(), inspected=inspected, finding=finding, date=date))
        elif how == "unmatched":
            outcomes.append(Outcome("NOPE", inspected=True, finding=finding))
    settings_: dict[str, Any] = {
        "min_support": draw(st.integers(1, 4)),
        "min_findings": draw(st.integers(1, 3)),
        "min_lift": draw(some([1.0, 1.5, 2.0])),
        "alpha": draw(some([0.2, 0.5, 0.9])),
        "value_bands": 2,
        "capacity": draw(some([0.1, 0.5])),
        "combinations": draw(st.booleans()),
    }
    return shipments, outcomes, settings_


_EVERY_HISTORY = current() != "dev"
"""Whether each example of the differential test runs all three histories."""


@settings(
    max_examples=depth(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(histories(), st.sampled_from([1_000_000, 1, 7]), st.integers(1, 9), st.integers(0, 2))
def test_the_frame_gives_what_the_objects_give(
    monkeypatch: pytest.MonkeyPatch,
    data: tuple[list[Shipment], list[Outcome], dict[str, Any]],
    part_rows: int,
    step: int,
    which: int,
) -> None:
    """(The frame's features are also counted ``step`` units at a time, and the
    members' pairs likewise: a history of millions of units is counted in ranges.)

    At CI depth each example runs the three histories (the whole frame, the projected
    frame, the projected frame with the outcome table); at dev depth one, drawn, so that
    a newcomer's run covers each of them over its examples at a third of the cost."""
    import riskprofile.evaluation._members as members
    import riskprofile.evaluation._suggest_frame as module

    monkeypatch.setattr(module, "COUNTED_UNITS", step)
    monkeypatch.setattr(members, "PAIR_UNITS", step)
    from riskprofile.evaluation import _suggest_units

    # The outcomes placed in one partition of the places, or in many (set each example).
    monkeypatch.setattr(_suggest_units, "PART_ROWS", part_rows)
    shipments, outcomes, options = data
    frame = shipment_frame(shipments)
    # As `riskprofile suggest` reads a history: only the columns the method reads.
    projected = frame.select(c for c in frame.columns if c in HISTORY_COLUMNS or c[:2] == "x_")
    try:
        expected = suggest(shipments, outcomes, split=SPLIT, **options)
    except ValueError as exc:
        message = str(exc)
        for history in (frame, projected):
            with pytest.raises(ValueError, match="no inspected unit") as got:
                suggest(history, outcomes, split=SPLIT, **options)
            assert str(got.value) == message
        return
    # The outcomes as objects, and as the table `riskprofile suggest` reads them into.
    table = OutcomeTable("outcomes", outcome_table(outcomes), (), len(outcomes))
    runs = ((frame, outcomes), (projected, outcomes), (projected, table))
    for history, read in runs if _EVERY_HISTORY else runs[which : which + 1]:
        result = suggest(history, read, split=SPLIT, **options)
        assert result.as_dict() == expected.as_dict()
        assert result.candidates == expected.candidates
        assert result.precision == expected.precision
        assert result.stack == expected.stack
    if expected.kept:
        assert result.files("s.yaml") == expected.files("s.yaml")


def _planted() -> tuple[list[Shipment], list[Outcome], dt.date]:
    """A history of 600 declarations over 90 days, its split after 60 days."""
    shipments, outcomes = [], []
    for n in range(600):
        code = ["851713", "620342", "300490", "940360"][n % 4]
        origin = ["CN", "VN", "IN"][n % 3]
        port = ["CNSHA", "VNSGN", "INNSA", "SGSIN"][(n // 3) % 4]
        bl = f"BL{n:05d}"
        shipments.append(
            Shipment(
                shipment_id=f"DECL/{bl}/-",
                manifest_ref="DECL",
                bl_number=bl,
                arrival=START + dt.timedelta(days=n * 90 // 600),
                hs_codes=[code + "00"],
                hs_subheadings=[code],
                hs_headings=[code[:4]],
                hs_chapters=[code[:2]],
                origin_countries=[origin],
                port_of_loading=port,
                consignee_name=f"IMPORTER {n % 17}",
                tax_type=["CD", "RD"][n % 2],
                value_per_kg=float(n % 13 + 1),
                value_currency="USD",
            )
        )
        risky = (code == "300490" and origin == "IN") or n % 17 == 3
        outcomes.append(Outcome(bl, inspected=True, finding=risky or n % 11 == 0))
    return shipments, outcomes, (START + dt.timedelta(days=60)).date()


def test_a_planted_history_gives_the_same_draft_from_the_frame() -> None:
    """A larger history (several hundred units, every kind, combinations and the stack):
    the same draft, byte for byte."""
    shipments, outcomes, split = _planted()
    expected = suggest(shipments, outcomes, split=split, combinations=True)
    result = suggest(shipment_frame(shipments), outcomes, split=split, combinations=True)
    assert expected.kept
    assert expected.stack is not None
    assert expected.stack.folds
    assert result.as_dict() == expected.as_dict()
    assert result.files("s.yaml") == expected.files("s.yaml")


@pytest.mark.parametrize("size", [1, 7, 50])
def test_the_test_period_scored_a_slice_of_units_at_a_time_gives_the_same_precision(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """The draft scores the test period's labelled units a slice at a time (a unit's score
    is its shipments' alone): the same precision, tie and cut as in one run."""
    from riskprofile.evaluation import _suggest

    shipments, outcomes, split = _planted()
    whole = suggest(shipment_frame(shipments), outcomes, split=split, combinations=True)
    assert whole.precision is not None
    assert whole.precision.labelled > size
    monkeypatch.setattr(_suggest, "SCORED_UNITS", size)
    for history in (shipment_frame(shipments), shipments):
        sliced = suggest(history, outcomes, split=split, combinations=True)
        assert sliced.precision == whole.precision


def test_an_arrival_out_of_utc_is_dated_by_its_utc_day() -> None:
    """An arrival at 23:30 in New York on 9 February is 10 February in UTC, as rules and
    the frame read it: it falls in the test period (the objects gave it the local day)."""
    ny = dt.timezone(dt.timedelta(hours=-5))
    arrivals = [dt.datetime(2026, 2, 9, 23, 30, tzinfo=ny)]
    arrivals += [START + dt.timedelta(days=n) for n in range(1, 5)]
    shipments = [
        Shipment(
            shipment_id=f"V/1/BL{n}/-",
            manifest_ref="V/1",
            bl_number=f"BL{n}",
            arrival=arrival,
            consignee_name="ALPHA",
        )
        for n, arrival in enumerate(arrivals)
    ]
    outcomes = [Outcome(f"BL{n}", inspected=True, finding=n == 0) for n in range(5)]
    for history in (shipments, shipment_frame(shipments)):
        result = suggest(history, outcomes, split=SPLIT, min_support=1, min_findings=1)
        assert (result.train.units, result.test.units, result.test.findings) == (4, 1, 1)


def test_a_bill_of_lading_numbered_empty_stands_by_its_shipment_id() -> None:
    """As :func:`~riskprofile.rules.unit_key` reads ``bl_number or shipment_id``: shipments
    without a container whose B/L number is empty are each their own unit on the frame
    too, not one unit ``V/1/B/L `` (the frame then had none inspected)."""
    shipments = [
        Shipment(
            shipment_id=f"S{n}",
            manifest_ref="V/1",
            bl_number="",
            arrival=START + dt.timedelta(days=n),
            consignee_name="ALPHA",
        )
        for n in range(5)
    ]
    outcomes = [Outcome(f"V/1/B/L S{n}", inspected=True, finding=n == 0) for n in range(5)]
    for history in (shipments, shipment_frame(shipments)):
        result = suggest(history, outcomes, split=SPLIT, min_support=1, min_findings=1)
        assert (result.train.units, result.train.findings) == (5, 1)


def test_a_frame_without_the_columns_is_refused() -> None:
    frame = shipment_frame([Shipment(shipment_id="a")]).drop("hs_codes", "port_of_loading")
    with pytest.raises(DataError, match="no column hs_codes, port_of_loading"):
        suggest(frame, [], split=SPLIT)


@settings(max_examples=depth(50), deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcd"), st.sets(st.integers(0, 300), min_size=1)),
    st.sets(st.integers(0, 300)),
    st.integers(1, 400),
)
def test_members_count_what_the_sets_hold(
    sets: dict[str, set[int]], findings: set[int], step: int
) -> None:
    """The redundancy step's figures from the sorted ids and the pairs' self-join (a
    range of units at a time) equal those of the sets themselves."""
    import riskprofile.evaluation._members as module

    features = [("k", v) for v in sorted(sets)]
    rows = pl.DataFrame(
        {"feature": [i for i, v in enumerate(sorted(sets)) for _ in sets[v]],
         "_unit": [u for v in sorted(sets) for u in sets[v]],
         "_finding": [u in findings for v in sorted(sets) for u in sets[v]]},
        schema=MEMBER_SCHEMA,
    )  # fmt: skip
    old, module.PAIR_UNITS = module.PAIR_UNITS, step
    try:
        members = Members(features, rows, 301)
    finally:
        module.PAIR_UNITS = old
    mask = members.mask()
    for v in sorted(sets):
        if v in "ab":
            members.cover(mask, ("k", v))
    marked = set().union(*(sets[v] for v in sets if v in "ab"))
    for v, ids in sets.items():
        f = ("k", v)
        assert (members.size(f), members.found(f)) == (len(ids), len(ids & findings))
        assert members.shared(f) == {
            ("k", w): (len(ids & other), len(ids & other & findings))
            for w, other in sets.items()
            if w != v and ids & other
        }
        rest = ids - marked
        assert members.outside(f, mask) == (len(rest), len(rest & findings))


def test_the_parents_prior_does_not_depend_on_the_order_they_were_counted_in() -> None:
    """The parent levels' prior strength is a float sum over the parents: summed in the
    order they were counted (set iteration, so string hashing), it differed in the last
    bits between processes and between the two histories (found by the differential
    test: a shrunk rate 0.6884017864474372 against its neighbour)."""
    import random
    from collections import Counter

    from riskprofile.evaluation._features import COUNT_SCHEMA
    from riskprofile.evaluation._suggest import _combinations

    rng = random.Random(5)
    units: Counter[tuple[str, str]] = Counter()
    findings: Counter[tuple[str, str]] = Counter()
    support: Counter[tuple[str, str]] = Counter()
    found: Counter[tuple[str, str]] = Counter()
    for n in range(300):
        code = f"{rng.randint(10, 99)}{rng.randint(10, 99)}{n % 7:02d}"
        hit = rng.randint(0, 1)
        support[("code_tax_type", f"{code}:CD")] = 1
        found[("code_tax_type", f"{code}:CD")] = hit
        # Rates spread a little around the base rate: a prior strength within its bounds.
        rate = min(0.9, max(0.01, rng.gauss(0.2, 0.06)))
        for level, width in (("hs6", 6), ("hs_heading", 4), ("hs_chapter", 2)):
            units[(level, code[:width])] += 1 + (more := rng.randint(20, 200))
            findings[(level, code[:width])] += hit + sum(rng.random() < rate for _ in range(more))
    chosen = sorted(support)
    table = pl.DataFrame(
        {"kind": [f[0] for f in chosen], "value": [f[1] for f in chosen],
         "seen": [support[f] for f in chosen], "support": [support[f] for f in chosen],
         "found": [found[f] for f in chosen], "test_seen": [0] * len(chosen),
         "test_support": [0] * len(chosen), "test_found": [0] * len(chosen),
         "first": [None] * len(chosen), "last": [None] * len(chosen)},
        schema=COUNT_SCHEMA,
    )  # fmt: skip
    results = []
    for order in (sorted(units), sorted(units, reverse=True)):
        strength: dict[str, float] = {}
        candidates = _combinations(
            table, 0.2, None, 1.0, strength, (Counter({p: units[p] for p in order}), findings)
        )
        results.append((strength, [c.shrunk for c in candidates]))
    assert results[0] == results[1]


@pytest.mark.parametrize("part_rows", [1, 2, 3, 1000])
def test_outcomes_are_placed_column_wise_as_match_outcomes_places_them(
    monkeypatch: pytest.MonkeyPatch, part_rows: int
) -> None:
    """By unit key, container (typed loosely), B/L (any case, blanks); a container or B/L
    in two vessel calls, or nothing, leaves the outcome unmatched: the same whether the
    places are indexed in one partition or many (``PART_ROWS`` rows each)."""
    from riskprofile.engines.columnar import unit_key_expression
    from riskprofile.evaluation import _suggest_units
    from riskprofile.evaluation._matching import match_outcomes
    from riskprofile.evaluation._outcome_table import outcome_table

    monkeypatch.setattr(_suggest_units, "PART_ROWS", part_rows)
    places = [("a", "V/1", "BL1", "MSCU1234565"), ("b", "V/1", "BL2", "MSCU1234565"),
              ("c", "V/2", "BL3", "CSQU3054383"), ("d", "V/3", "BL3", "TGHU8821303"),
              ("e", "V/3", "BL4", None), ("f", "V/2", "BL5", "MSCU1234565"),
              ("g", "V/4", "BL6", None), ("h", "V/4", "BL6 ", "TGHU8821303")]  # fmt: skip
    shipments = [
        Shipment(shipment_id=i, manifest_ref=call, bl_number=bl, container_number=container)
        for i, call, bl, container in places
    ]
    day = dt.date(2026, 1, 5)
    outcomes = [
        Outcome("V/3/B/L BL4", inspected=True, finding=True, date=day),
        Outcome("mscu 123456-5", inspected=True, finding=False),  # two calls
        Outcome("csqu3054383", inspected=True, finding=True),
        Outcome(" bl 2 ", inspected=True, finding=False),
        Outcome("BL3", inspected=True, finding=True),  # two calls
        Outcome("X", inspected=True, finding=False, container_number="TGHU 882130-3"),
        Outcome("X", inspected=False, finding=False, bl_number="bl5", date=day),
        Outcome("NOTHING", inspected=True, finding=True),
        Outcome("bl6", inspected=True, finding=True, date=day),  # a B/L in two units
        Outcome("V/4/B/L BL6", inspected=True, finding=False),
    ]
    frame = shipment_frame(shipments)
    expected = match_outcomes(shipments, outcomes)
    found = _suggest_units.frame_units(frame, outcome_table(outcomes))
    assert found.unmatched == len(expected.unmatched) == 4, expected.unmatched
    assert found.first_unmatched == expected.unmatched[0].outcome.unit == "mscu 123456-5"
    # The ids in key order, each row's its unit's.
    keys = frame.select(unit_key_expression()).to_series()
    ordered = sorted(set(keys))
    assert [ordered[i] for i in found.rows] == keys.to_list()
    # Undated shipments: a unit's day is its earliest inspection date.
    got = {
        ordered[unit]: (labelled, finding, day)
        for unit, day, labelled, finding in found.units.table.iter_rows()
    }
    assert len(expected.units) == 6
    assert got == {
        key: (u.inspected, u.finding, u.date) if u else (False, False, None)
        for key in ordered
        for u in [expected.units.get(key)]
    }


def test_outcomes_matching_no_unit_are_said_when_nothing_is_learned() -> None:
    """Regression (review of issue 17): outcomes that name nothing in the history left
    only "no inspected unit before DATE", not why; both engines now say how many
    outcomes matched no unit, and the first one's unit."""
    shipments = [
        Shipment(shipment_id=f"V/1/BL{n}", manifest_ref="V/1", bl_number=f"BL{n}",
                 arrival=START + dt.timedelta(days=n), hs_codes=["851713"])
        for n in range(4)
    ]  # fmt: skip
    outcomes = [Outcome(f"DECL-{n}", inspected=True, finding=n == 0) for n in range(3)]
    messages = []
    for history in (shipments, shipment_frame(shipments)):
        with pytest.raises(ValueError, match="no inspected unit before 2026-02-10") as got:
            suggest(history, outcomes, split=SPLIT)
        messages.append(str(got.value))
    assert messages[0] == messages[1]
    assert "3 outcomes match no unit of the history, the first 'DECL-0'" in messages[0]


@settings(max_examples=depth(100), deadline=None)
@given(
    st.lists(
        st.none()
        | st.text(alphabet=st.sampled_from(list("aB1 -./\t\x1c\x1f\u00a0\u2003\u00e9\u00df")))
        | st.text(),
        max_size=20,
    )
)
def test_container_numbers_are_read_column_wise_as_the_functions_read_them(
    values: list[str | None],
) -> None:
    """The outcomes' and units' container numbers are normalised column-wise (a million
    outcomes named by B/L each went through Python): the same text as
    ``normalise_container_number(v) or fold(v)`` (or ``or v``), value by value."""
    from riskprofile.evaluation._matching import fold
    from riskprofile.evaluation._suggest_units import _containers
    from riskprofile.model.codes import normalise_container_number

    series = pl.Series(values, dtype=pl.String)
    for folded in (True, False):
        expected = [
            None if v is None else normalise_container_number(v) or (fold(v) if folded else v)
            for v in values
        ]
        assert _containers(series, fold=folded).to_list() == expected


def test_a_value_its_watch_list_refuses_is_not_kept_and_the_draft_loads() -> None:
    """Regression (found by the differential test): a history whose declarations give a
    4-digit HS code (read as written, flagged) that always finds something kept it as an
    HS code, and the draft did not load ("'3004' is not an HS code (6 to 10 digits)"):
    `suggest` failed with "a bug of riskprofile suggest". The value is now left out,
    saying why; its heading carries it."""
    shipments, outcomes = [], []
    for n in range(240):
        risky = n % 4 == 0
        code = "3004" if risky else ["851713", "620342", "940360"][n % 3]
        bl = f"BL{n:05d}"
        shipments.append(
            Shipment(shipment_id=f"D/{bl}/-", manifest_ref="D", bl_number=bl,
                     arrival=START + dt.timedelta(days=n * 60 // 240), hs_codes=[code],
                     hs_headings=[code[:4]], hs_chapters=[code[:2]],
                     origin_countries=[["CN", "VN", "IN"][n % 3]], port_of_loading="CNSHA")
        )  # fmt: skip
        outcomes.append(Outcome(bl, inspected=True, finding=risky or n % 13 == 0))
    for history in (shipments, shipment_frame(shipments)):
        result = suggest(history, outcomes, split=SPLIT)
        refused = next(c for c in result.candidates if (c.kind, c.value) == ("hs_code", "3004"))
        assert not refused.kept
        assert "'3004' is not an HS code (6 to 10 digits)" in refused.reason
        assert any(c.value.startswith("3004") for c in result.kept)
        assert result.precision is not None
