"""How deep the property tests search: one switch for the whole suite.

``RISKPROFILE_TEST_DEPTH`` chooses a hypothesis profile:

- ``dev`` (the default, what ``pytest -q`` gives a newcomer): a tenth of the CI depth,
  never fewer than 5 examples per property (or the test's own floor);
- ``ci`` (``.ci/run`` sets it): the depth the suite has always had, exactly;
- ``nightly`` (a release or a nightly job): ten times the CI depth.

A test that wants more or fewer examples than hypothesis' default (100 at CI depth) writes
``@settings(max_examples=depth(200))``: 200 in CI, 20 in dev, 2,000 in nightly. A
literal ``max_examples`` would override the profile and stay at one depth, so
``tests/test_suite_rules.py`` refuses one. A search that must *find* something within a
budget (``find``, or counting the shapes a strategy reaches) is not shallower in dev:
``depth(400, floor=400)``.

No profile has a deadline: examples are never timed (see ``conftest.py``).
"""

from __future__ import annotations

import os

VARIABLE = "RISKPROFILE_TEST_DEPTH"
FACTORS = {"dev": 0.1, "ci": 1.0, "nightly": 10.0}
DEFAULT = "dev"
HYPOTHESIS_DEFAULT = 100  # hypothesis' own max_examples, the suite's CI depth


def current() -> str:
    """The depth chosen by ``RISKPROFILE_TEST_DEPTH`` (``dev`` when unset)."""
    name = os.environ.get(VARIABLE, "").strip().lower() or DEFAULT
    if name not in FACTORS:
        raise ValueError(f"{VARIABLE}={name!r}: expected one of {', '.join(FACTORS)}")
    return name


def depth(ci: int, *, floor: int = 5, name: str | None = None) -> int:
    """The number of examples for a property that runs ``ci`` examples at CI depth.

    ``floor`` is the fewest it runs at any depth (never more than ``ci``): a search
    that must find something within a budget passes ``floor=ci``. The default floor is
    5, not 10: the costliest properties (suggest on generated histories, the fuzzed
    batches, the SQL engine) run 8-16 examples in CI, and a floor of 10 kept them at
    nearly CI's cost in dev; CI's depth does not depend on the floor.
    """
    factor = FACTORS[current() if name is None else name]
    return max(min(floor, ci), round(ci * factor))


def size(ci: int, *, dev: int, name: str | None = None) -> int:
    """How much data a test generates: ``ci`` at CI (and nightly) depth, ``dev`` at dev
    depth. Only for a test whose assertions hold at any size (a comparison of two paths,
    say), where a larger input only searches further; a test whose point is the size
    (a statistical recovery) keeps its size and is marked ``slow`` instead.
    """
    return min(dev, ci) if (current() if name is None else name) == "dev" else ci
