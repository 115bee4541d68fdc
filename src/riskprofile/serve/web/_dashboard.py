"""The dashboard: the profiles in use, and how they did on the results the officers
recorded - the evaluation report (:func:`riskprofile.evaluate`) of a loaded batch, with
each profile's hit rate on the inspected containers.

A batch is scored again for its evaluation, at its own ``as_of``, with the profile set
in use now (the workbench keeps a batch's file and its cases, not the run:
:meth:`~riskprofile.workbench.Workbench.evaluation`): when the set
has changed since the batch was loaded (an approved change), the page says which
profiles differ from the ones the list was drawn with. An evaluation is kept in memory
until a result is recorded or the set changes.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from riskprofile.evaluation import Evaluation, report_html
from riskprofile.serve.web._i18n import _
from riskprofile.serve.web._shell import Refusal, WebContext, current_user, render, web_context
from riskprofile.serve.web._users import User

__all__ = ["dashboard_context", "router"]

router = APIRouter()
_CACHE: dict[tuple[str, str, tuple[str, ...], int], Evaluation] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def _profiles_table(web: WebContext) -> list[dict[str, Any]]:
    return [
        {"id": p.id, "version": p.version, "title": p.profile.title,
         "fingerprint": p.fingerprint.removeprefix("sha256:")[:12]}
        for p in web.profiles
    ]  # fmt: skip


def _evaluation(request: Request, batch_id: str | None) -> dict[str, Any]:
    """The chosen batch's evaluation (the latest loaded batch by default)."""
    from riskprofile.serve.web._queue import workbench_of

    workbench = workbench_of(request)
    batches = [b for b in workbench.batches() if b.status == "loaded"]
    if not batches:
        return {"batches": [], "batch": None, "evaluation": None}
    chosen = batches[0] if batch_id is None else next(
        (b for b in batches if b.batch_id == batch_id), None)  # fmt: skip
    if chosen is None:
        raise Refusal(404, _("No such batch."))
    outcomes = workbench.outcomes(chosen.batch_id)
    web = web_context(request)
    profiles = list(web.profiles)
    now = {p.id: p.fingerprint for p in profiles}
    changed = sorted(
        pid
        for pid in set(now) | set(chosen.fingerprints)
        if now.get(pid) != chosen.fingerprints.get(pid)
    )
    context: dict[str, Any] = {"batches": batches, "batch": chosen, "changed": changed,
                               "results": len(outcomes.outcomes), "evaluation": None}  # fmt: skip
    if not outcomes.outcomes or chosen.as_of is None:
        return context
    # Any result recorded or changed, or another profile set, is another key.
    key = (chosen.batch_id, chosen.as_of, tuple(sorted(now.values())), hash(outcomes.outcomes))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is None:
        found = workbench.evaluation(chosen.batch_id, profiles)
        if found is None:  # pragma: no cover - the outcomes were read just above
            return context
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = found
    context["evaluation"] = found
    return context


def dashboard_context(request: Request, batch_id: str | None = None) -> dict[str, Any]:
    """What the dashboard page shows."""
    web = web_context(request)
    return {"profiles": _profiles_table(web), "reload_error": web.reload_error,
            **_evaluation(request, batch_id)}  # fmt: skip


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: Annotated[User, Depends(current_user)],
    batch: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The dashboard: profiles in use; a batch's evaluation on the recorded results."""
    return render(request, "dashboard.html", dashboard_context(request, batch))


@router.get("/dashboard/report", response_class=HTMLResponse)
def full_report(
    request: Request,
    user: Annotated[User, Depends(current_user)],
    batch: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The whole evaluation report of a batch (the page ``riskprofile evaluate`` writes)."""
    found = _evaluation(request, batch)
    if found["evaluation"] is None:
        raise Refusal(404, _("No results are recorded for this batch yet."))
    html = report_html(
        found["evaluation"], title=f"{found['batch'].name} ({found['batch'].batch_id})"
    )
    # The report is one self-contained page with its own <style> (and no script).
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    return HTMLResponse(html, headers={"content-security-policy": policy})
