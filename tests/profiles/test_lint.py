"""Profile lint: each lint fires exactly where expected, and never on a clean profile."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from riskprofile.profiles import CompiledProfile, Location
from riskprofile.profiles import _lint as lint_module
from riskprofile.profiles._lint import (
    ALL_LINTS,
    Contradiction,
    Lint,
    LintFinding,
    NoBands,
    ProfileLint,
    lint_profiles,
)
from riskprofile.profiles._load import load_all_profiles

TODAY = dt.date(2025, 6, 1)

# Clean: every lint stays quiet. Indicators come last so tests can append more.
CLEAN = """\
id: t.clean
version: 1
title: Cocaine in reefer fruit from source ports
category: narcotics
owner: PCU Karachi
valid_from: 2025-01-01
valid_to: 2026-12-31
review_date: 2025-12-01
lists:
  source_ports: {source: UNODC WDR 2024, values: [ECGYE, COBUN]}
bands:
  - {min_score: 40, lane: red}
examples:
  - name: reefer from Guayaquil
    shipment: {container_type: reefer, port_of_loading: ECGYE}
    hits: [reefer-from-source]
indicators:
  - id: reefer-from-source
    title: Reefer loaded at a source port
    when: container_type == "reefer" and port_of_loading in $source_ports
    weight: 40
    explain: "reefer loaded at {port_of_loading}"
