"""What the columnar engine shares with the library's other engines (the SQL engine),
beyond :mod:`riskprofile.engines.columnar`; not promised to users.

- ``patched``: a condition's hit and error masks with the rows another engine left
  undecided evaluated row-wise (the reference semantics), as the columnar engine
  patches its own;
- ``same_meaning``: a key equal for conditions that mean the same at an evaluation
  time (the same text, the same list values in force), so that an overlay's repeats
  of its base's indicators are evaluated once.
"""

from riskprofile.engines.columnar._masks import _patched as patched
from riskprofile.engines.columnar._masks import _same_meaning as same_meaning

__all__ = ["patched", "same_meaning"]
