"""UN/EDIFACT: customs cargo reports (CUSCAR, directories D.95B to D.00B) read into
manifests and written back.

``read_batch("port-day.edi")`` reads a CUSCAR file like any other batch (see
docs/edifact.md); this package holds the parts: the tokenizer (:func:`tokenize`), the
envelopes and their control counts (:func:`open_envelopes`), the segment tables and the
group parser (:func:`segment_table`, :func:`place_segments`), the mapping that says where
each field lives (:func:`load_mapping`), the reader (:func:`iter_edifact_manifests`) and
the writer (:func:`write_cuscar`); stow plans (BAPLIE 1.5 to 2.2 on D.95B, BAPLIE 3 on
D.13B and later) are read into the units on board (:func:`read_stowplan`, each message with
its directory's table: :func:`baplie_table`), written back (:func:`write_baplie`, either
layout), compared with the
manifests (:func:`compare_stowplan`) and joined to a batch as shipment fields
(:func:`join_stowplan`).
"""

from riskprofile.io.edifact._crosscheck import Discrepancy, compare_stowplan
from riskprofile.io.edifact._envelope import Envelope, Loose, Message, Problem, open_envelopes
from riskprofile.io.edifact._groups import GroupNode, place_segments, segment_table
from riskprofile.io.edifact._mapping import EdifactMapping, Selector, default_mapping, load_mapping
from riskprofile.io.edifact._reader import iter_edifact_manifests, looks_like_edifact
from riskprofile.io.edifact._stowfields import (
    StowplanCheck,
    join_stowplan,
    load_stowplan,
    with_stowplan_shipments,
)
from riskprofile.io.edifact._stowplan import StowedUnit, StowPlan, baplie_table, read_stowplan
from riskprofile.io.edifact._stowwriter import BAPLIE_VERSIONS, write_baplie, write_baplie_calls
from riskprofile.io.edifact._syntax import (
    DEFAULT_SERVICE,
    Segment,
    ServiceChars,
    Tokens,
    tokenize,
    write_segment,
    write_segments,
)
from riskprofile.io.edifact._writer import cuscar_segments, write_cuscar, write_edifact

__all__ = [
    "BAPLIE_VERSIONS",
    "DEFAULT_SERVICE",
    "Discrepancy",
    "EdifactMapping",
    "Envelope",
    "GroupNode",
    "Loose",
    "Message",
    "Problem",
    "Segment",
    "Selector",
    "ServiceChars",
    "StowPlan",
    "StowedUnit",
    "StowplanCheck",
    "Tokens",
    "baplie_table",
    "compare_stowplan",
    "cuscar_segments",
    "default_mapping",
    "iter_edifact_manifests",
    "join_stowplan",
    "load_mapping",
    "load_stowplan",
    "looks_like_edifact",
    "open_envelopes",
    "place_segments",
    "read_stowplan",
    "segment_table",
    "tokenize",
    "with_stowplan_shipments",
    "write_cuscar",
    "write_baplie",
    "write_baplie_calls",
    "write_edifact",
    "write_segment",
    "write_segments",
]
