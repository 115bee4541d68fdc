"""Settings shared by the whole suite.

Hypothesis' default deadline (200 ms per example) measures the machine, not the code:
on a shared 2-core runner a busy moment fails a correct test. Performance is measured
in ``benchmarks/``, never by timed tests, so no example has a deadline.
"""

from hypothesis import settings

settings.register_profile("riskprofile", deadline=None)
settings.load_profile("riskprofile")
