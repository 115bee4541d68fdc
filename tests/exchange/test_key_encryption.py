"""Private keys encrypted with a passphrase: from the environment or the prompt, never an
argument; a missing or wrong passphrase is a one-line error naming the key file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.errors import InputFormatError
from riskprofile.exchange import SigningKey, generate_keys
from riskprofile.exchange._signing import PASSPHRASE_VARIABLE, is_encrypted
from tests.profile_memo import load_once

SAMPLE = "examples/data/karachi-sample.csv"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


def test_an_encrypted_key_loads_with_its_passphrase_only(tmp_path: Path) -> None:
    private, _public = generate_keys("PK-KHI", tmp_path, passphrase=b"correct horse")
    data = private.read_bytes()
    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert is_encrypted(private)
    assert private.stat().st_mode & 0o077 == 0
    key = SigningKey.load(private, passphrase=b"correct horse")
    assert key.pcu == "PK-KHI"
    with pytest.raises(InputFormatError, match="wrong passphrase") as wrong:
        SigningKey.load(private, passphrase=b"battery staple")
    assert str(private) in str(wrong.value)
    with pytest.raises(InputFormatError, match="encrypted: give its passphrase"):
        SigningKey.load(private)
    # an unencrypted key still loads, the passphrase being needless
    plain, _ = generate_keys("KZ-AKT", tmp_path)
    assert not is_encrypted(plain)
    assert SigningKey.load(plain, passphrase=b"ignored").pcu == "KZ-AKT"


def test_keygen_encrypts_with_the_passphrase_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_VARIABLE, "correct horse")
    keys = tmp_path / "keys"
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys), "--encrypt"]) == 0
    assert "encrypted with the passphrase" in capsys.readouterr().out
    private = keys / "PK-KHI.key.pem"
    assert is_encrypted(private)
    assert b"correct horse" not in private.read_bytes()
    # warn signs with it, the passphrase again from the environment
    argv = ["exchange", "warn", "--batch", SAMPLE, "--container", "PCIU6784682", "--to",
            "KZ-AKT", "--key", str(private), "-o", str(tmp_path / "out"), "--home",
            str(tmp_path / "home"), "--as-of", "2026-11-02"]  # fmt: skip
    assert main(argv) == 0
    (sent,) = (tmp_path / "out").glob("*.json")
    assert json.loads(sent.read_bytes())["sender"] == "PK-KHI"
    # a wrong passphrase, or none and no terminal to type it at: exit 2, one line
    monkeypatch.setenv(PASSPHRASE_VARIABLE, "wrong")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"{private}: wrong passphrase for the encrypted private key")
    monkeypatch.delenv(PASSPHRASE_VARIABLE)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(argv) == 2
    assert PASSPHRASE_VARIABLE in capsys.readouterr().err
    assert main(["exchange", "keygen", "--pcu", "KZ-AKT", "-o", str(keys), "--encrypt"]) == 2
    assert not (keys / "KZ-AKT.key.pem").exists()


def test_keygen_asks_at_the_prompt_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["s3cret phrase", "s3cret phrase", "one", "another"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    keys = tmp_path / "keys"
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys), "--encrypt"]) == 0
    SigningKey.load(keys / "PK-KHI.key.pem", passphrase=b"s3cret phrase")
    assert main(["exchange", "keygen", "--pcu", "KZ-AKT", "-o", str(keys), "--encrypt"]) == 2
    assert "differ" in capsys.readouterr().err


def test_no_option_takes_a_passphrase() -> None:
    """A passphrase on the command line is visible to every user of the machine."""
    from riskprofile.cli import build_parser

    def options(parser: object) -> set[str]:
        import argparse

        assert isinstance(parser, argparse.ArgumentParser)
        found: set[str] = set()
        for action in parser._actions:
            found.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    found |= options(child)
        return found

    # reading one from standard input (--password-stdin) is safe
    secret = [o for o in options(build_parser()) if "pass" in o.lower() and "stdin" not in o]
    assert not secret
