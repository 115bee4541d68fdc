"""``riskprofile exchange``: keygen, trust, warn, verify, import, log, end to end."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from riskprofile.cli import main
from tests.profile_memo import load_once

SAMPLE = "examples/data/karachi-sample.csv"
AS_OF = "2026-11-02T09:00:00Z"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["exchange", *argv])
    return code, capsys.readouterr().out


def test_warn_verify_import_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys, pk, kz = tmp_path / "keys", str(tmp_path / "pk"), str(tmp_path / "kz")
    assert _run(capsys, "keygen", "--pcu", "PK-KHI", "-o", str(keys))[0] == 0
    assert _run(capsys, "keygen", "--pcu", "PK-KHI", "-o", str(keys))[0] == 2
    assert (
        _run(capsys, "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"), "--home", kz)[0] == 0
    )
    code, out = _run(capsys, "trust", "list", "--home", kz)
    assert out.startswith("PK-KHI\t")

    run_json = tmp_path / "run.json"
    assert main(["score", SAMPLE, "--as-of", AS_OF, "-o", str(run_json)]) == 0
    top = json.loads(run_json.read_text())["containers"][0]["container_number"]
    capsys.readouterr()
    policy = tmp_path / "kz.yaml"
    policy.write_text("partner: KZ-AKT\nhash: [parties.name]\n")
    code, out = _run(capsys, "warn", "--run", str(run_json), "--container", top, "--to",
                     "KZ-AKT", "--key", str(keys / "PK-KHI.key.pem"), "--policy", str(policy),
                     "--batch", SAMPLE, "-o", str(tmp_path / "out"), "--home", pk,
                     "--as-of", AS_OF)  # fmt: skip
    assert code == 0, out
    (sent,) = (tmp_path / "out").glob("*.KZ-AKT.json")

    code, out = _run(capsys, "verify", str(sent), "--home", kz, "--as-of", AS_OF)
    assert (code, out.split()[0]) == (0, "ok:")
    code, out = _run(capsys, "import", str(sent), "--into", str(tmp_path / "wl"), "--home", kz,
                     "--as-of", AS_OF)  # fmt: skip
    assert code == 0
    assert "1 partner warning(s) in force" in out
    with (tmp_path / "wl" / "partner_warnings.csv").open() as f:
        assert [r["value"] for r in csv.DictReader(f)] == [top]
    code, out = _run(capsys, "import", str(sent), "--into", str(tmp_path / "wl"), "--home", kz,
                     "--as-of", AS_OF)  # fmt: skip
    assert "already imported" in out
    code, out = _run(capsys, "verify", str(sent), "--home", kz, "--as-of", AS_OF)
    assert (code, out.strip()) == (1, "rejected [replayed]: already received")

    code, out = _run(capsys, "log", "--home", pk, "--partner", "KZ-AKT", "--format", "json")
    (entry,) = json.loads(out)
    assert entry["direction"] == "sent"
    assert "parties.name: hash" in entry["redacted"]
    code, out = _run(capsys, "log", "--home", kz, "--direction", "imported")
    assert len(out.splitlines()) == 1


def test_warn_by_batch_and_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = tmp_path / "keys"
    main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys)])
    home = str(tmp_path / "home")
    common = ["--to", "KZ-AKT", "--key", str(keys / "PK-KHI.key.pem"), "-o", str(tmp_path),
              "--home", home, "--as-of", AS_OF]  # fmt: skip
    empty_run = tmp_path / "empty.json"
    empty_run.write_text('{"containers": [], "hits": []}')
    code, _ = _run(capsys, "warn", "--run", str(empty_run), "--container", "NONE0000000", *common)
    assert code == 2
    assert _run(capsys, "warn", "--container", "NONE0000000", *common)[0] == 2
    code, out = _run(capsys, "warn", "--batch", SAMPLE, "--container", "PCIU6784682", *common)
    assert code == 0, out
    (sent,) = tmp_path.glob("*.KZ-AKT.json")
    # the receiver does not trust PK-KHI yet
    code, out = _run(capsys, "verify", str(sent), "--home", str(tmp_path / "kz"))
    assert out.startswith("rejected [unknown_sender]")
    code, out = _run(capsys, "schema")
    assert json.loads(out)["discriminator"]["propertyName"] == "kind"


def test_refresh_rewrites_the_watch_list_and_says_how_many_expired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.exchange import ExchangeLog, TrustStore, import_message, sign
    from tests.exchange.conftest import _PK, NOW, make_warning

    trust = TrustStore()
    trust.add("PK-KHI", _PK.public_key)
    log = ExchangeLog(tmp_path / "log.sqlite")
    wl = tmp_path / "wl"
    for message_id, days, number in (("w-short-0001", 2, "MSKU1234565"),
                                      ("w-long-00001", 30, "TGHU1234567")):  # fmt: skip
        warning = make_warning(message_id, container_number=number,
                               expires=NOW + timedelta(days=days))  # fmt: skip
        import_message(sign(warning, _PK), trust=trust, log=log, into=wl, now=NOW)
    later = (NOW + timedelta(days=3)).isoformat()
    code, out = _run(capsys, "refresh", "--into", str(wl), "--as-of", later)
    assert code == 0
    assert out.strip() == f"1 partner warning(s) in force, 1 expired (left out) in {wl}"
    with (wl / "partner_warnings.csv").open() as f:
        assert [r["value"] for r in csv.DictReader(f)] == ["TGHU1234567"]
    assert main(["exchange", "refresh", "--into", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must fail cleanly: exit 2, one line on stderr, no traceback."""
    try:
        code = main(["exchange", *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("riskprofile", "usage:")), err
    return err.strip().splitlines()[-1]


def test_hostile_arguments_get_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys)]) == 0
    key = str(keys / "PK-KHI.key.pem")
    home = tmp_path / "home"
    common = ["--batch", SAMPLE, "--container", "PCIU6784682", "--home", str(home)]
    # a PCU id that would write outside -o
    assert "not a PCU id" in _refused(capsys, "keygen", "--pcu", "../../x", "-o", str(keys))
    assert not (tmp_path / "x.key.pem").exists()
    # an output folder that cannot be made or written
    blocker = tmp_path / "file"
    blocker.write_text("")
    line = _refused(capsys, "keygen", "--pcu", "KZ-AKT", "-o", str(blocker / "keys"))
    assert str(blocker / "keys") in line
    line = _refused(capsys, "warn", *common, "--to", "KZ-AKT", "--key", key, "-o", str(blocker))
    assert str(blocker) in line
    assert not (home / "log.sqlite").exists() or "sent" not in capsys.readouterr().out
    # a missing key file
    line = _refused(
        capsys, "warn", *common, "--to", "KZ-AKT", "--key", str(tmp_path / "no.key.pem")
    )
    assert "no.key.pem" in line
    # absurd validity, a recipient that is not a PCU id
    for days in ("100000000", "-5", "0", "366"):
        line = _refused(
            capsys, "warn", *common, "--to", "KZ-AKT", "--key", key, "--valid-days", days
        )
        assert "--valid-days" in line
    assert "--to" in _refused(capsys, "warn", *common, "--to", "x y", "--key", key)
    # a missing message file
    assert "nothing.json" in _refused(capsys, "verify", str(tmp_path / "nothing.json"))
    # a damaged trust store and a damaged log
    signed = tmp_path / "m.json"
    signed.write_bytes(b"{}")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "trust.json").write_text("{not json")
    assert "trust.json" in _refused(capsys, "verify", str(signed), "--home", str(bad))
    assert "trust.json" in _refused(capsys, "trust", "list", "--home", str(bad))
    (bad / "trust.json").unlink()
    (bad / "log.sqlite").write_bytes(b"garbage " * 200)
    line = _refused(
        capsys, "import", str(signed), "--into", str(tmp_path / "wl"), "--home", str(bad)
    )
    assert "log.sqlite" in line
    assert "log.sqlite" in _refused(capsys, "log", "--home", str(bad))
    # a run file that is not a run
    run = tmp_path / "run.json"
    run.write_text(
        '{"containers": [{"container_number": "PCIU6784682", "key": 1}], '
        '"hits": [{"key": 1, "weight": "x"}]}'
    )
    line = _refused(capsys, "warn", "--run", str(run), "--container", "PCIU6784682", "--to",
                    "KZ-AKT", "--key", key, "--home", str(home))  # fmt: skip
    assert "run.json" in line


