"""The FastAPI application of ``riskprofile serve`` (see docs/serve.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from riskprofile._files import files_signature
from riskprofile.errors import NoProfilesError, ProfileError, RiskProfileError
from riskprofile.model import field_catalogue
from riskprofile.profiles import LOCK_FILE, CompiledProfile, ProfileSet, load_profiles
from riskprofile.results import ContainerResult, ScoringRun
from riskprofile.rules import applicable_profiles, require_profiles, unit_key
from riskprofile.scoring import merge_runs
from riskprofile.selection import select
from riskprofile.serve._keys import ApiKeys
from riskprofile.serve._limits import BodyLimit, Limits, field_problems
from riskprofile.serve._models import (
    CallOut,
    CallsResponse,
    ContainerOut,
    FieldProblemOut,
    HitOut,
    OutcomesListResponse,
    OutcomesRequest,
    OutcomesResponse,
    ProblemResponse,
    ProfileOut,
    ProfilesResponse,
    ScoreRequest,
    ScoreResponse,
    ScreenMatch,
    ScreenRequest,
    ScreenResponse,
    ScreenResult,
    SelectedOut,
    SelectRequest,
    SelectResponse,
    ShipmentOut,
)
from riskprofile.serve._pool import CallPool, CallSummary, DocumentProblem, DocumentsRefusedError
from riskprofile.serve._records import record_problems, records_as_documents
from riskprofile.serve._screen import name_lists, screen_name
from riskprofile.serve._store import PoolStore

__all__ = ["POOL_NOTE", "ServiceSettings", "create_app"]

POOL_NOTE = (
    "scored within the vessel call as it stands: a container's fields (LCL, its goods "
    "weight) count every bill of lading of the call received so far, so these results "
    "can change as the call fills (see 'changed', and GET /v1/calls?key=...)"
)
ALONE_NOTE = (
    "scored on their own (keep=false): a container's fields count only this request's "
    "bills of lading; nothing was kept"
)
_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": ProblemResponse, "description": "The body is not JSON text (UTF-8)."},
    401: {"model": ProblemResponse, "description": "No API key, or not a known one."},
    413: {"model": ProblemResponse, "description": "The body is over the size limit."},
    422: {"model": ProblemResponse, "description": "Bad input: each record, field, value."},
}


@dataclass(frozen=True)
class ServiceSettings:
    """What a worker needs to start: everything is loaded by the worker itself.

    Attributes:
        keys: the keys file (see :mod:`riskprofile.serve._keys`).
        profiles: profile files or folders (empty: the bundled library).
        country: the PCU's country (its overlays apply).
        pool: the pool's SQLite file, shared by every worker (``":memory:"``: one
            process, gone at exit).
        strictness: how documents are validated.
        limits: what a request may hold.
        max_calls: the most vessel calls the pool holds.
        max_bills: the most bills of lading one vessel call holds.
        reload_seconds: how often a worker looks whether a profile file changed (a hash
            of each file), at most: it then loads the whole set again and
            swaps it in only if every file loads (0: on every request; below 0: never).
            Only when every ``profiles`` path is a folder with a ``profiles.lock``:
            otherwise the profiles are loaded once (see :func:`reload_off`).
    """

    keys: str
    profiles: tuple[str, ...] = ()
    country: str | None = None
    pool: str = ":memory:"
    strictness: str = "lenient"
    limits: Limits = field(default_factory=Limits)
    max_calls: int = 2000
    max_bills: int = 20_000
    reload_seconds: float = 2.0

    def to_json(self) -> str:
        """The settings as JSON (how the command hands them to its workers)."""
        data = {
            k: getattr(self, k)
            for k in (
                "keys",
                "profiles",
                "country",
                "pool",
                "strictness",
                "max_calls",
                "max_bills",
                "reload_seconds",
            )
        }
        data["profiles"] = list(self.profiles)
        data["limits"] = self.limits.__dict__
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> ServiceSettings:
        """The settings :meth:`to_json` wrote."""
        data = json.loads(text)
        data["profiles"] = tuple(data["profiles"])
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


def load_service_profiles(settings: ServiceSettings) -> ProfileSet:
    """The profile set the settings name (the bundled library when none)."""
    return load_named_profiles(settings.profiles, settings.country)


def load_named_profiles(paths: Sequence[str], country: str | None) -> ProfileSet:
    """The profile set of ``paths`` (folders and files; the word ``bundled`` adds the
    bundled library, which is also the set when ``paths`` is empty)."""
    own = [p for p in paths if p != "bundled"]
    return load_profiles(own, country=country, bundled=len(own) < len(paths) or not paths)


def reload_off(settings: ServiceSettings) -> str | None:
    """Why the service does not reload its profiles while it runs, or None when it does:
    a ``--profiles`` path that is not a folder with a ``profiles.lock`` (an editor's
    half-written file could parse and load), or ``reload_seconds`` below 0."""
    if settings.reload_seconds < 0:
        return "hot reload is off (reload_seconds below 0): restart to load changed profiles"
    unlocked = [
        p
        for p in settings.profiles
        if p != "bundled" and not (Path(p).is_dir() and (Path(p) / LOCK_FILE).is_file())
    ]
    if not unlocked:
        return None
    return (
        f"hot reload is off: {', '.join(unlocked)} is not a folder with a {LOCK_FILE} (a "
        "half-written profile could load); the profiles were loaded once, at start: "
        "restart to load changed ones, or lock the folder "
        "(riskprofile.profiles.lock_profiles) to have them reloaded"
    )


def _as_of(value: str | None, field_name: str = "as_of") -> dt.datetime:
    if value is None:
        now = dt.datetime.now(dt.UTC)
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        when = dt.datetime.fromisoformat(value.strip())
        when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise _refused(
            [
                FieldProblemOut(
                    field=field_name,
                    value=value[:200],
                    reason="not an ISO 8601 date or time (2026-11-02, 2026-11-02T10:00:00+05:00)",
                )
            ]
        ) from None
    return when


def _refused(problems: Sequence[FieldProblemOut], status: int = 422) -> HTTPException:
    return HTTPException(status, detail=[p.model_dump() for p in problems])


def _number(value: Decimal) -> float:
    return float(value)


def container_out(container: ContainerResult) -> ContainerOut:
    """A unit as the API shows it."""
    first = container.shipments[0].shipment
    return ContainerOut(
        key=container.key,
        container_number=container.container_number,
        call=first.manifest_ref,
        lane=container.lane,
        score=_number(container.score),
        forced_lane=container.forced_lane,
        forced=list(container.forced),
        bl_numbers=list(container.bl_numbers),
        shipments=[
            ShipmentOut(
                shipment_id=s.shipment_id,
                bl_number=s.shipment.bl_number,
                score=_number(s.score),
                lane=s.lane,
                forced=list(s.forced),
                notes=list(s.notes),
            )
            for s in container.shipments
        ],
        hits=[
            HitOut(
                profile_id=h.profile_id,
                profile_version=h.profile_version,
                indicator_id=h.indicator_id,
                title=h.title,
                weight=_number(h.weight),
                explanation=h.explanation,
                forced_lane=h.forced_lane,
                shipment_id=h.shipment_id,
                counted=h.counted,
            )
            for h in container.hits
        ],
    )


def _call_out(summary: CallSummary) -> CallOut:
    return CallOut(**summary.__dict__)


class Service:
    """What one worker holds: the keys, the profiles, the pool.

    The profiles are reloaded without a restart, but only from locked folders (every
    ``--profiles`` path a folder holding a ``profiles.lock``): at most every
    ``reload_seconds``, the worker compares its profile files' contents (a hash of each)
    with what it loaded; when they differ it loads the whole set again and swaps it in
    only if every file loads and matches its folder's lock (a request is served by one
    set from start to end). A set that fails is not used: the worker keeps the one it
    has and says why in ``/healthz`` and ``/v1/profiles`` (``reload_error``) until the
    files load again. Without a lock, a file cut where the rest still parses would load
    (an editor's half-written save): the profiles are then loaded once, at start, and
    ``reload_off`` (also in ``/healthz``) says why.
    """

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.keys = ApiKeys.read(settings.keys)
        self._signature = files_signature(settings.profiles)
        self._profiles = load_service_profiles(settings)
        self._checked = time.monotonic()
        self._reload_lock = threading.Lock()
        self.reload_error: str | None = None
        self.reloads = 0
        self.reload_off = reload_off(settings)
        self.pool = CallPool(
            PoolStore(settings.pool),
            strictness=settings.strictness,
            max_calls=settings.max_calls,
            max_bills=settings.max_bills,
        )

    @property
    def profiles(self) -> ProfileSet:
        """The profile set in use (reloaded first when its files changed)."""
        interval = self.settings.reload_seconds
        if self.reload_off is None and time.monotonic() - self._checked >= interval:
            with self._reload_lock:
                self._checked = time.monotonic()
                signature = files_signature(self.settings.profiles)
                if signature != self._signature:
                    try:
                        unlocked = reload_off(self.settings)
                        if unlocked is not None:  # a lock removed since the start
                            raise ProfileError(f"not reloaded: {unlocked}", code="lock")
                        loaded = load_service_profiles(self.settings)
                    except (RiskProfileError, OSError) as exc:
                        self.reload_error = str(exc)[:2000]
                    else:
                        self._profiles, self.reload_error = loaded, None
                        self.reloads += 1
                    # A failed set is tried again only when the files change again.
                    self._signature = signature
        return self._profiles

    def taking_part(self, as_of: dt.datetime) -> tuple[list[CompiledProfile], dict[str, str]]:
        """The profiles that score at ``as_of``, and why the others do not (422 when
        none does: a run that looked at nothing would call every container green)."""
        chosen, skipped = applicable_profiles(self.profiles, as_of, False)
        try:
            require_profiles(chosen, skipped, as_of)
        except NoProfilesError as exc:
            problem = FieldProblemOut(field="as_of", value=as_of.isoformat(), reason=str(exc))
            raise _refused([problem]) from None
        return chosen, skipped

    def profiles_out(self, profiles: Sequence[CompiledProfile]) -> list[ProfileOut]:
        """The profiles as the API lists them."""
        return [
            ProfileOut(
                id=p.id,
                version=p.version,
                title=p.profile.title,
                category=str(p.profile.category),
                fingerprint=p.fingerprint,
            )
            for p in profiles
        ]


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service's ASGI application; its worker loads the keys and profiles now.

    Raises:
        RiskProfileError: the keys file, the profiles or the pool store cannot be used.
    """
    service = Service(settings)
    app = FastAPI(
        title="riskprofile scoring service",
        version="1",
        description="Score manifests against risk profiles, select containers over the "
        "pool of a day's vessel calls, record outcomes, screen party names. See "
        "docs/serve.md.",
    )
    app.state.service = service
    app.add_middleware(BodyLimit, limits=settings.limits)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p != "body"]
            value = err.get("input")
            text = None if value is None or isinstance(value, dict | list) else str(value)
            problems.append(
                {
                    "record": None,
                    "field": ".".join(loc) or None,
                    "value": None if text is None else text[:200],
                    "reason": str(err.get("msg", "invalid")),
                }
            )
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(RiskProfileError)
    async def _library(request: Request, exc: RiskProfileError) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"record": None, "field": None, "value": None, "reason": str(exc)[:2000]}]},
            status_code=422,
        )

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Whether the worker is up, with how many profiles, and which process it is
        (no key needed); ``warnings``: what a run with the profiles taking part today
        cannot see (indicators that read a stow plan's or a history store's fields, which
        the service is not given)."""
        profiles = service.profiles
        today, _skipped = applicable_profiles(profiles, dt.datetime.now(dt.UTC), False)
        return {"status": "ok", "profiles": len(profiles), "worker": os.getpid(),
                "reload_error": service.reload_error, "reload_off": service.reload_off,
                "warnings": service.pool.run_warnings(today)}  # fmt: skip

    @app.get("/v1/profiles", response_model=ProfilesResponse, responses=_REFUSALS)
    def profiles(_: Caller, as_of: str | None = None) -> ProfilesResponse:
        """The profiles that take part at ``as_of`` (default today), with their
        fingerprints, and the ones that do not, with why."""
        when = _as_of(as_of)
        chosen, skipped = applicable_profiles(service.profiles, when, False)
        return ProfilesResponse(profiles=service.profiles_out(chosen), skipped=skipped,
                                reload_error=service.reload_error)  # fmt: skip

    @app.get("/v1/fields", responses=_REFUSALS)
    def fields(_: Caller) -> dict[str, Any]:
        """The field catalogue (what a profile's condition reads) as a JSON Schema."""
        return fields_schema()

    @app.post("/v1/score", response_model=ScoreResponse, responses=_REFUSALS)
    def score_documents(body: ScoreRequest, _: Caller) -> ScoreResponse:
        """Score manifests or flat records (see docs/serve.md for the pool)."""
        when = _as_of(body.as_of)
        if (body.manifests is None) == (body.records is None):
            raise _refused(
                [FieldProblemOut(field="manifests", reason="give either 'manifests' or 'records'")]
            )
        given: Sequence[Any] = body.manifests if body.manifests is not None else body.records or []
        what = "manifests" if body.manifests is not None else "records"
        if not given:
            raise _refused([FieldProblemOut(field=what, reason="empty: nothing to score")])
        limits = settings.limits
        if len(given) > limits.max_documents:
            raise _refused(
                [
                    FieldProblemOut(
                        field="manifests" if body.manifests is not None else "records",
                        reason=f"{len(given):,} documents, more than the "
                        f"limit of {limits.max_documents:,}",
                    )
                ],
                413,
            )
        too_big = field_problems(
            list(given), limits, "manifests" if body.manifests is not None else "records"
        )
        if too_big:
            raise _refused([FieldProblemOut(**p) for p in too_big])
        rejected: list[FieldProblemOut] = []
        if body.records is not None:
            problems = record_problems(body.records)
            if problems:
                raise _refused(problems)
            documents, rejected = records_as_documents(body.records, settings.strictness)
        else:
            documents = list(body.manifests or [])
        chosen, skipped = service.taking_part(when)
        try:
            parsed = service.pool.parse(documents)
        except DocumentsRefusedError as exc:
            raise _refused([_problem(p) for p in exc.problems]) from None
        if body.keep:
            try:
                arrival = service.pool.add(parsed, chosen, when, skipped)
            except DocumentsRefusedError as exc:
                raise _refused([_problem(p) for p in exc.problems]) from None
        else:
            scratch = CallPool(PoolStore(":memory:"), strictness=settings.strictness)
            arrival = scratch.add(parsed, chosen, when, skipped)
        warnings = [*service.pool.run_warnings(chosen),
                    *(f"pool full: call {key} dropped" for key in arrival.evicted)]  # fmt: skip
        return ScoreResponse(
            as_of=when.isoformat(),
            pooled=body.keep,
            note=POOL_NOTE if body.keep else ALONE_NOTE,
            profiles=service.profiles_out(chosen),
            skipped_profiles=dict(skipped),
            containers=[container_out(c) for c in arrival.units],
            changed=[container_out(c) for c in arrival.changed],
            calls=[_call_out(c) for c in arrival.calls],
            replaced=list(arrival.replaced),
            evicted=list(arrival.evicted),
            records_read=len(given),
            rejected=rejected,
            unevaluable=arrival.unevaluable,
            warnings=warnings,
        )

    @app.get(
        "/v1/calls",
        response_model=CallsResponse,
        responses={**_REFUSALS, 404: {"model": ProblemResponse, "description": "No such call."}},
    )
    def calls(
        _: Caller,
        key: Annotated[str | None, Query(max_length=400)] = None,
        as_of: str | None = None,
    ) -> CallsResponse:
        """The calls of the pool; with ``key``, that call's units scored as of ``as_of``
        (default today) as it stands."""
        if key is None:
            return CallsResponse(
                as_of=None, calls=[_call_out(c) for c in service.pool.summaries()], containers=[]
            )
        when = _as_of(as_of)
        chosen, skipped = service.taking_part(when)
        try:
            run = service.pool.run([key], chosen, when, skipped)
        except KeyError:
            raise HTTPException(404, detail=f"no call {key!r} in the pool") from None
        summaries = [s for s in service.pool.summaries([key]) if s.key == key]
        return CallsResponse(
            as_of=when.isoformat(),
            calls=[_call_out(s) for s in summaries],
            containers=[container_out(c) for c in run.containers],
        )

    def _within_limits(items: list[Any], what: str) -> None:
        """Refuse a list of more than ``max_documents`` items (413), or one with a text or
        list over the per-field limits (422 naming its path), as /v1/score does."""
        limits = settings.limits
        if len(items) > limits.max_documents:
            raise _refused(
                [
                    FieldProblemOut(
                        field=what,
                        reason=f"{len(items):,} items, more than the "
                        f"limit of {limits.max_documents:,}",
                    )
                ],
                413,
            )
        too_big = field_problems(items, limits, what)
        if too_big:
            raise _refused([FieldProblemOut(**p) for p in too_big])

    @app.post("/v1/select", response_model=SelectResponse, responses=_REFUSALS)
    def select_pool(body: SelectRequest, _: Caller) -> SelectResponse:
        """The inspection list over the pool (every call, the calls named, or the calls
        arriving on ``day``), not over one request: a share of the day, not of a B/L."""
        when = _as_of(body.as_of)
        if body.calls is not None:
            _within_limits(body.calls, "calls")
        chosen, skipped = service.taking_part(when)
        keys = body.calls if body.calls is not None else service.pool.call_keys(body.day)
        runs: list[ScoringRun] = []
        for key in sorted(set(keys)):
            try:
                runs.append(service.pool.run([key], chosen, when, skipped))
            except KeyError:
                raise _refused(
                    [
                        FieldProblemOut(
                            field="calls", value=key[:200], reason="no such call in the pool"
                        )
                    ]
                ) from None
        if not runs:
            raise _refused(
                [FieldProblemOut(field="calls", reason="no call in the pool to select from")]
            )
        merged = merge_runs(runs)
        try:
            chosen_list = select(
                merged,
                capacity=body.capacity,
                control_rate=body.control_rate,
                seed=body.seed,
                control_on_top=body.control_on_top,
            )
        except ValueError as exc:
            text = str(exc)
            name = "seed" if "seed" in text else "control_rate" if "control" in text else "capacity"
            raise _refused([FieldProblemOut(field=name, reason=text)]) from None
        return SelectResponse(
            as_of=when.isoformat(),
            calls=sorted(set(keys)),
            units=len(merged.containers),
            capacity=chosen_list.capacity,
            selected=[
                SelectedOut(
                    rank=s.rank,
                    reason=s.reason,
                    key=s.container.key,
                    lane=s.container.lane,
                    score=float(s.container.score),
                )
                for s in chosen_list.selected
            ],
            left_out=[c.key for c in chosen_list.left_out],
            documentary=[c.key for c in chosen_list.documentary],
            unused_capacity=chosen_list.unused_capacity,
            over_capacity=chosen_list.over_capacity,
            warnings=[*service.pool.run_warnings(chosen), *chosen_list.warnings],
        )

    @app.post("/v1/outcomes", response_model=OutcomesResponse, responses=_REFUSALS)
    def outcomes(body: OutcomesRequest, who: Caller) -> OutcomesResponse:
        """Record inspection results against the pool's units; an outcome that names no
        unit (or units of several calls) is returned with the reason, not kept."""
        from riskprofile.evaluation import Outcome, match_outcomes

        _within_limits(
            [o.model_dump(mode="json", exclude_none=True) for o in body.outcomes], "outcomes"
        )
        problems: list[FieldProblemOut] = []
        given: list[Outcome] = []
        for index, item in enumerate(body.outcomes, start=1):
            unit = item.unit or item.container_number or item.bl_number
            if unit is None:
                problems.append(
                    FieldProblemOut(
                        record=index,
                        field="unit",
                        reason="name a unit, a container number or a B/L number",
                    )
                )
                continue
            try:
                given.append(
                    Outcome(
                        unit,
                        inspected=item.inspected,
                        finding=item.finding,
                        selected_by=item.selected_by,
                        category=item.category,
                        quantity=item.quantity,
                        date=item.date,
                        source_line=index,
                        container_number=item.container_number,
                        bl_number=item.bl_number,
                        quantity_unit=item.quantity_unit,
                        seizure=item.seizure,
                    )
                )
            except ValueError as exc:
                field = "seizure" if "seizure" in str(exc) else "finding"
                problems.append(FieldProblemOut(record=index, field=field, reason=str(exc)))
        if problems:
            raise _refused(problems)
        shipments = service.pool.shipments(service.pool.call_keys())
        match = match_outcomes(shipments, given)
        call_of = {unit_key(s): s.manifest_ref for s in shipments}
        recorded = []
        with service.pool.store.writing() as db:
            for outcome, keys in match.matched:
                for key in keys:
                    call = call_of[key]
                    row = body.outcomes[(outcome.source_line or 1) - 1].model_dump(mode="json")
                    db.execute(
                        "INSERT INTO outcomes (call, unit, caller, doc) VALUES (?, ?, ?, ?)",
                        (call, key, who, json.dumps(row)),
                    )
                    recorded.append({"record": outcome.source_line, "unit": key})
        unmatched = [
            FieldProblemOut(
                record=u.outcome.source_line, field="unit", value=u.outcome.unit, reason=u.reason
            )
            for u in match.unmatched
        ]
        return OutcomesResponse(recorded=recorded, unmatched=unmatched)

    @app.get("/v1/outcomes", response_model=OutcomesListResponse, responses=_REFUSALS)
    def recorded_outcomes(
        _: Caller, call: Annotated[str | None, Query(max_length=400)] = None
    ) -> OutcomesListResponse:
        """Every outcome recorded (of one call with ``call``), in the order received, in
        the outcome layout with the unit it was recorded for and the caller: what
        ``riskprofile evaluate`` and the history store read (as JSON Lines, one per
        line)."""
        rows = service.pool.store.outcomes(call)
        return OutcomesListResponse(
            outcomes=[
                {**doc, "unit": unit, "call": where, "recorded_by": who}
                for where, unit, who, doc in rows
            ]
        )

    @app.post("/v1/screen", response_model=ScreenResponse, responses=_REFUSALS)
    def screen(body: ScreenRequest, _: Caller) -> ScreenResponse:
        """Party names against the profiles' name lists: each name's matches, with a
        score (0-100) and the reason."""
        limits = settings.limits
        too_big = field_problems(body.names, limits, "names")
        if len(body.names) > 1000:
            too_big.append(
                {
                    "field": "names",
                    "value": None,
                    "reason": f"{len(body.names):,} names, more than 1,000",
                }
            )
        if too_big:
            raise _refused([FieldProblemOut(**p) for p in too_big])
        when = _as_of(body.as_of)
        lists = name_lists(service.profiles, when)
        results = [
            ScreenResult(
                name=name,
                matches=[
                    ScreenMatch(
                        list=m.list,
                        profile_id=m.profile_id,
                        entry=m.entry,
                        score=m.score,
                        reason=m.reason,
                        details=m.details,
                    )
                    for m in screen_name(name, lists, body.threshold, body.limit)
                ],
            )
            for name in body.names
        ]
        return ScreenResponse(lists=[w.name for w in lists], results=results)

    return app


_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The calling system's API key."
)


