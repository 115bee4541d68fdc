"""What the column-wise reader shares with the rest of :mod:`riskprofile.io` (the EDIFACT
reader and the flag listing): the result of a read, the row reader of delimited text,
the cell checks, and the manifests of the flagged records. The other modules of this
package are private to it; the package itself is private to ``riskprofile.io``.
"""

from riskprofile.io._frame._flagged import flagged_manifests
from riskprofile.io._frame._reader import read_text_rows
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._values import PY_WHITESPACE, iso6346_problem

__all__ = [
    "PY_WHITESPACE",
    "FrameBatch",
    "flagged_manifests",
    "iso6346_problem",
    "read_text_rows",
]
