"""Watch lists: how their files are read (once, regular files only, within limits), their
values written the way the fields they are compared with are written (issue 13), their
entries' expiry and columns, in both engines."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import string
import threading
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskprofile.profiles._list_entries as loader
from riskprofile.engines.columnar import score_frame, shipment_frame
from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.model import LENIENT, Manifest, Shipment, flatten
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles import CompiledProfile, load_profiles
from riskprofile.profiles._lists import field_format
from riskprofile.scoring import score
from tests import strategies
from tests.depth import depth

HEADER = """\
id: {id}
version: 1
title: Test profile
category: narcotics
owner: PCU Karachi
"""


def _profile(lists: str, when: str, *, id: str = "t.lists", explain: str = "") -> str:
    return (
        HEADER.format(id=id)
        + "lists:\n"
        + lists
        + "indicators:\n  - id: probe\n    title: Probe\n"
        + f"    when: {when}\n    weight: 10\n"
        + (f"    explain: {explain}\n" if explain else "")
    )


def _errors(paths: Any, **kwargs: Any) -> list[ProfileError]:
    with pytest.raises(ProfileSetError) as info:
        load_profiles(paths, **kwargs)
    return info.value.errors


# --- reading list files ---------------------------------------------------------------------


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original = loader.read_regular_file

    def counting(path: Path, limit: int) -> bytes:
        reads.append(Path(path).name)
        return original(path, limit)

    monkeypatch.setattr(loader, "read_regular_file", counting)
    return reads


def test_a_list_file_is_read_once_per_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: 40 lists naming one 5 MiB file read and parsed it 40 times (224 s)."""
    (tmp_path / "names.csv").write_text("value\nACME LLC\nZETA LLC\n", encoding="utf-8")
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(6))
    when = " or ".join(f"consignee_name in $l{i}" for i in range(6))
    (tmp_path / "p.yaml").write_text(_profile(lists, when), encoding="utf-8")
    reads = _count_reads(monkeypatch)
    profile = load_profiles(tmp_path)["t.lists"]
    assert reads.count("names.csv") == 1
    assert all(profile.lists[f"l{i}"] == {"ACME LLC", "ZETA LLC"} for i in range(6))


def test_list_bytes_of_a_profile_set_are_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every list naming a file counts its bytes: the set is refused at the list that
    crosses the limit, once, and the file is still read once."""
    monkeypatch.setattr(loader, "MAX_LIST_BYTES", 1000)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 40, encoding="utf-8")  # 366 B
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(5))
    when = " or ".join(f"consignee_name in $l{i}" for i in range(5))
    (tmp_path / "p.yaml").write_text(_profile(lists, when), encoding="utf-8")
    reads = _count_reads(monkeypatch)
    (error,) = _errors(tmp_path)
    assert (error.code, error.line) == ("list", 9)  # l2: 3 x 366 > 1000
    assert "1,098 bytes" in error.message
    assert "the limit is 1,000" in error.message
    assert reads.count("names.csv") == 1


def test_lists_within_the_limit_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_LIST_BYTES", 1098)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 40, encoding="utf-8")
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(3))
    (tmp_path / "p.yaml").write_text(_profile(lists, "consignee_name in $l0"), encoding="utf-8")
    assert load_profiles(tmp_path)["t.lists"].lists["l2"] == {"ACME LLC"}


def _load_in_thread(path: Path) -> list[ProfileError] | BaseException | None:
    """Load ``path`` in a thread that may not come back; the errors, or None on a hang."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            load_profiles(path)
            outcome.append(AssertionError("loaded"))
        except ProfileSetError as exc:
            outcome.append(exc.errors)
        except BaseException as exc:  # reported to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    return outcome[0] if outcome else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("which", ["list file", "profile file"])
def test_a_fifo_is_refused_without_waiting(tmp_path: Path, which: str) -> None:
    """Regression: a list file that is a FIFO made ``validate`` wait for ever."""
    fifo = tmp_path / ("names.csv" if which == "list file" else "p.yaml")
    os.mkfifo(fifo)
    if which == "list file":
        profile = tmp_path / "p.yaml"
        profile.write_text(
            _profile("  names: {file: names.csv}\n", "consignee_name in $names"),
            encoding="utf-8",
        )
    try:
        outcome = _load_in_thread(tmp_path / "p.yaml")
    finally:
        # Give a reader stuck on the FIFO (the old behaviour) its end of file.
        with contextlib.suppress(OSError):  # ENXIO: nobody is reading
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome is not None, "loading waited on the FIFO"
    assert isinstance(outcome, list), outcome
    (error,) = outcome
    assert "not a regular file" in error.message
    assert error.code == ("list" if which == "list file" else "io")
    if which == "list file":
        assert (error.line, error.column) == (7, 11)


