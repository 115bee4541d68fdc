"""A container's case on the work queue: its states, the actions that move it, and who
may take them. Pure: no store, no clock; the store applies these rules in a transaction.

::

    not_selected --target--> selected --assign--> assigned --dispose(scanner|physical|
         ^                      |  ^                 |  |     documentary)--> examining
         |                      |  +----unassign-----+  |                        |
         |                   release                    +--dispose(released)--+  result
         |                      v                       +--dispose(referred)  |    v
         |                   released <-----------------------+        |      +-> closed
         |                                                      referred --result--^
    (the scored units the selection did not take)

``released`` and ``closed`` are final. A result (finding, NIL, not examined) only after a
disposition; a disposition only on a container assigned to an officer; a release or a
manual target always with a reason. Every action returns the case before and after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from riskprofile.errors import TransitionError
from riskprofile.workbench._refusals import refuse

__all__ = [
    "ACTIONS",
    "DISPOSITIONS",
    "RESULTS",
    "ROLES",
    "STATES",
    "Action",
    "Actor",
    "Amend",
    "Assign",
    "Case",
    "Disposition",
    "Dispose",
    "RecordResult",
    "Release",
    "ResultKind",
    "Role",
    "State",
    "Target",
    "Unassign",
    "allowed_actions",
    "apply",
    "may",
    "why_not",
]

State = Literal["not_selected", "selected", "assigned", "examining", "released", "referred",
                "closed"]  # fmt: skip
STATES: tuple[State, ...] = get_args(State)
FINAL: frozenset[State] = frozenset({"released", "closed"})

Role = Literal["analyst", "officer", "supervisor"]
ROLES: tuple[Role, ...] = get_args(Role)

Disposition = Literal["scanner", "physical", "documentary", "released", "referred"]
"""What is done with a container: scanned (non-intrusive), physically examined, checked on
the documents, released with a reason, or referred to a partner PCU."""
DISPOSITIONS: tuple[Disposition, ...] = get_args(Disposition)
_EXAMINATIONS = frozenset({"scanner", "physical", "documentary"})

ResultKind = Literal["finding", "nil", "not_examined"]
"""A finding (with its category), NIL (examined, nothing found), or not examined (why)."""
RESULTS: tuple[ResultKind, ...] = get_args(ResultKind)

SelectedBy = Literal["forced", "score", "control", "manual"]

_TEXT_LIMIT = 2000  # a reason, note, category or quantity is a line of text, not a file


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user name and a role (analyst, officer, supervisor)."""

    name: str
    role: Role

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise refuse("actor_name", None, "", "")
        if self.role not in ROLES:
            raise refuse("actor_role", None, "", "", value=self.role,
                         choices=ROLES)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Case:
    """Where a container stands on the queue (what the store keeps beside its scores).

    Attributes:
        state: see the module docstring.
        selected_by: why it is on the list (forced, score, control, manual), None when not.
        officer: the officer it is assigned to.
        disposition: what was done with it.
        partner: the partner PCU it was referred to.
        note: the disposition's note.
        reason: why it was targeted by hand, released, or not examined.
        result: finding, nil or not_examined.
        category, quantity, quantity_unit, seizure: what was found, how much (a number
            above zero, as text: ``"12.5"``) in what unit (``kg``, ``pieces``), whether it
            was seized. A store written before units were kept may hold the quantity
            with its unit in one text (``"12 kg"``) and no ``quantity_unit``.
        result_date: when the result was recorded (the inspection date).
    """

    state: State = "not_selected"
    selected_by: SelectedBy | None = None
    officer: str | None = None
    disposition: Disposition | None = None
    partner: str | None = None
    note: str | None = None
    reason: str | None = None
    result: ResultKind | None = None
    category: str | None = None
    quantity: str | None = None
    quantity_unit: str | None = None
    seizure: bool = False
    result_date: dt.date | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (the audit log's before and after)."""
        out = dataclasses.asdict(self)
        out["result_date"] = self.result_date.isoformat() if self.result_date else None
        return out


@dataclass(frozen=True, slots=True)
class Target:
    """An analyst puts a container the selection did not take on the list."""

    reason: str
    name = "target"


@dataclass(frozen=True, slots=True)
class Release:
    """An analyst takes a selected container off the list, with a reason."""

    reason: str
    name = "release"


@dataclass(frozen=True, slots=True)
class Assign:
    """A container on the list goes to an officer (again: to another officer)."""

    officer: str
    name = "assign"


@dataclass(frozen=True, slots=True)
class Unassign:
    """An assigned container goes back to the list."""

    name = "unassign"


@dataclass(frozen=True, slots=True)
class Dispose:
    """The assigned officer decides what is done: an examination (scanner, physical,
    documentary), a release (``reason`` required), or a referral (``partner`` required)."""

    disposition: Disposition
    note: str | None = None
    reason: str | None = None
    partner: str | None = None
    name = "dispose"


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What the examination (or the partner PCU) found: a finding (``category``
    required; ``quantity``, ``seizure``), NIL, or not examined (``reason`` required).

    ``quantity`` is a number above zero with its unit: in ``quantity_unit``, or after
    the number (``"12.5 kg"``, split into ``"12.5"`` and ``"kg"``)."""

    result: ResultKind
    on: dt.date
    category: str | None = None
    quantity: str | None = None
    seizure: bool = False
    reason: str | None = None
    quantity_unit: str | None = None
    name = "result"


@dataclass(frozen=True, slots=True)
class Amend:
    """A closed result corrected, with ``why``: the new result is given whole, as
    :class:`RecordResult` gives it. A supervisor amends; so does the officer the
    container is assigned to, with a supervisor's approval (``approved_by``, another
    person, whose role the caller has checked: the web pages ask for their password)."""

    result: ResultKind
    on: dt.date
    why: str
    category: str | None = None
    quantity: str | None = None
    seizure: bool = False
    reason: str | None = None
    approved_by: Actor | None = None
    quantity_unit: str | None = None
    name = "amend"


Action = Target | Release | Assign | Unassign | Dispose | RecordResult | Amend
ACTIONS: tuple[str, ...] = ("target", "release", "assign", "unassign", "dispose", "result",
                            "amend")  # fmt: skip

# Which roles may take each action; an officer only on a container assigned to them.
_ROLES: dict[str, frozenset[Role]] = {
    "target": frozenset({"analyst", "supervisor"}),
    "release": frozenset({"analyst", "supervisor"}),
    "assign": frozenset({"analyst", "supervisor"}),
    "unassign": frozenset({"analyst", "supervisor"}),
    "dispose": frozenset({"officer", "supervisor"}),
    "result": frozenset({"officer", "supervisor"}),
    "amend": frozenset({"officer", "supervisor"}),
}
# The states each action starts from.
_FROM: dict[str, frozenset[State]] = {
    "target": frozenset({"not_selected"}),
    "release": frozenset({"selected", "assigned"}),
    "assign": frozenset({"selected", "assigned"}),
    "unassign": frozenset({"assigned"}),
    "dispose": frozenset({"assigned"}),
    "result": frozenset({"examining", "referred"}),
    "amend": frozenset({"closed"}),
}


def allowed_actions(actor: Actor, case: Case) -> list[str]:
    """The actions ``actor`` may take on ``case`` now (state, role and assignment)."""
    return [a for a in ACTIONS if case.state in _FROM[a] and may(actor, a, case)]


def may(actor: Actor, action: str, case: Case) -> bool:
    """Whether ``actor``'s role allows ``action`` on ``case`` (an officer: only on a
    container assigned to them). The state is checked by :func:`apply`."""
    if actor.role not in _ROLES[action]:
        return False
    return actor.role != "officer" or case.officer == actor.name


def _text(value: str | None, what: str, unit: str | None, action: str, state: str) -> str:
    # ``what`` names the refusals: needs_<what> when empty, <what>_too_long when too long.
    text = " ".join((value or "").split())
    if not text:
        raise refuse(f"needs_{what}", unit, action, state, action=action)
    if len(text) > _TEXT_LIMIT:
        raise refuse(f"{what}_too_long", unit, action, state, limit=_TEXT_LIMIT)
    return text


def _optional(
    value: str | None, what: str, unit: str | None, action: str, state: str
) -> str | None:
    return _text(value, what, unit, action, state) if value and value.strip() else None


def why_not(
    actor: Actor, action: str, case: Case, *, unit: str | None = None
) -> TransitionError | None:
    """Why ``actor`` may not take ``action`` on ``case`` now, whatever its fields: the
    role or the assignment (code ``role_may_not``, ``not_assigned_to``), else the state
    (``state_<action>``); None when both allow it (its fields are checked by
    :func:`apply`)."""
    state = case.state
    if not may(actor, action, case):
        roles = tuple(sorted(_ROLES[action]))
        if actor.role in _ROLES[action]:
            return refuse("not_assigned_to", unit, action, state,
                          actor=actor.name, action=action, roles=roles)  # fmt: skip
        return refuse("role_may_not", unit, action, state, role=actor.role,
                      action=action, roles=roles)  # fmt: skip
    if state not in _FROM[action]:
        return refuse(f"state_{action}", unit, action, state, state=state)
    return None


def apply(case: Case, action: Action, actor: Actor, *, unit: str | None = None) -> Case:
    """The case after ``actor`` takes ``action`` on it.

    Raises:
        TransitionError: the state does not allow the action (a result before a
            disposition), the actor's role or assignment does not, or a required reason,
            officer, partner or category is missing.
    """
    name, state = action.name, case.state
    refused = why_not(actor, name, case, unit=unit)
    if refused is not None:
        raise refused
    if isinstance(action, Target):
        reason = _text(action.reason, "reason", unit, name, state)
        return dataclasses.replace(case, state="selected", selected_by="manual", reason=reason)
    if isinstance(action, Release):
        reason = _text(action.reason, "reason", unit, name, state)
        return dataclasses.replace(case, state="released", reason=reason)
    if isinstance(action, Assign):
        officer = _text(action.officer, "officer", unit, name, state)
        return dataclasses.replace(case, state="assigned", officer=officer)
    if isinstance(action, Unassign):
        return dataclasses.replace(case, state="selected", officer=None)
    if isinstance(action, Dispose):
        return _dispose(case, action, unit)
    if isinstance(action, Amend):
        return _amend(case, action, actor, unit)
    return _result(case, action, unit)


def _amend(case: Case, action: Amend, actor: Actor, unit: str | None) -> Case:
    name, state = action.name, case.state
    _text(action.why, "reason", unit, name, state)
    approver = action.approved_by
    if actor.role == "officer":
        if approver is None:
            raise refuse("needs_approver", unit, name, state)
        if approver.role != "supervisor":
            raise refuse("approver_not_supervisor", unit, name, state, approver=approver.name)
        if approver.name == actor.name:
            raise refuse("approver_is_actor", unit, name, state, approver=approver.name)
    corrected = RecordResult(action.result, action.on, category=action.category,
                             quantity=action.quantity, seizure=action.seizure,
                             reason=action.reason,
                             quantity_unit=action.quantity_unit)  # fmt: skip
    after = _result(case, corrected, unit, name)
    if after == case:
        raise refuse("amendment_changes_nothing", unit, name, state)
    return after


def _dispose(case: Case, action: Dispose, unit: str | None) -> Case:
    name, state = action.name, case.state
    if action.disposition not in DISPOSITIONS:
        raise refuse("unknown_disposition", unit, name, state, value=action.disposition,
                     choices=DISPOSITIONS)  # fmt: skip
    note = _optional(action.note, "note", unit, name, state)
    if action.disposition in _EXAMINATIONS:
        return dataclasses.replace(case, state="examining", disposition=action.disposition,
                                   note=note)  # fmt: skip
    if action.disposition == "released":
        reason = _text(action.reason, "release_reason", unit, name, state)
        return dataclasses.replace(case, state="released", disposition="released", note=note,
                                   reason=reason)  # fmt: skip
    partner = _text(action.partner, "partner", unit, name, state)
    return dataclasses.replace(case, state="referred", disposition="referred", note=note,
                               partner=partner)  # fmt: skip


_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s.,].*)?")


def _quantity(
    action: RecordResult, unit: str | None, name: str, state: str
) -> tuple[str | None, str | None]:
    """The quantity (a number above zero, as written) and its unit, or (None, None)."""
    text = _optional(action.quantity, "quantity", unit, name, state)
    given = _optional(action.quantity_unit, "unit", unit, name, state)
    if text is None:
        if given is not None:
            raise refuse("unit_without_quantity", unit, name, state, value=given)
        return None, None
    match = _QUANTITY.fullmatch(text)
    if match is None or Decimal(match.group(1)) <= 0:
        raise refuse("bad_quantity", unit, name, state, value=text)
    number, inline = match.group(1), match.group(2)
    if inline and given and inline != given:
        raise refuse("two_units", unit, name, state, value=text, quantity_unit=given)
    if not (inline or given):
        raise refuse("quantity_needs_unit", unit, name, state, value=text)
    return number, given or inline


def _result(case: Case, action: RecordResult, unit: str | None, name: str = "result") -> Case:
    state = case.state
    if action.result not in RESULTS:
        raise refuse("unknown_result", unit, name, state, value=action.result,
                     choices=RESULTS)  # fmt: skip
    category = _optional(action.category, "category", unit, name, state)
    quantity, quantity_unit = _quantity(action, unit, name, state)
    reason = _optional(action.reason, "reason", unit, name, state)
    if action.result == "finding":
        if category is None:
            raise refuse("finding_needs_category", unit, name, state)
    else:
        if category is not None or quantity is not None or action.seizure:
            raise refuse(f"{action.result}_has_no_finding", unit, name, state)
        if action.result == "not_examined" and reason is None:
            raise refuse("not_examined_needs_reason", unit, name, state)
    return dataclasses.replace(
        case, state="closed", result=action.result, category=category, quantity=quantity,
        quantity_unit=quantity_unit, seizure=bool(action.seizure) and action.result == "finding",
        reason=reason if reason is not None else case.reason, result_date=action.on,
    )  # fmt: skip
