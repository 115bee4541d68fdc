"""The exchange log: append-only, queryable by kind, partner, date and message id."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from riskprofile.exchange import ExchangeLog
from tests.exchange.conftest import NOW


@pytest.fixture
def log(tmp_path: Path) -> ExchangeLog:
    log = ExchangeLog(tmp_path / "log.sqlite")
    day = dt.timedelta(days=1)
    log.record("sent", at=NOW, kind="warning", message_id="w-1", sender="PK-KHI",
               partner="KZ-AKT", redacted=["parties.name: hash"])  # fmt: skip
    log.record("sent", at=NOW, kind="warning", message_id="w-2", sender="PK-KHI",
               partner="TM-TKM")  # fmt: skip
    log.record("received", at=NOW + day, kind="feedback", message_id="f-1",
               sender="KZ-AKT", partner="KZ-AKT")  # fmt: skip
    return log


def test_queries(log: ExchangeLog) -> None:
    assert [e.message_id for e in log.query(kind="warning")] == ["w-1", "w-2"]
    assert [e.message_id for e in log.query(partner="KZ-AKT")] == ["w-1", "f-1"]
    assert [e.message_id for e in log.query(since=NOW + dt.timedelta(hours=1))] == ["f-1"]
    assert [e.message_id for e in log.query(until=NOW + dt.timedelta(hours=1))] == ["w-1", "w-2"]
    assert log.query(message_id="w-1")[0].redacted == ("parties.name: hash",)
    assert log.received("f-1")
    assert not log.received("w-1")
    assert [e.seq for e in log] == [1, 2, 3]


def test_append_only(log: ExchangeLog) -> None:
    db = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE entries SET note = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM entries")
    db.close()


def test_naive_times_are_refused(log: ExchangeLog) -> None:
    with pytest.raises(ValueError, match="timezone"):
        log.record("sent", at=dt.datetime(2026, 11, 2))