def test_a_folder_as_list_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "names").mkdir()
    (tmp_path / "p.yaml").write_text(
        _profile("  names: {file: names}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path)
    assert error.code == "list"
    assert "not a regular file" in error.message


def test_a_nul_byte_in_a_list_file_name_is_an_error(tmp_path: Path) -> None:
    """Regression: ``file: "a\\0b.csv"`` crashed the loader with a ValueError."""
    (tmp_path / "p.yaml").write_text(
        _profile('  names: {file: "names\\0.csv"}\n', "consignee_name in $names"),
        encoding="utf-8",
    )
    (error,) = _errors(tmp_path)
    assert (error.code, error.line, error.column) == ("list", 7, 11)
    assert "NUL" in error.message


def test_a_symlink_out_of_the_folder_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("value\nTOP SECRET LLC\n", encoding="utf-8")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "names.csv").symlink_to(tmp_path / "secret.csv")
    (tmp_path / "profiles" / "p.yaml").write_text(
        _profile("  names: {file: names.csv}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path / "profiles")
    assert error.code == "list"
    assert "inside the profile's folder" in error.message


def test_a_list_file_over_its_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_LIST_FILE_BYTES", 100)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 20, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        _profile("  names: {file: names.csv}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path)
    assert error.code == "list"
    assert "the limit is 100" in error.message


# --- list values written as the fields they are compared with --------------------------------

AS_OF = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def _garble(code: str, seps: str = " -./") -> st.SearchStrategy[str]:
    """``code`` as people type it: any case, blanks (or the other ``seps``) between
    characters, blanks around (what the reader's normaliser removes)."""
    between = st.sampled_from(["", "", "", *seps, "  "])
    return st.tuples(
        st.lists(st.booleans(), min_size=len(code), max_size=len(code)),
        st.lists(between, min_size=len(code), max_size=len(code)),
        st.sampled_from(["", " ", "  "]),
    ).map(
        lambda t: (
            t[2]
            + "".join(
                (c.lower() if low else c) + (sep if i < len(code) - 1 else "")
                for i, (c, low, sep) in enumerate(zip(code, t[0], t[1], strict=True))
            )
            + t[2]
        )
    )


_WORDS = st.lists(
    st.text(alphabet=string.ascii_letters + "&'-.\u00c9\u00e9\u00d6\u00f6\u00df", min_size=1,
            max_size=8),
    min_size=1,
    max_size=4,
)  # fmt: skip


def _spell(words: list[str]) -> st.SearchStrategy[str]:
    """Words as typed: any case, several blanks (and tabs) between them, blanks around."""
    blanks = st.sampled_from([" ", "  ", "\t", " \t "])
    return st.tuples(
        st.lists(st.sampled_from([str.lower, str.upper, str]), min_size=len(words),
                 max_size=len(words)),
        st.lists(blanks, min_size=len(words) + 1, max_size=len(words) + 1),
    ).map(
        lambda t: t[1][-1] + "".join(f(w) + b for f, w, b in zip(t[0], words, t[1], strict=False))
    )  # fmt: skip


def _texts(document: Any) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """A manifest with a text typed one way and the list value typed another."""
    return _WORDS.flatmap(lambda w: st.tuples(_spell(w).map(document), _spell(w)))


def _bill(**fields: Any) -> dict[str, Any]:
    return {"consignments": [{"bl_number": "B1", **fields}]}


def _case(field: str) -> st.SearchStrategy[tuple[str, dict[str, Any], str]]:
    """(field, the manifest as read, the list value as written) for ``field``: the
    manifest carries raw text the reader normalises into the field's value; the list
    value is raw text of that value (for a derived field, of what it holds)."""
    locode = strategies.locodes()
    country = strategies.country_codes()
    cases: dict[str, st.SearchStrategy[tuple[dict[str, Any], str]]] = {
        "port_of_loading": locode.flatmap(
            lambda c: st.tuples(_garble(c).map(lambda r: _bill(port_of_loading=r)), _garble(c))
        ),
        "port_of_call": locode.flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: {"port_of_call": r, **_bill()}), _garble(c)
            )
        ),
        "transshipment_ports": locode.flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: _bill(transshipment_ports=["OMSLL", r])), _garble(c)
            )
        ),
        "route": locode.flatmap(
            lambda c: st.tuples(_garble(c).map(lambda r: _bill(place_of_delivery=r)), _garble(c))
        ),
        "route_countries": locode.flatmap(
            lambda c: st.tuples(st.just(_bill(port_of_discharge=c)), _garble(c[:2]))
        ),
        "shipper_country": country.flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: _bill(shipper={"name": "X", "country": r})),
                st.one_of(_garble(c), st.just(_alpha3(c))),
            )
        ),
        "origin_countries": country.flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: _bill(goods=[{"origin_country": r}])), _garble(c)
            )
        ),
        "shipper_name": _texts(lambda r: _bill(shipper={"name": r})),
        "consignee_address": _texts(lambda r: _bill(consignee={"name": "X", "address": r})),
        "description": _texts(lambda r: _bill(goods=[{"description": r}])),
        "vessel_name": _texts(lambda r: {"vessel_name": r, **_bill()}),
        "bl_number": st.text(
            alphabet=string.ascii_uppercase + string.digits, min_size=3, max_size=12
        ).flatmap(
            lambda c: st.tuples(
                _garble(c, " ").map(lambda r: {"consignments": [{"bl_number": r}]}),
                _garble(c, " \t"),
            )
        ),
        "hs_codes": strategies.hs_code_spellings().flatmap(
            lambda t: st.tuples(st.just(_bill(goods=[{"hs_code": t[0]}])), _garble(t[1]))
        ),
        "hs_chapters": strategies.hs_codes().flatmap(
            lambda c: st.tuples(st.just(_bill(goods=[{"hs_code": c}])), _garble(c[:2]))
        ),
        "hs_headings": strategies.hs_codes().flatmap(
            lambda c: st.tuples(st.just(_bill(goods=[{"hs_code": c}])), _garble(c[:4]))
        ),
        "hs_subheadings": strategies.hs_codes().flatmap(
            lambda c: st.tuples(st.just(_bill(goods=[{"hs_code": c}])), _garble(c[:6]))
        ),
        "container_number": strategies.container_numbers().flatmap(
            lambda c: st.tuples(_garble(c).map(lambda r: _bill(container_numbers=[r])), _garble(c))
        ),
        "container_owner_code": strategies.container_numbers().flatmap(
            lambda c: st.tuples(st.just(_bill(container_numbers=[c])), _garble(c[:3]))
        ),
        "container_size_type": st.tuples(
            strategies.container_numbers(), strategies.size_type_codes()
        ).flatmap(
            lambda t: st.tuples(
                _garble(t[1]).map(lambda r: {"containers": [{"number": t[0], "size_type": r}]}),
                _garble(t[1]),
            )
        ),
        "vessel_imo": strategies.imo_numbers().flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: {"vessel_imo": r, **_bill()}),
                st.one_of(_garble(c), st.just("IMO " + c), st.just("imo" + c)),
            )
        ),
        "carrier_scac": strategies.scac_codes().flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: {"carrier_scac": r, **_bill()}), _garble(c)
            )
        ),
        "value_currency": strategies.currency_codes().flatmap(
            lambda c: st.tuples(
                _garble(c).map(lambda r: _bill(goods=[{"value": "10", "currency": r}])),
                _garble(c),
            )
        ),
        "package_types": st.sampled_from(["CT", "PK", "BX", "PLT"]).flatmap(
            lambda c: st.tuples(
                st.sampled_from([c, c.lower(), f" {c} "]).map(
                    lambda r: _bill(goods=[{"package_type": r}])
                ),
                st.sampled_from([c, c.lower(), f"  {c.lower()} "]),
            )
        ),
        "freight_terms": st.sampled_from(
            [("PP", "prepaid"), ("prepaid", " Prepaid "), ("CC", "collect"), ("collect", "C")]
        ).map(lambda t: (_bill(freight_terms=t[0]), t[1])),
    }
    return cases[field].map(lambda t: (field, t[0], t[1]))


