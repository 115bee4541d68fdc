"""``--cpu-report N``: where the suite's CPU time goes, per worker, file and test.

``--durations`` reports wall-clock time, which on a shared or busy machine measures the
other jobs as much as the tests. This report counts CPU time instead (the process's user
and system time, and that of the child processes a test waited for), so that two runs on
a busy machine can be compared. Per process: the CPU spent before the first test
(interpreter start, plugins, collection and the imports it triggers) and the CPU of each
test (set-up, call and tear-down). With ``-n`` (pytest-xdist) each worker measures its own
and sends it to the controller, which prints one summary: every process's total, then the
``N`` costliest test files and tests. The files matter for ``--dist loadfile``: a worker
runs whole files, so one costly file can make the run's wall time.

A child process's CPU counts when it is waited for: the servers and the browser of a
session fixture are waited for at the end of the session, so their CPU lands on the
worker's last test, not on the tests that used them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Generator
from typing import Any

import pytest

_KEY = "riskprofile_cpu"


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class _Meter:
    def __init__(self) -> None:
        self.tests: dict[str, float] = {}
        self.collected: float | None = None
        self.reports: list[dict[str, Any]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-report",
        type=int,
        default=None,
        metavar="N",
        help="print CPU time per worker and the N costliest test files and tests",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--cpu-report") is not None:
        config.stash[_METER] = _Meter()


_METER = pytest.StashKey[_Meter]()


def pytest_collection_finish(session: pytest.Session) -> None:
    meter = session.config.stash.get(_METER, None)
    if meter is not None:
        meter.collected = _cpu()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    meter = item.config.stash.get(_METER, None)
    start = _cpu()
    yield
    if meter is not None:
        meter.tests[item.nodeid] = _cpu() - start


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    meter = config.stash.get(_METER, None)
    if meter is None or (meter.collected is None and not meter.tests):
        return  # no report, or the xdist controller (its CPU counts the workers' again)
    report = {
        "name": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "total": _cpu(),
        "before_tests": meter.collected,
        "tests": meter.tests,
    }
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller prints it
        workeroutput[_KEY] = report
    else:
        meter.reports.append(report)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    meter = node.config.stash.get(_METER, None)
    report = getattr(node, "workeroutput", {}).get(_KEY)
    if meter is not None and report is not None:
        meter.reports.append(report)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    meter = config.stash.get(_METER, None)
    if meter is None:
        return
    count = config.getoption("--cpu-report")
    write = terminalreporter.write_line
    terminalreporter.section("CPU time (user + system, with waited-for children)")
    tests: dict[str, float] = {}
    for report in sorted(meter.reports, key=lambda r: str(r["name"])):
        before = report["before_tests"]
        spent = sum(report["tests"].values())
        write(
            f"{report['name']}: {report['total']:.1f} s in all, "
            f"{before if before is not None else float('nan'):.1f} s before the first test, "
            f"{spent:.1f} s in {len(report['tests'])} tests"
        )
        tests.update(report["tests"])
    if len(meter.reports) > 1:
        write(f"all workers: {sum(r['total'] for r in meter.reports):.1f} s")
    files: dict[str, float] = defaultdict(float)
    for nodeid, seconds in tests.items():
        files[nodeid.split("::", 1)[0]] += seconds
    write(f"costliest {count} files:")
    for path, seconds in sorted(files.items(), key=lambda kv: -kv[1])[:count]:
        write(f"{seconds:8.2f} s  {path}")
    write(f"costliest {count} tests:")
    for nodeid, seconds in sorted(tests.items(), key=lambda kv: -kv[1])[:count]:
        write(f"{seconds:8.2f} s  {nodeid}")
