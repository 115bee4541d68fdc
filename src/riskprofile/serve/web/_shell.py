"""The shell every page hangs on: settings, the per-application context, the request's
session and language, the dependencies a route asks for (:func:`current_user`,
:func:`require_role`, :func:`verify_csrf`), and :func:`render`.

A router of the workbench (the queue's, the exchange's) is an ``APIRouter`` listed in
:data:`riskprofile.serve.web._routers.ROUTERS`; the shell includes it with
:func:`verify_csrf` on every route, so a state-changing request without the session's
CSRF token never reaches it (docs/serve.md, "Adding pages").
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskprofile._files import files_signature
from riskprofile.errors import RiskProfileError
from riskprofile.profiles import ProfileSet
from riskprofile.serve._app import load_named_profiles
from riskprofile.serve.web import _i18n
from riskprofile.serve.web._store import WebStore
from riskprofile.serve.web._users import ROLES, Session, Throttle, User, find_session

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "NavItem",
    "Refusal",
    "WebContext",
    "WebSettings",
    "current_session",
    "current_user",
    "render",
    "require_role",
    "verify_csrf",
    "web_context",
]

SESSION_COOKIE = "rp_session"
LOGIN_COOKIE = "rp_login"  # the login form's own CSRF token (double submit), before a session
CSRF_FIELD = "csrf_token"
"""The form field a state-changing form carries the session's CSRF token in."""
CSRF_HEADER = "X-CSRF-Token"
"""The header HTMX sends it in (every page's ``<body hx-headers=...>`` sets it)."""
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths that are the JSON service's, not the pages': no session, no CSRF (an API key).
_SERVICE_PATHS = ("/v1/", "/healthz", "/openapi.json", "/docs", "/redoc")
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class WebSettings:
    """How the workbench runs (``riskprofile serve --web``).

    Attributes:
        data: the data folder; the embedded store is ``workbench.sqlite`` in it.
        store: a PostgreSQL URL to keep the state in instead (``postgresql://...``).
        profiles: profile files or folders (empty: the bundled library; ``bundled``
            adds it). The first folder given is the one changes are proposed to.
        country: the PCU's country (its overlays apply).
        session_hours: a session's longest life.
        idle_minutes: a session ends after this long without a request.
        secure_cookies: mark cookies ``Secure`` (serve over HTTPS, through a proxy).
        throttle_failures: failed logins (per user name, per address) before a wait.
        throttle_seconds: the window they are counted in, and the longest wait.
        max_body_mib: the largest request body (an uploaded batch).
        reload_seconds: how often the profile files are looked at for a change another
            worker approved (a hash of each file).
        queue_capacity, queue_control_rate, queue_seed: how each batch's inspection list
            is drawn (as ``riskprofile score --capacity --control-rate --seed``).
        drop_folder: the folder the cargo system drops batch files in (loaded once each).
        history: a history store (DuckDB file or DSN) the queue scores with and records
            each batch and result in.
    """

    data: str = "riskprofile-data"
    store: str | None = None
    profiles: tuple[str, ...] = ()
    country: str | None = None
    session_hours: float = 12.0
    idle_minutes: float = 60.0
    secure_cookies: bool = False
    throttle_failures: int = 5
    throttle_seconds: float = 900.0
    max_body_mib: int = 64
    reload_seconds: float = 2.0
    # The work queue's (serve/web/_queue.py): each batch's list, the drop folder, history.
    queue_capacity: str = "3%"
    queue_control_rate: str = "1%"
    queue_seed: int | None = None
    drop_folder: str | None = None
    history: str | None = None

    @property
    def location(self) -> str:
        """Where the state is kept: the PostgreSQL URL, or the data folder's file."""
        return self.store or str(Path(self.data) / "workbench.sqlite")

    @property
    def profile_folder(self) -> Path | None:
        """The folder changes are proposed to (the first folder among ``profiles``)."""
        for path in self.profiles:
            if path != "bundled" and Path(path).is_dir():
                return Path(path)
        return None

    def to_json(self) -> str:
        """The settings as JSON (how the command hands them to its workers)."""
        data = dict(self.__dict__)
        data["profiles"] = list(self.profiles)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> WebSettings:
        """The settings :meth:`to_json` wrote."""
        data = json.loads(text)
        data["profiles"] = tuple(data["profiles"])
        return cls(**data)


@dataclass(frozen=True)
class NavItem:
    """A link in every page's menu, shown to the roles named (a text marked with
    ``N_`` so it is translated where it is shown)."""

    path: str
    label: str
    roles: tuple[str, ...] = ROLES


