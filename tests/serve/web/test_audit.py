"""The audit log: appended in the transaction of the change, hash-chained, refused to be
edited by the database, and any single edit, removal or insertion found by verify."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.serve.web import WebStore, record, verify
from riskprofile.serve.web._audit import GENESIS, entries
from tests.depth import depth

_COLUMNS = ("seq", "at", "actor", "action", "target", "before", "after", "prev", "hash")


def _log(path: Path, count: int) -> WebStore:
    store = WebStore(str(path))
    for n in range(count):
        with store.write() as tx:
            record(
                tx,
                f"user{n % 3}",
                "thing.change",
                f"target-{n}",
                before={"n": n} if n % 2 else None,
                after={"n": n + 1},
            )
    return store


def _raw(path: Path) -> sqlite3.Connection:
    """A connection that goes around the application (as someone with the file would),
    with the append-only triggers dropped."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("DROP TRIGGER web_audit_no_update")
    connection.execute("DROP TRIGGER web_audit_no_delete")
    return connection


def test_an_intact_log_verifies_and_names_its_head(tmp_path: Path) -> None:
    store = _log(tmp_path / "w.sqlite", 5)
    report = verify(store)
    assert report.intact
    assert (report.entries, report.head_seq) == (5, 5)
    with store.read() as tx:
        chain = entries(tx)
    assert chain[0].prev == GENESIS
    assert all(b.prev == a.hash for a, b in itertools.pairwise(chain))
    assert report.head_hash == chain[-1].hash


def test_the_database_refuses_to_edit_or_delete_an_entry(tmp_path: Path) -> None:
    store = _log(tmp_path / "w.sqlite", 2)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), store.write() as tx:
        tx.execute("UPDATE web_audit SET actor = 'someone else' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), store.write() as tx:
        tx.execute("DELETE FROM web_audit WHERE seq = 2")
    assert verify(store).intact


def test_an_entry_is_written_with_its_change_or_not_at_all(tmp_path: Path) -> None:
    store = _log(tmp_path / "w.sqlite", 1)

    def failing_change() -> None:
        with store.write() as tx:
            record(tx, "ana", "thing.change", "x")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert verify(store).entries == 1


def _edited(value: Any, column: str) -> Any:
    if column == "seq":
        return int(value) + 100
    if value is None:
        return '{"n": 0}'
    return str(value)[:-1] + ("0" if str(value)[-1:] != "0" else "1")


@settings(max_examples=depth(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=1, max_value=6),
    data=st.data(),
)
def test_any_single_edit_removal_or_insertion_is_found(
    tmp_path_factory: pytest.TempPathFactory, count: int, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("audit") / "w.sqlite"
    store = _log(path, count)
    with store.read() as tx:
        head = entries(tx)[-1]
    kind = data.draw(st.sampled_from(["edit", "remove", "insert"]))
    seq = data.draw(st.integers(min_value=1, max_value=count))
    raw = _raw(path)
    row = raw.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM web_audit WHERE seq = ?", (seq,)
    ).fetchone()
    if kind == "edit":
        column = data.draw(st.sampled_from(_COLUMNS))
        raw.execute(
            f"UPDATE web_audit SET {column} = ? WHERE seq = ?",
            (_edited(row[_COLUMNS.index(column)], column), seq),
        )
    elif kind == "remove":
        raw.execute("DELETE FROM web_audit WHERE seq = ?", (seq,))
    else:  # a forged entry after seq, the later ones moved up by one
        raw.execute("UPDATE web_audit SET seq = seq + 1000 WHERE seq > ?", (seq,))
        raw.execute("UPDATE web_audit SET seq = seq - 999 WHERE seq > 1000")
        forged = list(row)
        forged[0], forged[3] = seq + 1, "forged.entry"
        raw.execute(f"INSERT INTO web_audit VALUES ({', '.join('?' * 9)})", forged)
    raw.close()
    store.close()
    report = verify(WebStore(str(path)), head=(head.seq, head.hash))
    assert not report.intact, (kind, seq)


def test_an_entry_cut_off_the_end_is_found_only_against_a_recorded_head(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    store = _log(path, 3)
    head = verify(store)
    raw = _raw(path)
    raw.execute("DELETE FROM web_audit WHERE seq = 3")
    raw.close()
    assert verify(store).intact  # a chain alone cannot tell
    report = verify(store, head=(head.head_seq, head.head_hash))
    assert not report.intact
    assert "entry 3, is gone" in report.problems[0]


def test_audit_verify_command_exits_1_naming_the_edited_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["serve", "users", "add", "sue", "--role", "supervisor", "--data", str(data)]) == 0
    assert main(["serve", "users", "add", "ana", "--role", "analyst", "--data", str(data)]) == 0
    assert main(["serve", "audit", "verify", "--data", str(data)]) == 0
    assert "audit log intact: 2 entries" in capsys.readouterr().out
    raw = _raw(data / "workbench.sqlite")
    raw.execute('UPDATE web_audit SET after = \'{"role": "supervisor"}\' WHERE seq = 2')
    raw.close()
    assert main(["serve", "audit", "verify", "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "entry 2 (user.add by cli:" in out
    assert "BROKEN" in out
