"""The work queue's refusals in the user's language.

The workbench (:mod:`riskprofile.workbench`) refuses an action with a code and the
parameters of its English template (:data:`~riskprofile.workbench.REFUSALS`). The
templates are marked here, so that they are extracted into the catalogues, and
:func:`refusal_message` shows a refusal translated, with its words (action, state, role)
translated too.
"""

from __future__ import annotations

from riskprofile.errors import TransitionError
from riskprofile.serve.web._i18n import N_, _
from riskprofile.workbench import refusal_text

__all__ = ["MARKED", "refusal_message"]

# The same texts as riskprofile.workbench.REFUSALS (a test keeps them equal): gettext
# extraction reads literal strings only.
MARKED: tuple[str, ...] = (
    N_("an actor needs a name"),
    N_("unknown role %(value)s (one of %(choices)s)"),
    N_("%(actor)s is not the officer it is assigned to (%(action)s is for %(roles)s)"),
    N_("a %(role)s may not %(action)s (%(action)s is for %(roles)s)"),
    N_("only a container that is not on the list can be targeted; it is %(state)s"),
    N_("only a container on the list, not yet examined, can be released; it is %(state)s"),
    N_("only a container on the list, not yet examined, can be assigned; it is %(state)s"),
    N_("only an assigned container can be unassigned; it is %(state)s"),
    N_("a disposition needs a container assigned to an officer; it is %(state)s"),
    N_("a result needs a disposition first (an examination or a referral); it is %(state)s"),
    N_("only a closed result can be amended; it is %(state)s"),
    N_("an officer's amendment needs the supervisor who approved it"),
    N_("the amendment's approver %(approver)s is not a supervisor"),
    N_("%(approver)s cannot approve their own amendment"),
    N_("the amendment changes nothing"),
    N_("%(action)s needs a reason"),
    N_("%(action)s needs an officer"),
    N_("%(action)s needs a reason for the release"),
    N_("%(action)s needs the partner PCU it is referred to"),
    N_("a reason is over %(limit)d characters"),
    N_("an officer is over %(limit)d characters"),
    N_("a reason for the release is over %(limit)d characters"),
    N_("the partner PCU it is referred to is over %(limit)d characters"),
    N_("a note is over %(limit)d characters"),
    N_("the category is over %(limit)d characters"),
    N_("the quantity is over %(limit)d characters"),
    N_("the quantity's unit is over %(limit)d characters"),
    N_("the quantity %(value)s is not a number above zero followed by its unit (12.5 kg)"),
    N_("the quantity %(value)s needs its unit (kg, pieces, litres, ...)"),
    N_("the unit %(value)s is given without a quantity"),
    N_("the quantity %(value)s has another unit than %(quantity_unit)s"),
    N_("unknown disposition %(value)s (one of %(choices)s)"),
    N_("unknown result %(value)s (one of %(choices)s)"),
    N_("a finding needs its category (drugs, weapons, ...)"),
    N_("a NIL result has no category, quantity or seizure"),
    N_("a not examined result has no category, quantity or seizure"),
    N_("not examined needs the reason why"),
    N_("a %(role)s may not load batches (analyst or supervisor)"),
    N_("changed by %(by)s at %(at)s since it was shown (load the page again)"),
    N_("changed by someone else meanwhile (try again)"),
)
_OR = N_("or")  # between the roles an action is for


def refusal_message(error: TransitionError) -> str:
    """The refusal's reason in the request's language."""
    return refusal_text(error, _)
