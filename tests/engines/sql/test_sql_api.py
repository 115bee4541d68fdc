"""``score(batch, engine=<the SQL engine>)`` through the frame, as the CLI scores: the
database computes the condition masks, the columnar engine's code scores them, and no
object is made per shipment until one is asked for - with the reference run's results,
in every export and selection."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import output, score, scoring
from riskprofile.io import Batch, FrameBatch
from riskprofile.model import Shipment
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.selection import select
from tests import strategies as rst
from tests.depth import depth
from tests.engines.test_columnar_scoring import batches

AS_OF = dt.date(2026, 11, 2)
EXAMPLE = Path(__file__).parents[3] / "examples" / "data" / "karachi-sample.csv"


@contextlib.contextmanager
def no_object_per_shipment() -> Iterator[list[str]]:
    """Count the shipments scored one by one (the object path), and refuse making
    shipment objects from the frame: the frame path makes neither."""
    made: list[str] = []
    real = scoring._score_shipment

    def counted(shipment: Shipment, *args: Any) -> Any:
        made.append(shipment.shipment_id)
        return real(shipment, *args)

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("shipment objects made from the frame")

    with (
        mock.patch.object(scoring, "_score_shipment", counted),
        mock.patch("riskprofile.model.frame.shipments_of_frame", refused),
        mock.patch.object(FrameBatch, "to_batch", refused),
    ):
        yield made


def _batch(shipments: list[Shipment]) -> Batch:
    return Batch("batch.csv", "lenient", shipments, [], len(shipments), 1, record_unit="row")


@settings(
    max_examples=depth(8),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(batches(), rst.profile_sets(), st.sampled_from(["batch", "frame"]))
def test_score_with_the_sql_engine_goes_through_the_frame_and_is_the_reference_run(
    sql_engine: Any, shipments: list[Shipment], profiles: ProfileSet, given_as: str
) -> None:
    from riskprofile.engines.columnar import shipment_frame

    batch = _batch(shipments)
    source = batch if given_as == "batch" else shipment_frame(shipments)
    with no_object_per_shipment() as made:
        run = score(source, profiles, as_of=AS_OF, engine=sql_engine)
        assert run.frame_run is not None
        ranking = run.frame_run.container_table
    assert made == []
    reference = score(batch if given_as == "batch" else shipments, profiles, as_of=AS_OF,
                      engine="rowwise")  # fmt: skip
    assert ranking.height == len(reference.containers)
    assert repr(run) == repr(reference)
    for kwargs in ({"capacity": "20%", "control_rate": "10%", "seed": 7}, {"capacity": 1}):
        selected, expected = select(run, **kwargs), select(reference, **kwargs)
        assert selected.selected == expected.selected
        assert selected.left_out == expected.left_out
        assert output.to_json(run, selected) == output.to_json(reference, expected)
        assert output.to_csv(run, selected) == output.to_csv(reference, expected)
    assert run.shipments == reference.shipments
    assert run.containers == reference.containers


@pytest.mark.parametrize("engine", ["duckdb", "a connection"])
def test_score_a_file_in_duckdb_makes_no_shipment_object(engine: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    from riskprofile.engines.sql import SqlEngine

    profiles = load_profiles(bundled=True)
    target: Any = "duckdb" if engine == "duckdb" else SqlEngine(duckdb.connect())
    with no_object_per_shipment() as made:
        run = score(EXAMPLE, profiles, as_of=AS_OF, engine=target)
        assert run.frame_run is not None
        ranking = run.frame_run.container_table.get_column("key").to_list()
    assert made == []
    reference = score(EXAMPLE, profiles, as_of=AS_OF, engine="rowwise")
    assert ranking == [c.key for c in reference.containers]
    # A selection makes the objects of the containers it holds (as the columnar run does).
    selected = select(run, capacity="10%", seed=3)
    expected = select(reference, capacity="10%", seed=3)
    assert output.to_json(run, selected) == output.to_json(reference, expected)


HOSTILE_TEXTS = ["", "NULL", "\\N", "a\\b", "tab\there", "line\nbreak\r\n", 'quo"te', "{x,y}",
                 "comma, space", "ÆØÅ \u2028 \U0001f600", " lead", "\\\\"]  # fmt: skip
FLOATS = [float("nan"), float("inf"), float("-inf"), -0.0, 5e-324, 1.7976931348623157e308,
          0.1, 0.30000000000000004, 1e20, -2.5, None, 3.0, None]  # fmt: skip
DECIMALS = [Decimal("0.1"), Decimal("-12345678901234567890.000000000000000001"),
            Decimal("1E-18"), None]  # fmt: skip
INSTANTS = [dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 2, 0, 0, 0, 5, tzinfo=dt.UTC),
            dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC), None]  # fmt: skip


def _cycled(values: list[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


def test_the_postgres_load_gives_back_every_value_as_it_was(postgres_dsn: str) -> None:
    # The COPY text is written by Polars column by column (one Python call per row cost
    # 86 s at 1M shipments); what the database reads back must be the frame's values, for
    # texts that COPY's and arrays' syntax treat specially, floats and dates at the ends.
    import psycopg

    from riskprofile.engines.sql._run import load_postgres

    texts = [*HOSTILE_TEXTS, None]
    n = len(texts)
    data = pl.DataFrame(
        {
            "_row": pl.Series(range(n), dtype=pl.Int64),
            "description": texts,
            "route_countries": [[t] for t in HOSTILE_TEXTS] + [None],
            "hs_chapters": [[], None, ["a", None, "b"], *[list(HOSTILE_TEXTS)] * (n - 3)],
            "goods_gross_weight_kg": pl.Series(_cycled(FLOATS, n), dtype=pl.Float64),
            "declared_value": pl.Series(_cycled(DECIMALS, n), dtype=pl.Decimal(38, 18)),
            "packages": _cycled([0, -1, 2**62, None], n),
            "is_lcl": _cycled([True, False, None], n),
            "arrival": pl.Series(_cycled(INSTANTS, n), dtype=pl.Datetime("us", "UTC")),
        }
    )
    with psycopg.connect(postgres_dsn) as connection, connection.cursor() as cursor:
        load_postgres(cursor, data, "loaded")
        names = ", ".join(f'"{c}"' for c in data.columns)
        rows = cursor.execute(f'SELECT {names} FROM "loaded" ORDER BY _row').fetchall()
    for got, expected in zip(rows, data.iter_rows(), strict=True):
        for column, a, b in zip(data.columns, got, expected, strict=True):
            if isinstance(b, float) and b != b:
                assert a != a, column
            else:
                assert (a, str(a)) == (b, str(b)), (column, a, b)


def test_the_postgres_load_writes_blocks_not_a_call_per_row() -> None:
    # Counted on a stand-in cursor: the text of 2,500 rows goes to COPY in one write
    # (the load was one Python write_row per row: 86 s at 1M shipments).
    from riskprofile.engines.sql._run import load_postgres

    calls: list[str] = []

    class Copy:
        def write(self, block: bytes) -> None:
            calls.append("write " + str(block.count(b"\n")))

        def write_row(self, row: Any) -> None:
            calls.append("write_row")

        def set_types(self, types: Any) -> None:
            pass

    class Cursor:
        def execute(self, sql: str) -> None:
            calls.append(sql.split()[0])

        @contextlib.contextmanager
        def copy(self, sql: str) -> Iterator[Copy]:
            yield Copy()

    data = pl.DataFrame({"_row": range(2500), "description": ["A\tB"] * 2500})
    load_postgres(Cursor(), data, "loaded")
    assert calls == ["CREATE", "write 2500"]
