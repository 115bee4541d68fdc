"""A local Spark session for the tests of the SQL engine on Spark.

``spark_session`` (a session fixture, registered in ``tests/conftest.py``) starts one
Spark session per test process - ``local[2]``, web UI off, two shuffle partitions,
time zone UTC - and stops it at the end of the session. Starting Spark takes tens of
seconds of CPU, so its tests are opt-in: they run when ``RISKPROFILE_SPARK=1``
(``.ci/run`` sets it, and installs the ``spark`` extra) and are skipped, saying so,
otherwise. With the variable set, a missing ``pyspark`` or Java fails the tests instead.

The tests that use it are marked ``spark`` (``pytest -m spark`` runs only them) and
live in one file, so that ``--dist loadfile`` starts a single session for the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

ENABLE_VARIABLE = "RISKPROFILE_SPARK"


def enabled() -> bool:
    """Whether ``RISKPROFILE_SPARK`` asks for the Spark tests (then they must run)."""
    return os.environ.get(ENABLE_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """The test run's local Spark session (one per test process)."""
    if not enabled():
        pytest.skip(
            f"Spark tests are opt-in: set {ENABLE_VARIABLE}=1 (needs the `spark` extra, "
            "pyspark, and Java 17 or later; .ci/run sets it)"
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        pytest.fail(f"{ENABLE_VARIABLE}=1 but pyspark is missing ({exc}): "
                    "pip install 'riskprofile[spark]'", pytrace=False)  # fmt: skip
    if _java() is None:
        pytest.fail(f"{ENABLE_VARIABLE}=1 but no java on PATH or in JAVA_HOME", pytrace=False)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("riskprofile-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
