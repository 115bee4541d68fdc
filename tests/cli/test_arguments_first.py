"""A command refuses the arguments that need no file before it reads anything.

The order is documented (docs/cli.md, "Which error comes first"): the options that need
no file (a capacity, a control rate and its seed, a format), then the files the command
will write, then its input files (the profiles, the mapping, the batch...). So a bad
``--capacity`` costs nothing even on a batch of a million rows, and the message is the
same whether the batch is there, missing, or unreadable; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.cli import _args, _read, main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
PROFILE = """\
id: demo.first
version: 1
title: Demo profile
category: other
owner: tests
indicators:
  - {id: no-seal, title: No seal, when: seal_count == 0, weight: 25}
bands:
  - {min_score: 25, lane: yellow}
"""


def _nothing_is_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spies on the reading of the batch and the loading of the profiles."""
    calls: list[str] = []

    def read(*args: object, **kwargs: object) -> None:
        calls.append("read the batch")
        raise AssertionError("the batch was read")

    def load_profiles(*args: object, **kwargs: object) -> None:
        calls.append("loaded the profiles")
        raise AssertionError("the profiles were loaded")

    monkeypatch.setattr(_read, "read", read)
    monkeypatch.setattr(_args, "load_profiles", load_profiles)
    return calls


SCORE_REFUSALS = [
    (["--capacity", ""], "capacity must be a count (30) or a percentage (3%), not ''"),
    (["--capacity", "x y"], "capacity must be a count (30) or a percentage (3%), not 'x y'"),
    (["--capacity", "101%"], "capacity percentage above 100: '101%'"),
    (["--capacity", "red=2,green=1"], "capacity per lane takes red, yellow or blue, not 'green'"),
    (["--capacity", "red=2,red=3"], "capacity names the red lane twice"),
    (["--control-rate", "1%"], "a control sample needs an explicit seed (reproducibility)"),
    (["--control-rate", "x", "--seed", "1"],
     "control rate must be between 0 and 1 (or 0% and 100%): 'x'"),
    (["--control-rate", "101%", "--seed", "1"],
     "control rate must be between 0 and 1 (or 0% and 100%): '101%'"),
    (["--format", "parquet"], "--format parquet needs -o FILE"),
    (["-o", "{tmp}/list.txt"], "cannot tell the output format from"),
]  # fmt: skip


@pytest.mark.parametrize("batch", ["sample", "missing", "folder"])
@pytest.mark.parametrize(("options", "message"), SCORE_REFUSALS)
def test_score_refuses_an_option_before_reading_the_batch_or_the_profiles(
    options: list[str], message: str, batch: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    calls = _nothing_is_read(monkeypatch)
    given = {"sample": str(SAMPLE), "missing": str(tmp_path / "no-such.csv"),
             "folder": str(tmp_path)}[batch]  # fmt: skip
    options = [o.replace("{tmp}", str(tmp_path)) for o in options]
    code = main(["score", given, "--profiles", str(tmp_path / "no-such-profiles"), *options])
    assert code == 2
    err = capsys.readouterr().err
    assert f"riskprofile score: error: {message}" in err, err
    assert calls == []
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_good_capacity_lets_the_missing_batch_be_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other side of the order: with good options, the input's error is the one."""
    missing = tmp_path / "no-such.csv"
    (tmp_path / "demo.yaml").write_text(PROFILE, encoding="utf-8")
    code = main(["score", str(missing), "--profiles", str(tmp_path), "--capacity",
                 "red=2,yellow=5%", "--control-rate", "1%", "--seed", "7"])  # fmt: skip
    assert code == 2
    assert str(missing) in capsys.readouterr().err


EXCHANGE = {
    "warn": ["--batch", "{missing}", "--container", "MSKU1234565", "--to", "KZ-AKT"],
    "feedback": ["{missing}", "--result", "nothing_found", "--finding", "clean"],
    "seizure": ["--warning", "{missing}", "--goods-category", "heroin", "--quantity", "12.5",
                "--unit", "kg", "--concealment", "door panels"],
    "rotate": ["--reason", "yearly"],
    "revoke": ["ab" * 32, "--reason", "retired"],
}  # fmt: skip


@pytest.mark.parametrize("where", ["a file", "under a file"])
@pytest.mark.parametrize("command", sorted(EXCHANGE))
def test_an_exchange_output_folder_that_cannot_be_made_is_refused_before_the_key_is_read(
    command: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    out = a_file if where == "a file" else a_file / "sent"
    missing = str(tmp_path / "no-such-file")
    argv = [a.replace("{missing}", missing) for a in EXCHANGE[command]]
    code = main(["exchange", command, *argv, "--key", missing, "-o", str(out),
                 "--home", str(tmp_path / "home"), "--as-of", "2026-11-02"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert f"exchange {command}: error: cannot write " in err, err
    assert f"into {out}: " in err, err
    assert "file" in err.rsplit(": ", 1)[-1], err
    assert "no-such-file" not in err  # the key was not read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing made
