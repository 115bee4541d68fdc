"""What evaluation shares with the rest of the library (synth and the command line),
beyond :mod:`riskprofile.evaluation`.

The modules of this package are private; another part of riskprofile imports an
evaluation name from :mod:`riskprofile.evaluation` (the user API) or from here (the
library's own use; not promised to users): the outcome record and how a unit was
selected (synth writes inspection histories with them), and the check of a
``--by`` group field.
"""

from riskprofile.evaluation._breakdown import check_group_field
from riskprofile.evaluation._outcomes import Outcome, SelectedBy

__all__ = ["Outcome", "SelectedBy", "check_group_field"]
