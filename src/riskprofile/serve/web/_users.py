"""People: users with a role, passwords hashed with argon2, sessions, login throttling.

A session is a random token (256 bits) the browser holds in an HttpOnly, SameSite=Strict
cookie; the store keeps only its SHA-256, with the session's CSRF token, its expiry (an
absolute one and an idle one) and whose it is. A disabled user's sessions end at once.
Every change to a user is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from riskprofile.serve.web._audit import record
from riskprofile.serve.web._i18n import N_
from riskprofile.serve.web._store import Tx, WebStore, WebStoreError

__all__ = [
    "MIN_PASSWORD",
    "ROLES",
    "Role",
    "Session",
    "Throttle",
    "User",
    "UserError",
    "add_user",
    "authenticate",
    "end_session",
    "find_session",
    "get_user",
    "list_users",
    "set_disabled",
    "set_language",
    "set_password",
    "start_session",
]

Role = Literal["analyst", "officer", "supervisor"]
"""What a user does: an analyst targets and proposes profile and list changes, an
officer inspects, a supervisor approves changes, manages users and reads the audit log."""
ROLES: tuple[str, ...] = get_args(Role)
ROLE_NAMES = (N_("analyst"), N_("officer"), N_("supervisor"))  # shown translated
MIN_PASSWORD = 12
"""The shortest password taken (characters)."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_HASHER = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verifying a name that does not exist still costs one argon2 check, so the answer's
    time does not tell which names exist (made once, when first needed)."""
    return _HASHER.hash(secrets.token_hex(16))


class UserError(WebStoreError):
    """A user cannot be added or changed as asked (a taken name, an unknown role, a short
    password...); the message says which and why."""


@dataclass(frozen=True)
class User:
    """A user as the workbench sees it (never the password's hash)."""

    username: str
    role: Role
    disabled: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its user and the CSRF token its forms must carry."""

    user: User
    csrf: str
    expires: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _check_name(username: str) -> str:
    if not _NAME.match(username):
        raise UserError(
            f"user name {username[:80]!r}: use 1-64 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return username


def _check_role(role: str) -> Role:
    if role not in ROLES:
        raise UserError(f"role {role[:40]!r}: not a role; the roles are {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


def _check_password(password: str, username: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters, not {len(password)}")
    if len(password) > 1024:
        raise UserError("password: at most 1,024 characters")
    if password.lower() == username.lower():
        raise UserError("password: not the user name")
    return password


def _user(row: tuple[object, ...]) -> User:
    username, role, disabled, language = row
    return User(
        str(username),
        _check_role(str(role)),
        bool(disabled),
        None if language is None else str(language),
    )


def get_user(tx: Tx, username: str) -> User | None:
    """The user of that name, or None."""
    row = tx.one(
        "SELECT username, role, disabled, language FROM web_users WHERE username = ?",
        (username,),
    )
    return None if row is None else _user(row)


def list_users(tx: Tx) -> list[User]:
    """Every user, by name."""
    return [
        _user(r)
        for r in tx.rows(
            "SELECT username, role, disabled, language FROM web_users ORDER BY username"
        )
    ]


def add_user(store: WebStore, username: str, role: str, password: str, *, actor: str) -> User:
    """Add a user (audited as ``user.add`` by ``actor``)."""
    _check_name(username)
    checked = _check_role(role)
    _check_password(password, username)
    hashed = _HASHER.hash(password)
    with store.write() as tx:
        if get_user(tx, username) is not None:
            raise UserError(f"user {username}: the name is taken")
        stamp = _stamp(_now())
        tx.execute(
            "INSERT INTO web_users (username, role, password_hash, disabled, language, "
            "created, changed) VALUES (?, ?, ?, 0, NULL, ?, ?)",
            (username, checked, hashed, stamp, stamp),
        )
        record(tx, actor, "user.add", username, after={"role": checked, "disabled": False})
    return User(username, checked)


def _existing(tx: Tx, username: str) -> User:
    user = get_user(tx, username)
    if user is None:
        raise UserError(f"user {username[:80]}: no such user")
    return user


def set_password(store: WebStore, username: str, password: str, *, actor: str) -> None:
    """Set a user's password (audited as ``user.passwd``; the hash is not logged). The
    user's sessions end."""
    _check_password(password, username)
    hashed = _HASHER.hash(password)
    with store.write() as tx:
        _existing(tx, username)
        tx.execute(
            "UPDATE web_users SET password_hash = ?, changed = ? WHERE username = ?",
            (hashed, _stamp(_now()), username),
        )
        tx.execute("DELETE FROM web_sessions WHERE username = ?", (username,))
        record(tx, actor, "user.passwd", username)


def set_disabled(store: WebStore, username: str, disabled: bool, *, actor: str) -> User:
    """Disable (or enable again) a user; a disabled user's sessions end at once."""
    with store.write() as tx:
        user = _existing(tx, username)
        if disabled and user.role == "supervisor" and not user.disabled:
            others = tx.one(
                "SELECT COUNT(*) FROM web_users WHERE role = 'supervisor' AND disabled = 0 "
                "AND username <> ?",
                (username,),
            )
            if not others or not others[0]:
                raise UserError(
                    f"user {username}: the last enabled supervisor cannot be disabled (no "
                    "one could approve a change or manage users)"
                )
        tx.execute(
            "UPDATE web_users SET disabled = ?, changed = ? WHERE username = ?",
            (int(disabled), _stamp(_now()), username),
        )
        if disabled:
            tx.execute("DELETE FROM web_sessions WHERE username = ?", (username,))
        record(
            tx,
            actor,
            "user.disable" if disabled else "user.enable",
            username,
            before={"disabled": user.disabled},
            after={"disabled": disabled},
        )
    return User(user.username, user.role, disabled, user.language)


def set_language(tx: Tx, username: str, language: str | None, *, actor: str) -> None:
    """Set the language a user's pages are shown in (None: the browser's)."""
    user = _existing(tx, username)
    tx.execute("UPDATE web_users SET language = ? WHERE username = ?", (language, username))
    record(
        tx,
        actor,
        "user.language",
        username,
        before={"language": user.language},
        after={"language": language},
    )


@dataclass(frozen=True)
class Throttle:
    """Login throttling: after ``failures`` failed logins for one user name, or from one
    address, within ``window`` seconds, further attempts are refused (even with the right
    password) until the oldest of them is older than ``window``."""

    failures: int = 5
    window: float = 900.0


def _subjects(username: str, address: str | None) -> list[str]:
    subjects = [f"user:{username[:64]}"]
    if address:
        subjects.append(f"address:{address[:64]}")
    return subjects


def authenticate(
    store: WebStore,
    username: str,
    password: str,
    *,
    address: str | None = None,
    throttle: Throttle = Throttle(),
    purpose: str = "login",
) -> tuple[User | None, float]:
    """Check a login: (the user, 0) when the password is right and the user enabled;
    (None, 0) when not; (None, seconds to wait) when throttled. Every outcome is
    audited (``login``, ``login.failed``, ``login.throttled``; another ``purpose``, such
    as a supervisor's ``approval`` typed at an officer's desk, in its place). Failures
    count against one throttle whatever the purpose."""
    now = time.time()
    subjects = _subjects(username, address)
    with store.write() as tx:
        tx.execute("DELETE FROM web_login_failures WHERE at < ?", (now - throttle.window,))
        wait = 0.0
        for subject in subjects:
            times = [
                float(r[0])
                for r in tx.rows(
                    "SELECT at FROM web_login_failures WHERE subject = ? ORDER BY at", (subject,)
                )
            ]
            if len(times) >= throttle.failures:
                wait = max(wait, times[-throttle.failures] + throttle.window - now)
        if wait > 0:
            record(tx, username[:64] or "-", f"{purpose}.throttled", address or "-")
            return None, wait
        row = tx.one(
            "SELECT password_hash, disabled FROM web_users WHERE username = ?", (username,)
        )
    stored = str(row[0]) if row else _dummy_hash()
    try:
        good = _HASHER.verify(stored, password) and row is not None and not row[1]
    except (VerificationError, InvalidHashError):
        good = False
    with store.write() as tx:
        if not good:
            for subject in subjects:
                tx.execute(
                    "INSERT INTO web_login_failures (subject, at) VALUES (?, ?)", (subject, now)
                )
            record(tx, username[:64] or "-", f"{purpose}.failed", address or "-")
            return None, 0.0
        tx.execute("DELETE FROM web_login_failures WHERE subject = ?", (subjects[0],))
        if _HASHER.check_needs_rehash(stored):
            tx.execute(
                "UPDATE web_users SET password_hash = ? WHERE username = ?",
                (_HASHER.hash(password), username),
            )
        user = get_user(tx, username)
        record(tx, username, purpose, address or "-")
    return user, 0.0


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    store: WebStore, user: User, *, lifetime: dt.timedelta = dt.timedelta(hours=12)
) -> tuple[str, Session]:
    """A new session for ``user``: (the token for the cookie, the session)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    expires = _stamp(now + lifetime)
    with store.write() as tx:
        tx.execute("DELETE FROM web_sessions WHERE expires < ?", (_stamp(now),))
        tx.execute(
            "INSERT INTO web_sessions (token_hash, username, csrf, created, expires, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_token_hash(token), user.username, csrf, _stamp(now), expires, _stamp(now)),
        )
    return token, Session(user, csrf, expires)


def find_session(
    store: WebStore, token: str, *, idle: dt.timedelta = dt.timedelta(minutes=60)
) -> Session | None:
    """The live session of a cookie's token (None: unknown, expired, idle too long, or
    its user disabled). Seeing it counts as activity."""
    if not token or len(token) > 200:
        return None
    now = _now()
    key = _token_hash(token)
    with store.read() as tx:
        row = tx.one(
            "SELECT s.csrf, s.expires, s.last_seen, u.username, u.role, u.disabled, u.language "
            "FROM web_sessions s JOIN web_users u ON u.username = s.username "
            "WHERE s.token_hash = ?",
            (key,),
        )
    if row is None:
        return None
    csrf, expires, last_seen, *user_row = row
    if expires < _stamp(now) or dt.datetime.fromisoformat(last_seen) + idle < now:
        return None
    user = _user(tuple(user_row))
    if user.disabled:
        return None
    if (now - dt.datetime.fromisoformat(last_seen)).total_seconds() > 60:
        with store.write() as tx:  # at most once a minute: a read should not always write
            tx.execute(
                "UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (_stamp(now), key)
            )
    return Session(user, str(csrf), str(expires))


def end_session(store: WebStore, token: str) -> None:
    """End the session of a cookie's token (logout)."""
    with store.write() as tx:
        tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_token_hash(token),))
