"""Settings shared by the whole suite.

Hypothesis' default deadline (200 ms per example) measures the machine, not the code:
on a shared 2-core runner a busy moment fails a correct test. Performance is measured
in ``benchmarks/``, never by timed tests, so no example has a deadline.

How many examples each property runs is chosen by ``RISKPROFILE_TEST_DEPTH`` (``dev``,
the default; ``ci``, today's depth, which ``.ci/run`` sets; ``nightly``, ten times it):
see ``tests/depth.py``.
"""

from hypothesis import settings

from tests.depth import FACTORS, HYPOTHESIS_DEFAULT, current, depth

for _name in FACTORS:
    settings.register_profile(
        _name, deadline=None, max_examples=depth(HYPOTHESIS_DEFAULT, name=_name)
    )
settings.load_profile(current())


def pytest_report_header() -> str:
    return f"hypothesis depth: {current()} (RISKPROFILE_TEST_DEPTH)"
