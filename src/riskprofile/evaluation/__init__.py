"""Evaluation: are the profiles finding anything, and which ones are stale?

Outcomes (what the officers found) are read like batches, matched to the units of a
scoring run, and measured: precision and recall at inspection capacities, hit rates per
profile and per indicator with Wilson intervals, lift over the random control sample,
the detection trend, and the indicators that never fire or never find anything.
"""

from riskprofile.evaluation._outcomes import (
    OUTCOME_COLUMNS,
    Outcome,
    OutcomeColumn,
    OutcomeMatch,
    OutcomeReading,
    SelectedBy,
    UnitOutcome,
    UnmatchedOutcome,
    match_outcomes,
    outcome_mapping,
    read_outcomes,
    render_outcome_layout,
)

__all__ = [
    "OUTCOME_COLUMNS",
    "Outcome",
    "OutcomeColumn",
    "OutcomeMatch",
    "OutcomeReading",
    "SelectedBy",
    "UnitOutcome",
    "UnmatchedOutcome",
    "match_outcomes",
    "outcome_mapping",
    "read_outcomes",
    "render_outcome_layout",
]