def test_a_deeply_nested_message_file_is_refused_and_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = tmp_path / "nested.json"
    nested.write_bytes(b"[" * 5000 + b"]" * 5000)
    home = str(tmp_path / "home")
    code, out = _run(capsys, "import", str(nested), "--into", str(tmp_path / "wl"), "--home", home)
    assert (code, out.strip()) == (1, "rejected [too_large]: nested deeper than 16 levels")
    code, out = _run(capsys, "log", "--home", home, "--direction", "rejected")
    assert "too_large" in out


def test_warn_by_batch_makes_objects_for_the_container_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is read through the frame; only the warned container's shipments
    become :class:`~riskprofile.Shipment` objects (scored by the reference engine). The
    profiles' own examples are shipments too, made when they load: not counted."""
    import polars as pl

    from riskprofile.io import read_frame
    from riskprofile.model.shipment import Shipment

    box = "PCIU6784682"
    frame = read_frame(SAMPLE).frame
    theirs = frame.filter(pl.col("container_number") == box).height
    assert 0 < theirs < frame.height
    ids = set(frame.get_column("shipment_id").to_list())
    made: list[object] = []
    real_validate = Shipment.model_validate.__func__  # type: ignore[attr-defined]
    real_init = Shipment.__init__

    def validate(cls: type[Shipment], obj: object, *args: object, **kwargs: object) -> Shipment:
        if isinstance(obj, dict) and obj.get("shipment_id") in ids:
            made.append(obj["shipment_id"])
        return real_validate(cls, obj, *args, **kwargs)  # type: ignore[no-any-return]

    def init(self: Shipment, **data: object) -> None:
        if data.get("shipment_id") in ids:
            made.append(data["shipment_id"])
        real_init(self, **data)

    monkeypatch.setattr(Shipment, "model_validate", classmethod(validate))
    monkeypatch.setattr(Shipment, "__init__", init)
    keys = tmp_path / "keys"
    main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys)])
    code, out = _run(capsys, "warn", "--batch", SAMPLE, "--container", box, "--to", "KZ-AKT",
                     "--key", str(keys / "PK-KHI.key.pem"), "-o", str(tmp_path / "out"),
                     "--home", str(tmp_path / "home"), "--as-of", AS_OF)  # fmt: skip
    assert code == 0, out
    assert len(made) == theirs
