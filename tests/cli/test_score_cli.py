"""``riskprofile score``: what a PCU officer sees, what a script parses, and exit codes.

The commands run in-process through :func:`riskprofile.cli.main`; ``run`` turns a
``SystemExit`` into the exit status the interpreter would give (a message means 1, printed
on standard error), so that the tests see what a shell sees.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskprofile.cli import EXIT_DATA_PROBLEMS, EXIT_NO_PROFILES, EXIT_OK, EXIT_USAGE, main
from riskprofile.output import CONTAINER_COLUMNS, HIT_COLUMNS
from riskprofile.profiles import bundled_profiles_path, load_profiles
from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "examples/data/karachi-sample.csv"
BASE = ["score", SAMPLE, "--as-of", "2026-11-02"]
SUMMARY = re.compile(
    r"^(?P<containers>[\d,]+) containers scored as of 2026-11-02 with (?P<profiles>\d+) "
    r"profiles: [\d,]+ red, [\d,]+ yellow, [\d,]+ blue, [\d,]+ green$"
)
SELECTED = re.compile(
    r"^selected [\d,]+ \(capacity (?P<capacity>[\d,]+) for red and yellow\): \d+ forced, "
    r"\d+ by score, \d+ control sample"
)
LEFT_OUT = re.compile(r"^[\d,]+ red or yellow containers left out")

PROFILE = """\
id: demo.score
version: 1
title: Demo profile for the score command
category: other
owner: tests
indicators:
  - id: no-seal
    title: Laden container without a seal
    when: container_full == true and seal_count == 0
    weight: 25
  - id: vague
    title: Said to contain
    when: 'description =~~ "\\\\bSTC\\\\b|SAID TO CONTAIN"'
    weight: 15
bands:
  - {min_score: 25, lane: yellow}
  - {min_score: 15, lane: blue}
"""


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    load_once(monkeypatch)  # each run loads the same profiles: once per process


@pytest.fixture
def demo_profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "demo.yaml").write_text(PROFILE, encoding="utf-8")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``riskprofile <argv>``."""
    try:
        code = main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # what the interpreter does with SystemExit("message")
            print(exc.code, file=sys.stderr)
            code = 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the table -----------------------------------------------------------------------------


def test_score_prints_the_summary_and_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(BASE, capsys)
    assert code == EXIT_OK
    lines = out.splitlines()
    summary = SUMMARY.match(lines[0])
    assert summary, lines[0]
    assert int(summary["profiles"]) == len(load_profiles(bundled_profiles_path()))
    selected = SELECTED.match(lines[1])
    assert selected, lines[1]
    containers = int(summary["containers"].replace(",", ""))
    assert int(selected["capacity"]) == max(1, containers * 3 // 100)  # the default 3%
    assert LEFT_OUT.match(lines[2]), lines[2]
    assert re.match(r"^\d+ blue containers listed apart for documentary checks$", lines[3])
    assert lines[4] == ""
    assert re.match(r"^  1  [A-Z]{4}\d{7}  red \(forced\)  score \d+  forced$", lines[5])
    assert lines[6].startswith("    B/L ")


def test_score_with_own_profiles(demo_profiles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*BASE, "--profiles", str(demo_profiles), "--capacity", "4"], capsys)
    assert code == EXIT_OK
    lines = out.splitlines()
    assert re.match(r"^\d+ containers scored as of 2026-11-02 with 1 profiles: ", lines[0])
    # Two yellow containers in the batch: the blue ones do not fill the capacity.
    assert lines[1] == (
        "selected 2 (capacity 4 for red and yellow): 0 forced, 2 by score, 0 control sample"
    )
    assert lines[2:4] == [
        "0 red or yellow containers left out; 2 of the capacity unused",
        "53 blue containers listed apart for documentary checks",
    ]
    heads = [line for line in lines if re.match(r"^ +\d+  ", line)]
    assert [h.split()[0] for h in heads] == ["1", "2"]


