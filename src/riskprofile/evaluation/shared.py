"""What evaluation shares with the rest of the library (the command line), beyond
:mod:`riskprofile.evaluation`: the check of an ``evaluate --by`` group field. The
modules of this package are private; not promised to users.
"""

from riskprofile.evaluation._breakdown import check_group_field

__all__ = ["check_group_field"]
