"""What evaluation shares with the rest of the library (the command line), beyond
:mod:`riskprofile.evaluation`: the check of an ``evaluate --by`` group field, and the
compaction of the history frame ``suggest`` holds. The modules of this package are
private; not promised to users.
"""

from riskprofile.evaluation._breakdown import check_group_field
from riskprofile.evaluation._compact import as_text, compact_history, literal_constants

__all__ = ["as_text", "check_group_field", "compact_history", "literal_constants"]
