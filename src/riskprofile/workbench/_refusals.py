"""Why the work queue refuses an action, as message ids a translator can work from.

Every :class:`~riskprofile.errors.TransitionError` the workbench raises carries a
``code`` (a key of :data:`REFUSALS`) and its ``params``; its text is the English template
filled in. The template is the gettext message id: a page layer translates it, and the
words among the parameters (an action, a state, a role), with :func:`refusal_text`.

>>> from riskprofile.workbench import Actor, Case, Dispose, apply, refusal_text
>>> from riskprofile.errors import TransitionError
>>> try:
...     apply(Case(), Dispose("scanner"), Actor("sara", "supervisor"))
... except TransitionError as exc:
...     print(exc.code, "|", refusal_text(exc))
state_dispose | a disposition needs a container assigned to an officer; it is not selected
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from riskprofile.errors import TransitionError

__all__ = ["LIST_PARAMS", "REFUSALS", "WORD_PARAMS", "refusal_text", "refuse"]

REFUSALS: Mapping[str, str] = {
    "actor_name": "an actor needs a name",
    "actor_role": "unknown role %(value)s (one of %(choices)s)",
    "not_assigned_to": "%(actor)s is not the officer it is assigned to "
    "(%(action)s is for %(roles)s)",
    "role_may_not": "a %(role)s may not %(action)s (%(action)s is for %(roles)s)",
    "state_target": "only a container that is not on the list can be targeted; it is %(state)s",
    "state_release": "only a container on the list, not yet examined, can be released; "
    "it is %(state)s",
    "state_assign": "only a container on the list, not yet examined, can be assigned; "
    "it is %(state)s",
    "state_unassign": "only an assigned container can be unassigned; it is %(state)s",
    "state_dispose": "a disposition needs a container assigned to an officer; it is %(state)s",
    "state_result": "a result needs a disposition first (an examination or a referral); "
    "it is %(state)s",
    "state_amend": "only a closed result can be amended; it is %(state)s",
    "needs_approver": "an officer's amendment needs the supervisor who approved it",
    "approver_not_supervisor": "the amendment's approver %(approver)s is not a supervisor",
    "approver_is_actor": "%(approver)s cannot approve their own amendment",
    "amendment_changes_nothing": "the amendment changes nothing",
    "needs_reason": "%(action)s needs a reason",
    "needs_officer": "%(action)s needs an officer",
    "needs_release_reason": "%(action)s needs a reason for the release",
    "needs_partner": "%(action)s needs the partner PCU it is referred to",
    "reason_too_long": "a reason is over %(limit)d characters",
    "officer_too_long": "an officer is over %(limit)d characters",
    "release_reason_too_long": "a reason for the release is over %(limit)d characters",
    "partner_too_long": "the partner PCU it is referred to is over %(limit)d characters",
    "note_too_long": "a note is over %(limit)d characters",
    "category_too_long": "the category is over %(limit)d characters",
    "quantity_too_long": "the quantity is over %(limit)d characters",
    "unit_too_long": "the quantity's unit is over %(limit)d characters",
    "bad_quantity": "the quantity %(value)s is not a number above zero followed by its unit "
    "(12.5 kg)",
    "quantity_needs_unit": "the quantity %(value)s needs its unit (kg, pieces, litres, ...)",
    "unit_without_quantity": "the unit %(value)s is given without a quantity",
    "two_units": "the quantity %(value)s has another unit than %(quantity_unit)s",
    "unknown_disposition": "unknown disposition %(value)s (one of %(choices)s)",
    "unknown_result": "unknown result %(value)s (one of %(choices)s)",
    "finding_needs_category": "a finding needs its category (drugs, weapons, ...)",
    "nil_has_no_finding": "a NIL result has no category, quantity or seizure",
    "not_examined_has_no_finding": "a not examined result has no category, quantity or seizure",
    "not_examined_needs_reason": "not examined needs the reason why",
    "load_role": "a %(role)s may not load batches (analyst or supervisor)",
    "stale": "changed by %(by)s at %(at)s since it was shown (load the page again)",
    "raced": "changed by someone else meanwhile (try again)",
}
"""Refusal code -> its English template, which is also its gettext message id."""

WORD_PARAMS = frozenset({"action", "state", "role"})
"""Parameters whose value is one of the workbench's words (translated where shown)."""
LIST_PARAMS = frozenset({"roles", "choices"})
"""Parameters whose value is a tuple of words (``roles`` joined by "or", the others by
commas)."""

Param = str | int | tuple[str, ...]


def refuse(
    code: str, unit: str | None, action: str, state: str, /, **params: Param
) -> TransitionError:
    """The :class:`~riskprofile.errors.TransitionError` of ``code`` (to raise): refused
    on ``unit`` (its key), taking ``action`` in ``state``; ``params`` fill the template."""
    error = TransitionError(
        _fill(REFUSALS[code], params, _english), unit=unit, action=action, state=state
    )
    error.code = code
    error.params = dict(params)
    return error


def _english(word: str) -> str:
    return word


def _fill(template: str, params: Mapping[str, Param], gettext: Callable[[str], str]) -> str:
    def word(value: str) -> str:
        return gettext(value).replace("_", " ")

    def words(key: str, values: Sequence[str]) -> str:
        shown = [word(v) for v in values]
        if key != "roles":
            return ", ".join(shown)
        return f" {gettext('or')} ".join(shown)

    values: dict[str, object] = {}
    for key, value in params.items():
        if key in WORD_PARAMS and isinstance(value, str):
            values[key] = word(value)
        elif key in LIST_PARAMS and isinstance(value, tuple):
            values[key] = words(key, value)
        elif key == "value":
            values[key] = repr(value)
        else:
            values[key] = value
    return template % values


def refusal_text(error: TransitionError, gettext: Callable[[str], str] | None = None) -> str:
    """The refusal's reason in the language of ``gettext`` (a catalogue's ``gettext``;
    English when None). The template is translated, and so are the words among its
    parameters (an action, a state, a role, a list of roles); names, dates and numbers
    stay as they are. A template the catalogue does not translate is shown in English
    whole, words included, so a sentence never mixes two languages. A refusal without a
    code (raised elsewhere) is its English reason."""
    template = REFUSALS.get(error.code)
    if template is None:
        return error.reason
    if gettext is None or gettext(template) == template:
        return _fill(template, error.params, _english)
    return _fill(gettext(template), error.params, gettext)