def _alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.alpha_3.lower() if country is not None else code


NORMALISED_FIELDS = (
    "port_of_loading", "port_of_call", "transshipment_ports", "route", "route_countries",
    "shipper_country", "origin_countries", "shipper_name", "consignee_address",
    "description", "vessel_name", "bl_number", "hs_codes", "hs_chapters", "hs_headings",
    "hs_subheadings", "container_number", "container_owner_code", "container_size_type",
    "vessel_imo", "carrier_scac", "value_currency", "package_types", "freight_terms",
)  # fmt: skip


# Written as a field of the test above: the same format, so the same normaliser.
SAME_AS_TESTED = frozenset({
    "shipper_address", "consignee_name", "notify_name", "notify_address",
    "freight_payer_name", "voyage_number", "master_bl_number", "notify_country",
    "consignee_country", "value_currencies", "place_of_receipt", "port_of_discharge",
    "place_of_delivery",
})  # fmt: skip
# Closed sets the reader derives (no raw text of them): a value must be one of them.
CLOSED_SETS = frozenset({"goods_scope", "freight_payer_role", "container_type", "sealer_types"})


def test_every_normalised_field_is_covered() -> None:
    formatted = {f.name for f in field_catalogue() if field_format(f.name) is not None}
    assert formatted == set(NORMALISED_FIELDS) | SAME_AS_TESTED | CLOSED_SETS
    for name in SAME_AS_TESTED:
        assert field_format(name) in {field_format(f) for f in NORMALISED_FIELDS}, name


