"""The columnar engine: compiled profiles evaluated on whole Polars columns at once.

Needs the optional ``polars`` dependency (``pip install 'riskprofile[columnar]'``). The
row-wise engine stays the reference semantics: this engine gives identical hits, scores,
lanes and rankings, and runs row-wise any indicator it cannot translate exactly.
"""

from riskprofile.engines.columnar._frame import (
    DECIMAL_SCALE,
    frame_schema,
    shipment_frame,
    shipments_of_frame,
)
from riskprofile.engines.columnar._score import FrameContainer, FrameRun, evaluate, score_frame

__all__ = [
    "DECIMAL_SCALE",
    "FrameContainer",
    "FrameRun",
    "evaluate",
    "frame_schema",
    "score_frame",
    "shipment_frame",
    "shipments_of_frame",
]
