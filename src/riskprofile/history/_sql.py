"""The history store's tables and its features, as SQL that DuckDB and PostgreSQL both run.

One text per statement, written in the SQL both dialects share (CASE, COALESCE, CAST AS
BIGINT, DISTINCT, joins); only the column types differ (``{double}``, ``{timestamp}``),
and parameters are written ``:name`` (each backend turns them into its own placeholder).
Date arithmetic stays out of the SQL: the cut-off times are parameters computed once, and
the day counts are computed from the timestamps the query returns. So the same definition
gives the same features on the embedded file and on the server, and could run on any SQL
engine that speaks this common subset.

Point in time: every feature reads only shipments seen strictly before ``:as_of``
(``seen_at < :as_of`` in each part) and ``insp`` (inspections known strictly before it:
dated before the ``as_of`` day, or undated on a shipment seen before ``as_of``).
"""

from __future__ import annotations

from riskprofile.history._custom import CUSTOM_SCHEMA
from riskprofile.history._traders import TRADER_SCHEMA

__all__ = ["FEATURES", "SCHEMA", "SHIPMENT_COLUMNS", "STORE_VERSION"]

STORE_VERSION = 1
"""The schema version a store records in ``rp_meta``; a store of another version is
refused rather than misread."""

SHIPMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("shipment_id", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("seen_at", "{timestamp}"),
    ("manifest_ref", "VARCHAR"),
    ("bl_number", "VARCHAR"),
    ("container_number", "VARCHAR"),
    ("arrival", "{timestamp}"),
    ("shipper_key", "VARCHAR"),
    ("shipper_name", "VARCHAR"),
    ("shipper_country", "VARCHAR"),
    ("shipper_identifier", "VARCHAR"),
    ("consignee_key", "VARCHAR"),
    ("consignee_name", "VARCHAR"),
    ("consignee_country", "VARCHAR"),
    ("consignee_identifier", "VARCHAR"),
    ("notify_key", "VARCHAR"),
    ("notify_name", "VARCHAR"),
    ("notify_country", "VARCHAR"),
    ("notify_identifier", "VARCHAR"),
    ("port_of_loading", "VARCHAR"),
    ("port_of_discharge", "VARCHAR"),
    ("place_of_delivery", "VARCHAR"),
    ("hs6", "VARCHAR"),
    ("origin_country", "VARCHAR"),
    ("declared_value", "{double}"),
    ("value_currency", "VARCHAR"),
    ("goods_gross_weight_kg", "{double}"),
    ("value_per_kg", "{double}"),
)
"""The columns of ``rp_shipments``, in order: what history features read of a scored
shipment (ids, parties and their trader keys, ports, HS, value, weight, dates)."""

INSPECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("outcome_id", "VARCHAR"),
    ("shipment_id", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("unit", "VARCHAR"),
    ("inspected_on", "DATE"),
    ("inspected", "BOOLEAN"),
    ("finding", "BOOLEAN"),
    ("selected_by", "VARCHAR"),
    ("category", "VARCHAR"),
    ("quantity", "VARCHAR"),
    ("quantity_unit", "VARCHAR"),
    ("seizure", "BOOLEAN"),
)
"""The columns of ``rp_inspections``: one row per outcome and shipment it applies to."""

ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rp_inspections", "quantity", "VARCHAR"),
    ("rp_inspections", "quantity_unit", "VARCHAR"),
    ("rp_inspections", "seizure", "BOOLEAN"),
)
"""Nullable columns added since a store's version was set: added to an older store of the
same version when it is opened (``ADD COLUMN IF NOT EXISTS``)."""

RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR"),
    ("batch_digest", "VARCHAR"),
    ("source", "VARCHAR"),
    ("as_of", "{timestamp}"),
    ("added_at", "{timestamp}"),
    ("profile_fingerprints", "VARCHAR"),
    ("shipments_added", "BIGINT"),
)
"""The columns of ``rp_runs``: one row per batch recorded."""


