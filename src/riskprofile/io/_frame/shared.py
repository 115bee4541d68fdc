"""What the column-wise reader shares with the rest of :mod:`riskprofile.io` (the EDIFACT
reader, the flag listing, :mod:`riskprofile.io.shared`) beyond the package's own
``FrameBatch`` and ``read_frame``: the row reader of delimited text, the cell checks, the
manifests of the flagged records, and ``data convert``'s column-wise conversion. The
other modules of this package are private to it; the package itself is private to
``riskprofile.io``.
"""

from riskprofile.io._frame._convert import FlatConversion, convert_flat, flat_names
from riskprofile.io._frame._convert_from_json import JsonToFlat, plan_json_to_flat
from riskprofile.io._frame._convert_json import convert_json
from riskprofile.io._frame._flagged import flagged_manifests
from riskprofile.io._frame._reader import read_text_rows
from riskprofile.io._frame._values import PY_WHITESPACE, iso6346_problem

__all__ = [
    "PY_WHITESPACE",
    "FlatConversion",
    "JsonToFlat",
    "convert_flat",
    "convert_json",
    "flagged_manifests",
    "flat_names",
    "iso6346_problem",
    "plan_json_to_flat",
    "read_text_rows",
]
