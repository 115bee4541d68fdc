"""The warning -> feedback -> seizure chain: `exchange feedback` and `exchange seizure`
answer a warning received, naming it; verify, import and the log follow the chain; the
log records the wall-clock time beside the time judged at."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.exchange import ExchangeLog, to_feedback, to_seizure
from tests.exchange.conftest import NOW, make_warning
from tests.profile_memo import load_once

SAMPLE = "examples/data/karachi-sample.csv"
AS_OF = "2026-11-02T09:00:00Z"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["exchange", *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def pcus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Karachi and Aktau, each trusting the other; Karachi has warned Aktau."""
    keys = tmp_path / "keys"
    pk, kz = tmp_path / "pk", tmp_path / "kz"
    for pcu in ("PK-KHI", "KZ-AKT"):
        assert main(["exchange", "keygen", "--pcu", pcu, "-o", str(keys)]) == 0
    assert (
        main(
            ["exchange", "trust", "add", "KZ-AKT", str(keys / "KZ-AKT.pub.pem"), "--home", str(pk)]
        )
        == 0
    )
    assert (
        main(
            ["exchange", "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"), "--home", str(kz)]
        )
        == 0
    )
    code, _out, err = _main(
        capsys,
        "warn",
        "--batch",
        SAMPLE,
        "--container",
        "PCIU6784682",
        "--to",
        "KZ-AKT",
        "--key",
        str(keys / "PK-KHI.key.pem"),
        "-o",
        str(tmp_path / "to-kz"),
        "--home",
        str(pk),
        "--as-of",
        AS_OF,
    )
    assert code == 0, err
    (warning,) = (tmp_path / "to-kz").glob("*.json")
    return {
        "pk": str(pk),
        "kz": str(kz),
        "keys": str(keys),
        "warning": str(warning),
        "tmp": str(tmp_path),
    }


