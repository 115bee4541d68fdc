"""The history store's tables and its features, as SQL that DuckDB and PostgreSQL both run.

One text per statement, written in the SQL both dialects share (CASE, COALESCE, CAST AS
BIGINT, DISTINCT, joins); only the column types differ (``{double}``, ``{timestamp}``),
and parameters are written ``:name`` (each backend turns them into its own placeholder).
Date arithmetic stays out of the SQL: the cut-off times are parameters computed once, and
the day counts are computed from the timestamps the query returns. So the same definition
gives the same features on the embedded file and on the server, and could run on any SQL
engine that speaks this common subset.

Point in time: every feature reads only ``h`` (shipments seen strictly before ``:as_of``)
and ``insp`` (inspections known strictly before it: dated before the ``as_of`` day, or
undated on a shipment seen before ``as_of``).
"""

from __future__ import annotations

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
)
"""The columns of ``rp_inspections``: one row per outcome and shipment it applies to."""

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
)
"""The statements that create a store's tables (``{double}`` and ``{timestamp}`` are the
dialect's types)."""

# The feature query. Inputs: rp_probe (row_id, consignee_key, shipper_key, notify_key,
# container_number, port_of_loading, port_of_discharge, hs6, origin_country,
# value_currency, value_per_kg; the keys already resolved to their traders) and
# rp_probe_chapters (row_id, hs_chapter): the batch being scored. History keys are resolved
# through rp_trader_links (riskprofile.history._traders). One row per probe row, ordered by
# row_id.
FEATURES = """
WITH h AS (
    SELECT s.shipment_id, s.seen_at, s.container_number, s.port_of_loading,
           s.port_of_discharge, s.hs6, s.origin_country, s.value_currency, s.value_per_kg,
           COALESCE(lc.trader, s.consignee_key) AS consignee_key,
           COALESCE(ls.trader, s.shipper_key) AS shipper_key,
           COALESCE(ln.trader, s.notify_key) AS notify_key
    FROM rp_shipments s
    LEFT JOIN rp_trader_links lc ON lc.key = s.consignee_key
    LEFT JOIN rp_trader_links ls ON ls.key = s.shipper_key
    LEFT JOIN rp_trader_links ln ON ln.key = s.notify_key
    WHERE s.seen_at < :as_of
),
insp AS (
    SELECT h.consignee_key, h.container_number, i.finding
    FROM rp_inspections i
    JOIN h ON h.shipment_id = i.shipment_id
    WHERE i.inspected
      AND (i.inspected_on < :as_of_day OR i.inspected_on IS NULL)
),
consignee AS (
    SELECT consignee_key AS k, MIN(seen_at) AS first_seen, COUNT(*) AS n,
           CAST(SUM(CASE WHEN seen_at >= :since_30 THEN 1 ELSE 0 END) AS BIGINT) AS n30,
           CAST(SUM(CASE WHEN seen_at >= :since_365 THEN 1 ELSE 0 END) AS BIGINT) AS n365
    FROM h WHERE consignee_key IS NOT NULL GROUP BY consignee_key
),
shipper AS (
    SELECT shipper_key AS k, MIN(seen_at) AS first_seen, COUNT(*) AS n
    FROM h WHERE shipper_key IS NOT NULL GROUP BY shipper_key
),
notify AS (
    SELECT notify_key AS k, MIN(seen_at) AS first_seen
    FROM h WHERE notify_key IS NOT NULL GROUP BY notify_key
),
pairs AS (
    SELECT DISTINCT shipper_key, consignee_key
    FROM h WHERE shipper_key IS NOT NULL AND consignee_key IS NOT NULL
),
loading AS (
    SELECT DISTINCT consignee_key, port_of_loading
    FROM h WHERE consignee_key IS NOT NULL AND port_of_loading IS NOT NULL
),
chapters AS (
    SELECT DISTINCT h.consignee_key, c.hs_chapter
    FROM h JOIN rp_chapters c ON c.shipment_id = h.shipment_id
    WHERE h.consignee_key IS NOT NULL
),
new_chapter AS (
    SELECT pc.row_id, MAX(CASE WHEN ch.hs_chapter IS NULL THEN 1 ELSE 0 END) AS any_new
    FROM rp_probe_chapters pc
    JOIN rp_probe p ON p.row_id = pc.row_id
    LEFT JOIN chapters ch ON ch.consignee_key = p.consignee_key AND ch.hs_chapter = pc.hs_chapter
    GROUP BY pc.row_id
),
consignee_inspections AS (
    SELECT consignee_key AS k, COUNT(*) AS n,
           CAST(SUM(CASE WHEN finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp WHERE consignee_key IS NOT NULL GROUP BY consignee_key
),
container_findings AS (
    SELECT container_number AS k, CAST(SUM(CASE WHEN finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp WHERE container_number IS NOT NULL GROUP BY container_number
),
overall AS (
    SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN finding THEN 1 ELSE 0 END) AS BIGINT) AS f
    FROM insp
),
routes AS (
    SELECT DISTINCT shipper_key, consignee_key, port_of_loading, port_of_discharge
    FROM h WHERE shipper_key IS NOT NULL AND consignee_key IS NOT NULL
),
container_stats AS (
    SELECT container_number AS k, COUNT(*) AS n,
           COUNT(DISTINCT CASE WHEN seen_at >= :since_365 THEN port_of_loading END) AS ports
    FROM h WHERE container_number IN (SELECT container_number FROM rp_probe)
    GROUP BY container_number
),
container_loading AS (
    SELECT DISTINCT container_number, port_of_loading
    FROM h WHERE container_number IN (SELECT container_number FROM rp_probe)
      AND port_of_loading IS NOT NULL
),
priced AS (
    SELECT h.hs6, h.origin_country, h.value_currency, h.value_per_kg
    FROM h JOIN (SELECT DISTINCT hs6, origin_country, value_currency FROM rp_probe) g
      ON g.hs6 = h.hs6 AND g.origin_country = h.origin_country
     AND g.value_currency = h.value_currency
    WHERE h.value_per_kg > 0
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
LEFT JOIN routes rt ON rt.shipper_key = p.shipper_key AND rt.consignee_key = p.consignee_key
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
