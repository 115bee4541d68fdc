"""The shell through FastAPI's test client: sign in and out, sessions, CSRF, roles,
throttling, the security headers, and the refusals as pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskprofile.serve.web import set_disabled
from tests.serve.web.conftest import PASSWORD, Workbench, csrf_of, make_workbench, sign_in


def test_a_page_without_a_session_goes_to_the_login_page(workbench: Workbench) -> None:
    response = workbench.client().get("/audit?check=true")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/audit%3Fcheck%3Dtrue"


def test_signing_in_sets_a_strict_http_only_session_cookie(workbench: Workbench) -> None:
    client = workbench.client()
    response = sign_in(client, "ana")
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("rp_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    page = client.get("/")
    assert page.status_code == 200
    assert "ana" in page.text


def test_the_store_keeps_a_hash_of_the_session_token_not_the_token(workbench: Workbench) -> None:
    client = workbench.client("ana")
    token = client.cookies.get("rp_session")
    with workbench.store.read() as tx:
        stored = [r[0] for r in tx.rows("SELECT token_hash FROM web_sessions")]
    assert token
    assert token not in stored
    assert len(stored) == 1


def test_a_wrong_password_is_refused_and_audited(workbench: Workbench) -> None:
    client = workbench.client()
    response = sign_in(client, "ana", "not the password at all")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.text
    assert "rp_session" not in client.cookies
    with workbench.store.read() as tx:
        actions = [r[0] for r in tx.rows("SELECT action FROM web_audit ORDER BY seq")]
    assert actions[-1] == "login.failed"


def test_the_login_form_needs_its_own_token(workbench: Workbench) -> None:
    client = workbench.client()
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "ana", "password": PASSWORD, "login_token": "forged", "next": "/"},
    )
    assert response.status_code == 403
    assert "rp_session" not in client.cookies


def test_logins_are_throttled_after_repeated_failures(tmp_path: Path) -> None:
    bench = make_workbench(tmp_path, throttle_failures=3)
    client = bench.client()
    for _ in range(3):
        assert sign_in(client, "ana", "wrong password 123").status_code == 401
    # Even the right password waits now: a guesser learns nothing more.
    response = sign_in(client, "ana")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "rp_session" not in client.cookies
    # Another user from the same address is throttled too (the address counts).
    assert sign_in(client, "sue").status_code == 429


def test_the_next_page_after_login_stays_on_this_site(workbench: Workbench) -> None:
    client = workbench.client()
    client.get("/login")
    token = client.cookies.get("rp_login")
    response = client.post(
        "/login",
        data={
            "username": "ana",
            "password": PASSWORD,
            "login_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/"


def test_logout_ends_the_session_on_the_server(workbench: Workbench) -> None:
    client = workbench.client("ana")
    token = client.cookies.get("rp_session")
    response = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303
    stale = workbench.client()
    stale.cookies.set("rp_session", token or "")
    assert stale.get("/").status_code == 303  # the old cookie is no session any more


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_a_state_changing_request_without_the_csrf_token_is_refused(
    workbench: Workbench, token: str | None
) -> None:
    client = workbench.client("ana")
    data = {"language": "ru"} if token is None else {"language": "ru", "csrf_token": token}
    response = client.post("/account/language", data=data)
    assert response.status_code == 403
    with workbench.store.read() as tx:
        assert tx.one("SELECT language FROM web_users WHERE username = 'ana'") == (None,)


def test_the_csrf_token_is_taken_from_the_htmx_header(workbench: Workbench) -> None:
    client = workbench.client("ana")
    token = csrf_of(client)
    response = client.post(
        "/account/language", data={"language": "ru"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 303
    assert client.get("/account").headers["content-language"] == "ru"


def test_another_sessions_csrf_token_is_refused(workbench: Workbench) -> None:
    mine, theirs = workbench.client("ana"), workbench.client("ana")
    response = mine.post(
        "/account/language", data={"language": "ru", "csrf_token": csrf_of(theirs)}
    )
    assert response.status_code == 403


def test_a_state_changing_request_without_a_session_is_refused(workbench: Workbench) -> None:
    response = workbench.client().post("/account/language", data={"language": "ru"})
    assert response.status_code == 401


@pytest.mark.parametrize("username", ["ana", "otto"])
def test_a_supervisors_page_refuses_another_role(workbench: Workbench, username: str) -> None:
    client = workbench.client(username)
    assert client.get("/audit").status_code == 403
    assert client.get("/users").status_code == 403
    token = csrf_of(client)
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "mallory",
            "role": "supervisor",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 403
    with workbench.store.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM web_users WHERE username = 'mallory'") == (0,)


def test_a_disabled_users_session_ends_at_once(workbench: Workbench) -> None:
    client = workbench.client("otto")
    assert client.get("/").status_code == 200
    set_disabled(workbench.store, "otto", True, actor="sue")
    assert client.get("/").status_code == 303
    assert sign_in(workbench.client(), "otto").status_code == 401


def test_an_idle_session_expires(workbench: Workbench) -> None:
    client = workbench.client("ana")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    with workbench.store.write() as tx:
        tx.execute("UPDATE web_sessions SET last_seen = ?", (old,))
    assert client.get("/").status_code == 303


def test_pages_carry_a_strict_content_security_policy(workbench: Workbench) -> None:
    response = workbench.client().get("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text  # nothing inline: the policy would refuse it


def test_an_unknown_page_is_a_404_page(workbench: Workbench) -> None:
    response = workbench.client("ana").get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


def test_a_bad_form_is_a_422_page_naming_the_field(workbench: Workbench) -> None:
    client = workbench.client("sue")
    response = client.post("/users", data={"csrf_token": csrf_of(client), "username": "x"})
    assert response.status_code == 422
    assert "role" in response.text
    assert "password" in response.text


def test_an_oversize_body_is_refused(tmp_path: Path) -> None:
    bench = make_workbench(tmp_path, max_body_mib=1)
    client = bench.client("ana")
    response = client.post(
        "/account/language",
        content=b"x" * (2 << 20),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_htmx_is_served_from_the_package(workbench: Workbench) -> None:
    response = workbench.client().get("/static/htmx.min.js")
    assert response.status_code == 200
    assert response.text.startswith("var htmx=")


def test_the_vendored_htmx_is_the_recorded_release() -> None:
    """static/README.md records htmx's version, licence and SHA-256: the file is that."""
    import hashlib
    import re

    from riskprofile.serve.web import _shell

    static = Path(_shell.__file__).with_name("static")
    recorded = re.search(
        r"SHA-256 of `htmx.min.js`: `([0-9a-f]{64})`",
        (static / "README.md").read_text(encoding="utf-8"),
    )
    assert recorded
    assert hashlib.sha256((static / "htmx.min.js").read_bytes()).hexdigest() == recorded.group(1)
    assert "Zero-Clause BSD" in (static / "README.md").read_text(encoding="utf-8")


def test_the_pages_load_nothing_from_elsewhere() -> None:
    """Offline on a PCU's LAN: no template points a script, style, image or font at
    another site (no CDN)."""
    import re

    from riskprofile.serve.web import _shell

    templates = Path(_shell.__file__).with_name("templates")
    outside = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
    found = [
        f"{t.name}: {m.group()}"
        for t in sorted(templates.glob("*.html"))
        for m in outside.finditer(t.read_text(encoding="utf-8"))
    ]
    assert not found


def test_a_refused_htmx_request_gets_a_message_for_the_page(workbench: Workbench) -> None:
    client = workbench.client("otto")
    response = client.get("/audit", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["hx-retarget"] == "#flash"
    assert response.text.strip() == '<p class="error" role="alert">Your role cannot do this.</p>'
    gone = workbench.client().post("/logout", headers={"HX-Request": "true"})
    assert gone.status_code == 401
    assert gone.headers["hx-redirect"] == "/login"
    assert '<script src="/static/app.js" defer></script>' in client.get("/").text
    assert workbench.client().get("/static/app.js").status_code == 200
