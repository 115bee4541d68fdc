"""What the scoring service shares with the rest of the library (the command line),
beyond :mod:`riskprofile.serve`: the middleware that refuses a request body over the
service's limit. The modules of this package are private; not promised to users.
"""

from riskprofile.serve._limits import BodyLimit

__all__ = ["BodyLimit"]
