"""The workbench's routers beyond the shell: one module path per line.

Each module named here has ``router`` (a FastAPI ``APIRouter``) and may have ``NAV`` (a
sequence of :class:`~riskprofile.serve.web.NavItem`, the menu links it adds) and
``peer_router`` (routes other systems call, authenticated otherwise than by a session:
included without the session's CSRF check). The shell
includes every router with the CSRF check on every route (docs/serve.md, "Adding
pages"). A module that fails to import stops the start: a page that silently went
missing would be a silence.
"""

from __future__ import annotations

__all__ = ["ROUTERS"]

ROUTERS: tuple[str, ...] = (
    "riskprofile.serve.web._dashboard",
    "riskprofile.serve.web._queue",
    "riskprofile.serve.web._changes",
    "riskprofile.serve.web._admin",
    "riskprofile.serve.web._exchange",
)
