"""The work queue's pages: upload a batch, the day's inspection list, a container's page
with its hits and explanations, and the forms that move its case (assign, disposition,
result, manual targeting and release).

The work itself is :mod:`riskprofile.workbench`; its tables live in the shell's store
(:class:`~riskprofile.workbench._db.SharedDatabase`), and every change is written to the
audit log in the same transaction as the change (the workbench's ``on_change``). Roles:
an analyst loads batches and targets (adds, releases, assigns); an officer records
dispositions and results on the containers assigned to them; a supervisor does all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from riskprofile.errors import RiskProfileError, TransitionError
from riskprofile.selection import capacity_from_text
from riskprofile.serve.web._audit import record
from riskprofile.serve.web._i18n import N_, _
from riskprofile.serve.web._refusals import refusal_message
from riskprofile.serve.web._shell import NavItem, Refusal, render, require_role, web_context
from riskprofile.serve.web._users import User, authenticate, list_users
from riskprofile.workbench import (
    ACTIONS,
    DISPOSITIONS,
    RESULTS,
    SORT_KEYS,
    Action,
    Actor,
    Amend,
    Assign,
    Change,
    Dispose,
    RecordResult,
    Release,
    Target,
    Unassign,
    Workbench,
    WorkbenchConfig,
    allowed_actions,
    why_not,
)
from riskprofile.workbench.shared import SharedDatabase

__all__ = ["NAV", "WORDS", "router", "workbench_of"]

router = APIRouter()
NAV = (NavItem("/queue", N_("Inspection list"), ("analyst", "officer", "supervisor")),)
Anyone = Annotated[User, Depends(require_role("analyst", "officer", "supervisor"))]
Loader = Annotated[User, Depends(require_role("analyst", "supervisor"))]
_TEXT = 2000
_ROWS_SHOWN = 500
# The words the pages show from the data (lanes, states, reasons...), marked here so that
# they are extracted into the catalogues and translated where they are shown.
WORDS = (
    N_("red"), N_("yellow"), N_("blue"), N_("green"),
    N_("not_selected"), N_("selected"), N_("assigned"), N_("examining"), N_("released"),
    N_("referred"), N_("closed"),
    N_("forced"), N_("score"), N_("control"), N_("manual"),
    N_("scanner"), N_("physical"), N_("documentary"),
    N_("finding"), N_("nil"), N_("not_examined"),
    N_("load"), N_("target"), N_("release"), N_("assign"), N_("unassign"), N_("dispose"),
    N_("result"), N_("amend"),
    N_("shipper"), N_("consignee"), N_("notify"), N_("loaded"), N_("refused"),
)  # fmt: skip
_LOCK = threading.Lock()


def workbench_of(request: Request) -> Workbench:
    """The application's workbench, on the shell's store (made on first use)."""
    state = request.app.state
    with _LOCK:
        found: Workbench | None = getattr(state, "queue", None)
        if found is None:
            web = web_context(request)
            shared = SharedDatabase(web.store)

            def audit(change: Change) -> None:
                record(shared.current, change.actor, f"queue.{change.action}",
                       change.unit or change.batch_id, before=change.before,
                       after=change.after)  # fmt: skip

            # The list's capacity and control sample: set by `riskprofile serve`'s
            # options (app.state.queue_config), else the workbench's defaults.
            settings = web.settings
            given: WorkbenchConfig = getattr(state, "queue_config", None) or WorkbenchConfig(
                capacity=capacity_from_text(settings.queue_capacity),
                control_rate=settings.queue_control_rate, seed=settings.queue_seed,
            )  # fmt: skip
            config = dataclasses.replace(given, max_bytes=settings.max_body_mib << 20)
            found = Workbench(shared, (), config=config, on_change=audit,
                              history=settings.history)  # fmt: skip
            state.queue = found
    return found


def _actor(user: User) -> Actor:
    return Actor(user.username, user.role)


def _officers(request: Request) -> list[str]:
    with web_context(request).store.read() as tx:
        return [u.username for u in list_users(tx) if u.role == "officer" and not u.disabled]


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    user: Anyone,
    batch: Annotated[str | None, Query(max_length=64)] = None,
    officer: Annotated[str | None, Query(max_length=64)] = None,
    order: Annotated[str, Query(max_length=20)] = "rank",
    everything: Annotated[bool, Query(alias="all")] = False,
) -> HTMLResponse:
    """The inspection list of a batch (the latest loaded by default): sortable, lanes in
    colour, filtered by officer (an officer sees their own by default); ``all=true``
    lists every container of the batch (to target one by hand)."""
    workbench = workbench_of(request)
    if order not in SORT_KEYS:
        raise Refusal(422, _("Cannot sort by that column."))
    batches = [b for b in workbench.batches() if b.status == "loaded"]
    shown = next((b for b in batches if b.batch_id == batch), None) if batch else None
    if batch and shown is None:
        raise Refusal(404, _("No such batch."))
    shown = shown or (batches[0] if batches else None)
    if officer is None and user.role == "officer":
        officer = user.username
    units = (
        workbench.units(shown.batch_id, on_list=not everything, officer=officer or None,
                        order=order)
        if shown is not None
        else []
    )  # fmt: skip
    total = len(units)
    units = units[:_ROWS_SHOWN]  # a whole batch can be thousands of containers
    context = {
        "total": total, "batch": shown, "batches": batches,
        "refused": [b for b in workbench.batches() if b.status == "refused"][:5],
        "units": units, "officer": officer or "", "order": order, "everything": everything,
        "officers": _officers(request), "sort_keys": SORT_KEYS,
        "today": dt.datetime.now(dt.UTC).date().isoformat(), "message": None,
        "drop_folder": web_context(request).settings.drop_folder,
    }  # fmt: skip
    fragment = request.headers.get("HX-Target") == "queue-table"
    return render(request, "queue_table.html" if fragment else "queue.html", context)


@router.post("/queue/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    user: Loader,
    file: Annotated[UploadFile, File()],
    as_of: Annotated[dt.date, Form()],
) -> Response:
    """Load an uploaded batch (once per content); a file that cannot be loaded is
    refused (422) with why, and nothing of it is kept but the refusal."""
    workbench = workbench_of(request)
    limit = workbench.config.max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise Refusal(413, _("The file is larger than the limit."))
    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    web = web_context(request)
    try:
        report = workbench.load(content, actor=_actor(user), as_of=as_of, name=name,
                                profiles=web.profiles)  # fmt: skip
    except RiskProfileError as exc:
        raise Refusal(422, str(exc)) from None
    if report.status == "refused":
        raise Refusal(422, _("The file was refused:") + f" {name}: {report.reason}")
    return RedirectResponse(f"/queue?batch={report.batch_id}", status_code=303)


@router.post("/queue/scan", response_class=HTMLResponse)
def scan(request: Request, user: Loader) -> Response:
    """Load the drop folder's new files (each once; a file still being written waits
    for the next scan; one that cannot be loaded is refused, listed on the list page)."""
    web = web_context(request)
    folder = web.settings.drop_folder
    if not folder:
        raise Refusal(404, _("No drop folder is configured (riskprofile serve --drop-folder)."))
    workbench = workbench_of(request)
    try:
        reports = workbench.scan(folder, actor=_actor(user), as_of=dt.datetime.now(dt.UTC),
                                 profiles=web.profiles)  # fmt: skip
    except RiskProfileError as exc:
        raise Refusal(422, str(exc)) from None
    loaded = next((r for r in reports if r.status == "loaded"), None)
    target = f"/queue?batch={loaded.batch_id}" if loaded else "/queue"
    return RedirectResponse(target, status_code=303)


@router.get("/queue/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, user: Anyone, batch_id: str) -> HTMLResponse:
    """A batch: when and by whom it was loaded, its warnings, and every record of it
    that could not be read, with why."""
    workbench = workbench_of(request)
    info = workbench.batch(batch_id[:64])
    if info is None:
        raise Refusal(404, _("No such batch."))
    return render(request, "queue_batch.html",
                  {"batch": info, "rejected": workbench.rejected(info.batch_id)})  # fmt: skip


def _unit_context(
    request: Request, user: User, unit_id: str, message: str | None
) -> dict[str, Any]:
    workbench = workbench_of(request)
    try:
        unit = workbench.unit(unit_id[:128])
    except RiskProfileError:
        raise Refusal(404, _("No such container on the queue.")) from None
    return {
        "unit": unit, "detail": unit.detail, "events": workbench.events(unit.unit_id),
        "allowed": allowed_actions(_actor(user), unit.case), "officers": _officers(request),
        "dispositions": DISPOSITIONS, "results": RESULTS, "message": message,
        "today": dt.datetime.now(dt.UTC).date().isoformat(),
    }  # fmt: skip


@router.get("/queue/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, user: Anyone, unit_id: str) -> HTMLResponse:
    """A container: its case, every hit with its explanation, its route, parties,
    goods and history facts, what happened to it so far, and the forms the user's role
    allows now."""
    return render(request, "queue_unit.html", _unit_context(request, user, unit_id, None))


def _clean(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _action(name: str, form: dict[str, Any]) -> Action:  # the form's fields for the action named
    if name == "target":
        return Target(form["reason"] or "")
    if name == "release":
        return Release(form["reason"] or "")
    if name == "assign":
        return Assign(form["officer"] or "")
    if name == "unassign":
        return Unassign()
    if name == "dispose":
        if form["disposition"] not in DISPOSITIONS:
            raise Refusal(422, _("Choose a disposition."))
        return Dispose(form["disposition"], note=form["note"], reason=form["reason"],
                       partner=form["partner"])  # fmt: skip
    if form["result"] not in RESULTS:
        raise Refusal(422, _("Choose a result."))
    on = form["on"] or dt.datetime.now(dt.UTC).date()
    if name == "amend":
        return Amend(form["result"], on, form["why"] or "", category=form["category"],
                     quantity=form["quantity"], seizure=bool(form["seizure"]),
                     reason=form["reason"], approved_by=form["approver"],
                     quantity_unit=form["quantity_unit"])  # fmt: skip
    return RecordResult(form["result"], on, category=form["category"],
                        quantity=form["quantity"], seizure=bool(form["seizure"]),
                        reason=form["reason"], quantity_unit=form["quantity_unit"])  # fmt: skip


def _approver(request: Request, user: User, name: str | None, password: str | None) -> Actor | None:
    """The supervisor approving an officer's amendment, by their name and password typed
    at the officer's desk (checked, throttled and audited as a sign-in is)."""
    if user.role != "officer" or not name:
        return None
    address = request.client.host if request.client else None
    approver, wait = authenticate(web_context(request).store, name, password or "",
                                  address=address, purpose="approval")  # fmt: skip
    if wait:
        raise Refusal(429, _("Too many failed attempts: try again later."))
    if approver is None:
        raise Refusal(403, _("The approving supervisor's name or password is wrong."))
    return _actor(approver)


