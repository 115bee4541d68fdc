"""Evaluation: are the profiles finding anything, and which ones are stale?

Outcomes (what the officers found) are read like batches, matched to the units of a
scoring run, and measured: precision and recall at inspection capacities, hit rates per
profile and per indicator with Wilson intervals, lift over the random control sample,
the detection trend, and the indicators that never fire or never find anything.
:func:`suggest` goes the other way: from past outcomes to new indicators, learned before
a date and measured after it, as a draft profile to review.
"""

from riskprofile.evaluation._breakdown import BREAKDOWN_COLUMNS, breakdown
from riskprofile.evaluation._candidates import (
    KINDS,
    Candidate,
    CandidateKind,
    Figures,
    PrecisionAtCapacity,
)
from riskprofile.evaluation._matching import (
    OutcomeMatch,
    UnitOutcome,
    UnmatchedOutcome,
    match_outcomes,
)
from riskprofile.evaluation._metrics import (
    DEFAULT_CAPACITIES,
    TABLE_COLUMNS,
    CapacityCut,
    Evaluation,
    Rate,
    cut_at_capacity,
    evaluate,
    wilson_interval,
)
from riskprofile.evaluation._outcome_table import OutcomeTable, read_outcome_table
from riskprofile.evaluation._outcomes import (
    OUTCOME_COLUMNS,
    Outcome,
    OutcomeColumn,
    OutcomeReading,
    SelectedBy,
    outcome_mapping,
    read_outcomes,
    render_outcome_layout,
)
from riskprofile.evaluation._report import report_html, text_summary, write_report
from riskprofile.evaluation._suggest import suggest
from riskprofile.evaluation._suggest_frame import HISTORY_COLUMNS
from riskprofile.evaluation._suggestions import Suggestions

__all__ = [
    "BREAKDOWN_COLUMNS",
    "DEFAULT_CAPACITIES",
    "HISTORY_COLUMNS",
    "KINDS",
    "OUTCOME_COLUMNS",
    "TABLE_COLUMNS",
    "Candidate",
    "CandidateKind",
    "CapacityCut",
    "Evaluation",
    "Figures",
    "Outcome",
    "OutcomeColumn",
    "OutcomeMatch",
    "OutcomeReading",
    "OutcomeTable",
    "PrecisionAtCapacity",
    "Rate",
    "SelectedBy",
    "Suggestions",
    "UnitOutcome",
    "UnmatchedOutcome",
    "breakdown",
    "cut_at_capacity",
    "evaluate",
    "match_outcomes",
    "outcome_mapping",
    "read_outcome_table",
    "read_outcomes",
    "render_outcome_layout",
    "report_html",
    "suggest",
    "text_summary",
    "wilson_interval",
    "write_report",
]
