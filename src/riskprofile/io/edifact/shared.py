"""What the EDIFACT reader shares with the rest of :mod:`riskprofile.io`, beyond
:mod:`riskprofile.io.edifact`: the column-wise CUSCAR reader, which the shipment-frame
reader (``read_frame``) calls for an EDIFACT file. The other modules of this package are
private to it; not promised to users.
"""

from riskprofile.io.edifact._columns import read_edifact_frame

__all__ = ["read_edifact_frame"]
