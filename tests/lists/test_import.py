"""Official sanctions lists read into the entity table: one fixture per format (written
after each format's published schema, see tests/data/README.md), the problems reported
with their reasons, and hostile XML refused with a clear error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError, RiskProfileError
from riskprofile.lists import Entity, Identifier, ListImport, detect_source, import_list
from riskprofile.lists._common import country_code
from tests import strategies
from tests.depth import depth

DATA = Path(__file__).resolve().parents[1] / "data" / "lists"
FIXTURES = {
    "un": DATA / "un_consolidated.xml",
    "un1718": DATA / "un_1718_vessels.csv",
    "eu": DATA / "eu_fsf.xml",
    "ofac": DATA / "ofac_sdn_advanced.xml",
    "ftm": DATA / "opensanctions.ftm.json",
}


def _by_id(imported: ListImport) -> dict[str, Entity]:
    return {e.entity_id: e for e in imported.entities}


def _problems(imported: ListImport) -> list[tuple[str, str, str]]:
    return [(p.record, p.field, p.value) for p in imported.problems]


@pytest.mark.parametrize("source", FIXTURES)
def test_each_format_is_detected(source: str) -> None:
    path = FIXTURES[source]
    assert detect_source(path.read_bytes(), str(path)) == source
    assert import_list("auto", path) == import_list(source, path)  # type: ignore[arg-type]


def test_the_un_consolidated_list() -> None:
    imported = import_list("un", FIXTURES["un"])
    assert (imported.source, imported.edition) == ("un", "2026-11-02")
    people = _by_id(imported)
    assert list(people) == ["6908555", "6908556", "6908600", "6908601", "6908602"]
    pak = people["6908555"]
    assert pak == Entity(
        entity_id="6908555", kind="person", name="PAK CHOL SU",
        aliases=("박철수", "Pak Chol-su"), weak_aliases=("Su",), countries=("KP",),
        identifiers=(Identifier("passport", "654310175", "KP", "Passport"),),
        programmes=("DPRK",), listed_since=dt.date(2016, 11, 30), reference="KPi.901",
    )  # fmt: skip
    # A 1718 Committee vessel: its IMO number is in the comments, checked.
    vessel = people["6908601"]
    assert (vessel.kind, vessel.imo_numbers(), vessel.aliases) == (
        "vessel", ("8916293",), ("MORNING STAR",))  # fmt: skip
    # "IMO Company Number 5342883" is a company's number, which no vessel_imo holds.
    assert people["6908600"].identifiers == ()
    assert people["6908600"].kind == "organisation"
    assert people["6908556"].countries == ("IR",)  # "Iran (Islamic Republic of)"
    assert _problems(imported) == [
        ("6908556", "NATIONALITY", "Atlantis"),
        ("6908602", "COMMENTS1", "9234561"),
        ("6908603", "LISTED_ON", "not a date"),
        ("6908603", "FIRST_NAME", ""),
    ]
    assert "check digit" in imported.problems[1].reason
    assert "no name" in imported.problems[3].reason


def test_the_1718_committees_vessels_table() -> None:
    imported = import_list("un1718", FIXTURES["un1718"], edition="2026-10-01")
    assert (imported.source, imported.edition) == ("un1718", "2026-10-01")  # as stated
    found = _by_id(imported)
    assert list(found) == ["8916293", "8765436", "9123453"]
    star = found["8916293"]
    assert (star.kind, star.name, star.aliases) == ("vessel", "SEA STAR 7", ("SEA STAR SEVEN",))
    assert (star.countries, star.programmes) == (("KP",), ("DPRK",))
    assert star.listed_since == dt.date(2018, 3, 30)  # "30 March 2018"
    assert found["8765436"].imo_numbers() == ("8765436",)  # "IMO 8765436"
    assert found["8765436"].listed_since == dt.date(2018, 3, 30)
    # no name: still screened by its IMO number, and said
    assert (found["9123453"].name, found["9123453"].imo_numbers()) == ("", ("9123453",))
    assert _problems(imported) == [
        ("line 4", "IMO number", "9234561"),
        ("line 5", "Date of designation", "1 Januar 2019"),
        ("line 5", "Vessel name", ""),
        ("line 7", "IMO number", ""),
    ]


def test_a_table_without_an_imo_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vessels.csv"
    path.write_text("Vessel name,Flag\nSEA STAR 7,KP\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="has no IMO number column"):
        import_list("un1718", path)


def test_the_eu_financial_sanctions_file() -> None:
    imported = import_list("eu", FIXTURES["eu"])
    assert imported.edition == "2026-10-30"
    found = _by_id(imported)
    company = found["140001"]
    assert company.name == "Baltic Bulk Trading LLC"
    assert company.aliases == ("ООО Балтик Балк Трейдинг",)
    assert company.weak_aliases == ("BBT",)  # strong="false"
    assert company.programmes == ("UKR",)
    assert company.listed_since == dt.date(2014, 3, 17)  # the first regulation
    assert [(i.kind, i.value) for i in company.identifiers] == [
        ("tax_id", "7801234567"), ("registration", "1027800000001")]  # fmt: skip
    tanker = found["140002"]
    assert (tanker.kind, tanker.imo_numbers()) == ("vessel", ("9123453",))
    assert tanker.listed_since == dt.date(2023, 6, 23)  # designationDate
    person = found["140003"]
    assert (person.kind, person.countries) == ("person", ("RU",))  # "00" is no country
    assert _problems(imported) == [("140004", "nameAlias/@wholeName", "")]


def test_ofacs_advanced_sdn_xml() -> None:
    imported = import_list("ofac", FIXTURES["ofac"])
    assert imported.edition == "2026-10-28"
    found = _by_id(imported)
    company = found["20001"]
    assert company.kind == "organisation"
    assert (company.name, company.aliases, company.weak_aliases) == (
        "GULF HORIZON GENERAL TRADING FZE", ("GULF HORIZON TRADING",), ("GHGT",))  # fmt: skip
    assert company.programmes == ("IRAN-EO13846", "SDGT")
    assert company.countries == ("AE",)  # from its Location
    assert company.listed_since == dt.date(2019, 9, 4)
    vessel = found["20002"]
    assert (vessel.kind, vessel.imo_numbers()) == ("vessel", ("9400007",))
    assert vessel.countries == ("PA",)  # its flag
    assert found["20003"].identifiers == ()  # IMO 9400008: wrong check digit, reported
    person = found["20004"]
    assert (person.kind, person.name) == ("person", "Mohammad Ali REZAEI")
    assert person.identifiers == (Identifier("passport", "K12345678", "IR", "Passport"),)
    assert _problems(imported) == [
        ("20003", "IDRegDocument/IDRegistrationNo", "IMO 9400008"),
        ("20003", "Feature Location", "Region Nowhere"),
    ]


def test_followthemoney_json_lines() -> None:
    imported = import_list("ftm", FIXTURES["ftm"])
    assert imported.edition == "2026-10-31"  # the latest last_change
    found = _by_id(imported)
    assert list(found) == ["NK-abc123", "NK-vessel1", "NK-vessel2", "NK-person1"]
    company = found["NK-abc123"]
    assert company.programmes == ("RUSSIA-EO14024",)  # from its Sanction line
    assert company.listed_since == dt.date(2023, 2, 24)
    assert company.weak_aliases == ("CFF",)
    assert found["NK-vessel1"].imo_numbers() == ("9234563",)
    assert found["NK-vessel1"].aliases == ("GLORY STAR",)
    person = found["NK-person1"]
    assert {i.value for i in person.identifiers} == {"N1234567", "N7654321"}
    assert person.countries == ("KZ", "RU")
    assert sorted(_problems(imported)) == sorted([
        ("addr-1", "schema", "Address"),
        ("line 10", "line", "this line is not JSON"),
        ("NK-sanc-orphan", "entity", "NK-missing"),
        ("NK-vessel2", "flag", "zz"),
        ("NK-vessel2", "imoNumber", "9234564"),
        ("NK-noname", "name", ""),
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("written", "code"),
    [("Democratic People's Republic of Korea", "KP"), ("Iran (Islamic Republic of)", "IR"),
     ("Korea, North", "KP"), ("Burma", "MM"), ("The Bahamas", "BS"), ("Gambia, The", "GM"),
     ("State of Palestine", "PS"), ("Türkiye", "TR"), ("Côte d'Ivoire", "CI"),
     ("Bolivia (Plurinational State of)", "BO"), ("ru", "RU"), ("IRN", "IR"),
     ("Atlantis", None), ("zz", None)],
)  # fmt: skip
def test_country_names_as_the_lists_write_them(written: str, code: str | None) -> None:
    assert country_code(written) == code


def test_nested_followthemoney_links_are_read(tmp_path: Path) -> None:
    """OpenSanctions' targets.nested.json carries a party's sanctions inside it."""
    path = tmp_path / "nested.json"
    path.write_text(
        '{"id": "x1", "schema": "Organization", "properties": {"name": ["Kestrel LLC"], '
        '"sanctions": [{"id": "s1", "schema": "Sanction", "properties": {"program": '
        '["SDGT"], "startDate": ["2020-02-03"]}}], "identification": [{"id": "i1", '
        '"schema": "Identification", "properties": {"number": ["A-1"], "country": ["ae"]}}]}}\n',
        encoding="utf-8",
    )
    [entity] = import_list("ftm", path).entities
    assert entity.programmes == ("SDGT",)
    assert entity.listed_since == dt.date(2020, 2, 3)
    assert entity.identifiers == (Identifier("national_id", "A-1", "AE", None),)


# --- hostile input --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>&lol4;</FIRST_NAME>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE export [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<export><sanctionEntity logicalId="1"><nameAlias wholeName="&secret;"/></sanctionEntity></export>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Sanctions [<!ENTITY % remote SYSTEM "http://example.invalid/x.dtd"> %remote;]>
<Sanctions/>
"""
HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, "document type declaration"),
    "external entity": (EXTERNAL_ENTITY, "document type declaration"),
    "parameter entity": (PARAMETER_ENTITY, "document type declaration"),
    "truncated": (FIXTURES["un"].read_bytes()[:700], "not well-formed XML"),
    "not xml": (b"<<<>>>", "not well-formed XML"),
    "another root": (b"<html><body/></html>", "none of the official lists"),
    "empty": (b"", "neither XML"),
    "binary": (bytes(range(256)), "neither XML"),
}