def _caller(request: Request, key: Annotated[str | None, Depends(_HEADER)]) -> str:
    """The calling system whose key the request carries (401 without a valid one)."""
    service: Service = request.app.state.service
    found = service.keys.caller(key)
    if found is None:
        raise HTTPException(
            401,
            detail="a valid X-API-Key header is required",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    return found


Caller = Annotated[str, Depends(_caller)]


def _problem(problem: DocumentProblem) -> FieldProblemOut:
    return FieldProblemOut(**problem.as_dict())


def fields_schema() -> dict[str, Any]:
    """The field catalogue as a JSON Schema (2020-12) of one shipment record."""
    kinds: dict[str, dict[str, Any]] = {
        "string": {"type": "string"},
        "integer": {"type": "integer"},
        "float": {"type": "number"},
        "decimal": {"type": "string", "format": "decimal"},
        "boolean": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
        "list[string]": {"type": "array", "items": {"type": "string"}},
    }
    properties: dict[str, Any] = {}
    for spec in field_catalogue():
        schema = dict(kinds[spec.type])
        if spec.choices:
            if schema.get("type") == "array":
                schema["items"] = {"type": "string", "enum": list(spec.choices)}
            else:
                schema["enum"] = list(spec.choices)
        if spec.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        schema["description"] = spec.description
        properties[spec.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Shipment",
        "description": "One container under one bill of lading, as profiles see it.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
