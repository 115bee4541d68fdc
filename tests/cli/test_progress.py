"""Progress lines: on a terminal only, never in a pipe or a file (whose bytes the other
tests compare), and never a "done" for a stage that failed."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riskprofile.cli._progress import Progress

ROOT = Path(__file__).resolve().parents[2]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_off_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, delay=0.0)
    assert not progress.enabled
    with progress.stage("scoring", 10, "shipments") as step:
        step(5)
        step(10)
    assert stream.getvalue() == ""


def test_a_short_stage_is_not_drawn() -> None:
    stream, clock = _Terminal(), _Clock()
    progress = Progress(stream, delay=3600.0, clock=clock, timer=False)
    assert progress.enabled
    with progress.stage("reading b.csv") as step:
        clock.now += 0.5
        step(1)
    assert stream.getvalue() == ""


def test_a_long_stage_draws_a_bar_and_says_when_it_is_done() -> None:
    stream, clock = _Terminal(), _Clock()
    progress = Progress(stream, delay=1.0, clock=clock, timer=False)
    with progress.stage("scoring", 200, "shipments") as step:
        clock.now += 2.0
        step(100)
        clock.now += 2.0
    lines = stream.getvalue().split("\r")[1:]
    assert lines[0].startswith("scoring [###############...............] 100/200 shipments")
    assert lines[0].endswith("(2.0 s)\x1b[K")
    assert lines[-1].startswith("scoring [##############################] 200/200 shipments")
    assert lines[-1].endswith("(done in 4.0 s)\x1b[K\n")


def test_a_stage_learns_its_total_from_its_first_call() -> None:
    stream, clock = _Terminal(), _Clock()
    progress = Progress(stream, delay=1.0, clock=clock, timer=False)
    with progress.stage("reading b.parquet", unit="records") as step:
        clock.now += 1.5
        step(0, 4_000)
        clock.now += 1.0
        step(1_000, 4_000)
    lines = stream.getvalue().split("\r")[1:]
    assert lines[0].startswith("reading b.parquet [.....")
    assert " 0/4,000 records" in lines[0]
    assert " 1,000/4,000 records, 400/s" in lines[1]
    assert "4,000/4,000 records" in lines[-1]
    assert lines[-1].endswith("(done in 2.5 s)\x1b[K\n")


def test_a_failed_stage_ends_its_line_without_done() -> None:
    stream, clock = _Terminal(), _Clock()
    progress = Progress(stream, delay=1.0, clock=clock, timer=False)

    def fail() -> None:
        with progress.stage("reading b.csv") as step:
            clock.now += 5.0
            step(1)
            raise RuntimeError("unreadable")

    with pytest.raises(RuntimeError):
        fail()
    assert stream.getvalue().endswith("(5.0 s)\x1b[K\n")
    assert "done" not in stream.getvalue()


def test_a_stage_that_never_calls_back_is_drawn_by_its_timer() -> None:
    stream = _Terminal()
    progress = Progress(stream, delay=0.0)
    with progress.stage("scoring 5 shipments"):
        for _ in range(200):  # the timer thread draws at once
            if stream.getvalue():
                break
            time.sleep(0.01)
    assert stream.getvalue().startswith("\rscoring 5 shipments (")
    assert stream.getvalue().endswith("s)\x1b[K\n")


def test_score_in_a_pipe_writes_no_progress(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "riskprofile", "score", "examples/data/karachi-sample.csv",
         "--as-of", "2026-11-02", "-o", str(tmp_path / "run.json")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "\r" not in out.stderr
    assert "\x1b" not in out.stderr


def _drawn_at_once(monkeypatch: pytest.MonkeyPatch) -> _Terminal:
    """Standard error as a terminal, every stage drawn from its first call."""
    import riskprofile.cli._progress as progress_module

    stream = _Terminal()
    real = progress_module.Progress.__init__

    def at_once(self: Progress, *args: object, **kwargs: object) -> None:
        real(self, stream, delay=0.0, timer=False)

    monkeypatch.setattr(progress_module.Progress, "__init__", at_once)
    return stream


def test_data_convert_and_check_flags_draw_their_stages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.cli import main

    sample = str(ROOT / "examples/data/karachi-sample.csv")
    stream = _drawn_at_once(monkeypatch)
    assert main(["data", "convert", sample, str(tmp_path / "b.jsonl"), "--engine", "rowwise"]) == 0
    # Reading a flat file into models is one call (drawn by the timer when it is long);
    # writing counts the manifests.
    drawn = stream.getvalue()
    assert f"\rwriting {tmp_path / 'b.jsonl'} 1 manifests (done in " in drawn
    assert "wrote 1 manifests" in capsys.readouterr().out  # standard output as before
    stream.seek(0)
    stream.truncate(0)
    # Column-wise (the default), converting counts the records.
    assert main(["data", "convert", sample, str(tmp_path / "c.jsonl")]) == 0
    assert f"\rconverting {sample} [" in stream.getvalue()
    assert "629/629 records" in stream.getvalue()
    assert "wrote 1 manifests" in capsys.readouterr().out
    stream.seek(0)
    stream.truncate(0)
    assert main(["data", "check", sample, "--flags"]) == 0
    assert f"\rreading {sample} [" in stream.getvalue()


def test_a_message_printed_while_a_line_is_drawn_stands_on_its_own_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A warning said on standard error while the batch is read (the read draws its line
    # in its own thread) used to run onto the progress line: "reading b.csv [###...]
    # riskprofile score: warning: ...". The line is erased first, and drawn again at the
    # stage's next update, under the message.
    terminal, clock = _Terminal(), _Clock()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = Progress(delay=1.0, clock=clock, timer=False)
    with progress.stage("reading b.csv", 4, "records") as step:
        clock.now += 2.0
        step(1)
        print("riskprofile score: warning: a list has expired", file=sys.stderr)
        step(2)
    assert sys.stderr is terminal  # put back when the stage ends
    lines = terminal.getvalue().split("\n")
    assert lines[0].startswith("\rreading b.csv [")
    assert lines[0].endswith("\r\x1b[Kriskprofile score: warning: a list has expired")
    assert lines[1].startswith("\rreading b.csv [###############...............] 2/4")
    assert "done in" in lines[-2]
    print("after", file=sys.stderr)  # no longer wrapped: written as it is
    assert terminal.getvalue().endswith("\nafter\n")


def test_off_a_terminal_standard_error_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with Progress(delay=0.0).stage("scoring", 2) as step:
        assert sys.stderr is pipe
        step(1)
        print("warning: x", file=sys.stderr)
    assert pipe.getvalue() == "warning: x\n"


class _Ticking(_Clock):
    """A clock that moves a second each time it is read: every update is drawn."""

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_the_read_line_advances_within_a_slice() -> None:
    # The read's line used to advance once per slice of 250,000 records: a file of one
    # slice showed 0/629 until it was all read. It now moves as each step is done.
    from riskprofile.cli._read import read

    stream = _Terminal()
    progress = Progress(stream, delay=1.0, clock=_Ticking(), timer=False)
    batch = read(ROOT / "examples/data/karachi-sample.csv", progress=progress)
    total = batch.records_read
    shown = [
        int(line.split(f"/{total:,} records")[0].rsplit(" ", 1)[1].replace(",", ""))
        for line in stream.getvalue().split("\r")[1:]
        if f"/{total:,} records" in line
    ]
    assert shown == sorted(shown)
    between = {n for n in shown if 0 < n < total}
    assert len(between) >= 5
    assert shown[-1] == total
