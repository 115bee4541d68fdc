"""The history store's schema and features, on any backend (no store object needed:
``score(..., history=PATH)`` reads features through this module alone)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.errors import HistoryStoreError
from riskprofile.history._backends import Backend
from riskprofile.history._keys import PARTY_ROLES, trader_keys
from riskprofile.history._sql import ADDED_COLUMNS, FEATURES, SCHEMA, STORE_VERSION
from riskprofile.history._traders import FUZZY_THRESHOLD, resolve_probe
from riskprofile.model.shipment import HISTORY_FIELDS

__all__ = [
    "MAD_SCALE",
    "NORM_MIN_SHIPMENTS",
    "SHRINK_STRENGTH",
    "ensure_schema",
    "history_features",
    "naive_utc",
]

SHRINK_STRENGTH = 5
"""How many inspections' worth of the store's finding rate a consignee's rate is shrunk
with: ``(findings + 5 x store rate) / (inspections + 5)``."""


NORM_MIN_SHIPMENTS = 5
"""The fewest earlier shipments of one HS6 code, origin and currency (with a value per
kg) that make a norm to compare a value per kg with."""

MAD_SCALE = 1.4826
"""The median absolute deviation times this estimates a normal distribution's standard
deviation: the robust z-score's unit."""


def naive_utc(when: dt.datetime) -> dt.datetime:
    """A UTC time as the store's naive ``TIMESTAMP``."""
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def ensure_schema(db: Backend) -> None:
    """Create the store's tables when missing, and refuse a store of another version.

    Raises:
        HistoryStoreError: the tables cannot be created or read, or the version differs.
    """
    types = (
        {"double": "DOUBLE", "timestamp": "TIMESTAMP"}
        if db.dialect == "duckdb"
        else {"double": "DOUBLE PRECISION", "timestamp": "TIMESTAMP"}
    )
    try:
        for statement in SCHEMA:
            db.run(statement.format(**types))
        for table, column, kind in ADDED_COLUMNS:
            db.run(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
        version = db.frame("SELECT value FROM rp_meta WHERE key = 'version'")
    except Exception as exc:  # a refused DDL, a database that is not ours
        db.rollback()
        raise HistoryStoreError(
            f"not a history store, or cannot be written: {exc}", store=db.location
        ) from None
    if version.height == 0:
        db.run("INSERT INTO rp_meta VALUES ('version', :v)", {"v": str(STORE_VERSION)})
    elif version.item(0, 0) != str(STORE_VERSION):
        raise HistoryStoreError(
            f"store schema version {version.item(0, 0)}, this riskprofile reads version "
            f"{STORE_VERSION}",
            store=db.location,
        )
    db.commit()


def history_features(
    db: Backend, frame: pl.DataFrame, as_of: AsOf, threshold: float = FUZZY_THRESHOLD
) -> pl.DataFrame:
    """The history fields of each row of a shipment frame at ``as_of``, from the store
    ``db``: one column per name of :data:`~riskprofile.model.shipment.HISTORY_FIELDS`, in
    the frame's row order, from history seen strictly before ``as_of`` only. Each party
    counts as the trader it resolves to (:mod:`riskprofile.history._traders`; names
    compared with ``threshold``)."""
    from riskprofile.model.frame import frame_schema

    naive = naive_utc(as_of_datetime(as_of))
    parties = trader_keys(frame).hstack(
        frame.select(c for role in PARTY_ROLES for c in (f"{role}_name", f"{role}_country"))
    )
    traders = resolve_probe(db, parties, naive, threshold)
    probe = pl.concat(
        [
            frame.select(pl.int_range(frame.height, dtype=pl.Int64).alias("row_id")),
            parties.select(
                pl.col(f"{role}_key")
                .replace(traders["key"], traders["trader"])
                .alias(f"{role}_key")
                for role in PARTY_ROLES
            ),
            frame.select(
                "container_number",
                "port_of_loading",
                "port_of_discharge",
                pl.col("hs_subheadings").list.first().alias("hs6"),
                pl.col("origin_countries").list.first().alias("origin_country"),
                "value_currency",
                pl.col("value_per_kg").cast(pl.Float64),
            ),
        ],
        how="horizontal",
    )
    chapters = (
        frame.select(
            pl.int_range(frame.height, dtype=pl.Int64).alias("row_id"),
            pl.col("hs_chapters").alias("hs_chapter"),
        )
        .explode("hs_chapter")
        .drop_nulls()
    )
    params = {
        "as_of": naive,
        "as_of_day": naive.date(),
        "since_30": naive - dt.timedelta(days=30),
        "since_365": naive - dt.timedelta(days=365),
    }
    db.stage("rp_probe", probe)
    db.stage("rp_probe_chapters", chapters)
    try:
        raw = db.frame(FEATURES, params)
    finally:
        db.unstage("rp_probe")
        db.unstage("rp_probe_chapters")
        db.rollback()  # the staged tables only; nothing to keep
    resolved = {
        f"{role}_resolved_as": parties[f"{role}_key"].replace_strict(
            traders["key"], traders["reason"], default=None, return_dtype=pl.String
        )
        for role in ("consignee", "shipper")
    }
    return (
        _derive(raw, naive, frame.height)
        .with_columns(**resolved)
        .select(pl.col(name).cast(frame_schema()[name]) for name in HISTORY_FIELDS)
    )


def _derive(raw: pl.DataFrame, as_of: dt.datetime, height: int) -> pl.DataFrame:
    """The history fields from the feature query's columns: days since first seen (whole
    days, rounded down) and the shrunk finding rate."""
    if raw.height != height:  # pragma: no cover - the query returns one row per probe row
        raise HistoryStoreError(f"feature query returned {raw.height} rows for {height}")
    when = pl.lit(as_of, dtype=pl.Datetime("us"))
    days = {
        f"{role}_first_seen_days": (when - pl.col(f"{role}_first_seen").cast(pl.Datetime("us")))
        .dt.total_days()
        .cast(pl.Int64)
        for role in PARTY_ROLES
    }
    n, f = pl.col("store_inspections").cast(pl.Float64), pl.col("store_findings").cast(pl.Float64)
    inspections = pl.col("consignee_prior_inspections").cast(pl.Float64)
    findings = pl.col("consignee_prior_findings").cast(pl.Float64)
    rate = (
        pl.when(n > 0)
        .then((findings + SHRINK_STRENGTH * f / n) / (inspections + SHRINK_STRENGTH))
        .otherwise(None)
    )
    enough = pl.col("norm_shipments") >= NORM_MIN_SHIPMENTS
    value = pl.col("value_per_kg").cast(pl.Float64)
    median = pl.col("norm_median").cast(pl.Float64)
    mad = pl.col("norm_mad").cast(pl.Float64)
    ratio = pl.when(enough & (median > 0)).then(value / median)
    robust_z = pl.when(enough & (mad > 0)).then((value - median) / (MAD_SCALE * mad))
    return raw.with_columns(
        **days,
        consignee_finding_rate=rate,
        value_per_kg_norm_ratio=ratio,
        value_per_kg_robust_z=robust_z,
    )
