"""What the work queue shares with the rest of the library (the service's pages and the
command line), beyond :mod:`riskprofile.workbench`: the database the queue's tables
share with the service's own store. The modules of this package are private; not
promised to users.
"""

from riskprofile.workbench._db import SharedDatabase

__all__ = ["SharedDatabase"]
