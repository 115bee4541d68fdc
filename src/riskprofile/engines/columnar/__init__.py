"""The columnar engine: compiled profiles evaluated on whole Polars columns at once.

Polars is a core dependency: ``riskprofile score`` runs this engine by default. The
row-wise engine stays the reference semantics: this engine gives identical hits, scores,
lanes and rankings, and runs row-wise any indicator it cannot translate exactly.
"""

from riskprofile.engines.columnar._lint import RowwiseFallback
from riskprofile.engines.columnar._masks import (
    ConditionMasks,
    condition_masks,
    masks_for,
    records_of_frame,
)
from riskprofile.engines.columnar._score import (
    FrameSource,
    evaluate,
    score_frame,
    unit_key_expression,
)
from riskprofile.engines.columnar._translate import Translation, translate, translate_ahead
from riskprofile.model.frame import (
    DECIMAL_SCALE,
    frame_schema,
    shipment_frame,
    shipments_of_frame,
)
from riskprofile.results import FrameContainer, FrameRun  # the run's home: results

__all__ = [
    "DECIMAL_SCALE",
    "ConditionMasks",
    "FrameContainer",
    "FrameRun",
    "FrameSource",
    "RowwiseFallback",
    "Translation",
    "condition_masks",
    "evaluate",
    "frame_schema",
    "masks_for",
    "records_of_frame",
    "score_frame",
    "shipment_frame",
    "shipments_of_frame",
    "translate",
    "translate_ahead",
    "unit_key_expression",
]
