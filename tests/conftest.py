"""Settings shared by the whole suite.

Hypothesis' default deadline (200 ms per example) measures the machine, not the code:
on a shared 2-core runner a busy moment fails a correct test. Performance is measured
in ``benchmarks/``, never by timed tests, so no example has a deadline, and the
``too_slow`` health check (which times the drawing of examples) is off as well.

How many examples each property runs is chosen by ``RISKPROFILE_TEST_DEPTH`` (``dev``,
the default; ``ci``, today's depth, which ``.ci/run`` sets; ``nightly``, ten times it):
see ``tests/depth.py``. Tests marked ``slow`` (the few that dominate the run time) run at
``ci`` and ``nightly`` depth only, or with ``-m slow``.
"""

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from tests.depth import FACTORS, HYPOTHESIS_DEFAULT, current, depth
from tests.pgserver import postgres_dsn  # noqa: F401 - the fixture (throwaway PostgreSQL)
from tests.sparksession import spark_session  # noqa: F401 - the fixture (local Spark)

# ``--cpu-report N``: CPU time per worker, file and test (see tests/cpureport.py).
pytest_plugins = ("tests.cpureport",)

for _name in FACTORS:
    settings.register_profile(
        _name,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        max_examples=depth(HYPOTHESIS_DEFAULT, name=_name),
    )
settings.load_profile(current())

# The parsed-profile cache (riskprofile.profiles._parse_cache) of the whole run in a
# folder of its own, removed at the end, never the developer's ~/.cache; the cache tests
# set their own.
_CACHE_DIR = None
if "RISKPROFILE_CACHE_DIR" not in os.environ:
    _CACHE_DIR = os.environ["RISKPROFILE_CACHE_DIR"] = tempfile.mkdtemp(
        prefix="riskprofile-test-cache-"
    )


def pytest_configure(config: pytest.Config) -> None:
    """The command line wraps its list to ``COLUMNS`` when that is set; pytest-xdist sets
    ``COLUMNS=80`` and ``LINES=24`` in its workers, and a developer's shell may set them
    too. The tests that depend on a width set their own, so every run (one process or
    ``-n 2``) sees the same environment: without them."""
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)


def pytest_report_header() -> str:
    return f"hypothesis depth: {current()} (RISKPROFILE_TEST_DEPTH)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """At ``dev`` depth, skip the tests marked ``slow`` (said in the summary, with ``-ra``);
    ``ci`` and ``nightly`` run them, and so does ``pytest -m slow`` at any depth."""
    if current() != "dev" or config.getoption("markexpr"):
        return
    skip = pytest.mark.skip(reason="slow: runs at RISKPROFILE_TEST_DEPTH=ci (as in .ci/run)")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