def test_control_sample_with_seed(demo_profiles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*BASE, "--profiles", str(demo_profiles), "--capacity", "2", "--control-rate", "2%"]
    code, out, _ = run([*argv, "--seed", "5", "--control-on-top"], capsys)
    assert code == EXIT_OK
    # (The summary is wrapped to the terminal: compared with single spaces.)
    assert ": 0 forced, 2 by score, 5 control sample on top of capacity " in " ".join(out.split())
    rows = [line for line in out.splitlines() if re.match(r"^ +\d+  .*  control$", line)]
    assert len(rows) == 5
    # Within the capacity (the default), the sample takes its place in it.
    code, out, _ = run([*argv, "--seed", "5"], capsys)
    assert code == EXIT_OK
    assert ": 0 forced, 0 by score, 2 control sample within capacity " in " ".join(out.split())
    assert "warning: the control sample is cut from 5 to 2" in out


# --- machine-readable output ---------------------------------------------------------------


def test_json_carries_the_audit(demo_profiles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*BASE, "--profiles", str(demo_profiles), "--format", "json"], capsys)
    assert code == EXIT_OK
    doc = json.loads(out)
    audit = doc["audit"]
    assert audit["as_of"] == "2026-11-02T00:00:00+00:00"
    expected = load_profiles(demo_profiles)["demo.score"].fingerprint
    assert audit["profiles"] == [{"id": "demo.score", "version": 1, "fingerprint": expected}]
    assert (audit["control_rate"], audit["seed"], audit["warnings"]) == (0.0, None, [])
    assert audit["containers"] == len(doc["containers"])
    assert audit["selected"] == sum(1 for r in doc["containers"] if r["selected"])
    assert tuple(doc["containers"][0]) == CONTAINER_COLUMNS
    assert tuple(doc["hits"][0]) == HIT_COLUMNS


def test_same_command_twice_gives_byte_identical_json(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*BASE, "--profiles", str(demo_profiles), "--format", "json", "--control-rate",
            "2%", "--seed", "9"]  # fmt: skip
    first = run(argv, capsys)
    second = run(argv, capsys)
    assert first[0] == second[0] == EXIT_OK
    assert first[1] == second[1]
    assert json.loads(first[1])["audit"]["seed"] == 9


def test_every_engine_writes_the_same_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("polars")
    argv = [*BASE, "--country", "PK", "--format", "json", "--control-rate", "1%", "--seed", "1"]
    outputs = {engine: run([*argv, "--engine", engine], capsys) for engine in
               ("rowwise", "columnar", "auto")}  # fmt: skip
    assert {code for code, _, _ in outputs.values()} == {EXIT_OK}
    assert outputs["columnar"][1] == outputs["rowwise"][1] == outputs["auto"][1]
    assert '"lane": "red"' in outputs["columnar"][1]


def test_an_unknown_engine_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*BASE, "--engine", "fastest"])
    assert exc.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--engine: 'fastest': expected auto, rowwise, columnar, duckdb" in err


def test_csv_to_standard_output_is_the_container_table(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*BASE, "--profiles", str(demo_profiles), "--format", "csv"], capsys)
    assert code == EXIT_OK
    rows = list(csv.DictReader(out.splitlines()))
    assert tuple(rows[0]) == CONTAINER_COLUMNS
    assert rows[0]["rank"] == "1"