@dataclass
class WebContext:
    """What one worker holds for the pages: settings, store, templates, the profile set.

    ``profiles`` is swapped whole (one assignment under a lock): a request holds one
    set from start to end. After a change is approved the worker that approved it
    swaps at once; the others see the files change within ``reload_seconds``.
    """

    settings: WebSettings
    store: WebStore
    templates: jinja2.Environment
    nav: list[NavItem] = field(default_factory=list)
    _profiles: ProfileSet | None = None
    _signature: tuple[tuple[str, str], ...] = ()
    _checked: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    reload_error: str | None = None

    def load_profiles(self) -> ProfileSet:
        """Load the settings' profiles (raises :class:`RiskProfileError`)."""
        return load_named_profiles(self.settings.profiles, self.settings.country)

    @property
    def profiles(self) -> ProfileSet:
        """The profile set in use (loaded again when its files changed)."""
        interval = self.settings.reload_seconds
        if self._profiles is not None and (
            interval < 0 or time.monotonic() - self._checked < interval
        ):
            return self._profiles
        with self._lock:
            self._checked = time.monotonic()
            signature = files_signature(self.settings.profiles)
            if self._profiles is None or signature != self._signature:
                try:
                    loaded = self.load_profiles()
                except RiskProfileError as exc:
                    if self._profiles is None:
                        raise
                    self.reload_error = str(exc)[:2000]
                else:
                    self._profiles, self.reload_error = loaded, None
                self._signature = signature
            assert self._profiles is not None
            return self._profiles

    def swap_profiles(self, profiles: ProfileSet) -> None:
        """Put a set in use (after an approved change: loaded and checked already)."""
        with self._lock:
            self._profiles, self.reload_error = profiles, None
            self._signature = files_signature(self.settings.profiles)
            self._checked = time.monotonic()


class Refusal(Exception):  # noqa: N818 - an answer, not a fault
    """A request the pages refuse: the status and a message for the person (already in
    their language). A 401 on a page (GET) sends the browser to the login page."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


def web_context(request: Request) -> WebContext:
    """The application's :class:`WebContext` (a dependency)."""
    context: WebContext = request.app.state.web
    return context


def current_session(request: Request) -> Session | None:
    """The request's session, or None (looked up once per request by the middleware)."""
    session: Session | None = request.scope.get("state", {}).get("web_session")
    return session


def current_user(request: Request) -> User:
    """The signed-in user (a dependency); refuses with 401 when there is no session."""
    session = current_session(request)
    if session is None:
        raise Refusal(401, _i18n._("Please sign in."))
    return session.user


def require_role(*roles: str) -> Callable[[Request], User]:
    """A dependency that gives the signed-in user when their role is one of ``roles``
    (401 with no session, 403 for another role).

        @router.get("/audit")
        def audit(user: Annotated[User, Depends(require_role("supervisor"))]) -> ...
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"require_role: give roles among {ROLES}, not {roles}")

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user.role not in roles:
            raise Refusal(403, _i18n._("Your role cannot do this."))
        return user

    return dependency


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request (POST, PUT, PATCH, DELETE) that does not
    carry the session's CSRF token, in the ``X-CSRF-Token`` header (HTMX) or the
    ``csrf_token`` form field; 401 when there is no session at all. Every router of
    the pages gets it (see :func:`include_router`)."""
    if request.method not in _UNSAFE:
        return
    session = current_session(request)
    if session is None:
        raise Refusal(401, _i18n._("Please sign in."))
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached: the route reads the same form
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise Refusal(
            403,
            _i18n._(
                "The form has expired or did not come from this site: "
                "reload the page and try again."
            ),
        )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or an HTMX fragment): ``template`` from the templates folder with
    ``context``, plus what every page needs (``user``, ``csrf_token``, ``language``,
    ``nav``, ``_``)."""
    web = web_context(request)
    session = current_session(request)
    user = session.user if session else None
    values = {
        "request": request,
        "user": user,
        "csrf_token": session.csrf if session else "",
        "csrf_field": CSRF_FIELD,
        "csrf_header": CSRF_HEADER,
        "language": _i18n.current_language(),
        "languages": [(code, _i18n.language_name(code)) for code in _i18n.catalogue_languages()],
        "nav": [n for n in web.nav if user is not None and user.role in n.roles],
        "htmx": request.headers.get("HX-Request") == "true",
        "now": dt.datetime.now(dt.UTC),
        **(context or {}),
    }
    html = web.templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


def templates_environment(extra: Sequence[Path] = ()) -> jinja2.Environment:
    """The pages' templates (``templates/`` beside this module), autoescaped, with
    gettext in the request's language."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(_HERE / "templates"), *map(str, extra)]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _i18n._, _i18n.ngettext, newstyle=True
    )
    return environment


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            morsel = jar.get(name)
            if morsel is not None:
                return morsel.value
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def is_page_path(path: str) -> bool:
    """Whether a path is the pages' (not the JSON service's)."""
    return not path.startswith(_SERVICE_PATHS)


class WebMiddleware:
    """For the pages' paths: find the session (once), choose the language, and add the
    security headers (a strict Content-Security-Policy: no inline script or style,
    no framing) to every answer."""

    def __init__(self, app: ASGIApp, context: WebContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        settings = self.context.settings
        token = _cookie(scope, SESSION_COOKIE)
        session = None
        if token:
            session = find_session(
                self.context.store, token, idle=dt.timedelta(minutes=settings.idle_minutes)
            )
        state = scope.setdefault("state", {})
        state["web_session"] = session
        language = _i18n.negotiate(
            _header(scope, b"accept-language"), session.user.language if session else None
        )
        state["language"] = language

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
                headers.append((b"content-language", language.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with _i18n.using_language(language):
            await self.app(scope, receive, send_with_headers)


def throttle_of(settings: WebSettings) -> Throttle:
    """The login throttle the settings ask for."""
    return Throttle(settings.throttle_failures, settings.throttle_seconds)
