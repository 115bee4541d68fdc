"""An imported list written as watch lists that profiles read: the names list compared
with party names, the IMO list with vessel_imo, the matched entry quoted in the
explanation alike in both engines; and the import -> CSV -> watch list round trip."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.engines.columnar import score_frame, shipment_frame
from riskprofile.lists import Entity, ListImport, import_list, watch_list_rows, write_watch_lists
from riskprofile.model import Shipment
from riskprofile.model.shipment import normalised_text
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from tests import strategies
from tests.depth import depth

DATA = Path(__file__).resolve().parents[1] / "data" / "lists"

PROFILE = """\
id: sanctions.screening
version: 1
title: Sanctioned parties and vessels
category: other
owner: PCU Karachi
lists:
  un_names: {file: un_names.csv}
  un_imo: {file: un_imo.csv}
indicators:
  - id: party
    title: Consignee on the UN list
    when: consignee_name in $un_names
    weight: 100
    lane: red
    explain: "matched {$un_names.matched_name} on list {$un_names.list} ({$un_names.programme}, listed since {$un_names.listed_since})"
  - id: vessel
    title: Vessel designated by IMO number
    when: vessel_imo in $un_imo
    weight: 100
    lane: red
    explain: "vessel IMO {vessel_imo} is {$un_imo.name} on list {$un_imo.list} ({$un_imo.reference})"
"""  # noqa: E501


def _explanations(shipments: list[Shipment], folder: Path) -> dict[str, list[str]]:
    profiles = load_profiles(folder)
    as_of = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    rowwise = score(shipments, profiles, as_of=as_of, engine="rowwise")
    words = {s.shipment_id: sorted(h.explanation for h in s.hits) for s in rowwise.shipments}
    frame = score_frame(shipment_frame(shipments), profiles, as_of=as_of).explained_hits()
    columnar: dict[str, list[str]] = {}
    for row in frame.iter_rows(named=True):
        columnar.setdefault(row["shipment_id"], []).append(row["explanation"])
    assert {k: sorted(v) for k, v in columnar.items()} == {k: v for k, v in words.items() if v}
    return words


def test_the_un_list_screens_parties_and_vessels_in_both_engines(tmp_path: Path) -> None:
    imported = import_list("un", DATA / "un_consolidated.xml")
    write_watch_lists(imported, tmp_path, "un")
    (tmp_path / "sanctions.yaml").write_text(PROFILE, encoding="utf-8")
    shipments = [
        # an alias, written as a manifest writes it
        Shipment(shipment_id="a", consignee_name="KORYO OCEAN SHIPPING CO. LTD"),
        Shipment(shipment_id="b", vessel_imo="8916293", consignee_name="ACME TRADING"),
        Shipment(shipment_id="c", consignee_name="ACME TRADING", vessel_imo="9321483"),
        # a low-quality alias is never screened: it would match every "SU"
        Shipment(shipment_id="d", consignee_name="SU"),
    ]
    assert _explanations(shipments, tmp_path) == {
        "a": ["matched Koryo Ocean Shipping Co. Ltd on list UN Security Council consolidated "
              "list, 2026-11-02 (DPRK, listed since 2014-07-28)"],
        "b": ["vessel IMO 8916293 is SEA STAR 7 on list UN Security Council consolidated "
              "list, 2026-11-02 (KPe.902)"],
        "c": [],
        "d": [],
    }  # fmt: skip


@pytest.mark.parametrize("source", ["eu", "ofac", "ftm"])
def test_every_formats_lists_load_as_watch_lists(source: str, tmp_path: Path) -> None:
    path = {"eu": "eu_fsf.xml", "ofac": "ofac_sdn_advanced.xml", "ftm": "opensanctions.ftm.json"}
    imported = import_list(source, DATA / path[source])  # type: ignore[arg-type]
    write_watch_lists(imported, tmp_path, source)
    (tmp_path / "p.yaml").write_text(
        PROFILE.replace("un_", f"{source}_").replace("$un", f"${source}"), encoding="utf-8"
    )
    [profile] = load_profiles(tmp_path).profiles
    names = {normalised_text(n) for e in imported.entities for n in (e.name, *e.aliases)}
    assert profile.lists[f"{source}_names"] == names
    imos = {n for e in imported.entities for n in e.imo_numbers()}
    assert imos
    assert profile.lists[f"{source}_imo"] == imos


def test_a_list_without_an_identifier_kind_removes_an_older_file(tmp_path: Path) -> None:
    """A re-import must never leave a former edition's IMO list beside the new names."""
    (tmp_path / "un_imo.csv").write_text("value\n9321483\n", encoding="utf-8")
    (tmp_path / "un_tax_ids.csv").write_text("value\nX\n", encoding="utf-8")
    imported = import_list("un", DATA / "un_consolidated.xml")
    written = {w.path.name for w in write_watch_lists(imported, tmp_path, "un")}
    assert "un_tax_ids.csv" not in written
    assert not (tmp_path / "un_tax_ids.csv").exists()
    assert (
        (tmp_path / "un_imo.csv").read_text(encoding="utf-8").splitlines()[1].startswith("8916293,")
    )