def test_output_file_csv_writes_containers_and_hits(
    demo_profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run([*BASE, "--profiles", str(demo_profiles), "-o", str(target)], capsys)
    assert code == EXIT_OK
    hits = tmp_path / "out.hits.csv"
    assert target.is_file()
    assert hits.is_file()
    assert out.splitlines()[-1] == f"wrote {target}, {hits}"
    assert SUMMARY.match(out.splitlines()[0])
    with target.open(encoding="utf-8", newline="") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == CONTAINER_COLUMNS
    with hits.open(encoding="utf-8", newline="") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == HIT_COLUMNS


def test_output_file_parquet_and_json(
    demo_profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow")
    base = [*BASE, "--profiles", str(demo_profiles)]
    code, _, _ = run([*base, "-o", str(tmp_path / "out.parquet")], capsys)
    assert code == EXIT_OK
    assert (tmp_path / "out.parquet").is_file()
    assert (tmp_path / "out.hits.parquet").is_file()
    code, _, _ = run([*base, "-o", str(tmp_path / "out.json")], capsys)
    assert code == EXIT_OK
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["audit"]["as_of"]


# --- errors and exit codes -----------------------------------------------------------------


def test_control_rate_without_seed_says_why(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*BASE, "--profiles", str(demo_profiles), "--control-rate", "1%"], capsys)
    assert code != EXIT_OK
    assert out == ""
    assert "riskprofile score: error: a control sample needs an explicit seed" in err


@pytest.mark.parametrize(
    "extra",
    [["--control-rate", "1%"], ["--capacity", "lots"], ["--format", "parquet"]],
    ids=["control-rate-without-seed", "bad-capacity", "parquet-without-output"],
)
def test_usage_errors_exit_2(demo_profiles: Path, extra: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "riskprofile", *BASE, "--profiles", str(demo_profiles), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr.startswith("riskprofile score: ")
    assert result.returncode == EXIT_USAGE


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", SAMPLE, "--as-of", "2 November"], capsys)
    assert code == EXIT_USAGE
    assert "not an ISO 8601 date or time: '2 November'" in err


def test_broken_profiles_exit_2_with_every_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        PROFILE.replace("container_full == true", "container_fulll == true"), encoding="utf-8"
    )
    (folder / "b.yaml").write_text(
        PROFILE.replace("id: demo.score", "id: demo.other").replace("weight: 15", "wieght: 15"),
        encoding="utf-8",
    )
    code, out, err = run([*BASE, "--profiles", str(folder)], capsys)
    assert code == EXIT_USAGE
    assert out == ""
    lines = err.splitlines()
    assert lines == [
        f"{folder / 'a.yaml'}:9:11: unknown field 'container_fulll' (did you mean "
        "'container_full'?) [unknown_field]",
        f"{folder / 'b.yaml'}:11:5: indicators.1.weight: missing required key 'weight' [schema]",
        f"{folder / 'b.yaml'}:14:5: indicators.1.wieght: unknown key 'wieght' (did you mean "
        "'weight'?) [schema]",
        "riskprofile: error: 3 problem(s) in the profiles",
    ]


def test_missing_batch_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["score", "no/such/batch.csv", "--as-of", "2026-11-02"], capsys)
    assert code == EXIT_USAGE
    assert err.splitlines()[-1].startswith("riskprofile: error:")


def test_a_run_without_the_stow_plan_or_history_names_the_indicators_that_cannot_fire(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = "examples/data/karachi-sample.csv"
    plan = "tests/data/edifact/baplie-smdg22.edi"
    args = ["score", sample, "--as-of", "2026-11-02", "-o", str(tmp_path / "out.csv")]
    code, _, err = run(args, capsys)
    assert code == 0
    assert "profile general.stowplan-crosscheck: 9 of its 9 indicators read the stow " in err
    assert "(give --stowplan)" in err
    code, _, err = run([*args, "--stowplan", plan], capsys)
    assert "give --stowplan" not in err
    history_args = [*args, "--profiles", "examples/history/history.yaml"]
    code, _, err = run(history_args, capsys)
    assert re.search(r"indicators read the history fields, .*\(give --history\)", err)


def test_strict_mode_exits_1_and_lists_rejections(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*BASE, "--profiles", str(demo_profiles), "--strict"], capsys)
    assert code == EXIT_DATA_PROBLEMS
    assert SUMMARY.match(out.splitlines()[0])
    assert re.search(r"^[\d,]+ of [\d,]+ records rejected \(listed on standard error\)$", err,
                     re.MULTILINE)  # fmt: skip
    assert f"{SAMPLE}: line " in err


# --- the page ------------------------------------------------------------------------------

DOCUMENTED = [
    "score", SAMPLE, "--profiles", "profiles/base/documentary.yaml", "--as-of", "2026-11-02",
    "--capacity", "5", "--control-rate", "1%", "--seed", "7",
]  # fmt: skip


def test_scoring_page_shows_current_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the pages show 80 columns
    code, out, _ = run(DOCUMENTED, capsys)
    assert code == EXIT_OK
    page = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    command = "$ riskprofile " + " ".join(DOCUMENTED[:4]) + " \\\n    " + " ".join(DOCUMENTED[4:])
    assert f"{command}\n{out}" in page, (
        f"docs/scoring.md shows stale output: paste the output of `riskprofile "
        f"{' '.join(DOCUMENTED)}`"
    )
    audited = [*DOCUMENTED[:-5], "15", *DOCUMENTED[-4:], "--format", "json"]
    code, out, _ = run(audited, capsys)
    assert code == EXIT_OK
    audit = json.dumps(json.loads(out)["audit"], indent=2)
    assert f"```json\n{audit}\n```" in page, (
        f"docs/scoring.md shows a stale audit: paste the audit of `riskprofile {' '.join(audited)}`"
    )