"""


def indicator(
    ind_id: str,
    when: str,
    *,
    weight: int = 10,
    explain: str | None = "see {port_of_loading}",
    lane: str | None = None,
) -> str:
    """YAML text of one more indicator, to append to a profile."""
    text = f"  - id: {ind_id}\n    title: {ind_id}\n    when: '{when}'\n    weight: {weight}\n"
    if explain is not None:
        text += f'    explain: "{explain}"\n'
    if lane is not None:
        text += f"    lane: {lane}\n"
    return text


def load(folder: Path, files: dict[str, str]) -> list[CompiledProfile]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return list(load_all_profiles(folder))


def run(
    tmp_path: Path, *texts: str, lints: Sequence[Lint] = ALL_LINTS, today: dt.date = TODAY
) -> list[LintFinding]:
    profiles = load(tmp_path / "p", {f"p{i}.yaml": text for i, text in enumerate(texts)})
    return lint_profiles(profiles, today=today, lints=lints)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def codes(findings: Iterable[LintFinding]) -> list[tuple[str, str, int]]:
    return [(f.code, f.severity, f.location.line if f.location else 0) for f in findings]


def only(findings: Iterable[LintFinding], code: str) -> list[LintFinding]:
    return [f for f in findings if f.code == code]


# --- the clean profile and the API -----------------------------------------------------------


def test_clean_profile_has_no_findings(tmp_path: Path) -> None:
    assert run(tmp_path, CLEAN) == []


def test_every_lint_has_a_unique_code_a_severity_and_a_description() -> None:
    seen = [lint.code for lint in ALL_LINTS]
    assert len(seen) == len(set(seen))
    for lint in ALL_LINTS:
        assert lint.severity in ("error", "warning", "info")
        assert lint.description
        assert lint.code in repr(lint)


def test_module_docstring_lists_every_lint_with_its_severity() -> None:
    doc = lint_module.__doc__ or ""
    for lint in ALL_LINTS:
        assert re.search(rf"``{lint.code}`` \((the analysis' own severity|{lint.severity})", doc), (
            lint.code
        )


def test_the_profile_language_imports_no_engine() -> None:
    # The profile language sits below the engines (docs/architecture.md): a lint that asks
    # an engine lives with the engine (riskprofile.engines.columnar.RowwiseFallback).
    from tests.test_architecture import modules, uses

    known = modules()
    found = {
        (m.name, u.home)
        for m in known.values()
        if m.part == "profiles"
        for u in uses(m, known)
        if u.home.startswith("riskprofile.engines")
    }
    assert found == set()


def test_public_names_are_sorted_and_exist() -> None:
    assert lint_module.__all__ == sorted(lint_module.__all__)
    for name in lint_module.__all__:
        assert hasattr(lint_module, name)


def test_finding_text_is_path_line_column_severity_message_code() -> None:
    finding = LintFinding("expired", "error", "gone", "t.x", Location("a.yaml", 3, 5))
    assert str(finding) == "a.yaml:3:5: error: gone [expired]"
    assert str(LintFinding("expired", "error", "gone", "t.x", None)) == "t.x: error: gone [expired]"


def test_findings_are_sorted_by_path_line_column_code(tmp_path: Path) -> None:
    text = CLEAN.replace("t.clean", "t.b").replace(
        "review_date: 2025-12-01", "review_date: 2025-01-01"
    )
    text += indicator("second", "is_lcl", explain=None, weight=0)
    other = (
        CLEAN.replace("t.clean", "t.a")
        .replace("Cocaine", "Heroin")
        .replace("bands:\n  - {min_score: 40, lane: red}\n", "")
    )
    profiles = load(tmp_path / "p", {"b.yaml": text, "a.yaml": other})
    findings = lint_profiles(profiles, today=TODAY)
    keys = [
        (f.location.path, f.location.line, f.location.column, f.code)
        for f in findings
        if f.location
    ]
    assert keys == sorted(keys)
    assert [(Path(f.location.path).name, f.code) for f in findings if f.location] == [
        ("a.yaml", "no_bands"),
        ("b.yaml", "review_overdue"),
        ("b.yaml", "no_explanation"),
        ("b.yaml", "zero_weight"),
    ]
    assert lint_profiles(reversed(profiles), today=TODAY) == findings


def test_lints_can_be_chosen(tmp_path: Path) -> None:
    text = CLEAN.replace("bands:\n  - {min_score: 40, lane: red}\n", "")
    text += indicator("second", "is_lcl", explain=None)
    assert {f.code for f in run(tmp_path / "a", text)} == {"no_bands", "no_explanation"}
    assert [f.code for f in run(tmp_path / "b", text, lints=[NoBands()])] == ["no_bands"]
    assert run(tmp_path / "c", text, lints=[]) == []


def test_a_custom_lint_is_a_small_class(tmp_path: Path) -> None:
    class NoOwnerKarachi(ProfileLint):
        code = "owner_karachi"
        severity = "info"
        description = "owned by PCU Karachi"

        def check_profile(
            self, profile: CompiledProfile, *, today: dt.date
        ) -> Iterable[LintFinding]:
            if profile.profile.owner == "PCU Karachi":
                yield self.finding(profile, "profile", "owned by Karachi")

    assert codes(run(tmp_path, CLEAN, lints=[NoOwnerKarachi()])) == [("owner_karachi", "info", 1)]


def test_today_may_be_a_datetime(tmp_path: Path) -> None:
    text = CLEAN.replace("valid_to: 2026-12-31", "valid_to: 2025-05-31")
    at = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert [f.code for f in run(tmp_path, text, today=at)] == ["expired"]


# --- validity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("valid_to: 2026-12-31", "valid_to: 2025-05-31"), [("expired", "error", 1)]),
        (("valid_to: 2026-12-31", "valid_to: 2025-06-01"), [("expiring", "warning", 1)]),
        (("valid_to: 2026-12-31", "valid_to: 2025-07-01"), [("expiring", "warning", 1)]),
        (("valid_to: 2026-12-31", "valid_to: 2025-07-02"), []),
        (
            ("review_date: 2025-12-01", "review_date: 2025-05-31"),
            [("review_overdue", "warning", 1)],
        ),
        (("review_date: 2025-12-01", "review_date: 2025-06-01"), []),
        (("valid_from: 2025-01-01", "valid_from: 2025-06-02"), [("not_yet_valid", "info", 1)]),
        (("valid_from: 2025-01-01", "valid_from: 2025-06-01"), []),
    ],
)
def test_validity_dates(
    tmp_path: Path, change: tuple[str, str], expected: list[tuple[str, str, int]]
) -> None:
    assert codes(run(tmp_path, CLEAN.replace(*change))) == expected


def test_retired_profile_is_noted_but_not_reported_as_expired(tmp_path: Path) -> None:
    text = CLEAN.replace("valid_to: 2026-12-31", "valid_to: 2024-12-31\nstatus: retired")
    text = text.replace("valid_from: 2025-01-01", "valid_from: 2024-01-01")
    text = text.replace("review_date: 2025-12-01", "review_date: 2024-06-01")
    findings = run(tmp_path, text)
    assert codes(findings) == [("draft_or_retired", "info", 1)]
    assert "retired" in findings[0].message


def test_draft_profile_is_noted_and_still_checked(tmp_path: Path) -> None:
    text = CLEAN.replace("valid_to: 2026-12-31", "valid_to: 2025-05-01\nstatus: draft")
    assert codes(run(tmp_path, text)) == [("draft_or_retired", "info", 1), ("expired", "error", 1)]


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicate_profile_id_across_loads(tmp_path: Path) -> None:
    first = load(tmp_path / "a", {"x.yaml": CLEAN})
    second = load(tmp_path / "b", {"x.yaml": CLEAN.replace("Cocaine", "Heroin")})
    findings = lint_profiles([*first, *second], today=TODAY)
    assert codes(findings) == [("duplicate_id", "error", 1)]
    assert findings[0].location is not None
    assert findings[0].location.path == str(tmp_path / "b" / "x.yaml")
    assert str(tmp_path / "a" / "x.yaml") in findings[0].message


def test_duplicate_title_ignores_case_and_spacing(tmp_path: Path) -> None:
    other = CLEAN.replace("t.clean", "t.other").replace(
        "title: Cocaine in reefer fruit", "title: cocaine  in Reefer fruit"
    )
    findings = run(tmp_path, CLEAN, other)
    assert codes(findings) == [("duplicate_title", "warning", 1)]
    assert findings[0].profile_id == "t.other"
    assert "t.clean" in findings[0].message


def test_duplicate_condition_in_one_profile(tmp_path: Path) -> None:
    text = CLEAN + indicator(
        "again", 'container_type == "reefer"  and port_of_loading in $source_ports'
    )
    text += indicator("different", 'container_type == "tank"')
    findings = run(tmp_path, text)
    assert codes(findings) == [("duplicate_condition", "warning", line_of(text, "id: again"))]
    assert "'reefer-from-source'" in findings[0].message


def test_same_condition_in_two_profiles_is_fine(tmp_path: Path) -> None:
    other = CLEAN.replace("t.clean", "t.other").replace("Cocaine", "Heroin")
    assert run(tmp_path, CLEAN, other) == []


# --- lists ---------------------------------------------------------------------------------------


def test_unused_list(tmp_path: Path) -> None:
    text = CLEAN.replace("lists:\n", "lists:\n  spare: {values: [X]}\n")
    assert codes(run(tmp_path, text)) == [("unused_list", "warning", line_of(text, "spare:"))]


def test_list_used_only_by_an_exception_is_used(tmp_path: Path) -> None:
    text = CLEAN.replace("lists:\n", "lists:\n  aeo: {values: [PK123]}\n").replace(
        "indicators:\n",
        "exceptions:\n  - id: aeo\n    when: consignee_identifier in $aeo\nindicators:\n",
    )
    assert run(tmp_path, text) == []


def test_empty_list_inline_and_from_a_file(tmp_path: Path) -> None:
    text = CLEAN.replace("{source: UNODC WDR 2024, values: [ECGYE, COBUN]}", "{values: []}")
    text = text.replace("lists:\n", "lists:\n  from_file: {file: ports.csv}\n")
    text = text.replace("$source_ports", "$source_ports and port_of_discharge in $from_file")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "ports.csv").write_text("value\n", encoding="utf-8")
    assert codes(run(tmp_path, text)) == [
        ("empty_list", "warning", line_of(text, "from_file:")),
        ("empty_list", "warning", line_of(text, "source_ports:")),
    ]


# --- indicators ----------------------------------------------------------------------------------


def test_no_explanation(tmp_path: Path) -> None:
    text = CLEAN + indicator("bare", "is_lcl", explain=None)
    findings = run(tmp_path, text)
    assert codes(findings) == [("no_explanation", "warning", line_of(text, "id: bare"))]
    assert findings[0].location is not None
    assert findings[0].location.column == 5


@pytest.mark.parametrize(
    ("weight", "lane", "fires"),
    [(0, None, True), (0, "red", False), (5, None, False), (-5, None, False)],
)
def test_zero_weight(tmp_path: Path, weight: int, lane: str | None, fires: bool) -> None:
    text = CLEAN + indicator("nothing", "is_lcl", weight=weight, lane=lane)
    expected = [("zero_weight", "warning", line_of(text, "id: nothing"))] if fires else []
    assert codes(run(tmp_path, text)) == expected


# --- conditions ----------------------------------------------------------------------------------


def test_expensive_builtin(tmp_path: Path) -> None:
    text = CLEAN + indicator("range", "transshipment_count in $range(3, 10)")
    assert codes(run(tmp_path, text)) == [
        ("expensive_builtin", "warning", line_of(text, "id: range"))
    ]


CONTRADICTIONS = [
    'container_type == "reefer" and container_type == "tank"',
    'container_type == "reefer" and container_type != "reefer"',
    "packages > 10 and packages < 5",
    "packages > 5 and packages < 5",
    "packages >= 6 and packages <= 5",
    "packages >= 5 and packages < 5",
    "5 < packages and packages < 3",
    "packages == 3 and packages > 5",
    "(packages > 10 and is_lcl) and packages < 5",
    "is_lcl or (packages > 10 and packages < 5)",
    "port_of_loading in $source_ports and port_of_loading not in $source_ports",
    "port_of_loading in $source_ports and not (port_of_loading in $source_ports)",
    '"PKKHI" in transshipment_ports and "PKKHI" not in transshipment_ports',
    "is_lcl and packages > 1 and not is_lcl",
    'description =~ "FAK" and not description =~ "FAK"',
    '$any([p for p in transshipment_ports if p == "PAONX" and p == "ESALG"])',
    'description.as_lower == "fak" and description.as_lower == "general cargo"',
    'arrival > d"2025-03-01" and arrival < d"2025-01-01"',
    "true",
    "false",
    "1 == 1",
    "is_lcl and false",
    "is_lcl or true",
]
CONSISTENT = [
    'container_type == "reefer" or container_type == "tank"',
    'container_type == "reefer" and port_of_loading == "ECGYE"',
    "packages > 3 and packages < 5",
    "packages >= 5 and packages <= 5",
    "packages == 5 and packages >= 5",
    "packages > 10 or packages < 5",
    "packages > 10 and goods_item_count < 5",
    "port_of_loading in $source_ports and port_of_discharge not in $source_ports",
    "port_of_loading in $source_ports or port_of_loading not in $source_ports",
    'description.as_lower == "fak" and description == "FAK"',
    "not is_lcl",
    "is_lcl and is_lcl",
    "packages == 1 and packages == 1.0",
    'is_lcl and not description =~ "FAK"',
    '$any([p for p in transshipment_ports if p == "PAONX" or p == "ESALG"])',
]


@pytest.mark.parametrize("when", CONTRADICTIONS)
def test_contradiction_fires(tmp_path: Path, when: str) -> None:
    text = CLEAN + indicator("odd", when)
    findings = run(tmp_path, text, lints=[Contradiction()])
    assert codes(findings) == [("contradiction", "warning", line_of(text, "id: odd"))]
    assert findings[0].message.startswith("indicator 'odd': ")


@pytest.mark.parametrize("when", CONSISTENT)
def test_contradiction_is_quiet_on_a_consistent_condition(tmp_path: Path, when: str) -> None:
    text = CLEAN + indicator("fine", when)
    assert run(tmp_path, text, lints=[Contradiction()]) == []


def test_contradiction_message_names_the_field_and_values(tmp_path: Path) -> None:
    text = CLEAN + indicator("odd", "packages > 10 and packages < 5")
    [finding] = run(tmp_path, text, lints=[Contradiction()])
    assert finding.message == "indicator 'odd': packages > 10 and packages < 5 cannot both hold"


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("1 == 1", "the condition is a constant: it is always true"),
        ("is_lcl and false", "'and false' makes the condition always false"),
        ("is_lcl or true", "'or true' makes the condition always true"),
        ("is_lcl and true", "'and true' in the condition does nothing"),
        ("is_lcl or false", "'or false' in the condition does nothing"),
    ],
)
def test_constants_are_explained(tmp_path: Path, when: str, reason: str) -> None:
    text = CLEAN + indicator("odd", when)
    [finding] = run(tmp_path, text, lints=[Contradiction()])
    assert finding.message == f"indicator 'odd': {reason}"


def test_constant_exception_is_a_contradiction(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "indicators:\n", "exceptions:\n  - id: always\n    when: 'true'\nindicators:\n"
    )
    findings = run(tmp_path, text)
    assert codes(findings) == [("contradiction", "warning", line_of(text, "id: always"))]
    assert "always true" in findings[0].message


# --- profile shape -------------------------------------------------------------------------------


def test_unreachable_band(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "{min_score: 40, lane: red}",
        "{min_score: 30, lane: yellow}\n  - {min_score: 100, lane: red}",
    )
    text += indicator("aeo", "consignee_aeo", weight=-20)
    findings = run(tmp_path, text)
    assert codes(findings) == [("unreachable_band", "warning", 1)]
    assert "highest possible score 40" in findings[0].message


def test_no_bands_and_no_examples(tmp_path: Path) -> None:
    text = CLEAN.replace("bands:\n  - {min_score: 40, lane: red}\n", "")
    text = text[: text.index("examples:")] + text[text.index("indicators:") :]
    assert codes(run(tmp_path, text)) == [("no_bands", "info", 1), ("no_examples", "info", 1)]


# --- overlays ------------------------------------------------------------------------------------

OVERLAY = """\
extends: t.clean
country: PK
lists:
  source_ports: {extend: [PECLL]}
