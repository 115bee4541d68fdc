"""``riskprofile suggest`` and ``riskprofile data history``: files in, summary and draft
profile out, never over an existing file or into the bundled profiles, and the help
blocks the docs show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskprofile import load_profiles, run_examples
from riskprofile.cli import EXIT_OK, EXIT_USAGE, build_parser, main
from riskprofile.profiles import bundled_profiles_path
from riskprofile.synth import History, generate_history, read_patterns, write_history

ROOT = Path(__file__).resolve().parents[2]
SPLIT = "2026-02-19"


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


@pytest.fixture(scope="module")
def history() -> History:
    return generate_history(
        11, days=60, containers_per_day=150, control_rate=0.05, targeting_rate=0.08
    )


@pytest.fixture(scope="module")
def files(history: History, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_history(history, tmp_path_factory.mktemp("history") / "history.csv")


@pytest.fixture(scope="module")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 60 days at 10 containers a day: enough for the usage errors, which need
    files of the right shape around ``SPLIT``, not what the suggestions learn."""
    small = generate_history(
        11, days=60, containers_per_day=10, control_rate=0.05, targeting_rate=0.08
    )
    return write_history(small, tmp_path_factory.mktemp("small") / "history.csv")


@pytest.mark.slow
def test_suggest_prints_the_candidates_and_writes_a_draft(
    history: History,
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "suggested.yaml"
    table = tmp_path / "candidates.json"
    argv = ["suggest", str(files["batch"]), str(files["outcomes"]), "--split", SPLIT,
            "-o", str(out), "--json", str(table)]  # fmt: skip
    assert _run(argv) == EXIT_OK
    text = capsys.readouterr().out
    assert text.startswith(f"before {SPLIT}: ")
    trader = history.pattern("trader").value
    assert any(line.split()[:1] == ["consignee"] and trader in line and "kept, weight" in line
               for line in text.splitlines())  # fmt: skip
    assert "precision" in text
    assert f"wrote {out}: profile other.suggested-{SPLIT}" in text
    profiles = load_profiles(out)
    assert profiles["other.suggested-2026-02-19"].profile.status == "draft"
    assert all(o.passed for o in run_examples(profiles))
    data = json.loads(table.read_text(encoding="utf-8"))
    assert data["split"] == SPLIT
    assert any(c["value"] == trader and c["kept"] for c in data["candidates"])
    # An existing file is kept unless --force.
    before = out.read_bytes()
    assert _run(argv) == EXIT_USAGE
    assert "exists (use --force" in capsys.readouterr().err
    assert _run([*argv, "--force", "--id", "revenue.tried", "--category", "revenue"]) == EXIT_OK
    capsys.readouterr()
    assert out.read_bytes() != before
    assert "id: revenue.tried" in out.read_text(encoding="utf-8")


def test_suggest_never_writes_into_the_bundled_profiles(
    small_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    target = bundled_profiles_path() / "base" / "suggested-test.yaml"
    files = small_files
    argv = ["suggest", str(files["batch"]), str(files["outcomes"]), "--split", SPLIT,
            "-o", str(target)]  # fmt: skip
    assert _run(argv) == EXIT_USAGE
    assert "bundled profiles" in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--split", "2026-13-01"], "is not a date"),
        (["--split", SPLIT, "--capacity", "0"], "must be above 0"),
        (["--split", SPLIT, "--min-support", "0"], "must be at least 1"),
        (["--split", SPLIT, "-o", "suggested.txt"], "must end in .yaml"),
        (["--split", SPLIT, "-o", "no/such/folder/s.yaml"], "does not exist"),
        (["--split", "2025-01-01"], "no inspected unit before 2025-01-01"),
    ],
)
def test_suggest_usage_errors(
    small_files: dict[str, Path],
    extra: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    files = small_files
    assert _run(["suggest", str(files["batch"]), str(files["outcomes"]), *extra]) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.yaml"))


def test_nothing_kept_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "declarations.yaml"
    argv = ["suggest", "examples/data/declarations.csv", "examples/data/declarations.csv",
            "--mapping", "examples/mappings/declarations.yaml",
            "--outcomes-mapping", "examples/mappings/declarations.outcomes.yaml",
            "--split", "2026-10-12", "-o", str(out)]  # fmt: skip
    assert _run(argv) == EXIT_OK
    text = capsys.readouterr().out
    assert "none is, at a false discovery rate of 0.05" in text
    assert "nothing kept: no profile written" in text
    assert not out.exists()


def test_data_history_writes_the_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["data", "history", "--days", "8", "--containers-per-day", "60", "--seed", "3"]
    assert _run([*argv, "-o", str(tmp_path / "a.csv")]) == EXIT_OK
    assert "5 planted patterns to" in capsys.readouterr().out
    assert _run([*argv, "-o", str(tmp_path / "b.csv")]) == EXIT_OK
    for suffix in (".csv", ".outcomes.csv", ".patterns.csv"):
        first = (tmp_path / "a.csv").with_suffix(suffix).read_bytes()
        assert first == (tmp_path / "b.csv").with_suffix(suffix).read_bytes()
    assert len(read_patterns(tmp_path / "a.patterns.csv")) == 5
    assert _run([*argv, "-o", str(tmp_path / "c.jsonl")]) == EXIT_USAGE
    assert "written as CSV" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["suggest", "--help"], ["data", "history", "--help"]])
def test_help_in_docs_is_current(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    text = capsys.readouterr().out
    assert f"$ riskprofile {' '.join(argv)}\n{text}```" in (ROOT / "docs" / "cli.md").read_text(
        encoding="utf-8"
    )


@pytest.mark.slow  # its point needs kept combinations: months of history, run three times
def test_suggest_writes_the_list_files_beside_the_profile(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --combinations the kept combinations and HS6 codes go to CSV watch lists beside the
    profile: each is named on the terminal, the profile loads with them, and a list
    file already there is kept unless --force."""
    out = tmp_path / "draft.yaml"
    argv = ["suggest", str(files["batch"]), str(files["outcomes"]), "--split", SPLIT,
            "-o", str(out), "--combinations"]  # fmt: skip
    assert _run(argv) == EXIT_OK
    text = capsys.readouterr().out
    assert "tiers weighted single x " in text  # the stack is said, with its figures
    lists = sorted(tmp_path.glob("draft.*_w*.csv"))  # combinations, HS6 codes
    assert lists
    for path in lists:
        assert f"wrote {path}: a watch list of the profile" in text
        assert path.read_text(encoding="utf-8").startswith("value,label,units_before,")
    profiles = load_profiles(out)
    assert all(o.passed for o in run_examples(profiles))
    out.unlink()
    assert _run(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert any(f"{path} exists (use --force" in err for path in lists)
    assert not out.exists()
    assert _run([*argv, "--force"]) == EXIT_OK


@pytest.mark.slow
def test_suggest_columnar_and_rowwise_write_the_same_draft(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command counts on the shipment frame by default; the objects (``--engine
    rowwise``) are the reference: the same summary, draft and watch lists, byte for byte."""
    written = {}
    for engine in ("columnar", "rowwise"):
        folder = tmp_path / engine
        folder.mkdir()
        argv = ["suggest", str(files["batch"]), str(files["outcomes"]), "--split", SPLIT,
                "--combinations", "--min-support", "5", "--engine", engine,
                "-o", str(folder / "s.yaml")]  # fmt: skip
        assert _run(argv) == EXIT_OK
        out = capsys.readouterr().out.replace(str(folder), "FOLDER")
        written[engine] = (out, {p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert written["columnar"] == written["rowwise"]
    assert "s.yaml" in written["columnar"][1]
