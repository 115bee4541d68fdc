"""The SQL engine on Spark (local mode): the SQL written for Spark is executed here, and
its answers are the row-wise engine's.

Every test takes the one Spark session of the run (``spark_session``,
``tests/sparksession.py``: opt-in with ``RISKPROFILE_SPARK=1``, which ``.ci/run``
sets). A Spark query costs a job, so the tests put many conditions in one query and
keep hypothesis' example counts modest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import output, read_batch, score
from riskprofile.cli import main
from riskprofile.engines import rowwise as rowwise_engine
from riskprofile.engines.columnar import masks_for, shipment_frame
from riskprofile.engines.sql import SqlEngine, condition_sql
from riskprofile.engines.sql._regex import UnsupportedRegex, sql_pattern
from riskprofile.model import Shipment, flatten
from riskprofile.profiles import ProfileSet, bundled_profiles_path, load_all_profiles
from riskprofile.profiles._expressions import Condition, compile_condition
from riskprofile.selection import select
from riskprofile.synth import generate_manifests
from tests import strategies as rst
from tests.depth import depth
from tests.engines.sql.test_sql_api import no_object_per_shipment
from tests.engines.sql.test_sql_cli import _check, _queries, in_sql
from tests.engines.sql.test_sql_engine import (
    AS_OF,
    EDGES,
    LIBRARY_FALLBACKS,
    LISTS,
    TRANSLATED,
    compiled,
    library,  # noqa: F401 - the fixture
)
from tests.engines.test_columnar_scoring import batches
from tests.engines.test_contract import check_contract, check_frame_contract, outcomes_of
from tests.engines.test_translate import rowwise, rowwise_records
from tests.records import records_of

pytestmark = pytest.mark.spark

EXAMPLE = Path(__file__).parents[3] / "examples" / "data" / "karachi-sample.csv"


@pytest.fixture(scope="module")
def spark(spark_session: Any) -> SqlEngine:
    return SqlEngine(spark_session)


def _masks(engine: SqlEngine, items: list[tuple[str, Condition]], shipments: list[Shipment]) -> Any:
    return engine.masks_for(
        shipment_frame(shipments), items, {key: LISTS for key, _ in items}, AS_OF
    )


def test_a_spark_session_is_the_spark_dialect(spark: SqlEngine) -> None:
    assert spark.dialect == "spark"
    assert repr(spark) == "SqlEngine(spark)"


def test_each_kind_of_condition_translates_for_spark_and_equals_rowwise(spark: SqlEngine) -> None:
    items = [(str(i), compiled(e)) for i, e in enumerate(TRANSLATED)]
    for _, condition in items:
        translation = condition_sql(condition, AS_OF, "spark")
        assert translation.fallback is None, (condition.expression, translation.fallback)
    masks = _masks(spark, items, EDGES)  # every kind in one query
    for key, condition in items:
        assert masks[key].fallback is None
        got = (masks[key].hit.to_list(), masks[key].error.to_list())
        assert got == rowwise(condition, EDGES), condition.expression


def test_the_bundled_library_on_spark_equals_rowwise(
    spark: SqlEngine,
    library: list[tuple[str, Condition, Any]],  # noqa: F811
) -> None:
    # Fewer shipments than the other dialects' test (the row-wise reference is the cost).
    sample = list(read_batch(EXAMPLE).shipments)
    generated = [s for m in generate_manifests(seed=7, containers=25) for s in flatten(m)]
    shipments = sample[:80] + generated
    masks = spark.masks_for(
        shipment_frame(shipments),
        [(key, condition) for key, condition, _ in library],
        {key: lists for key, _, lists in library},
        AS_OF,
    )
    records = records_of(shipments)
    for key, condition, _ in library:
        got = masks[key]
        assert (got.fallback is not None) == (key in LIBRARY_FALLBACKS), (key, got.fallback)
        expected = rowwise_records(condition, records)
        assert (got.hit.to_list(), got.error.to_list()) == expected, key


# Java's regexes are not RE2: what differs on these texts is written out (RE2's $ is the
# very end, Java's also before a final line terminator; Java's \v is a class; Java's \b
# follows Unicode letters in Java 17) or left to the row-wise engine (text outside
# printable ASCII).
REGEX_TEXTS = ["SCRAP\n", "SCRAP\r", "SCRAP", "A\rB", "A\x0bB", "A\tB", "box 1", "BOX",
               "ÉBOX", "scrap", "AB", "a.b", "[x]", "A&&B", "", "Å", "x y\u2028"]  # fmt: skip
REGEXES = ["SCRAP$", "^A", "\\bBOX\\b", "\\Bo", "(?i)scrap", "\\v", "[\\s]", "\\s", "A.B",
           "\\AA", "B\\z", "[&&]", "[^a-z]", "x{2,}", "(?P<n>a)\\.b", "\\x41", "[\\x41-\\x43]",
           "\\[x\\]", "[\\t]B", "\\d+", "\\W", "^$"]  # fmt: skip


def test_regexes_on_spark_mean_what_re2_means(spark: SqlEngine) -> None:
    rows = [Shipment(description=t) for t in REGEX_TEXTS]
    items = []
    for i, pattern in enumerate(REGEXES):
        for op in ("=~~", "=~"):
            quoted = pattern.replace("\\", "\\\\")
            items.append((f"{i}{op}", compiled(f'description {op} "{quoted}"')))
    masks = _masks(spark, items, rows)
    for key, condition in items:
        assert masks[key].fallback is None, (condition.expression, masks[key].fallback)
        got = (masks[key].hit.to_list(), masks[key].error.to_list())
        assert got == rowwise(condition, rows), condition.expression


def test_a_regex_java_cannot_say_alike_falls_back_with_the_reason() -> None:
    with pytest.raises(UnsupportedRegex, match=r"the escape \\p .*Spark"):
        sql_pattern("\\pL", "spark", anchored=False)
    assert sql_pattern("A$", "spark", anchored=True).pattern == "\\A(?:A\\z)"
    translation = condition_sql(compiled('description =~~ "\\\\pLA"'), AS_OF, "spark")
    assert translation.fallback is not None
    assert "Spark (Java regexes)" in translation.fallback


@settings(max_examples=depth(12), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(rst.rule_conditions(), min_size=3, max_size=10),
    st.lists(rst.rule_shipments(), min_size=1, max_size=6),
)
def test_random_conditions_on_spark_equal_rowwise(
    spark: SqlEngine, expressions: list[str], shipments: list[Shipment]
) -> None:
    items = []
    for index, expression in enumerate(expressions):
        condition = compile_condition(expression, rst.RULE_LISTS)
        if not isinstance(condition, Condition):
            continue
        try:
            expected = rowwise(condition, shipments)
        except TypeError:  # a crash on a record: the frame engines say "error"
            columnar = masks_for(shipment_frame(shipments), [("c", condition)], {"c": LISTS},
                                 AS_OF)["c"]  # fmt: skip
            expected = (columnar.hit.to_list(), columnar.error.to_list())
        items.append((str(index), condition, expected))
    masks = _masks(spark, [(key, c) for key, c, _ in items], shipments)
    for key, condition, expected in items:
        got = (masks[key].hit.to_list(), masks[key].error.to_list())
        assert got == expected, condition.expression


@settings(max_examples=depth(4), deadline=None, suppress_health_check=list(HealthCheck))
@given(batches(), rst.profile_sets())
def test_spark_keeps_the_frame_contract_on_random_batches(
    spark: SqlEngine, shipments: list[Shipment], profiles: ProfileSet
) -> None:
    check_frame_contract(spark, shipments, profiles)


def test_spark_keeps_the_engine_contract_on_the_example(spark: SqlEngine) -> None:
    from riskprofile.rules import applicable_profiles

    shipments = list(read_batch(EXAMPLE).shipments)[:40]
    profiles, _ = applicable_profiles(load_all_profiles(bundled_profiles_path()), AS_OF, False)
    check_contract(spark, shipments, profiles, outcomes_of(rowwise_engine, shipments, profiles))


def test_score_on_spark_is_the_reference_run(spark_session: Any) -> None:
    from riskprofile.profiles import load_profiles

    # With an overlay (the command-line test below runs without).
    profiles = load_profiles(bundled=True, country="PK")
    with no_object_per_shipment() as made:
        run = score(EXAMPLE, profiles, as_of=AS_OF, engine=SqlEngine(spark_session))
        assert run.frame_run is not None
    assert made == []
    reference = score(EXAMPLE, profiles, as_of=AS_OF, engine="rowwise")
    chosen = {"capacity": "10%", "control_rate": "2%", "seed": 5}
    selected, expected = select(run, **chosen), select(reference, **chosen)
    assert output.to_json(run, selected) == output.to_json(reference, expected)
    assert output.to_csv(run, selected) == output.to_csv(reference, expected)


def test_score_engine_spark_on_the_command_line_is_the_columnar_output(
    capsys: pytest.CaptureFixture[str], spark_session: Any
) -> None:
    argv = ["score", str(EXAMPLE), "--as-of", "2026-11-02", "--format", "json", "--details"]
    assert main([*argv, "--engine", "columnar"]) == 0
    columnar = capsys.readouterr().out
    assert main([*argv, "--engine", "spark"]) == 0  # the session running: it is used
    assert capsys.readouterr().out == columnar


def test_the_printed_spark_sql_runs_and_gives_the_engine_answers(
    capsys: pytest.CaptureFixture[str], spark_session: Any
) -> None:
    frame = shipment_frame(read_batch(EXAMPLE).shipments)
    items, lists = [], {}
    for profile in load_all_profiles(bundled_profiles_path()):
        for item in (*profile.exceptions, *profile.indicators):
            key = f"{profile.id}/{item.id}"
            items.append((key, item.condition))
            lists[key] = profile.lists
    expected = masks_for(frame, items, lists, AS_OF)
    assert main(["sql", "--dialect", "spark", "--table", "manifests",
                 "--as-of", AS_OF.isoformat()]) == 0  # fmt: skip
    text = capsys.readouterr().out
    queries = _queries(text)
    assert len(queries) == in_sql(text)
    # Every condition's SQL runs on Spark in the library test above; here a sample of
    # the printed text (a job each), that it runs as printed.
    queries = queries[::10]
    data = frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    spark_frame = spark_session.createDataFrame(data.to_arrow(compat_level=pl.CompatLevel.oldest()))
    spark_frame.createOrReplaceTempView("manifests")
    try:
        for key, query in queries:
            assert "FROM manifests" in query
            _check(pl.DataFrame(pl.from_arrow(spark_session.sql(query).toArrow())), key, expected)
    finally:
        spark_session.catalog.dropTempView("manifests")


def test_the_session_time_zone_does_not_move_dates(spark_session: Any) -> None:
    # Asia/Karachi's midnight is 19:00 UTC the day before: a date read or a literal
    # written in the session's zone would put 2 November before midnight UTC of it.
    rows = [Shipment(bl_issue_date=dt.date(2026, 11, d)) for d in (1, 2)]
    condition = compiled("bl_issue_date < $today")
    zone = spark_session.conf.get("spark.sql.session.timeZone")
    spark_session.conf.set("spark.sql.session.timeZone", "Asia/Karachi")
    try:
        engine = SqlEngine(spark_session)
        got = engine.masks_for(shipment_frame(rows), [("c", condition)], {}, AS_OF)
    finally:
        spark_session.conf.set("spark.sql.session.timeZone", zone)
    assert (got["c"].hit.to_list(), got["c"].error.to_list()) == rowwise(condition, rows)


def test_the_conditions_run_as_spark_tasks_in_one_job_not_in_the_optimizer(
    spark_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frame made from Arrow is a LocalRelation: left to ConvertToLocalRelation, the
    # optimizer computes the whole SELECT in the driver, interpreted, on one thread (at
    # 2,000 shipments x 95 conditions 15.6 s of 16.3 s of planning); and an ORDER BY in
    # the query costs a sampling job and a shuffle. The plan that ran is a projection
    # over the rows, in one job, and the session's settings are as they were.
    rows = EDGES
    items = [(str(i), compiled(e)) for i, e in enumerate(TRANSLATED)]
    queries: list[Any] = []
    run_sql = spark_session.sql

    def recorded(text: str, *args: Any, **kwargs: Any) -> Any:
        frame = run_sql(text, *args, **kwargs)
        queries.append(frame)
        return frame

    monkeypatch.setattr(spark_session, "sql", recorded)
    before = spark_session.conf.get("spark.sql.optimizer.excludedRules", None)
    context = spark_session.sparkContext
    context.setJobGroup("riskprofile-one-job", "the engine's query")
    try:
        masks = _masks(SqlEngine(spark_session), items, rows)
        jobs = context.statusTracker().getJobIdsForGroup("riskprofile-one-job")
    finally:
        context.setJobGroup("", "")
    assert len(queries) == 1
    plan = queries[0]._jdf.queryExecution().optimizedPlan().toString()
    assert plan.startswith("Project"), plan[:200]
    assert len(jobs) == 1, jobs
    assert spark_session.conf.get("spark.sql.optimizer.excludedRules", None) == before
    for key, condition in items:
        assert (masks[key].hit.to_list(), masks[key].error.to_list()) == rowwise(condition, rows)


# --- the history features' SQL on Spark ----------------------------------------------------


class _SparkHistory:
    """The history store's backend contract (``riskprofile.history._backends.Backend``)
    for reading, on a Spark session: the store's tables and the staged probe are
    temporary views, and ``:name`` parameters are Spark's named parameter markers."""

    dialect = "spark"
    location = "(spark)"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.views: list[str] = []

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        raise AssertionError(f"a history read wrote on Spark: {sql[:80]}")

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        import re

        used = set(re.findall(r":([a-z_][a-z0-9_]*)", sql))
        args = {k: v for k, v in (params or {}).items() if k in used}
        return pl.DataFrame(pl.from_arrow(self.session.sql(sql, args=args).toArrow()))

    def stage(self, name: str, frame: pl.DataFrame) -> None:
        arrow = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
        self.session.createDataFrame(arrow).createOrReplaceTempView(name)
        self.views.append(name)

    def unstage(self, name: str) -> None:
        self.session.catalog.dropTempView(name)
        self.views.remove(name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        for name in list(self.views):
            self.unstage(name)


# Three histories at any depth: each example is a Spark query of some twenty joins and
# aggregations (several seconds of planning on a quiet machine).
@settings(max_examples=depth(3, floor=3), deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(data=st.data())
def test_the_history_features_sql_on_spark_is_duckdbs(spark_session: Any, data: Any) -> None:
    # The feature query of riskprofile.history (written for DuckDB and PostgreSQL) run on
    # Spark over a seeded history's tables: the same features, value for value.
    from riskprofile.history import open_store
    from riskprofile.history._features import history_features
    from tests.history.test_features import T0, _history, _row

    rows = data.draw(st.lists(_row, min_size=3, max_size=12), label="history")
    probe_rows = data.draw(st.lists(_row, min_size=1, max_size=4), label="probe")
    cut = data.draw(st.integers(1, 70), label="cut")
    as_of = T0 + dt.timedelta(days=cut, hours=3)
    shipments, outcomes = _history(rows, 0)
    probe = shipment_frame(_history(probe_rows, 5000)[0])
    spark = _SparkHistory(spark_session)
    with open_store(":memory:") as store:
        store.add(shipment_frame(shipments), outcomes, as_of=T0)
        expected = store.features(probe, as_of)
        db = store._db
        tables = db.frame("SELECT table_name FROM information_schema.tables")["table_name"]
        for table in tables:
            if table.startswith("rp_"):
                spark.stage(table, db.frame(f"SELECT * FROM {table}"))
    try:
        got = history_features(spark, probe, as_of, store.fuzzy_threshold)
    finally:
        spark.close()
    assert got.schema == expected.schema
    assert got.to_dicts() == expected.to_dicts()
    assert expected.height == probe.height