examples:
  - name: reefer from Callao
    shipment: {container_type: reefer, port_of_loading: PECLL}
    hits: [reefer-from-source]
"""


def test_clean_overlay_has_no_findings(tmp_path: Path) -> None:
    assert run(tmp_path, CLEAN, OVERLAY) == []


def test_overlays_of_one_base_for_two_countries_are_not_duplicate_titles(tmp_path: Path) -> None:
    india = OVERLAY.replace("country: PK", "country: IN")
    findings = run(tmp_path, CLEAN, OVERLAY, india)
    assert findings == []


def test_inherited_problem_is_reported_once_where_it_is_written(tmp_path: Path) -> None:
    base = CLEAN + indicator("bare", "is_lcl", explain=None)
    findings = run(tmp_path, base, OVERLAY)
    assert codes(findings) == [("no_explanation", "warning", line_of(base, "id: bare"))]
    assert findings[0].profile_id == "t.clean"


def test_a_list_left_unused_by_an_overlays_disable_is_not_flagged(tmp_path: Path) -> None:
    # The overlay cannot remove the base's list: once it disables the indicator that
    # used it, the leftover is expected, so nothing is reported.
    base = CLEAN.replace("lists:\n", "lists:\n  spare: {values: [OMSLL]}\n")
    base += indicator("uses-spare", "port_of_discharge in $spare")
    overlay = OVERLAY + "disable: [uses-spare]\n"
    profiles = load(tmp_path / "p", {"base.yaml": base, "overlay.yaml": overlay})
    assert lint_profiles(profiles, today=TODAY) == []
    # ...while a list the overlay itself adds and never uses still is
    unused = OVERLAY.replace("lists:\n", "lists:\n  mine: {values: [Y]}\n")
    profiles = load(tmp_path / "q", {"base.yaml": CLEAN, "overlay.yaml": unused})
    findings = lint_profiles(profiles, today=TODAY)
    assert [(f.code, f.profile_id) for f in findings] == [("unused_list", "pk.t.clean")]


def test_overlay_override_to_zero_weight(tmp_path: Path) -> None:
    overlay = OVERLAY + "override:\n  reefer-from-source: {weight: 0}\n"
    findings = run(tmp_path, CLEAN, overlay)
    # Both are the overlay's doing, so both point into the overlay's file (p1): the
    # zero weight at its override entry, below the bands it makes unreachable.
    assert [(f.code, f.profile_id) for f in findings] == [
        ("unreachable_band", "pk.t.clean"),
        ("zero_weight", "pk.t.clean"),
    ]
    zero = findings[1]
    assert zero.location is not None
    assert zero.location.path.endswith("p1.yaml")


# --- conditions that a null stops ----------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "field"),
    [
        (
            'place_of_delivery&.starts_with("AF") and port_of_loading in $source_ports',
            "place_of_delivery",
        ),
        ("days_bl_to_arrival < 0", "days_bl_to_arrival"),
        ("container_full == false and container_cargo_mass_kg > 1000", "container_cargo_mass_kg"),
        ('container_type == "tank" and goods_gross_weight_kg > 25000', "goods_gross_weight_kg"),
        ("port_of_loading in $source_ports and value_per_kg * 2 > 10", "value_per_kg"),
        # reached only with hs_headings == ["8517"]: the probe takes it from the comprehension
        (
            'hs_headings.length > 0 and [h for h in hs_headings if h != "8517"].length == 0'
            " and value_per_kg < 30",
            "value_per_kg",
        ),
    ],
)
def test_unevaluable_on_null_fires(tmp_path: Path, when: str, field: str) -> None:
    text = CLEAN + indicator("fragile", when)
    findings = only(run(tmp_path, text), "unevaluable_on_null")
    assert codes(findings) == [("unevaluable_on_null", "warning", line_of(text, "id: fragile"))]
    assert f"when {field} is null" in findings[0].message
    assert f"'{field} != null and ...'" in findings[0].message


@pytest.mark.parametrize(
    "when",
    [
        'place_of_delivery != null and place_of_delivery.starts_with("AF")',
        'place_of_delivery =~ "AF.*"',
        'consignee_name == "ZETA"',
        "days_bl_to_arrival != null and days_bl_to_arrival < 0",
        "container_full == true",
        '"SGSIN" in transshipment_ports',
    ],
)
def test_unevaluable_on_null_is_quiet_on_null_safe_conditions(tmp_path: Path, when: str) -> None:
    assert only(run(tmp_path, CLEAN + indicator("safe", when)), "unevaluable_on_null") == []


def test_unevaluable_on_null_checks_exceptions(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "bands:\n",
        "exceptions:\n  - {id: light, title: light, when: 'goods_gross_weight_kg < 10'}\nbands:\n",
    )
    findings = only(run(tmp_path, text), "unevaluable_on_null")
    assert [f.message.split(" cannot")[0] for f in findings] == ["exception 'light'"]
