"""The case's state machine: which actions each state and role allow, and that no
sequence of actions, by anyone, reaches a case that breaks the rules."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from riskprofile.errors import TransitionError, WorkbenchError
from riskprofile.workbench import (
    REFUSALS,
    Actor,
    Amend,
    Assign,
    Case,
    Dispose,
    RecordResult,
    Release,
    Target,
    Unassign,
    allowed_actions,
    apply,
    refusal_text,
    why_not,
)
from tests.depth import depth

ANALYST = Actor("amina", "analyst")
OFFICER = Actor("ivan", "officer")
OTHER_OFFICER = Actor("olga", "officer")
SUPERVISOR = Actor("sara", "supervisor")
DAY = dt.date(2026, 11, 3)


def _assigned() -> Case:
    return apply(Case(state="selected", selected_by="score"), Assign("ivan"), ANALYST)


def _closed() -> Case:
    examining = apply(_assigned(), Dispose("physical"), OFFICER)
    found = RecordResult("finding", DAY, category="drugs", quantity="12 kg", seizure=True)
    return apply(examining, found, OFFICER)


def test_a_closed_result_is_amended_by_a_supervisor_or_with_one() -> None:
    case = _closed()
    assert allowed_actions(SUPERVISOR, case) == ["amend"]
    assert allowed_actions(OFFICER, case) == ["amend"]  # with an approval, checked by apply
    assert allowed_actions(ANALYST, case) == []
    nil = apply(case, Amend("nil", DAY, "the lab found no drug"), SUPERVISOR)
    assert (nil.state, nil.result, nil.category, nil.quantity, nil.seizure) == (
        "closed", "nil", None, None, False)  # fmt: skip
    corrected = Amend("finding", dt.date(2026, 11, 4), "weighed again", category="drugs",
                      quantity="11.5 kg", seizure=True, approved_by=SUPERVISOR)  # fmt: skip
    again = apply(nil, corrected, OFFICER)
    assert (again.result, again.quantity, again.quantity_unit, again.result_date) == (
        "finding", "11.5", "kg", dt.date(2026, 11, 4))  # fmt: skip
    assert (again.officer, again.disposition) == (case.officer, case.disposition)


@pytest.mark.parametrize(
    ("quantity", "unit", "kept"),
    [("12 kg", None, ("12", "kg")), ("12.5", "kg", ("12.5", "kg")), ("3kg", None, ("3", "kg")),
     ("400 pairs", "pairs", ("400", "pairs")), (None, None, (None, None)),
     ("12", None, "needs its unit"), ("two bags", None, "not a number above zero"),
     ("0 kg", None, "not a number above zero"), ("1,000 kg", None, "not a number above zero"),
     ("-2 kg", None, "not a number above zero"), (None, "kg", "given without a quantity"),
     ("12 kg", "t", "another unit than t"), ("12", "k" * 2001, "unit is over 2000")],
)  # fmt: skip
def test_a_quantity_is_a_number_with_its_unit(
    quantity: str | None, unit: str | None, kept: tuple[str | None, str | None] | str
) -> None:
    examining = apply(_assigned(), Dispose("physical"), OFFICER)
    found = RecordResult("finding", DAY, category="drugs", quantity=quantity, quantity_unit=unit)
    if isinstance(kept, str):
        with pytest.raises(TransitionError, match=kept):
            apply(examining, found, OFFICER)
        return
    case = apply(examining, found, OFFICER)
    assert (case.quantity, case.quantity_unit) == kept


def test_the_whole_way_to_a_finding() -> None:
    case = apply(Case(), Target("tip-off from the shipping line"), ANALYST)
    assert (case.state, case.selected_by) == ("selected", "manual")
    case = apply(case, Assign("ivan"), SUPERVISOR)
    case = apply(case, Dispose("physical", note="bay 4"), OFFICER)
    case = apply(
        case,
        RecordResult("finding", DAY, category="drugs", quantity="12 kg", seizure=True),
        OFFICER,
    )
    assert (case.state, case.result, case.category, case.seizure) == ("closed", "finding", "drugs",
                                                                     True)  # fmt: skip
    assert case.result_date == DAY


@pytest.mark.parametrize(
    ("case", "action", "actor", "message"),
    [
        (Case(state="selected", selected_by="score"), RecordResult("nil", DAY), SUPERVISOR,
         "a result needs a disposition first"),
        (Case(state="selected", selected_by="score"), Dispose("scanner"), SUPERVISOR,
         "a disposition needs a container assigned"),
        (_assigned(), Dispose("scanner"), OTHER_OFFICER, "olga is not the officer"),
        (Case(), Target("hunch"), OFFICER, "a officer may not target"),
        (Case(), Target("  "), ANALYST, "target needs a reason"),
        (Case(state="selected", selected_by="score"), Release(""), ANALYST, "needs a reason"),
        (_assigned(), Dispose("released"), OFFICER, "a reason for the release"),
        (_assigned(), Dispose("referred"), OFFICER, "the partner PCU"),
        (_assigned(), Dispose("sniffed"), OFFICER, "unknown disposition"),  # type: ignore[arg-type]
        (apply(_assigned(), Dispose("physical"), OFFICER), RecordResult("finding", DAY), OFFICER,
         "a finding needs its category"),
        (apply(_assigned(), Dispose("physical"), OFFICER),
         RecordResult("nil", DAY, category="drugs"), OFFICER, "a NIL result has no category"),
        (apply(_assigned(), Dispose("physical"), OFFICER), RecordResult("not_examined", DAY),
         OFFICER, "not examined needs the reason"),
        (Case(state="selected", selected_by="score"), Assign("ivan"), OFFICER,
         "a officer may not assign"),
        (Case(), Assign("ivan"), ANALYST, "only a container on the list"),
        (_assigned(), Amend("nil", DAY, "typo"), SUPERVISOR, "only a closed result can be amended"),
        (_closed(), Amend("nil", DAY, "typo"), ANALYST, "a analyst may not amend"),
        (_closed(), Amend("nil", DAY, " "), SUPERVISOR, "amend needs a reason"),
        (_closed(), Amend("nil", DAY, "typo"), OFFICER, "needs the supervisor who approved"),
        (_closed(), Amend("nil", DAY, "typo", approved_by=OTHER_OFFICER), OFFICER,
         "approver olga is not a supervisor"),
        (_closed(), Amend("nil", DAY, "typo", approved_by=Actor("ivan", "supervisor")), OFFICER,
         "ivan cannot approve their own amendment"),
        (_closed(), Amend("finding", DAY, "typo", category="drugs", quantity="12 kg",
                          seizure=True), SUPERVISOR, "the amendment changes nothing"),
        (_closed(), Amend("finding", DAY, "typo"), SUPERVISOR, "a finding needs its category"),
        (_closed(), Amend("nil", DAY, "typo", approved_by=SUPERVISOR), OTHER_OFFICER,
         "olga is not the officer"),
    ],
)  # fmt: skip
def test_refusals_say_why(case: Case, action: object, actor: Actor, message: str) -> None:
    with pytest.raises(TransitionError, match=message) as caught:
        apply(case, action, actor, unit="V/1/MSKU1234565")  # type: ignore[arg-type]
    assert caught.value.unit == "V/1/MSKU1234565"
    assert isinstance(caught.value, WorkbenchError)
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.action, again.state, str(again)) == (caught.value.action, caught.value.state,
                                                       str(caught.value))  # fmt: skip
    # A page translates it from its code and parameters: in English, the same words.
    assert caught.value.code in REFUSALS
    assert (again.code, again.params) == (caught.value.code, caught.value.params)
    assert refusal_text(caught.value) == caught.value.reason


def test_a_refusal_is_translated_from_its_template_and_words() -> None:
    russian = {
        REFUSALS["role_may_not"]: "роли «%(role)s» не разрешено «%(action)s» (для: %(roles)s)",
        "officer": "инспектор", "target": "добавление", "analyst": "аналитик",
        "supervisor": "руководитель", "or": "или",
    }  # fmt: skip
    with pytest.raises(TransitionError) as caught:
        apply(Case(), Target("hunch"), OFFICER)
    assert refusal_text(caught.value, lambda text: russian.get(text, text)) == (
        "роли «инспектор» не разрешено «добавление» (для: аналитик или руководитель)"
    )
    # A template the catalogue lacks stays English whole, its words too.
    with pytest.raises(TransitionError) as caught:
        apply(Case(), Dispose("scanner"), SUPERVISOR)
    assert refusal_text(caught.value, lambda text: russian.get(text, text)) == (caught.value.reason)
    assert caught.value.reason.endswith("; it is not selected")


def test_a_closed_or_released_case_takes_no_action_but_an_amendment() -> None:
    closed = apply(apply(_assigned(), Dispose("scanner"), OFFICER), RecordResult("nil", DAY),
                   OFFICER)  # fmt: skip
    released = apply(_assigned(), Release("cleared by the ministry"), SUPERVISOR)
    assert allowed_actions(SUPERVISOR, closed) == ["amend"]
    assert allowed_actions(SUPERVISOR, released) == []


def test_allowed_actions_follow_role_and_assignment() -> None:
    case = _assigned()
    assert allowed_actions(OFFICER, case) == ["dispose"]
    assert allowed_actions(OTHER_OFFICER, case) == []
    assert allowed_actions(ANALYST, case) == ["release", "assign", "unassign"]
    assert allowed_actions(SUPERVISOR, case) == ["release", "assign", "unassign", "dispose"]


def check(case: Case) -> None:
    """The rules every reachable case keeps."""
    assert (case.state == "not_selected") == (case.selected_by is None)
    assert (case.state == "closed") == (case.result is not None)
    if case.state in ("assigned", "examining", "referred", "closed"):
        assert case.officer
    if case.state == "examining":
        assert case.disposition in ("scanner", "physical", "documentary")
    if case.state == "referred":
        assert case.disposition == "referred"
        assert case.partner
    if case.state == "closed":
        assert case.disposition in ("scanner", "physical", "documentary", "referred")
        assert case.result_date is not None
        if case.result == "finding":
            assert case.category
            if case.quantity is not None:
                assert Decimal(case.quantity) > 0
                assert case.quantity_unit
        else:
            assert case.category is None
            assert case.quantity is None
            assert case.quantity_unit is None
            assert not case.seizure
        if case.result == "not_examined":
            assert case.reason
    if case.state == "released":
        assert case.reason
    if case.selected_by == "manual":
        assert case.reason
    if case.state in ("selected", "not_selected"):
        assert case.officer is None
        assert case.disposition is None


texts = st.sampled_from(["", " ", "checked", "tip-off", "PKBQM"])
quantities = st.sampled_from(["", "2 kg", "3", "1.5 t", "two bags", "0 kg"])
units = st.sampled_from(["kg", "pieces", " "])
actions = st.one_of(
    st.builds(Target, texts),
    st.builds(Release, texts),
    st.builds(Assign, st.sampled_from(["ivan", "olga", ""])),
    st.just(Unassign()),
    st.builds(Dispose, st.sampled_from(["scanner", "physical", "documentary", "released",
                                        "referred"]),
              st.none() | texts, st.none() | texts, st.none() | texts),
    st.builds(RecordResult, st.sampled_from(["finding", "nil", "not_examined"]), st.just(DAY),
              st.none() | texts, st.none() | quantities, st.booleans(), st.none() | texts,
              st.none() | units),
    st.builds(Amend, st.sampled_from(["finding", "nil", "not_examined"]),
              st.sampled_from([DAY, DAY + dt.timedelta(days=1)]), texts, st.none() | texts,
              st.none() | texts, st.booleans(), st.none() | texts,
              st.none() | st.sampled_from([SUPERVISOR, OTHER_OFFICER, OFFICER]),
              st.none() | units),
)  # fmt: skip
actors = st.sampled_from([ANALYST, OFFICER, OTHER_OFFICER, SUPERVISOR])


@settings(max_examples=depth(300))
@given(
    start=st.sampled_from([Case(), Case(state="selected", selected_by="score"),
                           Case(state="selected", selected_by="control"), _assigned(),
                           apply(_assigned(), Dispose("physical"), OFFICER), _closed()]),
    steps=st.lists(st.tuples(actions, actors), max_size=12),
)  # fmt: skip
def test_no_sequence_of_actions_breaks_the_rules(
    start: Case, steps: list[tuple[object, Actor]]
) -> None:
    case = start
    check(case)
    for action, actor in steps:
        allowed = allowed_actions(actor, case)
        try:
            after = apply(case, action, actor)  # type: ignore[arg-type]
        except TransitionError as exc:
            refused = exc
        else:
            refused = None
        for name in ("target", "release", "assign", "unassign", "dispose", "result", "amend"):
            assert (why_not(actor, name, case) is None) == (name in allowed)
        if refused is not None:
            assert refused.action == action.name  # type: ignore[attr-defined]
            assert refused.code in REFUSALS
            assert refusal_text(refused) == refused.reason
            continue
        assert action.name in allowed  # type: ignore[attr-defined]
        event(f"applied {action.name}")  # type: ignore[attr-defined]
        check(after)
        case = after


amendments = st.builds(
    Amend, st.sampled_from(["finding", "nil", "not_examined"]),
    st.sampled_from([DAY, DAY + dt.timedelta(days=1)]), st.sampled_from(["typo", "lab report"]),
    st.none() | st.sampled_from(["drugs", "weapons"]), st.none() | st.sampled_from(["2 kg", "2"]),
    st.booleans(), st.none() | st.sampled_from(["seal broken"]),
    st.none() | st.sampled_from([SUPERVISOR, OTHER_OFFICER, Actor("ivan", "supervisor")]),
    st.none() | st.sampled_from(["kg", "g"]),
)  # fmt: skip


@settings(max_examples=depth(200))
@given(steps=st.lists(st.tuples(amendments, actors), min_size=1, max_size=8))
def test_amendments_keep_the_case_closed_and_its_history(steps: list[tuple[Amend, Actor]]) -> None:
    case = start = _closed()
    for action, actor in steps:
        try:
            after = apply(case, action, actor)
        except TransitionError as exc:
            refused: TransitionError | None = exc
        else:
            refused = None
        if refused is not None:
            assert refused.code in REFUSALS
            continue
        check(after)
        assert after.state == "closed"
        assert after != case
        assert actor.role == "supervisor" or (
            actor.name == case.officer
            and action.approved_by is not None
            and action.approved_by.role == "supervisor"
            and action.approved_by.name != actor.name
        )
        # Who had it, and what was done with it, stay; the result is the amendment's.
        assert (after.officer, after.disposition, after.selected_by) == (
            start.officer, start.disposition, start.selected_by)  # fmt: skip
        assert (after.result, after.result_date) == (action.result, action.on)
        case = after
