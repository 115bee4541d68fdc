"""The supervisor's pages: the users, and the audit log (read, and its chain checked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from riskprofile.serve.web._audit import entries, verify
from riskprofile.serve.web._i18n import N_
from riskprofile.serve.web._shell import NavItem, render, require_role, web_context
from riskprofile.serve.web._users import (
    ROLES,
    User,
    UserError,
    add_user,
    list_users,
    set_disabled,
)

__all__ = ["NAV", "router"]

router = APIRouter()
NAV = (
    NavItem("/users", N_("Users"), ("supervisor",)),
    NavItem("/audit", N_("Audit log"), ("supervisor",)),
)
_PAGE = 100
Supervisor = Annotated[User, Depends(require_role("supervisor"))]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    user: Supervisor,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    check: bool = False,
) -> HTMLResponse:
    """The audit log, newest first, a hundred entries a page; ``check=true`` verifies
    the whole chain."""
    web = web_context(request)
    with web.store.read() as tx:
        if before is None:
            shown = entries(tx, newest_first=True, limit=_PAGE)
        else:
            rows = tx.rows(
                "SELECT seq FROM web_audit WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                (before, _PAGE),
            )
            lowest = min((int(r[0]) for r in rows), default=before)
            shown = [e for e in entries(tx, after_seq=lowest - 1, limit=_PAGE) if e.seq < before]
            shown.reverse()
    report = verify(web.store) if check else None
    older = shown[-1].seq if shown and shown[-1].seq > 1 else None
    return render(request, "audit.html", {"entries": shown, "report": report, "older": older})


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Supervisor) -> HTMLResponse:
    """Every user, with a form to add one."""
    return _users(request, None, 200)


def _users(request: Request, message: str | None, status: int) -> HTMLResponse:
    web = web_context(request)
    with web.store.read() as tx:
        users = list_users(tx)
    return render(
        request, "users.html", {"users": users, "roles": ROLES, "message": message}, status=status
    )


@router.post("/users", response_class=HTMLResponse)
def add(
    request: Request,
    user: Supervisor,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Add a user (audited)."""
    web = web_context(request)
    try:
        add_user(web.store, username.strip(), role, password, actor=user.username)
    except UserError as exc:
        return _users(request, str(exc), 422)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}/disable", response_class=HTMLResponse)
def disable(request: Request, user: Supervisor, username: str) -> Response:
    """Disable a user: their sessions end at once (audited)."""
    return _set_disabled(request, user, username, True)


@router.post("/users/{username}/enable", response_class=HTMLResponse)
def enable(request: Request, user: Supervisor, username: str) -> Response:
    """Enable a disabled user again (audited)."""
    return _set_disabled(request, user, username, False)


def _set_disabled(request: Request, user: User, username: str, disabled: bool) -> Response:
    web = web_context(request)
    try:
        set_disabled(web.store, username[:64], disabled, actor=user.username)
    except UserError as exc:
        return _users(request, str(exc), 422)
    return RedirectResponse("/users", status_code=303)