def _table(name: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ", ".join(f"{column} {kind}" for column, kind in columns)
    return f"CREATE TABLE IF NOT EXISTS {name} ({body})"


SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS rp_meta (key VARCHAR, value VARCHAR)",
    _table("rp_runs", RUN_COLUMNS),
    _table("rp_shipments", SHIPMENT_COLUMNS),
    "CREATE TABLE IF NOT EXISTS rp_chapters (shipment_id VARCHAR, hs_chapter VARCHAR)",
    _table("rp_inspections", INSPECTION_COLUMNS),
    "CREATE TABLE IF NOT EXISTS rp_outcome_runs (outcome_id VARCHAR, run_id VARCHAR)",
    *TRADER_SCHEMA,
    CUSTOM_SCHEMA,
)
"""The statements that create a store's tables (``{double}`` and ``{timestamp}`` are the
dialect's types)."""

# The feature query. Inputs: rp_probe (row_id, consignee_key, shipper_key, notify_key,
# container_number, port_of_loading, port_of_discharge, hs6, origin_country,
# value_currency, value_per_kg; the keys already resolved to their traders) and
# rp_probe_chapters (row_id, hs_chapter): the batch being scored. History keys count for
# the probe's traders through `aliases` (each trader, and every key rp_trader_links
# resolves to it: riskprofile.history._traders). Every part reads rp_shipments itself,
# only what the batch's traders, containers and HS6 groups need: no shared scan of the
# whole history is kept in memory. One row per probe row, ordered by row_id.
FEATURES = """
WITH probe_traders AS (
    SELECT consignee_key AS k FROM rp_probe WHERE consignee_key IS NOT NULL
    UNION SELECT shipper_key FROM rp_probe WHERE shipper_key IS NOT NULL
    UNION SELECT notify_key FROM rp_probe WHERE notify_key IS NOT NULL
),
aliases AS (
    SELECT k AS key, k AS trader FROM probe_traders
    UNION
    SELECT l.key, l.trader FROM rp_trader_links l JOIN probe_traders t ON t.k = l.trader
),
consignee AS (
    SELECT a.trader AS k, MIN(s.seen_at) AS first_seen, COUNT(*) AS n,
           CAST(SUM(CASE WHEN s.seen_at >= :since_30 THEN 1 ELSE 0 END) AS BIGINT) AS n30,
           CAST(SUM(CASE WHEN s.seen_at >= :since_365 THEN 1 ELSE 0 END) AS BIGINT) AS n365
    FROM rp_shipments s JOIN aliases a ON a.key = s.consignee_key
    WHERE s.seen_at < :as_of GROUP BY a.trader
),
shipper AS (
    SELECT a.trader AS k, MIN(s.seen_at) AS first_seen, COUNT(*) AS n
    FROM rp_shipments s JOIN aliases a ON a.key = s.shipper_key
    WHERE s.seen_at < :as_of GROUP BY a.trader
),
notify AS (
    SELECT a.trader AS k, MIN(s.seen_at) AS first_seen
    FROM rp_shipments s JOIN aliases a ON a.key = s.notify_key
    WHERE s.seen_at < :as_of GROUP BY a.trader
),
pair_routes AS (
    SELECT DISTINCT sa.trader AS shipper_key, ca.trader AS consignee_key,
           s.port_of_loading, s.port_of_discharge
    FROM rp_shipments s
    JOIN aliases sa ON sa.key = s.shipper_key
    JOIN aliases ca ON ca.key = s.consignee_key
    JOIN (SELECT DISTINCT shipper_key, consignee_key FROM rp_probe) pp
      ON pp.shipper_key = sa.trader AND pp.consignee_key = ca.trader
    WHERE s.seen_at < :as_of
),
pairs AS (
    SELECT DISTINCT shipper_key, consignee_key FROM pair_routes
),
loading AS (
    SELECT DISTINCT a.trader AS consignee_key, s.port_of_loading
    FROM rp_shipments s JOIN aliases a ON a.key = s.consignee_key
    JOIN (SELECT DISTINCT consignee_key, port_of_loading FROM rp_probe) pl
      ON pl.consignee_key = a.trader AND pl.port_of_loading = s.port_of_loading
    WHERE s.seen_at < :as_of
),
chapters AS (
    SELECT DISTINCT a.trader AS consignee_key, c.hs_chapter
    FROM rp_shipments s JOIN aliases a ON a.key = s.consignee_key
    JOIN rp_chapters c ON c.shipment_id = s.shipment_id
    JOIN (SELECT DISTINCT p.consignee_key, pc.hs_chapter FROM rp_probe_chapters pc
          JOIN rp_probe p ON p.row_id = pc.row_id) pcc
      ON pcc.consignee_key = a.trader AND pcc.hs_chapter = c.hs_chapter
    WHERE s.seen_at < :as_of
),
new_chapter AS (
    SELECT pc.row_id, MAX(CASE WHEN ch.hs_chapter IS NULL THEN 1 ELSE 0 END) AS any_new
    FROM rp_probe_chapters pc
    JOIN rp_probe p ON p.row_id = pc.row_id
    LEFT JOIN chapters ch ON ch.consignee_key = p.consignee_key AND ch.hs_chapter = pc.hs_chapter
    GROUP BY pc.row_id
),
insp AS (
    SELECT s.consignee_key, s.container_number, i.finding
    FROM rp_inspections i
    JOIN rp_shipments s ON s.shipment_id = i.shipment_id
    WHERE i.inspected
      AND s.seen_at < :as_of
      AND (i.inspected_on < :as_of_day OR i.inspected_on IS NULL)
),
consignee_inspections AS (
    SELECT a.trader AS k, COUNT(*) AS n,
           CAST(SUM(CASE WHEN i.finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp i JOIN aliases a ON a.key = i.consignee_key GROUP BY a.trader
),
container_findings AS (
    SELECT container_number AS k, CAST(SUM(CASE WHEN finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp WHERE container_number IN (SELECT container_number FROM rp_probe)
    GROUP BY container_number
),
overall AS (
    SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp
),
container_stats AS (
    SELECT container_number AS k, COUNT(*) AS n,
           COUNT(DISTINCT CASE WHEN seen_at >= :since_365 THEN port_of_loading END) AS ports
    FROM rp_shipments
    WHERE seen_at < :as_of AND container_number IN (SELECT container_number FROM rp_probe)
    GROUP BY container_number
),
container_loading AS (
    SELECT DISTINCT container_number, port_of_loading
    FROM rp_shipments
    WHERE seen_at < :as_of AND container_number IN (SELECT container_number FROM rp_probe)
      AND port_of_loading IS NOT NULL
),
priced AS (
    SELECT s.hs6, s.origin_country, s.value_currency, s.value_per_kg
    FROM rp_shipments s
    JOIN (SELECT DISTINCT hs6, origin_country, value_currency FROM rp_probe) g
      ON g.hs6 = s.hs6 AND g.origin_country = s.origin_country
     AND g.value_currency = s.value_currency
    WHERE s.seen_at < :as_of AND s.value_per_kg > 0
),
norms AS (
    SELECT hs6, origin_country, value_currency, COUNT(*) AS n,
           PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY value_per_kg) AS median
    FROM priced GROUP BY hs6, origin_country, value_currency
),
spreads AS (
    SELECT pr.hs6, pr.origin_country, pr.value_currency,
           PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY ABS(pr.value_per_kg - nm.median)) AS mad
    FROM priced pr JOIN norms nm ON nm.hs6 = pr.hs6
     AND nm.origin_country = pr.origin_country AND nm.value_currency = pr.value_currency
    GROUP BY pr.hs6, pr.origin_country, pr.value_currency
)
SELECT
    p.row_id,
    c.first_seen AS consignee_first_seen,
    s.first_seen AS shipper_first_seen,
    nt.first_seen AS notify_first_seen,
    CASE WHEN p.consignee_key IS NULL THEN NULL ELSE COALESCE(c.n, 0) END
        AS consignee_prior_shipments,
    CASE WHEN p.shipper_key IS NULL THEN NULL ELSE COALESCE(s.n, 0) END
        AS shipper_prior_shipments,
    CASE WHEN p.consignee_key IS NULL THEN NULL ELSE COALESCE(c.n30, 0) END
        AS consignee_shipments_30d,
    CASE WHEN p.consignee_key IS NULL THEN NULL ELSE COALESCE(c.n365, 0) END
        AS consignee_shipments_365d,
    CASE WHEN p.consignee_key IS NULL THEN NULL ELSE COALESCE(ci.n, 0) END
        AS consignee_prior_inspections,
    CASE WHEN p.consignee_key IS NULL THEN NULL ELSE COALESCE(ci.f, 0) END
        AS consignee_prior_findings,
    o.n AS store_inspections,
    o.f AS store_findings,
    CASE WHEN p.shipper_key IS NULL OR p.consignee_key IS NULL THEN NULL
         ELSE pr.consignee_key IS NOT NULL END AS shipper_consignee_pair_seen,
    CASE WHEN c.n IS NULL THEN NULL ELSE COALESCE(nc.any_new, 0) = 1 END
        AS consignee_new_hs_chapter,
    CASE WHEN c.n IS NULL OR p.port_of_loading IS NULL THEN NULL
         ELSE lp.consignee_key IS NULL END AS consignee_new_port_of_loading,
    CASE WHEN p.container_number IS NULL THEN NULL ELSE COALESCE(cf.f, 0) END
        AS container_prior_findings,
    CASE WHEN p.container_number IS NULL THEN NULL ELSE COALESCE(cs.ports, 0) END
        AS container_ports_365d,
    CASE WHEN cs.n IS NULL OR p.port_of_loading IS NULL THEN NULL
         ELSE cl.container_number IS NULL END AS container_new_port_of_loading,
    CASE WHEN pr.consignee_key IS NULL THEN NULL
         ELSE rt.consignee_key IS NULL END AS shipper_consignee_route_new,
    p.value_per_kg,
    nm.n AS norm_shipments,
    nm.median AS norm_median,
    sp.mad AS norm_mad
FROM rp_probe p
LEFT JOIN consignee c ON c.k = p.consignee_key
LEFT JOIN shipper s ON s.k = p.shipper_key
LEFT JOIN notify nt ON nt.k = p.notify_key
LEFT JOIN pairs pr ON pr.shipper_key = p.shipper_key AND pr.consignee_key = p.consignee_key
LEFT JOIN loading lp ON lp.consignee_key = p.consignee_key
    AND lp.port_of_loading = p.port_of_loading
LEFT JOIN new_chapter nc ON nc.row_id = p.row_id
LEFT JOIN consignee_inspections ci ON ci.k = p.consignee_key
LEFT JOIN container_findings cf ON cf.k = p.container_number
LEFT JOIN container_stats cs ON cs.k = p.container_number
LEFT JOIN container_loading cl ON cl.container_number = p.container_number
    AND cl.port_of_loading = p.port_of_loading
LEFT JOIN pair_routes rt ON rt.shipper_key = p.shipper_key AND rt.consignee_key = p.consignee_key
    AND rt.port_of_loading IS NOT DISTINCT FROM p.port_of_loading
    AND rt.port_of_discharge IS NOT DISTINCT FROM p.port_of_discharge
LEFT JOIN norms nm ON nm.hs6 = p.hs6 AND nm.origin_country = p.origin_country
    AND nm.value_currency = p.value_currency
LEFT JOIN spreads sp ON sp.hs6 = p.hs6 AND sp.origin_country = p.origin_country
    AND sp.value_currency = p.value_currency
CROSS JOIN overall o
ORDER BY p.row_id
"""
"""Every history feature of the probe rows at ``:as_of`` (with ``:as_of_day``, the date
of ``as_of``, and ``:since_30``/``:since_365``, ``as_of`` minus 30 and 365 days)."""
