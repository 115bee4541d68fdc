"""What the exchange shares with the rest of the library (the command line and the
service's pages), beyond :mod:`riskprofile.exchange`.

The modules of this package are private; another part of riskprofile imports an
exchange name from :mod:`riskprofile.exchange` (the user API) or from here (the library's
own use; not promised to users): the exchange's file handling (atomic writes, bounded
reads, a synchronised folder), the checks and limits of PCU codes, key statements and
key files, the party matching and the watch-list refresh.
"""

from riskprofile.exchange._files import read_limited, sync_folder, write_atomic
from riskprofile.exchange._import import refresh
from riskprofile.exchange._keys import MAX_STATEMENT_BYTES
from riskprofile.exchange._match import match_parties
from riskprofile.exchange._messages import valid_pcu
from riskprofile.exchange._signing import PASSPHRASE_VARIABLE, is_encrypted
from riskprofile.exchange._trust import KEY_ID

__all__ = [
    "KEY_ID",
    "MAX_STATEMENT_BYTES",
    "PASSPHRASE_VARIABLE",
    "is_encrypted",
    "match_parties",
    "read_limited",
    "refresh",
    "sync_folder",
    "valid_pcu",
    "write_atomic",
]