def test_cells_are_never_spreadsheet_formulas(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"id": "=1+1", "schema": "Company",
                                "properties": {"name": ["=HYPERLINK(1)"]}}) + "\n",
                    encoding="utf-8")  # fmt: skip
    written = write_watch_lists(import_list("ftm", path), tmp_path, "ftm")
    names = next(w.path for w in written if w.path.name == "ftm_names.csv")
    assert names.read_text(encoding="utf-8").splitlines()[1].startswith("'=HYPERLINK(1),'=HYPERL")
    [profile] = _load_names(tmp_path, "ftm_names.csv")
    assert profile.lists["names"] == {"=HYPERLINK(1)"}  # read back as written


def _load_names(folder: Path, file: str) -> list[object]:
    (folder / "p.yaml").write_text(
        PROFILE.split("lists:")[0] + f"lists:\n  names: {{file: {file}}}\nindicators:\n"
        "  - id: party\n    title: Party\n    when: consignee_name in $names\n    weight: 1\n",
        encoding="utf-8",
    )
    return list(load_profiles(folder / "p.yaml").profiles)


# --- the round trip ---------------------------------------------------------------------------

_NAME = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh .,&'-()ÄÖЖЯ0123456789"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")


@st.composite
def _entities(draw: st.DrawFn) -> list[Entity]:
    out = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["person", "organisation", "vessel"]))
        aliases = draw(st.lists(_NAME, max_size=3))
        countries = draw(st.lists(st.sampled_from(["PK", "KZ", "AE", "IR", "KP"]), max_size=2))
        out.append(
            Entity(
                entity_id=f"e{index}",
                kind=kind,
                name=" ".join(draw(_NAME).split()),
                aliases=tuple(dict.fromkeys(" ".join(a.split()) for a in aliases)),
                countries=tuple(sorted(set(countries))),
                programmes=(draw(st.sampled_from(["DPRK", "SDGT", "RUSSIA-EO14024"])),),
                listed_since=draw(st.dates(dt.date(1990, 1, 1), dt.date(2026, 11, 1))),
                identifiers=(),
            )
        )
    return out


def _ftm_lines(entities: list[Entity], imos: dict[str, str]) -> str:
    schema = {"person": "Person", "organisation": "Company", "vessel": "Vessel"}
    lines = []
    for e in entities:
        props: dict[str, list[str]] = {"name": [e.name], "alias": list(e.aliases),
                                       "country": [c.lower() for c in e.countries]}  # fmt: skip
        if e.entity_id in imos:
            props["imoNumber"] = [f"IMO {imos[e.entity_id]}"]
        lines.append(json.dumps({"id": e.entity_id, "schema": schema[e.kind], "properties": props}))
        lines.append(json.dumps({"id": f"s-{e.entity_id}", "schema": "Sanction", "properties": {
            "entity": [e.entity_id], "program": list(e.programmes),
            "listingDate": [e.listed_since.isoformat() if e.listed_since else ""]}}))  # fmt: skip
    return "\n".join(lines) + "\n"


