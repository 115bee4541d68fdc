"""Every command, with hostile arguments, answers in one line: never a traceback.

A misspelt path, a folder where a file belongs, a garbage file, an output over the input,
an absurd number or date: each must end in a message naming the file or option and a
documented exit code (2 for "could not run"), never exit 3 (an internal error) and never
a Python traceback. The table below has one working invocation per command; each of its
arguments is replaced in turn by each hostile value of its kind. A test also checks that
the table covers every command the parser has, so a new command cannot skip this.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskprofile.cli import EXIT_INTERNAL_ERROR, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
SAMPLE_OUTCOMES = ROOT / "examples" / "data" / "karachi-sample.outcomes.csv"

PROFILE = """\
id: demo.hostile
version: 1
title: Demo profile for the hostile-argument tests
category: other
owner: tests
indicators:
  - id: no-seal
    title: Laden container without a seal
    when: container_full == true and seal_count == 0
    weight: 25
  - id: has-bl
    title: Any bill of lading (so that every container has a hit to warn about)
    when: bl_number != null
    weight: 1
bands:
  - {min_score: 25, lane: yellow}
"""

# One invocation per command that works on the files the `world` fixture makes.
# Placeholders: {batch} {mapping} {profiles} {outcomes} {outcomes_mapping} {history}
# {history_outcomes} {msg} {pub} {key} {store} {merged_store} {stowplan} - input files
# (a store is copied for each case: some commands change it);
# {out} {outdir} - outputs; every other non-option token is a plain value.
COMMANDS: dict[tuple[str, ...], list[str]] = {
    ("score",): ["{batch}", "-m", "{mapping}", "--profiles", "{profiles}", "--as-of", "2026-11-02",
                 "--capacity", "3", "--control-rate", "10%", "--seed", "1", "-o", "{out}.csv",
                 "--history", "{store}", "--stowplan", "{stowplan}"],
    ("evaluate",): ["{batch}", "{outcomes}", "--outcomes-mapping", "{outcomes_mapping}",
                    "--profiles", "{profiles}", "--as-of", "2026-11-02", "--capacity", "3",
                    "-o", "{out}.html"],
    ("suggest",): ["{history}", "{history_outcomes}", "--split", "2026-01-15", "-o",
                   "{out}.yaml", "--min-support", "2", "--min-findings", "1"],
    ("data", "check"): ["{batch}", "--format", "json"],
    ("data", "convert"): ["{batch}", "{out}.jsonl"],
    ("data", "generate"): ["-o", "{out}.csv", "--containers", "5", "--seed", "3",
                           "--defect-rate", "0.1"],
    ("data", "history"): ["-o", "{out}.csv", "--days", "2", "--containers-per-day", "5",
                          "--start", "2026-01-05", "--control-rate", "0.1"],
    ("validate",): ["{profiles}"],
    ("test",): ["{profiles}"],
    ("profiles", "list"): ["{profiles}"],
    ("profiles", "show"): ["demo.hostile", "{profiles}"],
    ("profiles", "engines"): ["{profiles}"],
    ("schema",): ["manifest", "-o", "{out}.json"],
    ("fields",): ["--format", "json", "-o", "{out}.json"],
    ("exchange", "keygen"): ["--pcu", "TM-TKM", "-o", "{outdir}"],
    ("exchange", "trust", "add"): ["KZ-AKT", "{pub}", "--home", "{outdir}"],
    ("exchange", "trust", "list"): ["--home", "{outdir}"],
    ("exchange", "trust", "apply"): ["{stmt}", "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "rotate"): ["--key", "{key}", "-o", "{outdir}", "--reason", "yearly",
                             "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "revoke"): ["{kid}", "--key", "{key}", "--reason", "retired", "-o", "{outdir}",
                             "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "warn"): ["--batch", "{batch}", "-m", "{mapping}", "--profiles", "{profiles}",
                           "--container",
                           "{container}", "--to", "KZ-AKT", "--key", "{key}", "--valid-days",
                           "30", "-o", "{outdir}", "--home", "{outdir}", "--as-of",
                           "2026-11-02"],
    ("exchange", "feedback"): ["{msg}", "--result", "nothing_found", "--finding", "clean",
                               "--key", "{kz_key}", "--valid-days", "30", "-o", "{outdir}",
                               "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "seizure"): ["--warning", "{msg}", "--goods-category", "heroin", "--quantity",
                              "12.5", "--unit", "kg", "--concealment", "door panels",
                              "--photo", "p1.jpg", "--key", "{kz_key}", "-o", "{outdir}",
                              "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "verify"): ["{msg}", "--home", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "import"): ["{msg}", "--into", "{outdir}", "--home", "{outdir}", "--as-of",
                             "2026-11-02"],
    ("exchange", "refresh"): ["--into", "{outdir}", "--as-of", "2026-11-02"],
    ("exchange", "match"): ["{batch}", "-m", "{mapping}", "--into", "{outdir}", "--as-of",
                            "2026-11-02"],
    ("exchange", "log"): ["--home", "{outdir}", "--since", "2026-11-01", "--format", "json",
                          "--warning", "w-00000001"],
    ("exchange", "schema"): [],
    ("history", "add"): ["{batch}", "{outcomes}", "--store", "{out}.duckdb", "--as-of",
                         "2026-11-02"],
    ("history", "show"): ["--store", "{store}"],
    ("history", "stats"): ["--store", "{store}", "--as-of", "2026-11-02"],
    ("history", "traders", "list"): ["--store", "{store}"],
    ("history", "traders", "merge"): ["{trader}", "{trader_into}", "--store", "{store}",
                                      "--note", "one NTN"],
    ("history", "traders", "split"): ["{trader}", "--store", "{merged_store}"],
    ("sql",): ["{profiles}", "--dialect", "postgres", "--as-of", "2026-11-02"],
    ("lists", "import"): ["auto", "{sanctions}", "-o", "{outdir}", "--name", "un", "--programme",
                          "DPRK", "--edition", "2026-11-01"],
    ("serve",): ["--keys", "{apikeys}", "--profiles", "{profiles}", "--pool", "{out}.sqlite",
                 "--port", "8787", "--check"],
    ("serve", "users", "add"): ["newuser", "--role", "analyst", "--data", "{outdir}"],
    ("serve", "users", "list"): ["--data", "{outdir}"],
    ("serve", "users", "disable"): ["ana", "--data", "{outdir}"],
    ("serve", "users", "enable"): ["ana", "--data", "{outdir}"],
    ("serve", "users", "passwd"): ["ana", "--data", "{outdir}"],
    ("serve", "audit", "verify"): ["--data", "{outdir}", "--head", "1:" + "0" * 64],
    ("serve", "queue", "load"): ["{batch}", "--as", "ana", "--data", "{outdir}", "--as-of",
                                 "2026-11-02", "--profiles", "{profiles}", "--capacity", "3",
                                 "--control-rate", "10%", "--seed", "1"],
    ("serve", "queue", "scan"): ["{outdir}", "--as", "sue", "--data", "{outdir}", "--as-of",
                                 "2026-11-02", "--profiles", "{profiles}"],
}  # fmt: skip

INPUTS = ("{batch}", "{mapping}", "{profiles}", "{outcomes}", "{outcomes_mapping}", "{msg}",
          "{pub}", "{key}", "{kz_key}", "{stmt}", "{history}", "{history_outcomes}", "{sanctions}",
          "{store}", "{merged_store}", "{apikeys}", "{stowplan}")  # fmt: skip
# A FIFO is an input that never ends: reading one waits for ever (it must be refused).
HOSTILE_INPUTS = ("missing", "folder", "empty", "garbage", "bad-utf8", "deep-json", "blank",
                  "fifo")  # fmt: skip
HOSTILE_OUTPUTS = ("no-folder", "is-folder", "is-input", "under-a-file", "blank")
HOSTILE_FOLDERS = ("no-folder", "is-file", "blank", "corrupt-home", "deep-home")
HOSTILE_VALUES = (
    "", "x y", "../../x", "-1", "0", "1e309", "nan", "9999-12-31T23:59:59-12:00",
    "0000-00-00", "1" * 5000, "%", "\u202e", "A" * 100_000,
)  # fmt: skip


def _leaf_commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> set[tuple[str, ...]]:
    leaves: set[tuple[str, ...]] = set()
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {path}
    for action in subs:
        if not action.required:  # the command runs on its own too ('riskprofile serve')
            leaves.add(path)
        for name, child in action.choices.items():
            leaves |= _leaf_commands(child, (*path, name))
    return leaves


def test_the_table_covers_every_command() -> None:
    assert _leaf_commands(build_parser()) == set(COMMANDS)


def _label(value: str) -> str:
    return value if len(value) <= 12 and value.isprintable() else f"{len(value)}chars"


def _cases() -> list[Any]:
    cases = []
    for command, argv in COMMANDS.items():
        for position, token in enumerate(argv):
            if token.startswith("-") and not token.lstrip("-").isdigit():
                continue  # an option name
            if token in INPUTS:
                hostile: tuple[str, ...] = HOSTILE_INPUTS
            elif token.startswith("{out}"):
                hostile = HOSTILE_OUTPUTS
            elif token == "{outdir}":
                hostile = HOSTILE_FOLDERS
            else:
                hostile = HOSTILE_VALUES
            cases.extend(
                pytest.param(command, position, value,
                             id=f"{' '.join(command)}:{token}={_label(value)}")
                for value in hostile
            )  # fmt: skip
    return cases


@pytest.fixture(scope="module", autouse=True)
def _one_parser_and_cheap_password_hashes() -> Iterator[None]:
    """The module's 1,500 runs share one parser: ``main`` builds the whole parser on each
    call (about 10 ms: argparse makes a help formatter for every option it adds), which
    no hostile value changes, and parsing leaves the parser as it was. Passwords are
    hashed with argon2id at its lowest cost, as in the workbench's own tests (0.2 s of
    CPU a hash at the real cost; the hash records its parameters)."""
    from riskprofile import cli

    parser = cli.build_parser()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "build_parser", lambda: parser)
        try:
            from argon2 import PasswordHasher

            from riskprofile.serve.web import _users
        except ImportError:  # no serve extra: its commands say so, at no cost
            pass
        else:
            cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
            patch.setattr(_users, "_HASHER", cheap)
        yield


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The files of a working invocation: a small batch, a profile, outcomes, keys and a
    signed warning."""
    base = tmp_path_factory.mktemp("hostile")
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    batch = base / "batch.csv"
    batch.write_text("".join(lines[:40]), encoding="utf-8")
    profiles = base / "profiles"
    profiles.mkdir()
    (profiles / "demo.yaml").write_text(PROFILE, encoding="utf-8")
    outcomes = base / "outcomes.csv"
    shutil.copy(SAMPLE_OUTCOMES, outcomes)
    mapping = base / "mapping.yaml"
    mapping.write_text('delimiter: ","\n', encoding="utf-8")
    outcomes_mapping = base / "outcomes-mapping.yaml"
    outcomes_mapping.write_text("columns:\n  container_number: container_number\n")
    history = base / "history.csv"
    assert main(["data", "history", "-o", str(history), "--days", "20",
                 "--containers-per-day", "30", "--start", "2026-01-05"]) == 0  # fmt: skip
    keys = base / "keys"
    keys.mkdir()
    home = base / "home"
    home.mkdir()
    for pcu in ("PK-KHI", "KZ-AKT"):
        assert main(["exchange", "keygen", "--pcu", pcu, "-o", str(keys)]) == 0
    assert main(["exchange", "trust", "add", "KZ-AKT", str(keys / "KZ-AKT.pub.pem"),
                 "--home", str(home)]) == 0  # fmt: skip
    assert main(["exchange", "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"),
                 "--home", str(home)]) == 0  # fmt: skip
    from riskprofile.serve import add_key

    add_key(base / "apikeys.txt", "hostile")
    # The workbench's store (serve users/audit), in the home folder each test copies.
    for name, role in (("sue", "supervisor"), ("ana", "analyst")):
        assert main(["serve", "users", "add", name, "--role", role, "--data", str(home)]) == 0
    store = base / "store.duckdb"
    assert main(["history", "add", str(batch), "--store", str(store)]) == 0
    from riskprofile.history import trader_key
    from riskprofile.io import read_frame

    # Two traders of the store, for 'history traders merge|split'.
    trader, trader_into = (
        read_frame(batch)
        .frame.select(trader_key("consignee"))
        .drop_nulls()
        .unique(maintain_order=True)["consignee_key"][:2]
    )
    merged_store = base / "merged.duckdb"  # the two traders merged, for 'split'
    shutil.copy(store, merged_store)
    assert main(["history", "traders", "merge", trader, trader_into, "--store",
                 str(merged_store), "--note", "one NTN"]) == 0  # fmt: skip
    import datetime as dt

    from riskprofile import load_profiles, read_batch, score

    run = score(read_batch(batch).shipments, load_profiles(profiles), as_of=dt.date(2026, 11, 2))
    container = next(str(c.container_number) for c in run.containers if c.hits)
    sent = base / "sent"
    sent.mkdir()
    code = main(["exchange", "warn", "--batch", str(batch), "--profiles", str(profiles),
                 "--container", container, "--to", "KZ-AKT", "--key",
                 str(keys / "PK-KHI.key.pem"), "-o", str(sent), "--home", str(home),
                 "--as-of", "2026-11-02"])  # fmt: skip
    assert code == 0
    [msg] = sent.glob("*.json")
    rotated = base / "keys-rotated"
    assert main(["exchange", "rotate", "--key", str(keys / "KZ-AKT.key.pem"), "-o",
                 str(rotated), "--home", str(base / "rotated-home"),
                 "--as-of", "2026-11-02"]) == 0  # fmt: skip
    hostile = base / "hostile"
    hostile.mkdir()
    (hostile / "empty").write_bytes(b"")
    (hostile / "garbage").write_bytes(bytes(range(256)) * 64)
    (hostile / "bad-utf8").write_bytes(b"id: x\n\xff\xfe title: \xc3\x28\n")
    (hostile / "deep-json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    (hostile / "a-file").write_text("x", encoding="utf-8")
    os.mkfifo(hostile / "fifo")
    for name, content in (("corrupt-home", b"\x00garbage{"), ("deep-home", b"[" * 5000)):
        (hostile / name).mkdir()  # a trust store and a log that are not what they claim
        (hostile / name / "trust.json").write_bytes(content)
        (hostile / name / "log.sqlite").write_bytes(content * 100)
    return {
        "{batch}": str(batch), "{profiles}": str(profiles), "{outcomes}": str(outcomes),
        "{mapping}": str(mapping), "{outcomes_mapping}": str(outcomes_mapping),
        "{msg}": str(msg), "{pub}": str(keys / "KZ-AKT.pub.pem"),
        "{key}": str(keys / "PK-KHI.key.pem"), "{container}": container,
        "{kz_key}": str(keys / "KZ-AKT.key.pem"),
        "{stmt}": str(rotated / "KZ-AKT.rotation.json"), "{kid}": "ab" * 32,
        "{home}": str(home), "{history}": str(history),
        "{history_outcomes}": str(history.with_suffix(".outcomes.csv")),
        "base": str(base), "hostile": str(hostile),
        "{sanctions}": str(Path(__file__).parents[1] / "data" / "lists" / "un_consolidated.xml"),
        "{store}": str(store), "{merged_store}": str(merged_store), "{trader}": trader,
        "{trader_into}": trader_into,
        "{apikeys}": str(base / "apikeys.txt"),
        "{stowplan}": str(Path(__file__).parents[1] / "data" / "edifact" / "baplie-smdg22.edi"),
    }  # fmt: skip


def _files(world: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each file of the world, with its size and modification time."""
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in Path(world["base"]).rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def world_files(world: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The world as the cases found it: no case may change it (a case that wrote over
    the batch would leave every later case reading something else)."""
    return _files(world)


def _argv(
    command: tuple[str, ...], world: dict[str, str], tmp: Path, replace: dict[int, str]
) -> list[str]:
    argv = []
    home = tmp / "home"
    if not home.exists():
        shutil.copytree(world["{home}"], home)
    for position, token in enumerate(COMMANDS[command]):
        token = replace.get(position, token)
        if token.startswith("{out}"):
            token = str(tmp / ("out" + token[len("{out}") :]))
        elif token == "{outdir}":
            token = str(home)
        elif token in ("{store}", "{merged_store}"):  # a copy: 'traders merge' changes it
            store = tmp / Path(world[token]).name
            if not store.exists():
                shutil.copy(world[token], store)
            token = str(store)
        else:
            token = world.get(token, token)
        argv.append(token)
    return [*command, *argv]


def _hostile(kind: str, world: dict[str, str], token: str, command: tuple[str, ...]) -> str:
    hostile = Path(world["hostile"])
    if kind == "is-input":
        # One of the command's own inputs; a command without any gets an existing file
        # of its own, which it may overwrite: never a file of the world another case reads.
        own = [t for t in COMMANDS[command] if t in INPUTS]
        if own:
            return world[own[0]]
        existing = Path.cwd() / "existing-file.csv"
        shutil.copy(world["{batch}"], existing)
        return str(existing)
    if kind in ("corrupt-home", "deep-home"):  # a copy: a command may write into it
        copy = Path.cwd() / kind
        shutil.copytree(hostile / kind, copy)
        return str(copy)
    return {
        "missing": str(hostile / "no-such-file"),
        "folder": str(hostile),
        "empty": str(hostile / "empty"),
        "garbage": str(hostile / "garbage"),
        "bad-utf8": str(hostile / "bad-utf8"),
        "deep-json": str(hostile / "deep-json"),
        "fifo": str(hostile / "fifo"),
        "blank": "",
        # In the case's own folder: a command may make it (keygen -o makes its folder).
        "no-folder": str(Path.cwd() / "no-such-folder" / ("x" + token[len("{out}") :])),
        "is-folder": str(hostile),
        "under-a-file": str(hostile / "a-file" / "x.csv"),
        "is-file": str(hostile / "a-file"),
    }[kind]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    _, err = capsys.readouterr()
    return code, err


def test_the_working_invocations_work(
    world: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Without this, a hostile case could 'pass' because the base call never worked."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKPROFILE_EXCHANGE_HOME", raising=False)
    for command in COMMANDS:
        code, err = _run(_argv(command, world, tmp_path / "-".join(command), {}), capsys)
        assert code in (0, 1), f"{command}: exit {code}\n{err}"


@pytest.mark.parametrize(("command", "position", "value"), _cases())
def test_hostile_argument_gives_a_message_not_a_traceback(
    command: tuple[str, ...], position: int, value: str, world: dict[str, str],
    world_files: dict[str, tuple[int, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKPROFILE_EXCHANGE_HOME", raising=False)
    token = COMMANDS[command][position]
    is_path = token in INPUTS or token.startswith("{out}") or token == "{outdir}"
    replacement = _hostile(value, world, token, command) if is_path else value
    argv = _argv(command, world, tmp_path, {position: replacement})
    code, err = _run(argv, capsys)
    changed = {path for path, _ in _files(world).items() ^ world_files.items()}
    assert not changed, f"{' '.join(argv)[:300]}\nchanged the world's {sorted(changed)}"
    assert "Traceback" not in err, f"{' '.join(argv)[:300]}\n{err[-3000:]}"
    assert code != EXIT_INTERNAL_ERROR, f"{' '.join(argv)[:300]}\n{err[-3000:]}"
    if code not in (0, 1):
        assert err.strip(), "a refusal must say why"
        assert len(err.strip().splitlines()[-1]) < 2000, "the message is one readable line"