# --- runs that score nothing say so ----------------------------------------------------------


def _profile_folder(tmp_path: Path, **changes: str) -> Path:
    """The demo profile with header lines added (``status: draft``, ``valid_to: ...``)."""
    folder = tmp_path / "dated"
    folder.mkdir(exist_ok=True)
    header = "".join(f"{key}: {value}\n" for key, value in changes.items())
    (folder / "demo.yaml").write_text(
        PROFILE.replace("owner: tests\n", f"owner: tests\n{header}"), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("command", ["score", "evaluate"])
@pytest.mark.parametrize(
    ("changes", "extra", "reason"),
    [
        ({"status": "draft"}, [], "draft (drafts score only when included)"),
        ({"valid_to": "2026-10-31"}, [], "expired on 2026-10-31"),
        ({"valid_to": "2026-10-31", "status": "draft"}, ["--include-drafts"],
         "expired on 2026-10-31"),
        ({"countries": "[PK]"}, ["--country", "KZ"], "not for KZ (countries: PK)"),
    ],
    ids=["only-drafts", "after-valid-to", "drafts-included-but-expired", "out-of-scope"],
)  # fmt: skip
def test_a_run_no_profile_takes_part_in_exits_4_saying_why(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    changes: dict[str, str],
    extra: list[str],
    reason: str,
) -> None:
    folder = _profile_folder(tmp_path, **changes)
    args = [command, SAMPLE] + (["examples/data/karachi-sample.outcomes.csv"] * (command ==
            "evaluate")) + ["--as-of", "2026-11-02", "--profiles", str(folder), *extra]  # fmt: skip
    code, out, err = run(args, capsys)
    assert code == EXIT_NO_PROFILES == 4
    assert out == ""
    assert f"riskprofile {command}: profile demo.score not scored: {reason}" in err
    assert "riskprofile: error: no profile takes part in the run as of 2026-11-02" in err
    assert ("--include-drafts scores drafts" in err) == (reason.startswith("draft"))


def test_an_empty_profile_folder_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*BASE, "--profiles", str(tmp_path)], capsys)
    assert code == EXIT_NO_PROFILES
    assert out == ""
    assert "no profile takes part in the run as of 2026-11-02: none was given" in err


def test_include_drafts_scores_with_drafts_and_skipped_ones_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _profile_folder(tmp_path, status="draft")
    (folder / "retired.yaml").write_text(
        PROFILE.replace("demo.score", "demo.retired").replace(
            "owner: tests\n", "owner: tests\nstatus: retired\n"
        ),
        encoding="utf-8",
    )
    code, out, err = run([*BASE, "--profiles", str(folder), "--include-drafts"], capsys)
    assert code == EXIT_OK
    assert " with 1 profiles" in out.splitlines()[0]
    # Every run says which profiles did not take part, and why.
    assert "riskprofile score: profile demo.retired not scored: retired" in err
    assert "demo.score" not in err


@pytest.mark.parametrize("command", ["score", "evaluate", "profiles list"])
@pytest.mark.parametrize("code_", ["XX", "PAK", "P1", ""])
def test_an_unknown_country_code_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, code_: str
) -> None:
    args = {"score": [*BASE], "evaluate": ["evaluate", SAMPLE, SAMPLE, "--as-of", "2026-11-02"],
            "profiles list": ["profiles", "list"]}[command]  # fmt: skip
    code, out, err = run([*args, "--country", code_], capsys)
    assert code == EXIT_USAGE
    assert out == ""
    assert "error: argument --country: " in err
    assert "ISO 3166-1 country" in err


def test_a_lower_case_country_code_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    lower = run([*BASE, "--country", "pk", "--format", "json"], capsys)
    upper = run([*BASE, "--country", "PK", "--format", "json"], capsys)
    assert lower[0] == upper[0] == EXIT_OK
    assert lower[1] == upper[1]


