"""``score(batch, engine=<the SQL engine>)`` through the frame, as the CLI scores: the
database computes the condition masks, the columnar engine's code scores them, and no
object is made per shipment until one is asked for - with the reference run's results,
in every export and selection."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

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