def _condition(field: str) -> str:
    spec = next(f for f in field_catalogue() if f.name == field)
    if spec.type == "list[string]":
        return f"[x for x in {field} if x in $watch].length > 0"
    return f"{field} in $watch"


def _load_list(root: Path, field: str, value: str) -> CompiledProfile:
    """A profile with list $watch = [value] (written in a CSV file, exactly as given)
    compared with ``field``."""
    with (root / "watch.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["value"], [value]])
    (root / "p.yaml").write_text(
        _profile("  watch: {file: watch.csv}\n", f"'{_condition(field)}'"), encoding="utf-8"
    )
    return load_profiles(root)["t.lists"]


def _hits_both_engines(profile: CompiledProfile, shipment: Shipment) -> tuple[bool, bool]:
    rowwise, _ = profile.evaluate(shipment, AS_OF)
    run = score_frame(shipment_frame([shipment]), [profile], as_of=AS_OF)
    return rowwise[0].hit, run.hit_table.height == 1


@settings(max_examples=depth(80), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(NORMALISED_FIELDS).flatmap(_case))
def test_a_value_written_as_the_reader_reads_it_matches(
    case: tuple[str, dict[str, Any], str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 13: for every field with a normalising reader, raw text the reader turns
    into the field's value matches when written in a list, in both engines."""
    field, document, written = case
    (shipment,) = flatten(Manifest.model_validate(document, context=LENIENT))
    assert getattr(shipment, field), (field, document)
    profile = _load_list(tmp_path_factory.mktemp("l"), field, written)
    assert _hits_both_engines(profile, shipment) == (True, True), (field, document, written)


def test_the_issues_examples_match(tmp_path: Path) -> None:
    """Issue 13's lists, written inline as an analyst would, match the data."""
    lists = (
        "  ports: {values: [ecgye, Ec Pbo]}\n"
        '  names: {values: [Karachi Fresh Fruit Traders, "AL  BURAQ TRADING"]}\n'
        '  hs: {values: ["0803.90.10"]}\n'
    )
    when = (
        "'port_of_loading in $ports or shipper_name in $names "
        "or [h for h in hs_codes if h in $hs].length > 0'"
    )
    (tmp_path / "p.yaml").write_text(_profile(lists, when), encoding="utf-8")
    profile = load_profiles(tmp_path)["t.lists"]
    assert profile.lists["ports"] == {"ECGYE", "ECPBO"}
    assert profile.lists["names"] == {"KARACHI FRESH FRUIT TRADERS", "AL BURAQ TRADING"}
    assert profile.lists["hs"] == {"08039010"}
    assert profile.watch_lists["ports"].written_as == "a UN/LOCODE"
    for shipment in (
        Shipment(port_of_loading="ECPBO"),
        Shipment(shipper_name="AL BURAQ TRADING"),
        Shipment(hs_codes=["08039010"]),
    ):
        assert _hits_both_engines(profile, shipment) == (True, True)


REFUSED = {
    "LOCODE of four letters": ("port_of_loading in $watch", "ECGY", "not a UN/LOCODE"),
    "HS code of letters": ("[h for h in hs_codes if h in $watch].length > 0", "AB", "HS code"),
    "HS heading as a code": ("[h for h in hs_codes if h in $watch].length > 0", "08.03",
                             "compare it with hs_headings"),
    "HS chapter of one digit": ("[c for c in hs_chapters if c in $watch].length > 0", "8",
                                "HS chapter (2 digits)"),
    "container number": ("container_number in $watch", "MSKU12", "ISO 6346"),
    "country name": ("shipper_country in $watch", "Pakistan", "country code"),
    "closed set": ("container_type in $watch", "refer", "not a value of container_type"),
    "blank once normalised": ("port_of_loading in $watch", " - ", "blank"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("where", ["inline", "file"])
def test_a_value_that_can_never_match_is_refused_where_it_is_written(
    case: tuple[str, str, str], where: str, tmp_path: Path
) -> None:
    when, value, reason = case
    if where == "inline":
        lists = f'  watch: {{values: ["{value}"]}}\n'
        expected: tuple[str, int, int] = (str(tmp_path / "p.yaml"), 7, 20)
    else:
        with (tmp_path / "watch.csv").open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([["value", "reason"], ["X", "first"], [value, "typo"]])
        lists = "  watch: {file: watch.csv}\n"
        expected = (str((tmp_path / "watch.csv").resolve()), 3, 1)
    (tmp_path / "p.yaml").write_text(_profile(lists, f"'{when}'"), encoding="utf-8")
    errors = _errors(tmp_path)
    mine = [e for e in errors if e.line == expected[1]]
    assert len(mine) == 1, [str(e) for e in errors]
    (error,) = mine
    assert (error.path, error.line, error.column, error.code) == (*expected, "list")
    assert repr(value.strip()) in error.message
    assert "can never match" in error.message
    assert reason in error.message
    assert error.suggestion is not None
    assert error.suggestion.startswith("write ")


def test_a_list_compared_with_fields_written_differently_is_refused(tmp_path: Path) -> None:
    """One list cannot be normalised both as a LOCODE and as a name: said, with the fix."""
    (tmp_path / "p.yaml").write_text(
        _profile(
            "  watch: {values: [PKKHI]}\n",
            "'port_of_loading in $watch or shipper_name in $watch'",
        ),
        encoding="utf-8",
    )
    (error,) = _errors(tmp_path)
    assert (error.code, error.line, error.column) == ("list", 7, 3)
    assert "port_of_loading (a UN/LOCODE)" in error.message
    assert "shipper_name (a text" in error.message
    assert error.suggestion == "use one list for each kind of value"


def test_fields_written_alike_share_a_list(tmp_path: Path) -> None:
    """Countries of the route and of the consignee are both ISO 3166: one list serves."""
    (tmp_path / "p.yaml").write_text(
        _profile(
            "  watch: {values: [ir, Syr]}\n",
            "'consignee_country in $watch or [c for c in route_countries if c in $watch]"
            ".length > 0'",
        ),
        encoding="utf-8",
    )
    assert load_profiles(tmp_path)["t.lists"].lists["watch"] == {"IR", "SY"}


def test_a_list_used_only_otherwise_is_kept_as_written(tmp_path: Path) -> None:
    """A list of regex words or prefixes is compared with no field: not normalised."""
    when = '\'[t for t in $watch if (description ?? "") =~~ ("\\\\b" + t + "\\\\b")].length > 0\''
    (tmp_path / "p.yaml").write_text(
        _profile("  watch: {values: ['coca\\w*', Fresh]}\n", when), encoding="utf-8"
    )
    profile = load_profiles(tmp_path)["t.lists"]
    assert profile.lists["watch"] == {"coca\\w*", "Fresh"}
    assert profile.watch_lists["watch"].written_as is None


# --- expiry ------------------------------------------------------------------------------------


def _reference_in_force(expires: str | None, as_of: dt.datetime) -> bool:
    """The documented rule, written independently: a date is in force through that day
    (UTC), a date and time until that moment."""
    if not expires:
        return True
    if len(expires) == 10:
        return as_of.date() <= dt.date.fromisoformat(expires)
    moment = dt.datetime.fromisoformat(expires)
    return as_of < (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


_DAY0 = dt.date(2026, 11, 1)
_EXPIRES = st.one_of(
    st.none(),
    st.integers(-3, 3).map(lambda d: (_DAY0 + dt.timedelta(days=d)).isoformat()),
    st.tuples(st.integers(-3, 3), st.integers(0, 23), st.sampled_from(["Z", "+05:00", ""])).map(
        lambda t: (
            dt.datetime.combine(_DAY0 + dt.timedelta(days=t[0]), dt.time(t[1])).isoformat() + t[2]
        )
    ),
)


@settings(max_examples=depth(25), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    expiries=st.lists(_EXPIRES, min_size=1, max_size=5),
    hours=st.integers(-4 * 24, 4 * 24),
)
def test_expired_entries_do_not_match_in_either_engine(
    expiries: list[str | None], hours: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An entry matches while as_of < expires, in the row-wise and the columnar engine
    alike (and for a date, through that whole day)."""
    root = tmp_path_factory.mktemp("e")
    numbers = [strategies_number(i) for i in range(len(expiries))]
    with (root / "warnings.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["value", "expires", "sender"])
        for number, expires in zip(numbers, expiries, strict=True):
            writer.writerow([number, expires or "", "PK-KHI"])
    (root / "p.yaml").write_text(
        _profile("  warnings: {file: warnings.csv}\n", "container_number in $warnings"),
        encoding="utf-8",
    )
    profile = load_profiles(root)["t.lists"]
    as_of = dt.datetime.combine(_DAY0, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(hours=hours)
    shipments = [Shipment(shipment_id=n, container_number=n) for n in numbers]
    rowwise = [profile.evaluate(s, as_of)[0][0].hit for s in shipments]
    run = score_frame(shipment_frame(shipments), [profile], as_of=as_of)
    columnar_ids = set(run.hit_table["shipment_id"].to_list())
    expected = [_reference_in_force(e, as_of) for e in expiries]
    assert rowwise == expected
    assert [s.shipment_id in columnar_ids for s in shipments] == expected


def strategies_number(index: int) -> str:
    """A distinct valid container number per index."""
    serial = f"{305438 + index:06d}"
    from stdnum import iso6346

    return "CSQU" + serial + iso6346.calc_check_digit("CSQU" + serial)


def test_one_condition_in_two_profiles_with_different_expiries(tmp_path: Path) -> None:
    """The columnar engine evaluates equal conditions once; with lists whose entries
    expire differently they are not equal."""
    for name, expires in (("a", "2026-10-01"), ("b", "2026-12-01")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "w.csv").write_text(f"value,expires\nCSQU3054383,{expires}\n", encoding="utf-8")
        (folder / "p.yaml").write_text(
            _profile("  w: {file: w.csv}\n", "container_number in $w", id=f"t.{name}"),
            encoding="utf-8",
        )
    profiles = load_profiles(tmp_path)
    shipment = Shipment(container_number="CSQU3054383")
    as_of = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    run = score_frame(shipment_frame([shipment]), profiles, as_of=as_of)
    assert run.hit_table["profile_id"].to_list() == ["t.b"]
    assert [p.id for p in profiles if p.evaluate(shipment, as_of)[0][0].hit] == ["t.b"]


@pytest.mark.parametrize("written", ["2026-13-01", "tomorrow", "01/11/2026", "2026-11-01T25:00"])
def test_a_bad_expiry_is_an_error_naming_file_row_and_value(written: str, tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text(
        f"value,expires\nCSQU3054383,2026-12-01\nMSKU1234565,{written}\n", encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        _profile("  w: {file: w.csv}\n", "container_number in $w"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path)
    assert (error.path, error.line, error.code) == (str((tmp_path / "w.csv").resolve()), 3, "list")
    assert repr(written) in error.message


def test_inline_entries_may_carry_expiry_and_columns(tmp_path: Path) -> None:
    lists = (
        "  ports:\n    values:\n      - PKKHI\n"
        "      - {value: ec gye, expires: 2026-11-03, reason: seizure 2025-14, owner: PCU KHI}\n"
    )
    (tmp_path / "p.yaml").write_text(
        _profile(lists, "port_of_loading in $ports",
                 explain='"{port_of_loading}: {$ports.reason} ({$ports.owner})"'),
        encoding="utf-8",
    )  # fmt: skip
    profile = load_profiles(tmp_path)["t.lists"]
    (entry,) = [e for e in profile.watch_lists["ports"].entries if e.value == "ECGYE"]
    assert entry.expires == dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
    assert entry.columns["reason"] == "seizure 2025-14"
    assert entry.location is not None
    assert entry.location.line == 10
    indicator = profile.indicator("probe")
    shipment = Shipment(port_of_loading="ECGYE")
    assert indicator.explain(shipment, AS_OF) == "ECGYE: seizure 2025-14 (PCU KHI)"
    assert not profile.evaluate(shipment, dt.datetime(2026, 11, 4, tzinfo=dt.UTC))[0][0].hit


# --- explanations quote the matched entry --------------------------------------------------------


def _partner_warnings(root: Path, rows: list[dict[str, str]]) -> None:
    """A partner_warnings.csv as the exchange import writes it (its own columns)."""
    from riskprofile.exchange._import import WATCH_LIST_COLUMNS

    with (root / "partner_warnings.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=WATCH_LIST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in WATCH_LIST_COLUMNS})


def test_explanations_quote_the_matched_entry_alike_in_both_engines(tmp_path: Path) -> None:
    _partner_warnings(
        tmp_path,
        [
            {"value": "MSKU1234565", "expires": "2026-11-10T00:00:00+00:00", "sender": "PK-KHI",
             "reason": "cocaine in bananas"},
            {"value": "CSQU3054383", "expires": "2026-11-01T00:00:00+00:00", "sender": "AE-JEA",
             "reason": "old"},
            {"value": "CSQU3054383", "expires": "2026-12-01T00:00:00+00:00", "sender": "EC-GYE",
             "reason": "renewed"},
        ],
    )  # fmt: skip
    (tmp_path / "p.yaml").write_text(
        _profile(
            "  partner_warnings: {file: partner_warnings.csv}\n",
            "container_number in $partner_warnings",
            explain='"warned by {$partner_warnings.sender} on {container_number}: '
            '{$partner_warnings.reason} (until {$partner_warnings.expires})"',
        ),
        encoding="utf-8",
    )
    profiles = load_profiles(tmp_path)
    shipments = [
        Shipment(shipment_id="a", container_number="MSKU1234565"),
        Shipment(shipment_id="b", container_number="CSQU3054383"),
    ]
    as_of = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    rowwise = score(shipments, profiles, as_of=as_of, engine="rowwise")
    words = {s.shipment_id: [h.explanation for h in s.hits] for s in rowwise.shipments}
    assert words == {
        "a": ["warned by PK-KHI on MSKU1234565: cocaine in bananas (until "
              "2026-11-10T00:00:00+00:00)"],
        "b": ["warned by EC-GYE on CSQU3054383: renewed (until 2026-12-01T00:00:00+00:00)"],
    }  # fmt: skip
    frame = score_frame(shipment_frame(shipments), profiles, as_of=as_of).explained_hits()
    assert {r["shipment_id"]: [r["explanation"]] for r in frame.iter_rows(named=True)} == words


QUOTE_ERRORS = {
    "unknown column": ("container_number in $w", "{$w.sendr}", "no column 'sendr'",
                       "did you mean 'sender'?"),
    "unknown list": ("container_number in $w", "{$warnings.sender}", "unknown list $warnings",
                     None),
    "no comparison": ("container_number != \"\" and $w.length > 0", "{$w.sender}",
                      "compares no field with $w", None),
}  # fmt: skip


@pytest.mark.parametrize("case", QUOTE_ERRORS.values(), ids=QUOTE_ERRORS.keys())
def test_a_quote_that_cannot_be_filled_is_refused(
    case: tuple[str, str, str, str | None], tmp_path: Path
) -> None:
    when, quote, message, suggestion = case
    (tmp_path / "w.csv").write_text("value,sender\nMSKU1234565,PK-KHI\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        _profile("  w: {file: w.csv}\n", f"'{when}'", explain=f'"warned by {quote}"'),
        encoding="utf-8",
    )
    (error,) = _errors(tmp_path)
    assert error.line == 13
    assert message in error.message
    assert error.suggestion == suggestion


# --- validate ----------------------------------------------------------------------------------


def test_validate_reports_expired_entries_and_a_list_that_can_never_match(
    tmp_path: Path,
) -> None:
    from riskprofile.profiles import lint_profiles

    _partner_warnings(
        tmp_path,
        [
            {"value": "MSKU1234565", "expires": "2026-11-10T00:00:00+00:00"},
            {"value": "CSQU3054383", "expires": "2026-11-01T00:00:00+00:00"},
        ],
    )
    (tmp_path / "p.yaml").write_text(
        _profile(
            "  partner_warnings: {file: partner_warnings.csv}\n",
            "container_number in $partner_warnings",
        ),
        encoding="utf-8",
    )
    profiles = load_profiles(tmp_path)

    def found(today: dt.date) -> list[tuple[str, str, str]]:
        return [
            (f.code, f.severity, f.message)
            for f in lint_profiles(profiles, today=today)
            if f.code == "list_expired"
        ]

    assert found(dt.date(2026, 10, 31)) == []
    ((code, severity, message),) = found(dt.date(2026, 11, 2))
    assert (code, severity) == ("list_expired", "warning")
    assert "1 of 2 entries of list $partner_warnings" in message
    assert "CSQU3054383" in message
    assert "partner_warnings.csv:3" in message
    ((code, severity, message),) = found(dt.date(2026, 11, 10))
    assert (code, severity) == ("list_expired", "error")
    assert "can never match" in message


def test_validate_command_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskprofile.cli import main

    (tmp_path / "w.csv").write_text("value,expires\nMSKU1234565,2026-11-01\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        _profile("  w: {file: w.csv}\n", "container_number in $w"), encoding="utf-8"
    )
    assert main(["validate", str(tmp_path), "--today", "2026-11-01"]) == 0
    assert main(["validate", str(tmp_path), "--as-of", "2026-11-02"]) == 1
    out = capsys.readouterr().out
    assert "every entry of list $w is past its expiry on 2026-11-02" in out


def test_an_overlay_extends_a_list_with_entries_that_expire(tmp_path: Path) -> None:
    """An overlay's added entries carry their own expiry and columns, written as the
    base's conditions compare the list."""
    (tmp_path / "base.yaml").write_text(
        _profile("  ports: {values: [ECGYE]}\n", "port_of_loading in $ports",
                 explain='"{port_of_loading} ({$ports.reason})"'),
        encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "pk.yaml").write_text(
        "extends: t.lists\ncountry: PK\nlists:\n  ports:\n    extend:\n"
        "      - {value: pe cll, expires: 2026-11-05, reason: PCU Lima warning}\n",
        encoding="utf-8",
    )
    profile = load_profiles(tmp_path, country="PK")["pk.t.lists"]
    assert profile.lists["ports"] == {"ECGYE", "PECLL"}
    shipment = Shipment(port_of_loading="PECLL")
    assert profile.indicator("probe").explain(shipment, AS_OF) == "PECLL (PCU Lima warning)"
    for as_of, hit in ((AS_OF, True), (dt.datetime(2026, 11, 6, tzinfo=dt.UTC), False)):
        assert profile.evaluate(shipment, as_of)[0][0].hit is hit
        run = score_frame(shipment_frame([shipment]), [profile], as_of=as_of)
        assert (run.hit_table.height == 1) is hit


def test_score_says_when_a_list_can_match_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run with a watch list whose every entry has expired says so on standard error."""
    from riskprofile.cli import main

    sample = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"
    _partner_warnings(tmp_path, [{"value": "MSKU1234565", "expires": "2026-11-01T00:00:00Z"}])
    (tmp_path / "p.yaml").write_text(
        _profile(
            "  partner_warnings: {file: partner_warnings.csv}\n",
            "container_number in $partner_warnings",
        )
        + "bands:\n  - {min_score: 10, lane: red}\n",
        encoding="utf-8",
    )
    argv = ["score", str(sample), "--profiles", str(tmp_path), "--capacity", "2"]
    assert main([*argv, "--as-of", "2026-10-31"]) == 0
    assert "$partner_warnings" not in capsys.readouterr().err
    assert main([*argv, "--as-of", "2026-11-02"]) == 0
    err = capsys.readouterr().err
    assert "every entry of list $partner_warnings has expired" in err
    assert "profile t.lists" in err


def test_show_resolved_gives_each_value_its_expiry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The resolved form (what is fingerprinted) shows when each value stops matching: a
    value warned twice is in force until its last entry expires."""
    from riskprofile.cli import main

    _partner_warnings(
        tmp_path,
        [
            {"value": "CSQU3054383", "expires": "2026-11-01"},
            {"value": "CSQU3054383", "expires": "2026-12-01T00:00:00Z"},
            {"value": "MSKU1234565"},
        ],
    )
    (tmp_path / "p.yaml").write_text(
        _profile("  w: {file: partner_warnings.csv}\n", "container_number in $w"),
        encoding="utf-8",
    )
    assert main(["profiles", "show", "t.lists", str(tmp_path), "--resolved"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["lists"]["w"]["expires"] == {"CSQU3054383": "2026-12-01T00:00:00+00:00"}
    assert shown["lists"]["w"]["values"] == ["CSQU3054383", "MSKU1234565"]


@pytest.mark.parametrize(
    ("when", "pairs"),
    [
        ("port_of_loading in $a", [("a", "port_of_loading")]),
        ("route[0] in $a or port_of_call in $b", [("a", "route"), ("b", "port_of_call")]),
        ("[c for c in route_countries if c in $a].length > 0", [("a", "route_countries")]),
        ("[p for p in $a if p in hs_codes].length > 0", [("a", "hs_codes")]),
        ("[p for p in $a if p == shipper_name].length > 0", [("a", "shipper_name")]),
        # Not equality with a field: a substring, a prefix, a slice, an element's text.
        ("[p for p in $a if p in (description ?? '')].length > 0", []),
        ("[h for h in hs_codes if [p for p in $a if h.starts_with(p)].length > 0].length > 0",
         []),
        ("(port_of_loading ?? '')[0:2] in $a", []),
        ("[r for r in route if [p for p in $a if p in r].length > 0].length > 0", []),
    ],
)  # fmt: skip
def test_which_fields_a_list_is_compared_with(when: str, pairs: list[tuple[str, str]]) -> None:
    from riskprofile.profiles._expressions import compile_condition
    from riskprofile.profiles._lists import list_comparisons

    lists = {"a": ("string", frozenset({"X"})), "b": ("string", frozenset({"Y"}))}
    condition = compile_condition(when, lists)
    assert not isinstance(condition, list), condition
    assert list_comparisons(condition.rule.statement, frozenset(lists)) == pairs
