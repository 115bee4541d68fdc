"""The PCU workbench in the browser: ``riskprofile serve --web`` (docs/serve.md).

Server-rendered pages (FastAPI, Jinja2 templates, htmx served from this package: no
CDN, it works offline), people and trust (users with roles, argon2 passwords,
server-side sessions, CSRF tokens, login throttling, an append-only hash-chained audit
log, four eyes on every profile or list change), a dashboard, English and Russian.

A part of the workbench adds its pages as a router (docs/serve.md, "Adding pages"):

    from typing import Annotated
    from fastapi import APIRouter, Depends, Request
    from riskprofile.serve.web import User, render, require_role

    router = APIRouter()

    @router.get("/queue")
    def queue(request: Request,
              user: Annotated[User, Depends(require_role("analyst", "officer"))]):
        return render(request, "queue.html", {"rows": []})
"""

from __future__ import annotations

from riskprofile.serve.web._app import create_web_app, mount_web
from riskprofile.serve.web._audit import AuditEntry, ChainReport, record, verify
from riskprofile.serve.web._i18n import N_, _, ngettext
from riskprofile.serve.web._shell import (
    CSRF_FIELD,
    CSRF_HEADER,
    NavItem,
    Refusal,
    WebContext,
    WebSettings,
    current_session,
    current_user,
    render,
    require_role,
    verify_csrf,
    web_context,
)
from riskprofile.serve.web._store import Tx, WebStore, WebStoreError
from riskprofile.serve.web._users import (
    ROLES,
    Role,
    Session,
    User,
    UserError,
    add_user,
    list_users,
    set_disabled,
    set_password,
)

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "N_",
    "ROLES",
    "AuditEntry",
    "ChainReport",
    "NavItem",
    "Refusal",
    "Role",
    "Session",
    "Tx",
    "User",
    "UserError",
    "WebContext",
    "WebSettings",
    "WebStore",
    "WebStoreError",
    "_",
    "add_user",
    "create_web_app",
    "current_session",
    "current_user",
    "list_users",
    "mount_web",
    "ngettext",
    "record",
    "render",
    "require_role",
    "set_disabled",
    "set_password",
    "verify",
    "verify_csrf",
    "web_context",
]