@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_xml_is_refused_with_a_clear_error(case: tuple[bytes, str], tmp_path: Path) -> None:
    data, words = case
    path = tmp_path / "list.xml"
    path.write_bytes(data)
    with pytest.raises(InputFormatError) as info:
        import_list("auto", path)
    assert words in str(info.value)
    assert str(path) in str(info.value)


def test_an_entity_is_never_expanded(tmp_path: Path) -> None:
    """Given explicitly as UN, the billion laughs is refused before any expansion."""
    path = tmp_path / "un.xml"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(InputFormatError, match="document type declaration"):
        import_list("un", path)


def test_a_file_of_the_wrong_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match=r"root element <CONSOLIDATED_LIST>, not <export>"):
        import_list("eu", FIXTURES["un"])


def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(InputFormatError, match="the limit is 100"):
        import_list("un", FIXTURES["un"], limit=100)


def test_ftm_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{"id": "\xff"}\n')
    with pytest.raises(InputFormatError, match="not UTF-8"):
        import_list("ftm", path)


@given(data=st.data())
@settings(max_examples=depth(60))
def test_any_cut_of_a_list_file_is_read_or_refused_never_a_crash(data: st.DataObject) -> None:
    """A truncated download: each format's file cut anywhere is either read (FtM lines or
    a table: the cut line is reported) or refused with an InputFormatError naming the
    file."""
    import tempfile

    source = data.draw(st.sampled_from(sorted(FIXTURES)))
    whole = FIXTURES[source].read_bytes()
    cut = data.draw(st.integers(0, len(whole) - 1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cut"
        path.write_bytes(whole[:cut])
        refused: InputFormatError | None = None
        try:
            imported = import_list(source, path)  # type: ignore[arg-type]
        except InputFormatError as exc:
            refused = exc
        except RiskProfileError as exc:  # pragma: no cover - the failure to report
            pytest.fail(f"not an InputFormatError: {exc!r}")
        if refused is not None:
            assert str(path) in str(refused)
        else:
            # lines and rows cut anywhere, XML only after its root element closed
            assert source in ("ftm", "un1718") or whole[:cut].strip() == whole.strip()
            assert all(e.name or e.identifiers for e in imported.entities)


# --- properties -------------------------------------------------------------------------------


@given(data=st.binary(max_size=300))
@settings(max_examples=depth(100))
def test_any_bytes_are_read_or_refused_never_a_crash(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list"
        path.write_bytes(data)
        refused = ""
        try:
            import_list("auto", path)
        except InputFormatError as exc:
            refused = str(exc)
        assert not refused or str(path) in refused


_TEXT = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Co"), blacklist_characters="\ufeff"
        ),
        min_size=1,
        max_size=25,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@given(
    names=st.lists(st.tuples(_TEXT, st.lists(_TEXT, max_size=2)), min_size=1, max_size=5),
    imo=strategies.imo_numbers(),
)
@settings(max_examples=depth(40))
def test_un_and_eu_xml_round_trip(names: list[tuple[str, list[str]]], imo: str) -> None:
    """Entities written in the UN and EU XML (any text, escaped as XML escapes it) are
    read back with their names, aliases and the first one's IMO number."""
    import tempfile
    from xml.sax.saxutils import escape, quoteattr

    un = ['<CONSOLIDATED_LIST dateGenerated="2026-11-02"><ENTITIES>']
    eu = ['<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-10-30">']
    for index, (name, aliases) in enumerate(names):
        comment = f"<COMMENTS1>IMO: {imo}</COMMENTS1>" if index == 0 else ""
        un.append(
            f"<ENTITY><DATAID>{index}</DATAID><FIRST_NAME>{escape(name)}</FIRST_NAME>"
            f"<UN_LIST_TYPE>DPRK</UN_LIST_TYPE>{comment}"
            + "".join(f"<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>{escape(a)}"
                      "</ALIAS_NAME></ENTITY_ALIAS>" for a in aliases)
            + "</ENTITY>"
        )  # fmt: skip
        eu.append(
            f'<sanctionEntity logicalId="{index}"><subjectType code="enterprise"/>'
            + "".join(f"<nameAlias wholeName={quoteattr(n)} strong=\"true\"/>"
                      for n in (name, *aliases))
            + (f"<remark>IMO {imo}</remark>" if index == 0 else "")
            + "</sanctionEntity>"
        )  # fmt: skip
    un.append("</ENTITIES></CONSOLIDATED_LIST>")
    eu.append("</export>")
    with tempfile.TemporaryDirectory() as folder:
        for source, text in (("un", "".join(un)), ("eu", "".join(eu))):
            path = Path(folder) / f"{source}.xml"
            path.write_text(text, encoding="utf-8")
            imported = import_list("auto", path)
            assert imported.source == source
            assert imported.problems == ()
            got = [(e.name, e.aliases) for e in imported.entities]
            want = [(n, tuple(dict.fromkeys(a for a in aliases if a != n)))
                    for n, aliases in names]  # fmt: skip
            assert got == want
            assert imported.entities[0].imo_numbers() == (imo,)
            assert imported.entities[0].kind == "vessel"


_OFAC_REFS = """<ReferenceValueSets>
<AliasTypeValues><AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1403">Name</AliasType>
</AliasTypeValues>
<AreaCodeValues><AreaCode ID="1" CountryID="1" Description="Iran">IR</AreaCode>
<AreaCode ID="2" CountryID="2" Description="Panama">PA</AreaCode></AreaCodeValues>
<CountryValues><Country ID="1">Iran</Country><Country ID="2">Panama</Country></CountryValues>
<FeatureTypeValues><FeatureType ID="25">Location</FeatureType></FeatureTypeValues>
<IDRegDocTypeValues><IDRegDocType ID="1626">Vessel Registration Identification</IDRegDocType>
</IDRegDocTypeValues>
<NamePartTypeValues><NamePartType ID="1520">Last Name</NamePartType>
<NamePartType ID="1521">First Name</NamePartType><NamePartType ID="1525">Entity Name</NamePartType>
<NamePartType ID="1526">Vessel Name</NamePartType></NamePartTypeValues>
<PartySubTypeValues><PartySubType ID="1" PartyTypeID="4">Vessel</PartySubType>
<PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType>
<PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType></PartySubTypeValues>
<PartyTypeValues><PartyType ID="1">Individual</PartyType><PartyType ID="2">Entity</PartyType>
<PartyType ID="4">Transport</PartyType></PartyTypeValues>
<SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
</ReferenceValueSets>
<Locations><Location ID="1"><LocationCountry CountryID="1"/></Location>
<Location ID="2"><LocationCountry CountryID="2"/></Location></Locations>"""


@st.composite
def _ofac_parties(draw: st.DrawFn) -> list[dict[str, object]]:
    parties = []
    for _ in range(draw(st.integers(1, 4))):
        parties.append({
            "kind": draw(st.sampled_from(["person", "organisation", "vessel"])),
            "first": draw(_TEXT), "last": draw(_TEXT),
            "aliases": draw(st.lists(_TEXT, max_size=2)),
            "weak": draw(st.lists(_TEXT, max_size=1)),
            "programmes": draw(st.lists(st.sampled_from(["SDGT", "IRAN-EO13846", "CUBA"]),
                                        min_size=1, max_size=2, unique=True)),
            "listed": draw(st.dates(dt.date(1995, 1, 1), dt.date(2026, 11, 1))),
            "country": draw(st.sampled_from([None, "1", "2"])),
            "imo": draw(strategies.imo_numbers()),
        })  # fmt: skip
    return parties


def _ofac_xml(parties: list[dict[str, Any]]) -> str:
    from xml.sax.saxutils import escape

    def documented(part_groups: list[tuple[str, str]]) -> str:
        parts = "".join(
            f'<DocumentedNamePart><NamePartValue NamePartGroupID="{g}">{escape(t)}'
            "</NamePartValue></DocumentedNamePart>"
            for g, t in part_groups
        )
        return f"<DocumentedName>{parts}</DocumentedName>"

    out = ['<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/'
           'exports/ADVANCED_XML"><DateOfIssue><Year>2026</Year><Month>10</Month><Day>28</Day>'
           "</DateOfIssue>", _OFAC_REFS, "<IDRegDocuments>"]  # fmt: skip
    for i, p in enumerate(parties):
        if p["kind"] == "vessel":
            number = f"<IDRegistrationNo>IMO {p['imo']}</IDRegistrationNo>"
            out.append(f'<IDRegDocument IDRegDocTypeID="1626" IdentityID="{i}">{number}'
                       "</IDRegDocument>")  # fmt: skip
    out.append("</IDRegDocuments><DistinctParties>")
    for i, p in enumerate(parties):
        sub = {"person": "4", "organisation": "3", "vessel": "1"}[p["kind"]]
        if p["kind"] == "person":
            main = [(f"{i}f", p["first"]), (f"{i}l", p["last"])]
            groups = f'<NamePartGroup ID="{i}f" NamePartTypeID="1521"/>' \
                     f'<NamePartGroup ID="{i}l" NamePartTypeID="1520"/>'  # fmt: skip
        else:
            main = [(f"{i}e", p["first"])]
            type_id = "1526" if p["kind"] == "vessel" else "1525"
            groups = f'<NamePartGroup ID="{i}e" NamePartTypeID="{type_id}"/>'
        group = main[0][0]
        aliases = "".join(
            f'<Alias AliasTypeID="1400" Primary="false" LowQuality="{low}">'
            f"{documented([(group, a)])}</Alias>"
            for low, names in (("false", p["aliases"]), ("true", p["weak"])) for a in names
        )  # fmt: skip
        feature = (f'<Feature FeatureTypeID="25"><FeatureVersion><VersionLocation '
                   f'LocationID="{p["country"]}"/></FeatureVersion></Feature>'
                   if p["country"] else "")  # fmt: skip
        out.append(
            f'<DistinctParty FixedRef="{i}"><Profile ID="{i}" PartySubTypeID="{sub}">'
            f'<Identity ID="{i}"><Alias AliasTypeID="1403" Primary="true" LowQuality="false">'
            f"{documented(main)}</Alias>{aliases}<NamePartGroups><MasterNamePartGroup>{groups}"
            f"</MasterNamePartGroup></NamePartGroups></Identity>{feature}</Profile></DistinctParty>"
        )
    out.append("</DistinctParties><SanctionsEntries>")
    for i, p in enumerate(parties):
        day = p["listed"]
        measures = "".join(f'<SanctionsMeasure SanctionsTypeID="1"><Comment>{m}</Comment>'
                           "</SanctionsMeasure>" for m in p["programmes"])  # fmt: skip
        out.append(
            f'<SanctionsEntry ID="{i}" ProfileID="{i}"><EntryEvent><Date><Year>{day.year}</Year>'
            f"<Month>{day.month}</Month><Day>{day.day}</Day></Date></EntryEvent>{measures}"
            "</SanctionsEntry>"
        )
    out.append("</SanctionsEntries></Sanctions>")
    return "".join(out)


@given(parties=_ofac_parties())
@settings(max_examples=depth(40))
def test_ofac_advanced_xml_round_trip(parties: list[dict[str, Any]]) -> None:
    """Parties written in OFAC's advanced XML (names in parts, aliases, low-quality
    aliases, a vessel's IMO document, programmes, listing date, a location's country)
    are read back as written."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sdn.xml"
        path.write_text(_ofac_xml(parties), encoding="utf-8")
        imported = import_list("auto", path)
    assert (imported.source, imported.edition, imported.problems) == ("ofac", "2026-10-28", ())
    assert len(imported.entities) == len(parties)
    for entity, p in zip(imported.entities, parties, strict=True):
        name = f"{p['first']} {p['last']}" if p["kind"] == "person" else p["first"]
        assert (entity.kind, entity.name) == (p["kind"], name)
        assert entity.aliases == tuple(dict.fromkeys(a for a in p["aliases"] if a != name))
        assert entity.weak_aliases == tuple(dict.fromkeys(p["weak"]))
        assert entity.programmes == tuple(p["programmes"])
        assert entity.listed_since == p["listed"]
        assert entity.countries == ({"1": ("IR",), "2": ("PA",), None: ()}[p["country"]])
        assert entity.imo_numbers() == ((p["imo"],) if p["kind"] == "vessel" else ())
