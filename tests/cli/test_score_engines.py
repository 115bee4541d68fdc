"""``riskprofile score`` runs the columnar path by default (``read_frame`` ->
``score_frame`` -> ``select`` -> outputs, no object per shipment); ``--engine rowwise``
keeps the reference path (``read_batch`` -> ``score``). Both give the same bytes on every
output, standard error and exit code included."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.io import write_csv, write_json, write_parquet
from riskprofile.synth import generate_port_day
from tests.depth import depth
from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "examples/data/karachi-sample.csv"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    load_once(monkeypatch)  # each run loads the same profiles: once per process


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# The bundled library's stow-plan profile reads fields only a stow plan fills: a run
# without one says so (its indicators cannot fire), rather than leaving it silent.
STOWPLAN_WARNING = (
    "riskprofile score: warning: profile general.stowplan-crosscheck: 9 of its 9 indicators "
    "read the stow plan's fields, which this run was not given: they cannot fire "
    "(give --stowplan)\n"
)


def test_the_default_reads_and_scores_column_wise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import riskprofile.io
    import riskprofile.scoring

    def unused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model path ran")

    monkeypatch.setattr(riskprofile.io, "read_batch", unused)
    monkeypatch.setattr(riskprofile.scoring, "score", unused)
    code, out, err = _run(["score", SAMPLE, "--as-of", "2026-11-02"], capsys)
    assert (code, err) == (0, STOWPLAN_WARNING)
    assert out.startswith("251 containers scored as of 2026-11-02")
    for engine in ("auto", "columnar"):
        assert _run(["score", SAMPLE, "--as-of", "2026-11-02", "--engine", engine], capsys)[0] == 0
    code, _, err = _run(["score", SAMPLE, "--as-of", "2026-11-02", "--engine", "rowwise"], capsys)
    assert code == 3
    assert "the model path ran" in err


_OUTPUTS = [
    ([], None),
    (["--details"], None),
    (["--format", "csv"], None),
    (["--format", "json"], None),
    (["-o", "{out}/run.json"], "run.json"),
    (["-o", "{out}/run.csv"], "run.csv"),
    (["-o", "{out}/run.parquet"], "run.parquet"),
    (["--format", "table", "-o", "{out}/list.txt"], "list.txt"),
]


@settings(
    max_examples=depth(15, floor=4),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    containers=st.integers(1, 30),
    defects=st.sampled_from([0.0, 0.02, 0.3]),
    fmt=st.sampled_from(["csv", "parquet", "jsonl"]),
    strict=st.booleans(),
    output=st.sampled_from(_OUTPUTS),
    capacity=st.sampled_from(["3%", "1", "red=1,yellow=50%", "100%"]),
    control=st.sampled_from([[], ["--control-rate", "20%", "--seed", "3"]]),
)
def test_rowwise_and_the_default_give_the_same_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    seed: int,
    containers: int,
    defects: float,
    fmt: str,
    strict: bool,
    output: tuple[list[str], str | None],
    capacity: str,
    control: list[str],
) -> None:
    folder = tmp_path_factory.mktemp("engines")
    try:  # planted cases, for hits and forced lanes, where the batch has hosts for them
        day = generate_port_day(seed, containers, planted=containers // 6, defect_rate=defects)
    except ValueError:
        day = generate_port_day(seed, containers, planted=0, defect_rate=defects)
    batch = folder / f"batch.{fmt}"
    if fmt == "csv":
        write_csv(day.manifests, batch)
    elif fmt == "parquet":
        write_parquet(day.manifests, batch)
    else:
        write_json(day.manifests, batch, lines=True)
    options, written = output
    argv = ["score", str(batch), "--as-of", "2026-11-02", "--capacity", capacity, *control]
    argv += [o.format(out=folder) for o in options] + (["--strict"] if strict else [])
    seen = {}
    for engine in ("rowwise", "columnar"):
        result = _run([*argv, "--engine", engine], capsys)
        files = {}
        if written is not None:
            for path in sorted(folder.glob(Path(written).stem + ".*")):
                if path != batch:
                    files[path.name] = path.read_bytes()
                    path.unlink()
        seen[engine] = (result, files)
    assert seen["columnar"] == seen["rowwise"]
    assert seen["rowwise"][0][0] in (0, 1), seen["rowwise"][0][2]


def test_score_from_the_command_line_in_a_fresh_process(tmp_path: Path) -> None:
    """The default path end to end, process start included (what a user runs)."""
    import subprocess

    argv = [sys.executable, "-m", "riskprofile", "score", SAMPLE, "--as-of", "2026-11-02",
            "--capacity", "3%", "--control-rate", "1%", "--seed", "1"]  # fmt: skip
    fast = subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
    slow = subprocess.run([*argv, "--engine", "rowwise"], cwd=ROOT, capture_output=True)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_scoring_to_csv_or_json_loads_no_numpy(suffix: str, tmp_path: Path) -> None:
    # numpy costs 0.1-0.2 s of a port day's run, and was loaded only because the scores'
    # weights were given to polars as Decimal objects. (Parquet output needs pyarrow,
    # which loads it.) Asserted by what is loaded, not by time.
    import subprocess

    argv = ["score", SAMPLE, "--as-of", "2026-11-02", "-o", str(tmp_path / f"out.{suffix}")]
    probe = (
        "import sys\nfrom riskprofile.cli import main\n"
        f"code = main({argv!r})\nprint(code, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip().splitlines()[-1] == "0 False"