@given(entities=_entities(), imo=strategies.imo_numbers(), data=st.data())
@settings(max_examples=depth(50))
def test_import_write_load_round_trip(
    entities: list[Entity], imo: str, data: st.DataObject
) -> None:
    """Entities written as FtM lines, imported, written as watch lists and loaded by a
    profile: the entity table is what was written, the names list holds every name and
    alias as party names are written, the IMO list every IMO number, and an explanation
    can quote each row's columns."""
    vessels = [e.entity_id for e in entities if e.kind == "vessel"]
    imos = {vessels[0]: imo} if vessels else {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "list.json").write_text(_ftm_lines(entities, imos), encoding="utf-8")
        imported = import_list("auto", folder / "list.json")
        assert imported.problems == ()
        expected = [
            Entity(e.entity_id, e.kind, e.name,
                   aliases=tuple(a for a in e.aliases if a != e.name),
                   countries=e.countries, programmes=e.programmes, listed_since=e.listed_since,
                   identifiers=imported.entities[i].identifiers)
            for i, e in enumerate(entities)
        ]  # fmt: skip
        assert list(imported.entities) == expected
        assert {n for e in imported.entities for n in e.imo_numbers()} == set(imos.values())
        write_watch_lists(imported, folder, "x")
        lists = "  x_names: {file: x_names.csv}\n" + (
            "  x_imo: {file: x_imo.csv}\n" if imos else "")  # fmt: skip
        when = "consignee_name in $x_names" + (" or vessel_imo in $x_imo" if imos else "")
        (folder / "p.yaml").write_text(
            PROFILE.split("lists:")[0] + "lists:\n" + lists + "indicators:\n  - id: party\n"
            f"    title: Party\n    when: {when}\n    weight: 1\n"
            '    explain: "{$x_names.matched_name} {$x_names.entity_id}"\n',
            encoding="utf-8",
        )
        [profile] = load_profiles(folder / "p.yaml").profiles
        names = {normalised_text(n) for e in entities for n in (e.name, *e.aliases)}
        assert profile.lists["x_names"] == names
        if imos:
            assert profile.lists["x_imo"] == set(imos.values())
        rows = watch_list_rows(imported)["names"]
        assert rows == sorted(set(rows))  # sorted, no row twice: byte for byte the same
        # a consignee named like one of the entities is screened and quoted
        target = data.draw(st.sampled_from(entities))
        shipment = Shipment(shipment_id="s", consignee_name=normalised_text(target.name))
        run = score([shipment], load_profiles(folder / "p.yaml"),
                    as_of=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))  # fmt: skip
        [hit] = run.shipments[0].hits
        quoted = {f"{n} {e.entity_id}" for e in entities for n in (e.name, *e.aliases)
                  if normalised_text(n) == normalised_text(target.name)}  # fmt: skip
        assert hit.explanation in quoted


def test_the_same_file_writes_the_same_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        imported: ListImport = import_list("ofac", DATA / "ofac_sdn_advanced.xml")
        write_watch_lists(imported, tmp_path / run, "ofac")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_identifier_lists_screen_trader_identifiers(tmp_path: Path) -> None:
    """A tax id or registration number of the EU file is compared with the parties'
    identifiers as declared."""
    write_watch_lists(import_list("eu", DATA / "eu_fsf.xml"), tmp_path, "eu")
    (tmp_path / "p.yaml").write_text(
        PROFILE.split("lists:")[0] + "lists:\n  eu_tax_ids: {file: eu_tax_ids.csv}\n"
        "  eu_registrations: {file: eu_registrations.csv}\nindicators:\n"
        "  - id: trader\n    title: Trader identifier on the EU list\n"
        "    when: consignee_identifier in $eu_tax_ids or shipper_identifier in $eu_registrations\n"
        "    weight: 100\n"
        '    explain: "{$eu_tax_ids.name} ({$eu_tax_ids.programme}, {$eu_tax_ids.reference})"\n',
        encoding="utf-8",
    )
    shipments = [
        Shipment(shipment_id="a", consignee_identifier="7801234567"),
        Shipment(shipment_id="b", consignee_identifier="PK1234567"),
    ]
    assert _explanations(shipments, tmp_path) == {
        "a": ["Baltic Bulk Trading LLC (UKR, EU.9001.12)"],
        "b": [],
    }
