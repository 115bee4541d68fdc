"""``riskprofile serve users ...`` and ``serve --web``: the first supervisor from the
command line, passwords shown once or read from standard input, refusals in one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.serve.web import WebStore, list_users
from riskprofile.serve.web._users import authenticate
from tests.serve.web.conftest import DOCUMENTARY


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_first_supervisor_is_made_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, _ = _run(
        ["serve", "users", "add", "sue", "--role", "supervisor", "--data", str(data)], capsys
    )
    assert code == 0
    password = out.split("password (shown once; change it on the Account page): ")[1].strip()
    store = WebStore(str(data / "workbench.sqlite"))
    user, _ = authenticate(store, "sue", password)
    assert user is not None
    assert user.role == "supervisor"
    with store.read() as tx:
        assert [u.username for u in list_users(tx)] == ["sue"]
        [(actor, action)] = tx.rows("SELECT actor, action FROM web_audit WHERE action = 'user.add'")
    assert actor.startswith("cli:")
    assert action == "user.add"


def test_a_password_given_on_standard_input_is_used_and_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, out, _ = _run(
        [
            "serve",
            "users",
            "add",
            "ana",
            "--role",
            "analyst",
            "--data",
            str(data),
            "--password-stdin",
        ],
        capsys,
    )
    assert code == 0
    assert "a long enough password" not in out
    store = WebStore(str(data / "workbench.sqlite"))
    assert authenticate(store, "ana", "a long enough password")[0] is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["users", "add", "Bad Name", "--role", "analyst"], "user name 'Bad Name'"),
        (["users", "list"], "no workbench store there"),
        (["users", "disable", "nobody"], "no workbench store there"),
    ],
)
def test_refusals_name_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(["serve", *argv, "--data", str(tmp_path / "data")], capsys)
    assert code == 2
    assert message in err


def test_a_short_password_and_a_taken_name_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = _run(
        ["serve", "users", "add", "ana", "--role", "analyst", "--data", data, "--password-stdin"],
        capsys,
    )
    assert code == 2
    assert "at least 12 characters" in err
    assert (
        _run(["serve", "users", "add", "ana", "--role", "analyst", "--data", data], capsys)[0] == 0
    )
    code, _, err = _run(
        ["serve", "users", "add", "ana", "--role", "officer", "--data", data], capsys
    )
    assert code == 2
    assert "the name is taken" in err


def test_the_last_supervisor_cannot_be_disabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    _run(["serve", "users", "add", "sue", "--role", "supervisor", "--data", data], capsys)
    code, _, err = _run(["serve", "users", "disable", "sue", "--data", data], capsys)
    assert code == 2
    assert "last enabled supervisor" in err
    _run(["serve", "users", "add", "sam", "--role", "supervisor", "--data", data], capsys)
    assert _run(["serve", "users", "disable", "sue", "--data", data], capsys)[0] == 0
    code, out, _ = _run(["serve", "users", "list", "--data", data], capsys)
    assert "sue\tsupervisor\tdisabled" in out


def test_serve_web_check_opens_the_store_and_loads_the_profiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    code, _, err = _run(
        ["serve", "--web", "--data", data, "--profiles", str(DOCUMENTARY), "--check"], capsys
    )
    assert code == 0
    assert "the workbench's pages, 0 users" in err
    assert "no supervisor can sign in" in err  # said out loud, not a silent empty app
    assert (tmp_path / "data" / "workbench.sqlite").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give --keys FILE (the API), --web (the pages), or both"),
        (["--data", "x"], "--data and --store are the workbench's: add --web"),
        (["--web", "--store", "sqlite:///x"], "give a postgresql://... URL"),
    ],
)
def test_serve_refuses_what_it_cannot_serve(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(["serve", *argv, "--check"], capsys)
    assert code == 2
    assert message in err