@router.post("/queue/units/{unit_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    user: Anyone,
    unit_id: str,
    action: str,
    version: Annotated[int | None, Form(ge=0, le=2**62)] = None,
    reason: Annotated[str | None, Form(max_length=_TEXT)] = None,
    officer: Annotated[str | None, Form(max_length=64)] = None,
    disposition: Annotated[str | None, Form(max_length=20)] = None,
    note: Annotated[str | None, Form(max_length=_TEXT)] = None,
    partner: Annotated[str | None, Form(max_length=200)] = None,
    result: Annotated[str | None, Form(max_length=20)] = None,
    category: Annotated[str | None, Form(max_length=200)] = None,
    quantity: Annotated[str | None, Form(max_length=200)] = None,
    quantity_unit: Annotated[str | None, Form(max_length=30)] = None,
    seizure: Annotated[bool, Form()] = False,
    on: Annotated[dt.date | None, Form()] = None,
    why: Annotated[str | None, Form(max_length=_TEXT)] = None,
    approver: Annotated[str | None, Form(max_length=64)] = None,
    approver_password: Annotated[str | None, Form(max_length=1024)] = None,
) -> Response:
    """Move a container's case: ``target``, ``release``, ``assign``, ``unassign``,
    ``dispose``, ``result`` or ``amend`` (with the form's fields; an officer's amendment
    with the approving supervisor's name and password). Refused: 403 for a role or an
    officer it is not assigned to, 409 for a state that does not allow it (or a page
    shown before someone else acted), 422 for a missing reason, officer or category."""
    if action not in ACTIONS:
        raise Refusal(404, _("No such action."))
    workbench = workbench_of(request)
    context = _unit_context(request, user, unit_id, None)
    unit = context["unit"]
    actor = _actor(user)
    refused = why_not(actor, action, unit.case, unit=unit.unit_key)
    if refused is not None:
        forbidden = refused.code in ("role_may_not", "not_assigned_to")
        raise Refusal(403 if forbidden else 409, refusal_message(refused))
    fields = {
        "reason": _clean(reason), "officer": _clean(officer), "disposition": disposition,
        "note": _clean(note), "partner": _clean(partner), "result": result,
        "category": _clean(category), "quantity": _clean(quantity), "seizure": seizure,
        "quantity_unit": _clean(quantity_unit),
        "on": on, "why": _clean(why),
        "approver": _approver(request, user, _clean(approver), approver_password)
        if action == "amend" else None,
    }  # fmt: skip
    if action == "assign" and fields["officer"] not in context["officers"]:
        raise Refusal(422, _("Choose an officer."))
    try:
        workbench.act(unit.unit_id, _action(action, fields), actor, version=version)
    except TransitionError as exc:
        stale = exc.code in ("stale", "raced")
        raise Refusal(409 if stale else 422, refusal_message(exc)) from None
    if request.headers.get("HX-Request") == "true":
        return render(request, "queue_case.html", _unit_context(request, user, unit_id, None))
    return RedirectResponse(f"/queue/units/{unit.unit_id}", status_code=303)
