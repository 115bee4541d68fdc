"""What the history store shares with the rest of the library (watch-list screening, the
exchange), beyond :mod:`riskprofile.history`.

The modules of this package are private; another part of riskprofile imports a history
name from :mod:`riskprofile.history` (the user API: ``trader_name``, ``with_history``,
``HistorySource``, ...) or from here (the library's own use; not promised to users): a
trader's normalised name as a Polars expression and as text.
"""

from riskprofile.history._keys import trader_name_expr, trader_name_text

__all__ = ["trader_name_expr", "trader_name_text"]
