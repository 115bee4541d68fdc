"""``riskprofile lists import``: the files written, what is said, the exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "lists"


def test_import_writes_the_lists_and_says_what_was_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lists"  # created: its parent exists
    assert main(["lists", "import", "auto", str(DATA / "un_consolidated.xml"), "-o", str(out)]) == 0
    said, errors = capsys.readouterr()
    assert "UN Security Council consolidated list, edition 2026-11-02: 5 entities" in said
    assert f"{out / 'un_imo.csv'}: 1 IMO numbers" in said
    assert "no tax_ids, registrations in this list" in said
    assert "4 record(s) or value(s) not used" in errors
    assert "record 6908602, COMMENTS1 '9234561': not a valid IMO ship number" in errors
    assert sorted(p.name for p in out.iterdir()) == [
        "un_entities.csv", "un_imo.csv", "un_names.csv", "un_national_ids.csv",
        "un_passports.csv", "un_problems.csv",
    ]  # fmt: skip
    problems = (out / "un_problems.csv").read_text(encoding="utf-8").splitlines()
    assert problems[0] == "record,field,value,reason"
    assert len(problems) == 5


def test_strict_exits_1_when_something_was_not_used(tmp_path: Path) -> None:
    argv = ["lists", "import", "eu", str(DATA / "eu_fsf.xml"), "-o", str(tmp_path), "--strict"]
    assert main(argv) == 1
    assert (tmp_path / "eu_names.csv").exists()


def test_name_sets_the_prefix(tmp_path: Path) -> None:
    argv = ["lists", "import", "ofac", str(DATA / "ofac_sdn_advanced.xml"), "-o", str(tmp_path),
            "--name", "sdn"]  # fmt: skip
    assert main(argv) == 0
    assert (tmp_path / "sdn_imo.csv").exists()


def test_a_list_without_any_party_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_text("<CONSOLIDATED_LIST dateGenerated='2026-11-02'/>", encoding="utf-8")
    assert main(["lists", "import", "auto", str(empty), "-o", str(tmp_path / "out")]) == 2
    assert "no designated party found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


def test_an_entity_bomb_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    assert main(["lists", "import", "auto", str(bomb), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"riskprofile: error: {bomb}: has a document type declaration")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("name", ["UN", "1un", "a b", "../x", ""])
def test_a_bad_name_is_a_usage_error(name: str, tmp_path: Path) -> None:
    argv = ["lists", "import", "un", str(DATA / "un_consolidated.xml"), "-o", str(tmp_path),
            "--name", name]  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_edition_states_the_date_a_table_does_not_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = str(DATA / "un_1718_vessels.csv")
    assert main(["lists", "import", "auto", table, "-o", str(tmp_path)]) == 0
    said, errors = capsys.readouterr()
    assert "edition unknown: the file does not say" in said
    assert "gives no edition date; check it is current and give it with --edition" in errors
    argv = ["lists", "import", "un1718", table, "-o", str(tmp_path), "--edition", "2026-10-01"]
    assert main(argv) == 0
    said, errors = capsys.readouterr()
    assert "UN Security Council 1718 Committee designated vessels, edition 2026-10-01" in said
    assert "no edition date" not in errors
    imo = (tmp_path / "un1718_imo.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in imo] == ["value", "8765436", "8916293", "9123453"]
    names = (tmp_path / "un1718_names.csv").read_text(encoding="utf-8")
    assert "IMO 9123453" not in names
    assert "SEA STAR SEVEN" in names


def test_programme_keeps_only_its_parties(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["lists", "import", "un", str(DATA / "un_consolidated.xml"), "-o", str(tmp_path),
            "--programme", "al-qaida"]  # fmt: skip
    assert main(argv) == 0
    names = (tmp_path / "un_names.csv").read_text(encoding="utf-8").splitlines()
    assert [n.split(",")[0] for n in names[1:]] == ["HAMID KARIMI", "HAMID KARIMY"]
    assert not (tmp_path / "un_imo.csv").exists()
    argv[-1] = "TALIBAN"
    assert main(argv) == 2
    assert "listed under taliban; its programmes: Al-Qaida, DPRK" in capsys.readouterr().err


def test_a_list_file_too_large_for_a_profile_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command reads the limit from profiles.shared when it runs; patch it there (a
    # patch of profiles._list_entries alone is missed once profiles.shared is imported).
    import riskprofile.profiles.shared as shared

    monkeypatch.setattr(shared, "MAX_LIST_FILE_BYTES", 1000)
    assert main(["lists", "import", "un", str(DATA / "un_consolidated.xml"), "-o",
                 str(tmp_path)]) == 0  # fmt: skip
    errors = capsys.readouterr().err
    assert f"{tmp_path / 'un_names.csv'} is " in errors
    assert "over the 1,000 a profile's list file may have" in errors
    assert "un_imo.csv is" not in errors  # small enough
    assert "un_entities.csv is" not in errors  # no profile reads it


def test_a_files_own_edition_wins_and_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["lists", "import", "un", str(DATA / "un_consolidated.xml"), "-o", str(tmp_path),
            "--edition", "2026-01-01"]  # fmt: skip
    assert main(argv) == 0
    said, errors = capsys.readouterr()
    assert "edition 2026-11-02:" in said
    assert "the file gives its edition, 2026-11-02; --edition 2026-01-01 is not used" in errors
