"""The workbench's application: the shell's own pages (sign in and out, the account),
the static files, the refusals as pages, and every router of
:data:`~riskprofile.serve.web._routers.ROUTERS`."""

from __future__ import annotations

import importlib
import inspect
import secrets
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from riskprofile.serve._limits import BodyLimit, Limits
from riskprofile.serve.web import _i18n
from riskprofile.serve.web._i18n import N_
from riskprofile.serve.web._routers import ROUTERS
from riskprofile.serve.web._shell import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    NavItem,
    Refusal,
    WebContext,
    WebMiddleware,
    WebSettings,
    current_session,
    current_user,
    is_page_path,
    render,
    templates_environment,
    throttle_of,
    verify_csrf,
    web_context,
)
from riskprofile.serve.web._store import WebStore
from riskprofile.serve.web._users import (
    User,
    authenticate,
    end_session,
    list_users,
    set_language,
    set_password,
    start_session,
)

__all__ = ["create_web_app", "mount_web"]

_STATIC = Path(__file__).with_name("static")
_SHELL_NAV = [NavItem("/", N_("Dashboard"))]
_ACCOUNT_NAV = [NavItem("/account", N_("Account"))]


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:500]


def _login_page(
    request: Request, *, status: int = 200, error: str | None = None, next_path: str = "/"
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    web = web_context(request)
    with web.store.read() as tx:
        first = not list_users(tx)
    response = render(
        request,
        "login.html",
        {"login_token": token, "error": error, "next": next_path, "no_users": first},
        status=status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=web.settings.secure_cookies,
        max_age=3600,
        path="/login",
    )
    return response


def _shell_router() -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        """The sign-in form."""
        if current_session(request) is not None:
            return RedirectResponse(_safe_next(next), status_code=303)  # type: ignore[return-value]
        return _login_page(request, next_path=_safe_next(next))

    @router.post("/login", response_class=HTMLResponse)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        login_token: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=500)] = "/",
    ) -> Response:
        """Sign in: check the password (throttled), start a session, set its cookie."""
        web = web_context(request)
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not cookie or not secrets.compare_digest(cookie.encode(), login_token.encode()):
            return _login_page(
                request,
                status=403,
                next_path=_safe_next(next),
                error=_i18n._("The form has expired: please sign in again."),
            )
        address = request.client.host if request.client else None
        user, wait = authenticate(
            web.store,
            username.strip(),
            password,
            address=address,
            throttle=throttle_of(web.settings),
        )
        if wait > 0:
            minutes = max(1, round(wait / 60))
            message = _i18n.ngettext(
                "Too many failed sign-ins: try again in %(n)d minute.",
                "Too many failed sign-ins: try again in %(n)d minutes.",
                minutes,
            ) % {"n": minutes}
            page = _login_page(request, status=429, error=message, next_path=_safe_next(next))
            page.headers["Retry-After"] = str(int(wait) + 1)
            return page
        if user is None:
            return _login_page(
                request,
                status=401,
                next_path=_safe_next(next),
                error=_i18n._("Wrong user name or password."),
            )
        token, _session = start_session(web.store, user, lifetime=_lifetime(web.settings))
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=web.settings.secure_cookies,
            max_age=int(web.settings.session_hours * 3600),
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @router.post("/logout", dependencies=[Depends(verify_csrf)])
    def logout(request: Request) -> Response:
        """Sign out: the session ends on the server, the cookie is removed."""
        web = web_context(request)
        token = request.cookies.get(SESSION_COOKIE)
        session = current_session(request)
        if token:
            end_session(web.store, token)
        if session is not None:
            from riskprofile.serve.web._audit import record

            with web.store.write() as tx:
                record(tx, session.user.username, "logout", session.user.username)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/account", response_class=HTMLResponse)
    def account(request: Request, user: Annotated[User, Depends(current_user)]) -> HTMLResponse:
        """The signed-in user's own page: language and password."""
        return render(request, "account.html", {"message": None})

    @router.post(
        "/account/language", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
    )
    def choose_language(
        request: Request,
        user: Annotated[User, Depends(current_user)],
        language: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        """Keep the language the user's pages are shown in ('' : the browser's)."""
        web = web_context(request)
        chosen = language or None
        if chosen is not None and chosen not in _i18n.catalogue_languages():
            raise Refusal(
                422, _i18n._("No such language: %(language)s") % {"language": language[:20]}
            )
        with web.store.write() as tx:
            set_language(tx, user.username, chosen, actor=user.username)
        return RedirectResponse("/account", status_code=303)

    @router.post(
        "/account/password", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
    )
    def change_password(
        request: Request,
        user: Annotated[User, Depends(current_user)],
        current: Annotated[str, Form(max_length=1024)],
        new: Annotated[str, Form(max_length=1024)],
    ) -> Response:
        """Change one's own password (the current one first); every session ends."""
        web = web_context(request)
        checked, _wait = authenticate(
            web.store, user.username, current, throttle=throttle_of(web.settings)
        )
        if checked is None:
            return render(
                request,
                "account.html",
                status=403,
                context={"message": _i18n._("The current password is wrong.")},
            )
        from riskprofile.serve.web._users import UserError

        try:
            set_password(web.store, user.username, new, actor=user.username)
        except UserError as exc:
            return render(request, "account.html", {"message": str(exc)}, status=422)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router


def _lifetime(settings: WebSettings) -> Any:
    import datetime as dt

    return dt.timedelta(hours=settings.session_hours)


async def _answer(result: Response | Awaitable[Response]) -> Response:
    return await result if inspect.isawaitable(result) else result


def _install_handlers(app: FastAPI) -> None:
    previous_validation = app.exception_handlers.get(RequestValidationError)
    previous_http = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(Refusal)
    async def _refusal(request: Request, exc: Refusal) -> Response:
        if (
            exc.status == 401
            and request.method in ("GET", "HEAD")
            and request.headers.get("HX-Request") != "true"
        ):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if request.headers.get("HX-Request") == "true":
            # A fragment for the page's #flash (static/app.js lets htmx swap it in);
            # without a session the whole page goes to the sign-in form.
            headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
            if exc.status == 401:
                headers["HX-Redirect"] = "/login"
            return render(
                request,
                "refused_fragment.html",
                {"message": exc.message},
                status=exc.status,
                headers=headers,
            )
        return render(
            request,
            "refused.html",
            {"status": exc.status, "message": exc.message},
            status=exc.status,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if not is_page_path(request.url.path) and previous_validation is not None:
            return await _answer(previous_validation(request, exc))
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{where or '-'}: {err.get('msg', 'invalid')}")
        message = _i18n._("The form was not filled in as expected:") + " " + "; ".join(problems)
        return render(
            request, "refused.html", {"status": 422, "message": message[:2000]}, status=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page_path(request.url.path) or request.url.path.startswith("/static/"):
            if previous_http is not None:
                return await _answer(previous_http(request, exc))
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = _i18n._("Not found.") if exc.status_code == 404 else str(exc.detail)
        return render(
            request,
            "refused.html",
            {"status": exc.status_code, "message": message},
            status=exc.status_code,
        )


def mount_web(app: FastAPI, settings: WebSettings) -> WebContext:
    """Add the workbench's pages to ``app`` (beside the JSON service's ``/v1/*``): the
    store is opened (its tables made), the profiles loaded, every router included.

    Raises:
        RiskProfileError: the store or the profiles cannot be used.
    """
    if settings.store is None:
        Path(settings.data).mkdir(parents=True, exist_ok=True)
    store = WebStore(settings.location)
    context = WebContext(settings, store, templates_environment())
    context.nav.extend(_SHELL_NAV)
    app.state.web = context
    context.profiles  # noqa: B018 - loaded now: a set that does not load stops the start
    # The pages are not part of the JSON API's OpenAPI document (nor fuzzed with it).
    app.include_router(_shell_router(), include_in_schema=False)
    for name in ROUTERS:
        module = importlib.import_module(name)
        app.include_router(
            module.router, dependencies=[Depends(verify_csrf)], include_in_schema=False
        )
        peer = getattr(module, "peer_router", None)
        if peer is not None:  # partners' services: no session, no CSRF (signed messages)
            app.include_router(peer, include_in_schema=False)
        context.nav.extend(getattr(module, "NAV", ()))
    context.nav.extend(_ACCOUNT_NAV)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    _install_handlers(app)
    app.add_middleware(WebMiddleware, context=context)
    return context


def create_web_app(settings: WebSettings) -> FastAPI:
    """The workbench alone (no JSON service): ``riskprofile serve --web`` without
    ``--keys``."""
    app = FastAPI(title="riskprofile workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limits=Limits(max_body_bytes=settings.max_body_mib << 20))
    mount_web(app, settings)
    return app
