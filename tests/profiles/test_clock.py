"""The evaluation clock: the time ``$now``/``$today`` read, set per thread by whoever
evaluates (the row-wise ``Condition.evaluate``, the columnar translator through the public
``evaluation_time``)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import rule_engine

from riskprofile.profiles._builtins import evaluation_time
from riskprofile.profiles._expressions import Condition, compile_condition

MARCH = dt.datetime(2025, 3, 4, 15, 30, tzinfo=dt.UTC)
JUNE = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)


def _condition(text: str) -> Condition:
    condition = compile_condition(text, {})
    assert isinstance(condition, Condition), condition
    return condition


def _now() -> Any:
    return _condition("$now").rule.statement.expression.evaluate(None)


def test_now_and_today_read_the_time_of_the_block() -> None:
    with evaluation_time(MARCH):
        assert _now() == MARCH
        today = _condition("$today").rule.statement.expression.evaluate(None)
        assert today == dt.datetime(2025, 3, 4, tzinfo=dt.UTC)


def test_blocks_nest_and_restore_the_time_before_even_on_an_error() -> None:
    with evaluation_time(MARCH):
        with evaluation_time(JUNE):
            assert _now() == JUNE
        assert _now() == MARCH
        with pytest.raises(ZeroDivisionError), evaluation_time(JUNE):
            1 / 0  # noqa: B018 - the block ends with an error
        assert _now() == MARCH
    with pytest.raises(rule_engine.EvaluationError, match="no as_of"):
        _now()


def test_the_clock_is_per_thread() -> None:
    seen: list[Any] = []

    def other() -> None:
        try:
            seen.append(_now())
        except rule_engine.EvaluationError as exc:
            seen.append(exc)

    with evaluation_time(MARCH):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert _now() == MARCH
    assert len(seen) == 1
    assert isinstance(seen[0], rule_engine.EvaluationError)


def test_a_row_wise_evaluation_leaves_no_time_behind() -> None:
    condition = _condition('$today > d"2025-01-01"')
    assert condition.evaluate({}, JUNE) is True
    with pytest.raises(rule_engine.EvaluationError, match="no as_of"):
        _now()
