"""``riskprofile score --engine duckdb|postgresql://...`` gives the columnar engine's
output byte for byte (the bundled library, no country and each overlay), and the SQL
``riskprofile sql`` prints runs as printed, with the engine's answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from riskprofile import read_batch
from riskprofile.cli import EXIT_USAGE, main
from riskprofile.engines.columnar import masks_for, shipment_frame
from riskprofile.engines.sql import condition_sql
from riskprofile.engines.sql._run import load_postgres
from riskprofile.profiles import bundled_profiles_path, load_all_profiles
from riskprofile.scoring import score
from tests.engines.sql.test_sql_engine import AS_OF
from tests.profile_memo import load_once

EXAMPLE = Path(__file__).parents[3] / "examples" / "data" / "karachi-sample.csv"
SCORE = [str(EXAMPLE), "--as-of", "2026-11-02", "--format", "json", "--details"]


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    load_once(monkeypatch)  # each run loads the same profiles: once per process


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "country", [None, *(pytest.param(c, marks=pytest.mark.slow) for c in ("PK", "KZ", "TM"))]
)
def test_score_on_duckdb_is_the_columnar_output(
    capsys: pytest.CaptureFixture[str], country: str | None
) -> None:
    extra = ["--country", country] if country else []
    columnar = _run(capsys, ["score", *SCORE, *extra, "--engine", "columnar"])
    duckdb = _run(capsys, ["score", *SCORE, *extra, "--engine", "duckdb"])
    assert duckdb == columnar
    assert '"lane": "red"' in columnar  # the comparison is not between two empty lists


def test_score_on_postgres_is_the_columnar_output(
    capsys: pytest.CaptureFixture[str], postgres_dsn: str
) -> None:
    columnar = _run(capsys, ["score", *SCORE, "--country", "PK"])
    postgres = _run(capsys, ["score", *SCORE, "--country", "PK", "--engine", postgres_dsn])
    assert postgres == columnar


def test_score_refuses_an_unknown_engine(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", *SCORE, "--engine", "oracle"])
    assert "expected auto, rowwise, columnar, duckdb, spark or a postgresql:// URL" in (
        capsys.readouterr().err
    )


def test_an_unreachable_database_is_a_usage_error_without_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Port 1 on loopback refuses at once: before, psycopg's error escaped as exit 3
    # ("internal error, a bug").
    url = "postgresql://pcu:s3cret@127.0.0.1:1/cargo"
    assert main(["score", *SCORE, "--engine", url]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "database postgresql://pcu:***@127.0.0.1:1/cargo: " in err
    assert "s3cret" not in err
    assert "internal error" not in err


def test_the_python_api_takes_an_engine_a_name_or_a_connection(postgres_dsn: str) -> None:
    import duckdb

    from riskprofile.engines.sql import SqlEngine

    batch = read_batch(EXAMPLE)
    profiles = load_all_profiles(bundled_profiles_path())
    reference = score(batch, profiles, as_of="2026-11-02", engine="columnar")
    for engine in ("duckdb", SqlEngine(duckdb.connect()), postgres_dsn):
        run = score(batch, profiles, as_of="2026-11-02", engine=engine)
        assert run.containers == reference.containers, engine
        assert run.shipments == reference.shipments, engine


# --- riskprofile sql ----------------------------------------------------------------------------

_QUERY = re.compile(r"^-- (\S+) (indicator|exception) (\S+) \(v\d+\)\n(SELECT.*?);$", re.M | re.S)


def _queries(text: str) -> list[tuple[str, str]]:
    return [(f"{m[0]}/{m[2]}", m[3]) for m in _QUERY.findall(text)]


def in_sql(text: str) -> int:
    """The count of conditions the printed summary says run in SQL: one printed query
    each (the bundled library grows; the count is the command's own)."""
    found = re.search(r"conditions in \d+ profiles: (\d+) in SQL", text)
    assert found, text[-300:]
    assert int(found.group(1)) > 150
    return int(found.group(1))


@pytest.fixture(scope="module")
def example_frame() -> pl.DataFrame:
    return shipment_frame(read_batch(EXAMPLE).shipments)


@pytest.fixture(scope="module")
def expected(example_frame: pl.DataFrame) -> dict[str, Any]:
    items, lists = [], {}
    for profile in load_all_profiles(bundled_profiles_path()):
        for item in (*profile.exceptions, *profile.indicators):
            key = f"{profile.id}/{item.id}"
            items.append((key, item.condition))
            lists[key] = profile.lists
    return masks_for(example_frame, items, lists, AS_OF)


def _check(result: pl.DataFrame, key: str, expected: dict[str, Any]) -> None:
    decided = ~result["u0"].cast(pl.Boolean) if "u0" in result.columns else None
    for column, mask in (("h0", expected[key].hit), ("e0", expected[key].error)):
        got = result[column].cast(pl.Boolean)
        assert got.null_count() == 0, key
        if decided is not None:
            got, mask = got.filter(decided), mask.filter(decided)
        assert got.to_list() == mask.to_list(), (key, column)


def test_the_printed_duckdb_sql_runs_and_gives_the_engine_answers(
    capsys: pytest.CaptureFixture[str], example_frame: pl.DataFrame, expected: dict[str, Any]
) -> None:
    import duckdb

    text = _run(capsys, ["sql", "--dialect", "duckdb", "--as-of", AS_OF.isoformat()])
    queries = _queries(text)
    assert len(queries) == in_sql(text)
    assert re.search(r"(\d+) conditions in 13 profiles: (\d+) in SQL, 1 on the columnar engine$",
                     text.rstrip())  # fmt: skip
    connection = duckdb.connect()
    connection.register("shipments", example_frame.with_row_index("_row").to_arrow())
    for key, query in queries:
        _check(pl.DataFrame(pl.from_arrow(connection.sql(query).to_arrow_table())), key, expected)


def test_the_printed_postgres_sql_runs_and_gives_the_engine_answers(
    capsys: pytest.CaptureFixture[str],
    example_frame: pl.DataFrame,
    expected: dict[str, Any],
    postgres_dsn: str,
) -> None:
    import psycopg

    text = _run(
        capsys,
        ["sql", "--dialect", "postgres", "--table", "manifests", "--as-of", AS_OF.isoformat()],
    )
    queries = _queries(text)
    assert len(queries) == in_sql(text)
    with psycopg.connect(postgres_dsn) as connection, connection.cursor() as cursor:
        load_postgres(cursor, example_frame.with_row_index("_row"), "manifests")
        for key, query in queries:
            assert "FROM manifests" in query
            cursor.execute(query)
            header = [d.name for d in cursor.description or ()]
            result = pl.DataFrame(cursor.fetchall(), schema=header, orient="row")
            _check(result, key, expected)


def test_sql_names_what_runs_on_the_columnar_engine(capsys: pytest.CaptureFixture[str]) -> None:
    text = _run(capsys, ["sql", "--profile", "revenue.valuation-and-classification"])
    assert (
        "-- revenue.valuation-and-classification indicator cargo-heavier-than-declared (v1)\n"
        "-- not in SQL: arithmetic (mul) other than on integers (rule-engine's Decimal "
        "arithmetic is not written in SQL) (runs on the columnar engine)"
    ) in text


def test_sql_refuses_an_unknown_profile_and_a_table_name_that_is_no_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sql", "--profile", "no.such.profile"]) == 2
    assert "no profile no.such.profile" in capsys.readouterr().err
    assert main(["sql", "--table", "x; DROP TABLE y"]) == 2
    assert "not a plain table name" in capsys.readouterr().err


@pytest.mark.parametrize("dialect", ["trino", "oracle", "snowflake", "tsql"])
def test_a_dialect_the_tests_do_not_execute_is_refused_saying_why(
    capsys: pytest.CaptureFixture[str], dialect: str
) -> None:
    # Trino cannot run here (no server from a package registry): its SQL would be text no
    # engine ever ran, so it is refused, never printed as if it were verified.
    with pytest.raises(SystemExit) as exit_:
        main(["sql", "--dialect", dialect, "--as-of", AS_OF.isoformat()])
    assert exit_.value.code == EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{dialect}: not supported - its SQL has never been executed on a real" in err
    assert "duckdb, postgres, spark" in err
    condition = next(iter(load_all_profiles(bundled_profiles_path()))).indicators[0].condition
    with pytest.raises(ValueError, match="never been executed"):
        condition_sql(condition, AS_OF, dialect)  # type: ignore[arg-type]


def test_a_name_that_is_no_dialect_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sql", "--dialect", "excel"])
    assert "'excel' is not a SQL dialect (supported: duckdb, postgres, spark)" in (
        capsys.readouterr().err
    )


def test_postgresql_is_the_postgres_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sql", "--profile", "precursors.controlled-chemicals", "--as-of", AS_OF.isoformat()]
    postgres = _run(capsys, [*argv, "--dialect", "postgres"])
    assert _run(capsys, [*argv, "--dialect", "PostgreSQL"]) == postgres