# --- capacity per lane, details -------------------------------------------------------------


def test_capacity_per_lane_on_the_command_line(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*BASE, "--profiles", str(demo_profiles), "--format", "json"]
    code, out, _ = run([*argv, "--capacity", "yellow=1, blue=10%"], capsys)
    assert code == EXIT_OK
    doc = json.loads(out)
    assert doc["audit"]["capacity"] == 1 + 25  # 10% of 251, rounded down
    assert doc["audit"]["capacity_lanes"] == ["yellow", "blue"]
    chosen = [r for r in doc["containers"] if r["selected"]]
    assert [r["lane"] for r in chosen] == ["yellow"] + ["blue"] * 25
    assert {r["action"] for r in doc["containers"]} == {"inspect", "left out", "release"}


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("green=3", "capacity per lane takes red, yellow or blue, not 'green'"),
        ("red=2,red=3", "capacity names the red lane twice"),
        ("red=", "capacity per lane is written lane=quota"),
        ("red=lots", "capacity must be a count (30) or a percentage (3%), not 'lots'"),
        ("red=2;yellow=1", "capacity must be a count (30) or a percentage (3%), not '2;yellow"),
    ],
)
def test_a_bad_capacity_per_lane_is_a_usage_error(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str], capacity: str, message: str
) -> None:
    code, out, err = run([*BASE, "--profiles", str(demo_profiles), "--capacity", capacity], capsys)
    assert code == EXIT_USAGE
    assert out == ""
    assert message in err


def test_details_list_every_hit_of_the_selected_containers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    argv = [*BASE, "--capacity", "1"]
    code, out, _ = run([*argv, "--details"], capsys)
    assert code == EXIT_OK
    assert all(len(line) <= 70 or " " not in line.strip() for line in out.splitlines())
    code, short, _ = run(argv, capsys)
    lines = " ".join(out.split())
    # The forced red container: every hit, with its profile, indicator and weight.
    for hit in ("precursors.controlled-chemicals/table-i-precursor (+40;",
                "precursors.controlled-chemicals/acetic-anhydride-diversion (+20, forces red;",
                "general.documentary-anomalies/third-party-freight (+10;"):  # fmt: skip
        assert hit in lines
        assert hit not in " ".join(short.split())


QUICK_START = [
    "score", SAMPLE, "--as-of", "2026-11-02", "--capacity", "3%", "--control-rate", "1%",
    "--seed", "1",
]  # fmt: skip


