"""A killed import loses nothing: kill it at every file step, import again, check.

The import runs in a forked child that kills itself (SIGKILL: no cleanup, no flush) just
before its N-th file operation - every open, rename, removal, temporary file and log
connection, as the interpreter's audit hooks report them - for every N until the import
finishes unkilled. After each kill the same message is imported again, as an operator
would: the warning must be in the watch list exactly once, every file must be whole, and
the log must hold one ``received`` and no refusal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from riskprofile.exchange import ExchangeLog, SigningKey, TrustStore, import_message, sign
from tests.exchange.conftest import NOW, make_warning

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

_STEPS = frozenset({"open", "os.rename", "os.remove", "os.unlink", "os.mkdir", "os.chmod",
                    "tempfile.mkstemp", "sqlite3.connect"})  # fmt: skip


def _import_killed_at(step: int, data: bytes, trust: TrustStore, home: Path, into: Path) -> bool:
    """Import ``data`` in a child killed before its ``step``-th file operation; True when
    the kill happened (False: the import finished first)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        seen = 0

        def hook(event: str, args: tuple[Any, ...]) -> None:
            nonlocal seen
            if event in _STEPS:
                seen += 1
                if seen == step:
                    os.kill(os.getpid(), signal.SIGKILL)

        try:
            log = ExchangeLog(home / "log.sqlite")
            sys.addaudithook(hook)
            import_message(data, trust=trust, log=log, into=into, now=NOW)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, "the import failed in the child"
    return False


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None, path
        assert "value" in reader.fieldnames, path
        return list(reader)


def test_an_import_killed_at_any_step_is_completed_by_importing_again(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    earlier = sign(make_warning("w-earlier-01", container_number="TGHU1234567"), pk_key)
    data = sign(make_warning("w-killed-001"), pk_key)
    base = tmp_path / "base"
    import_message(earlier, trust=kz_trust, log=ExchangeLog(base / "home" / "log.sqlite"),
                   into=base / "into", now=NOW)  # fmt: skip
    killed_at = []
    for step in range(1, 200):
        shutil.copytree(base, tmp_path / str(step))
        home, into = tmp_path / str(step) / "home", tmp_path / str(step) / "into"
        log = ExchangeLog(home / "log.sqlite")
        if not _import_killed_at(step, data, kz_trust, home, into):
            break
        killed_at.append(step)
        # every file the killed import may have touched is whole
        state = json.loads((into / "partner_warnings.json").read_text(encoding="utf-8"))
        assert "w-earlier-01" in state
        assert "TGHU1234567" in [r["value"] for r in _rows(into / "partner_warnings.csv")]
        _rows(into / "partner_warning_bls.csv")
        # the operator imports the message again
        again = import_message(data, trust=kz_trust, log=log, into=into, now=NOW)
        assert again.active_warnings == 2, step
        values = [r["value"] for r in _rows(into / "partner_warnings.csv")]
        assert sorted(values) == ["MSKU1234565", "TGHU1234567"], step
        entries = log.query(message_id="w-killed-001")
        assert [e.direction for e in entries].count("received") == 1, step
        assert "rejected" not in [e.direction for e in entries], step
        assert "imported" in [e.direction for e in entries], step
        # and once more: nothing changes
        assert import_message(data, trust=kz_trust, log=log, into=into, now=NOW).already_imported
    else:  # pragma: no cover - the loop must end by an unkilled import
        pytest.fail("the import was still killed after 200 steps")
    # the kill points covered the whole import: reading, each file written, the log
    assert len(killed_at) >= 8, killed_at


def test_a_message_imported_into_one_folder_is_imported_into_another(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    data = sign(make_warning(), pk_key)
    first = import_message(data, trust=kz_trust, log=log, into=tmp_path / "a", now=NOW)
    second = import_message(data, trust=kz_trust, log=log, into=tmp_path / "b", now=NOW)
    assert (first.already_imported, second.already_imported) == (False, False)
    assert [r["value"] for r in _rows(tmp_path / "b" / "partner_warnings.csv")] == ["MSKU1234565"]
    assert import_message(data, trust=kz_trust, log=log, into=tmp_path / "b",
                          now=NOW).already_imported  # fmt: skip
    assert [e.direction for e in log] == ["received", "imported", "imported"]
    assert log.query(direction="imported")[1].note.endswith(str(tmp_path / "b"))


def test_the_watch_list_says_who_warned_and_when(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    created = dt.datetime(2026, 11, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    warning = make_warning(created=created, expires=NOW + dt.timedelta(days=3))
    import_message(sign(warning, pk_key), trust=kz_trust, log=log, into=tmp_path, now=NOW)
    for name in ("partner_warnings.csv", "partner_warning_bls.csv"):
        (row,) = _rows(tmp_path / name)
        # the creation date in UTC: 23:30 at UTC-5 is the next day
        assert (row["source"], row["added"]) == ("PK-KHI", "2026-11-02")
        assert row["expires"] == (NOW + dt.timedelta(days=3)).isoformat()


def test_concurrent_imports_into_one_folder_lose_nothing(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    numbers = ["MSKU1234565", "TGHU1234567", "CSQU3054383", "MAEU1234567", "MSCU1234566",
               "TCLU1234568", "HLXU1234569", "OOLU1234560"]  # fmt: skip
    messages = [sign(make_warning(f"w-parallel-{i:02d}", container_number=n), pk_key)
                for i, n in enumerate(numbers)]  # fmt: skip
    ExchangeLog(tmp_path / "log.sqlite")
    children = []
    for data in messages:
        pid = os.fork()
        if pid == 0:
            try:
                log = ExchangeLog(tmp_path / "log.sqlite")
                import_message(data, trust=kz_trust, log=log, into=tmp_path / "wl", now=NOW)
            except BaseException:
                os._exit(1)
            os._exit(0)
        children.append(pid)
    assert all(os.waitpid(pid, 0)[1] == 0 for pid in children)
    values = sorted(r["value"] for r in _rows(tmp_path / "wl" / "partner_warnings.csv"))
    assert values == sorted(numbers)


def test_atomic_writes_keep_the_usual_file_mode(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        log = ExchangeLog(tmp_path / "log.sqlite")
        import_message(sign(make_warning(), pk_key), trust=kz_trust, log=log, into=tmp_path,
                       now=NOW)  # fmt: skip
    finally:
        os.umask(old)
    assert (tmp_path / "partner_warnings.csv").stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob(".*.tmp"))