def test_feedback_and_seizure_answer_the_warning_and_the_log_follows_the_chain(
    pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp, kz_key = Path(pcus["tmp"]), str(Path(pcus["keys"]) / "KZ-AKT.key.pem")
    warning_id = json.loads(Path(pcus["warning"]).read_bytes())["payload"]["message_id"]
    # Aktau imports the warning, inspects, and answers (the warning has expired by then:
    # feedback may come late).
    assert (
        _main(
            capsys,
            "import",
            pcus["warning"],
            "--into",
            str(tmp / "kz-wl"),
            "--home",
            pcus["kz"],
            "--as-of",
            AS_OF,
        )[0]
        == 0
    )
    late = "2026-12-20T10:00:00Z"
    code, out, err = _main(
        capsys,
        "feedback",
        pcus["warning"],
        "--result",
        "seizure",
        "--finding",
        "heroin in the door panels",
        "--key",
        kz_key,
        "-o",
        str(tmp / "to-pk"),
        "--home",
        pcus["kz"],
        "--as-of",
        late,
    )
    assert code == 0, err
    code, out, err = _main(
        capsys,
        "seizure",
        "--warning",
        pcus["warning"],
        "--goods-category",
        "heroin",
        "--quantity",
        "12.5",
        "--unit",
        "kg",
        "--concealment",
        "door panels",
        "--photo",
        "case-77/1.jpg",
        "--key",
        kz_key,
        "-o",
        str(tmp / "to-pk"),
        "--home",
        pcus["kz"],
        "--as-of",
        late,
    )
    assert code == 0, err
    sent = {json.loads(p.read_bytes())["payload"]["kind"]: p for p in (tmp / "to-pk").iterdir()}
    assert set(sent) == {"feedback", "seizure"}
    seizure = json.loads(sent["seizure"].read_bytes())["payload"]
    assert seizure["warning_id"] == warning_id
    assert seizure["recipients"] == ["PK-KHI"]
    assert seizure["container_number"] == "PCIU6784682"
    assert seizure["route"]  # the warning's route
    # Karachi verifies and imports both: they answer a warning it sent to Aktau.
    code, out, _ = _main(
        capsys, "verify", str(sent["feedback"]), "--home", pcus["pk"], "--as-of", late
    )
    assert (code, out.split()[:4]) == (0, ["ok:", "feedback", "on", "warning"])
    assert warning_id in out
    for kind in ("feedback", "seizure"):
        code, out, _ = _main(
            capsys,
            "import",
            str(sent[kind]),
            "--into",
            str(tmp / "pk-in"),
            "--home",
            pcus["pk"],
            "--as-of",
            late,
        )
        assert code == 0
        assert f"on warning {warning_id}, sent to KZ-AKT" in out
    with (tmp / "pk-in" / "outcomes.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["kind"], r["warning_id"], r["result"]) for r in rows] == [
        ("feedback", warning_id, "seizure"),
        ("seizure", warning_id, "seizure"),
    ]
    # The log gives the whole chain of the warning.
    code, out, _ = _main(
        capsys, "log", "--home", pcus["pk"], "--warning", warning_id, "--format", "json"
    )
    chain = [(e["direction"], e["kind"]) for e in json.loads(out)]
    assert chain == [
        ("sent", "warning"),
        ("received", "feedback"),
        ("imported", "feedback"),
        ("received", "seizure"),
        ("imported", "seizure"),
    ]
    code, out, _ = _main(capsys, "log", "--home", pcus["kz"], "--warning", warning_id)
    assert [line.split()[4] for line in out.splitlines()] == [
        "received",
        "imported",
        "sent",
        "sent",
    ]


def test_an_answer_to_a_warning_never_sent_is_said(
    tmp_path: Path, pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.exchange import SigningKey, sign

    kz = SigningKey.load(Path(pcus["keys"]) / "KZ-AKT.key.pem")
    unknown = make_warning("w-never-sent-1", sender="PK-KHI", recipients=["KZ-AKT"])
    feedback = to_feedback(unknown, sender="KZ-AKT", created=NOW, result="nothing_found")
    path = tmp_path / "fb.json"
    path.write_bytes(sign(feedback, kz))
    code, out, _ = _main(
        capsys,
        "import",
        str(path),
        "--into",
        str(tmp_path / "in"),
        "--home",
        pcus["pk"],
        "--as-of",
        AS_OF,
    )
    assert code == 0
    assert "which this log has no record of sending to KZ-AKT" in out


def test_answers_are_refused_cleanly(
    pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp, keys = Path(pcus["tmp"]), Path(pcus["keys"])
    out_dir = str(tmp / "out")
    kz_key = str(keys / "KZ-AKT.key.pem")
    # the warning was not addressed to Karachi: it cannot answer it
    code, _, err = _main(
        capsys,
        "feedback",
        pcus["warning"],
        "--result",
        "nothing_found",
        "--key",
        str(keys / "PK-KHI.key.pem"),
        "-o",
        out_dir,
        "--home",
        pcus["kz"],
    )
    assert code == 2
    assert "not to PK-KHI" in err
    # Aktau's trust store does not hold Karachi's key: the warning cannot be authenticated
    code, _, err = _main(
        capsys,
        "feedback",
        pcus["warning"],
        "--result",
        "nothing_found",
        "--key",
        kz_key,
        "-o",
        out_dir,
        "--home",
        str(tmp / "empty"),
    )
    assert code == 2
    assert "unknown_sender" in err
    # a seizure without a warning needs --to; a quantity must be a decimal number
    common = [
        "--goods-category",
        "heroin",
        "--unit",
        "kg",
        "--concealment",
        "x",
        "--key",
        kz_key,
        "-o",
        out_dir,
        "--home",
        pcus["kz"],
    ]
    code, _, err = _main(capsys, "seizure", "--quantity", "1", *common)
    assert code == 2
    assert "--warning" in err
    code, _, err = _main(capsys, "seizure", "--quantity", "1e9", "--to", "PK-KHI", *common)
    assert code == 2
    assert "--quantity" in err
    assert not Path(out_dir).exists()


def test_a_seizure_without_a_warning_goes_to_whom_it_names() -> None:
    seizure = to_seizure(
        None,
        sender="KZ-AKT",
        created=NOW,
        recipients=["PK-KHI", "TM-ASB"],
        container_number="MSKU1234565",
        goods_category="cigarettes",
        quantity="4000",
        unit="pieces",
        concealment="false floor",
    )
    assert seizure.warning_id is None
    assert seizure.recipients == ["PK-KHI", "TM-ASB"]
    warning = make_warning()
    with pytest.raises(ValueError, match="not to TM-ASB"):
        to_feedback(warning, sender="TM-ASB", created=NOW, result="nothing_found")
    answer = to_feedback(warning, sender="KZ-AKT", created=NOW, result="not_inspected")
    assert (answer.inspected, answer.warning_id, answer.recipients) == (
        False,
        warning.message_id,
        ["PK-KHI"],
    )


def test_the_log_records_the_wall_clock_beside_the_time_judged_at(tmp_path: Path) -> None:
    wall = dt.datetime(2027, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    log = ExchangeLog(tmp_path / "log.sqlite", clock=lambda: wall)
    log.record("sent", at=NOW, kind="warning", message_id="w-00000001", partner="KZ-AKT")
    (entry,) = log.query()
    assert (entry.at, entry.recorded) == (NOW, wall)
    # the default clock is the machine's
    before = dt.datetime.now(tz=dt.UTC)
    ExchangeLog(tmp_path / "log.sqlite").record("sent", at=NOW, message_id="w-00000002")
    after = dt.datetime.now(tz=dt.UTC)
    recorded = ExchangeLog(tmp_path / "log.sqlite").query()[-1].recorded
    assert recorded is not None
    assert before <= recorded <= after


def test_a_log_written_before_the_wall_clock_was_kept_gains_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    with sqlite3.connect(path) as db:  # the schema of the first release
        db.executescript("""
            CREATE TABLE entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                direction TEXT NOT NULL, kind TEXT, message_id TEXT, sender TEXT,
                partner TEXT, digest TEXT, redacted TEXT NOT NULL DEFAULT '[]',
                note TEXT NOT NULL DEFAULT '');
            INSERT INTO entries (at, direction, message_id) VALUES
                ('2026-11-02T08:00:00+00:00', 'sent', 'w-00000001');
        """)
    db.close()
    log = ExchangeLog(path)
    log.record("sent", at=NOW, message_id="w-00000002")
    old, new = log.query()
    assert (old.recorded, old.refers_to) == (None, None)
    assert new.recorded is not None