def test_the_quick_start_output_in_the_readme_and_cli_page_is_current(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the pages show 80 columns
    code, out, _ = run(QUICK_START, capsys)
    assert code == EXIT_OK
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"$ riskprofile {' '.join(QUICK_START)}\n{out}```" in page, (
        "docs/cli.md shows stale quick-start output"
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```text\n", 1)[1].split("     ...\n```", 1)[0]
    assert out.startswith(shown), "README.md shows stale quick-start output"
    assert "listed apart for documentary checks" in shown


# --- the batch read while the profiles load ------------------------------------------------


def test_the_batch_is_read_while_the_profiles_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The read starts before the profiles are loaded (so a second core can do it): the
    profile loading here waits until the read has begun, which a command that read
    only after loading never does."""
    import threading

    from riskprofile.cli import _args
    from riskprofile.io import _frame

    reading = threading.Event()
    original_read, original_load = _frame.read_frame, _args.load_profiles

    def read_frame(*args: object, **kwargs: object) -> object:
        reading.set()
        return original_read(*args, **kwargs)  # type: ignore[arg-type]

    def load_profiles(*args: object, **kwargs: object) -> object:
        assert reading.wait(timeout=20), "the batch was not being read while profiles loaded"
        return original_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_frame, "read_frame", read_frame)
    monkeypatch.setattr(_args, "load_profiles", load_profiles)
    code, out, _ = run(BASE, capsys)
    assert code == EXIT_OK
    assert SUMMARY.match(out.splitlines()[0])


@pytest.mark.parametrize("batch", ["no/such/batch.csv", "README.md"])
def test_profile_errors_come_before_the_batch_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], batch: str
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        PROFILE.replace("container_full == true", "container_fulll == true"), encoding="utf-8"
    )
    code, out, err = run(["score", batch, "--profiles", str(folder)], capsys)
    assert code == EXIT_USAGE
    assert out == ""
    assert err.splitlines()[-1] == "riskprofile: error: 1 problem(s) in the profiles"
    assert batch not in err


def test_a_run_no_profile_takes_part_in_is_refused_before_a_bad_batch_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["score", "no/such/batch.csv", "--profiles", str(tmp_path)], capsys)
    assert code == EXIT_NO_PROFILES
    assert out == ""
    assert "no/such/batch.csv" not in err


def test_a_batch_error_is_reported_once_the_profiles_are_good(
    demo_profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["score", "README.md", "--profiles", str(demo_profiles)], capsys)
    assert code == EXIT_USAGE
    assert out == ""
    assert err.startswith("riskprofile: error:")
    assert "README.md" in err


def test_the_garbage_collector_leaves_the_run_s_objects_alone_while_it_scores(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a batch is scored the objects made before it are frozen and the youngest
    generation is collected less often; afterwards the process is as it was (the command
    runs inside other processes too: these tests, a notebook)."""
    import gc

    from riskprofile.engines import columnar

    seen: list[tuple[int, tuple[int, int, int]]] = []
    original = columnar.score_frame

    def score_frame(*args: object, **kwargs: object) -> object:
        seen.append((gc.get_freeze_count(), gc.get_threshold()))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(columnar, "score_frame", score_frame)
    before = (gc.get_freeze_count(), gc.get_threshold())
    code, _, _ = run(BASE, capsys)
    assert code == EXIT_OK
    ((frozen, threshold),) = seen
    assert frozen > before[0]
    assert threshold[0] >= 10 * before[1][0]
    assert (gc.get_freeze_count(), gc.get_threshold()) == before


def test_the_conditions_are_translated_while_the_batch_is_read_and_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The column-wise translations are made while the batch is still being read (the
    read here waits for the first one, which a command translating only once it has the
    frame never gives it), each condition once: scoring finds them made."""
    import threading

    from riskprofile.engines.columnar import _translate
    from riskprofile.io import _frame

    translated = threading.Event()
    made: list[int] = []  # the compiled rules translated
    original_read, original_translate = _frame.read_frame, _translate._translate

    def read_frame(*args: object, **kwargs: object) -> object:
        assert translated.wait(timeout=20), "nothing was translated while the batch was read"
        return original_read(*args, **kwargs)  # type: ignore[arg-type]

    def translate(condition: Any, *args: object, **kwargs: object) -> object:
        made.append(id(condition.rule))
        translated.set()
        return original_translate(condition, *args, **kwargs)  # type: ignore[arg-type]

    _translate._TRANSLATIONS.clear()
    monkeypatch.setattr(_frame, "read_frame", read_frame)
    monkeypatch.setattr(_translate, "_translate", translate)
    code, out, _ = run(BASE, capsys)
    assert code == EXIT_OK
    assert SUMMARY.match(out.splitlines()[0])
    assert made
    assert len(made) == len(set(made))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_text_on_standard_output_is_written_in_parts_once_the_whole_frame_is_let_go(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """``--format json|csv`` to standard output: written some rows at a time (never the
    whole run's text at once) from the run cut to the columns it reads, the batch's whole
    frame let go; the same text as the reference engine's."""
    import weakref

    from riskprofile.engines import columnar
    from riskprofile.output import _frame_files

    frames: list[weakref.ref[Any]] = []
    original_score = columnar.score_frame
    original_csv, original_json = _frame_files.csv_frame, _frame_files.json_parts
    alive: list[bool] = []  # whether the whole frame lived as each table's text was made

    def score_frame(batch: Any, *args: object, **kwargs: object) -> object:
        frames.append(weakref.ref(batch.frame))
        return original_score(batch, *args, **kwargs)  # type: ignore[arg-type]

    def csv_frame(*args: Any) -> Any:
        alive.append(frames[0]() is not None)
        return original_csv(*args)

    def json_parts(*args: Any) -> Any:
        alive.append(frames[0]() is not None)
        return original_json(*args)

    monkeypatch.setattr(columnar, "score_frame", score_frame)
    monkeypatch.setattr(_frame_files, "csv_frame", csv_frame)
    monkeypatch.setattr(_frame_files, "json_parts", json_parts)
    monkeypatch.setattr(_frame_files, "_JSON_ROWS", 3)
    argv = [*BASE, "--format", fmt, "--control-rate", "1%", "--seed", "1"]
    code, out, err = run(argv, capsys)
    assert code == EXIT_OK
    assert alive == ([False] if fmt == "csv" else [False, False])
    monkeypatch.undo()
    reference = run([*argv, "--engine", "rowwise"], capsys)
    assert reference == (EXIT_OK, out, err)


def test_the_files_are_written_once_the_whole_frame_is_let_go(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """With ``-o`` the top of the list is made from the whole run, then the files are
    written from the run cut to the columns they read (``output.for_files``): by then
    nothing holds the batch's whole frame, whose memory (most of a big run's) goes back
    before the files' tables are built. Freed by reference counting alone, as in a
    command whose collector is held back."""
    import weakref

    from riskprofile import output
    from riskprofile.engines import columnar

    frames: list[weakref.ref[Any]] = []
    widths: list[int] = []
    at_write: list[tuple[bool, int]] = []
    original_score, original_write = columnar.score_frame, output.write_output

    def score_frame(batch: Any, *args: object, **kwargs: object) -> object:
        frames.append(weakref.ref(batch.frame))
        widths.append(batch.frame.width)
        return original_score(batch, *args, **kwargs)  # type: ignore[arg-type]

    def write_output(run: Any, *args: object, **kwargs: object) -> object:
        at_write.append((frames[0]() is not None, run.frame.width))
        return original_write(run, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(columnar, "score_frame", score_frame)
    monkeypatch.setattr(output, "write_output", write_output)
    target = tmp_path / "out.json"
    code, out, _ = run([*BASE, "--details", "-o", str(target)], capsys)
    assert code == EXIT_OK
    ((alive, width),) = at_write
    assert not alive, "the batch's whole frame is still held while the files are written"
    assert width < widths[0]
    # The reference engine's run is written whole: the same list and the same file.
    monkeypatch.undo()
    reference = tmp_path / "rowwise.json"
    code, listed, _ = run([*BASE, "--details", "--engine", "rowwise", "-o", str(reference)],
                          capsys)  # fmt: skip
    assert code == EXIT_OK
    assert reference.read_bytes() == target.read_bytes()
    assert listed.replace(str(reference), str(target)) == out


def test_the_hits_are_explained_while_the_selection_is_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files' hits do not depend on the selection: they are explained on a thread of
    their own while the selection and the top of the list are made from the whole run
    (here the selection waits until they are being explained, which a command that
    explained them only when writing never does). The files are the reference's bytes."""
    import threading

    from riskprofile import selection
    from riskprofile.results import FrameRun

    explaining = threading.Event()
    explained_on: list[str] = []
    original_explain, original_select = FrameRun.explained_hits, selection.select

    def explained_hits(self: FrameRun, keys: Any = None) -> Any:
        if keys is None:  # the whole run's, for the files (the list explains its units')
            explained_on.append(threading.current_thread().name)
            explaining.set()
        return original_explain(self, keys)

    def select(*args: Any, **kwargs: Any) -> Any:
        assert explaining.wait(timeout=30), "the hits were not explained beside the selection"
        return original_select(*args, **kwargs)

    monkeypatch.setattr(FrameRun, "explained_hits", explained_hits)
    monkeypatch.setattr(selection, "select", select)
    command = [*BASE, "--capacity", "3", "--control-rate", "10%", "--seed", "4"]
    code, out, _ = run([*command, "-o", str(tmp_path / "out.csv")], capsys)
    assert code == EXIT_OK
    assert explained_on == ["riskprofile-files"]  # once, ahead
    monkeypatch.undo()
    code, reference_out, _ = run(
        [*command, "--engine", "rowwise", "-o", str(tmp_path / "ref.csv")], capsys
    )
    assert code == EXIT_OK
    assert out.replace("out.", "ref.") == reference_out
    for name in ("{}.csv", "{}.hits.csv"):
        assert (tmp_path / name.format("out")).read_bytes() == (
            tmp_path / name.format("ref")
        ).read_bytes()
