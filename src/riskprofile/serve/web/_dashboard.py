"""The dashboard: what the profiles in use are, and (from the recorded outcomes) how
they did."""

from __future__ import annotations

from typing import Any

from riskprofile.serve.web._shell import WebContext

__all__ = ["dashboard_context"]


def dashboard_context(web: WebContext) -> dict[str, Any]:
    """What the dashboard page shows."""
    profiles = web.profiles
    return {
        "profiles": [
            {
                "id": p.id,
                "version": p.version,
                "title": p.profile.title,
                "fingerprint": p.fingerprint[:12],
            }
            for p in profiles
        ],
        "reload_error": web.reload_error,
    }
