"""The history store: scored batches and inspection outcomes, kept for history features.

One interface (:class:`HistoryStore`) over two backends: an embedded DuckDB file (the
default: one file, no server) and PostgreSQL (``postgresql://...``, for a PCU network).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import polars as pl

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.errors import HistoryStoreError
from riskprofile.history._backends import Backend, connect
from riskprofile.history._custom import insert_custom, read_custom, stored_custom_fields
from riskprofile.history._features import ensure_schema, history_features, naive_utc
from riskprofile.history._keys import PARTY_ROLES, trader_keys
from riskprofile.history._sql import INSPECTION_COLUMNS, SHIPMENT_COLUMNS
from riskprofile.history._traders import (
    FUZZY_THRESHOLD,
    TraderLink,
    merge_traders,
    register_traders,
    split_trader,
    trader_links,
)

if TYPE_CHECKING:
    from riskprofile.evaluation import Outcome, OutcomeReading, UnmatchedOutcome
    from riskprofile.io import FrameBatch, RejectedRecord

__all__ = ["AddReport", "HistoryStore", "StoreStats", "open_store"]


@dataclass(frozen=True)
class AddReport:
    """What :meth:`HistoryStore.add` recorded.

    Attributes:
        run_id: the batch's run in the store (the same for the same batch file).
        batch_known: the batch was recorded before: its shipments were not added again.
        shipments_read: shipments in the batch.
        shipments_added: shipments newly recorded.
        shipments_known: shipments already in the store (same shipment id), not counted
            twice.
        duplicate_ids: shipments of the batch whose id an earlier shipment of the same
            batch has (the first is kept).
        rejected: the batch's records that could not be read (not recorded).
        outcomes_read: outcomes given.
        outcomes_added: (outcome, shipment) rows newly recorded.
        outcomes_known: (outcome, shipment) rows already in the store.
        unmatched: outcomes that name no shipment of the batch, with the reason.
        outcomes_rejected: outcome records that could not be read.
    """

    run_id: str
    batch_known: bool
    shipments_read: int
    shipments_added: int
    shipments_known: int
    duplicate_ids: int
    rejected: tuple[RejectedRecord, ...] = ()
    outcomes_read: int = 0
    outcomes_added: int = 0
    outcomes_known: int = 0
    unmatched: tuple[UnmatchedOutcome, ...] = ()
    outcomes_rejected: tuple[RejectedRecord, ...] = ()


@dataclass(frozen=True)
class StoreStats:
    """What a store holds (before ``as_of`` when given).

    Attributes:
        runs: batches recorded.
        shipments: shipments recorded.
        consignees, shippers: distinct trader keys.
        first_seen, last_seen: the earliest and latest shipment times, or None.
        inspections: (outcome, shipment) rows of inspected units.
        findings: those that found something.
    """

    runs: int
    shipments: int
    consignees: int
    shippers: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    inspections: int
    findings: int

    @property
    def finding_rate(self) -> float | None:
        """Findings per inspection, or None without inspections."""
        return self.findings / self.inspections if self.inspections else None


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _utc_naive(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone("UTC").dt.replace_time_zone(None)


def shipment_rows(frame: pl.DataFrame, run_id: str, as_of: dt.datetime) -> pl.DataFrame:
    """The ``rp_shipments`` rows of a shipment frame: what history features read, with the
    trader keys, and ``seen_at`` (arrival, else the B/L's issue date, else ``as_of``)."""
    when = pl.lit(naive_utc(as_of), dtype=pl.Datetime("us"))
    frame = frame.drop(f"{role}_key" for role in PARTY_ROLES if f"{role}_key" in frame.columns)
    out = frame.hstack(trader_keys(frame)).select(
        "shipment_id",
        pl.lit(run_id).alias("run_id"),
        pl.coalesce(_utc_naive("arrival"), _utc_naive("bl_issue_date"), when).alias("seen_at"),
        "manifest_ref",
        "bl_number",
        "container_number",
        _utc_naive("arrival").alias("arrival"),
        *[
            expr
            for role in PARTY_ROLES
            for expr in (
                pl.col(f"{role}_key"),
                pl.col(f"{role}_name"),
                pl.col(f"{role}_country"),
                pl.col(f"{role}_identifier"),
            )
        ],
        "port_of_loading",
        "port_of_discharge",
        "place_of_delivery",
        pl.col("hs_subheadings").list.first().alias("hs6"),
        pl.col("origin_countries").list.first().alias("origin_country"),
        pl.col("declared_value").cast(pl.Float64).alias("declared_value"),
        "value_currency",
        "goods_gross_weight_kg",
        "value_per_kg",
    )
    assert out.columns == [name for name, _ in SHIPMENT_COLUMNS]
    return out


class HistoryStore:
    """A history store: an embedded DuckDB file, or a PostgreSQL database.

    Open one with :func:`open_store` (or as a context manager); record batches and
    outcomes with :meth:`add`; read features with :meth:`features` (what ``score(...,
    history=...)`` joins to a batch).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "history.duckdb")
    >>> with open_store(path) as store:
    ...     report = store.add("examples/data/karachi-sample.csv", as_of="2026-11-02")
    ...     again = store.add("examples/data/karachi-sample.csv", as_of="2026-11-02")
    >>> report.shipments_added, again.batch_known, again.shipments_added
    (361, True, 0)
    """

    def __init__(
        self,
        location: str | Path,
        *,
        create: bool = True,
        fuzzy_threshold: float = FUZZY_THRESHOLD,
    ) -> None:
        if not 0 < fuzzy_threshold <= 100:
            raise HistoryStoreError(
                f"fuzzy_threshold {fuzzy_threshold!r}: give a name similarity in (0, 100] "
                f"(default {FUZZY_THRESHOLD:g})"
            )
        self.fuzzy_threshold = fuzzy_threshold
        self._db: Backend = connect(str(location), create=create)
        self.location = self._db.location
        self.dialect = self._db.dialect
        try:
            self._create()
        except Exception:
            self._db.close()
            raise

    def _create(self) -> None:
        ensure_schema(self._db)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (what was added is already committed)."""
        self._db.close()

    # --- adding ---------------------------------------------------------------------------

    def add(
        self,
        batch: FrameBatch | pl.DataFrame | str | Path,
        outcomes: OutcomeReading | Iterable[Outcome] | str | Path | None = None,
        *,
        as_of: AsOf,
        fingerprints: Mapping[str, str] | None = None,
        mapping: Any = None,
        outcome_mapping: Any = None,
        replaces: Iterable[Outcome] = (),
    ) -> AddReport:
        """Record a batch's shipments and, optionally, the outcomes of its inspections.

        Idempotent: a batch file recorded before (the same bytes) is not recorded again,
        and a shipment already in the store (the same shipment id) is not counted twice;
        outcomes already recorded are skipped the same way. So adding a batch on the day
        it is scored and again with its outcomes a week later counts each once.

        Args:
            batch: a batch file (read with :func:`~riskprofile.io.read_frame`: no model
                object per record), a :class:`~riskprofile.io.FrameBatch`, or a shipment
                frame (:func:`~riskprofile.model.frame.shipment_frame`; the same frame's
                content twice is the same batch).
            outcomes: an outcome file, a reading of one, or outcomes; each is matched to
                the batch's shipments as :func:`~riskprofile.evaluation.match_outcomes`
                matches them (by unit key, container number, then B/L number); those that
                match none are reported in ``unmatched``, never dropped silently.
            as_of: when the batch was scored: the time of a shipment with neither an
                arrival nor a B/L issue date.
            fingerprints: the fingerprints of the profiles the batch was scored with
                (profile id -> fingerprint), kept with the run.
            mapping: the batch's column mapping (as for ``read_frame``).
            outcome_mapping: the outcome file's column mapping (as for ``read_outcomes``).
            replaces: outcomes recorded before that ``outcomes`` correct (an amended
                result): their rows are removed in the same transaction, before the new
                ones are added, so the history counts the latest result only.
        """
        from riskprofile.io import FrameBatch, read_frame

        when = as_of_datetime(as_of)
        if isinstance(batch, pl.DataFrame):
            read = _frame_batch(batch)
            # The rows' content, hashed column-wise (a frame has no file to hash).
            digest = hashlib.sha256(batch.hash_rows(seed=0).to_numpy().tobytes()).hexdigest()
        else:
            read = batch if isinstance(batch, FrameBatch) else read_frame(batch, mapping=mapping)
            source = Path(read.source)
            digest = (
                _file_digest(source)
                if source.is_file()
                else hashlib.sha256(read.frame.write_json().encode()).hexdigest()
            )
        run_id = f"run-{digest[:16]}"
        reading = _outcomes(outcomes, outcome_mapping)
        try:
            report = self._add(read, reading, run_id, digest, when, fingerprints, replaces)
        except HistoryStoreError:
            self._db.rollback()
            raise
        except Exception as exc:
            self._db.rollback()
            if type(exc).__module__.split(".")[0] in ("duckdb", "psycopg"):
                raise HistoryStoreError(f"cannot record {read.source}: {exc}",
                                        store=self.location) from None  # fmt: skip
            raise
        self._db.commit()
        return report

    def _add(
        self,
        read: FrameBatch,
        reading: OutcomeReading | None,
        run_id: str,
        digest: str,
        when: dt.datetime,
        fingerprints: Mapping[str, str] | None,
        replaces: Iterable[Outcome] = (),
    ) -> AddReport:
        known_run = self._db.frame(
            "SELECT run_id FROM rp_runs WHERE batch_digest = :d", {"d": digest}
        )
        batch_known = known_run.height > 0
        frame = read.frame
        unique = frame.unique(subset="shipment_id", keep="first", maintain_order=True)
        added = known = 0
        if not batch_known:
            rows = shipment_rows(unique, run_id, when)
            chapters = (
                unique.select("shipment_id", pl.col("hs_chapters").alias("hs_chapter"))
                .explode("hs_chapter")
                .drop_nulls()
                .unique(maintain_order=True)
            )
            before = self._count("rp_shipments")
            insert_custom(self._db, unique)  # before: its shipments are not stored yet
            self._db.stage("rp_incoming", rows)
            self._db.stage("rp_incoming_chapters", chapters)
            try:
                # New chapters first: their shipments are not in the store yet.
                self._db.run(
                    "INSERT INTO rp_chapters SELECT c.shipment_id, c.hs_chapter "
                    "FROM rp_incoming_chapters c WHERE NOT EXISTS "
                    "(SELECT 1 FROM rp_shipments s WHERE s.shipment_id = c.shipment_id)"
                )
                columns = ", ".join(name for name, _ in SHIPMENT_COLUMNS)
                self._db.run(
                    f"INSERT INTO rp_shipments ({columns}) SELECT {columns} FROM rp_incoming i "  # noqa: S608
                    "WHERE NOT EXISTS "
                    "(SELECT 1 FROM rp_shipments s WHERE s.shipment_id = i.shipment_id)"
                )
            finally:
                self._db.unstage("rp_incoming")
                self._db.unstage("rp_incoming_chapters")
            added = self._count("rp_shipments") - before
            if added:
                now = naive_utc(dt.datetime.now(tz=dt.UTC))
                register_traders(self._db, rows, self.fuzzy_threshold, now)
            known = unique.height - added
            self._db.run(
                "INSERT INTO rp_runs VALUES (:run, :digest, :source, :as_of, :added_at, "
                ":fingerprints, :added)",
                {
                    "run": run_id,
                    "digest": digest,
                    "source": read.source,
                    "as_of": naive_utc(when),
                    "added_at": naive_utc(dt.datetime.now(tz=dt.UTC)),
                    "fingerprints": json.dumps(dict(sorted((fingerprints or {}).items()))),
                    "added": added,
                },
            )
        else:
            run_id = known_run.item(0, 0)
            known = unique.height
        report = AddReport(
            run_id=run_id,
            batch_known=batch_known,
            shipments_read=frame.height,
            shipments_added=added,
            shipments_known=known,
            duplicate_ids=frame.height - unique.height,
            rejected=tuple(read.rejected),
        )
        replaced = list(replaces)
        if replaced:
            from riskprofile.history._outcomes import inspection_rows

            old, _unmatched = inspection_rows(unique, replaced, report.run_id)
            self._db.stage("rp_replaced", old.select("outcome_id"))
            try:
                self._db.run("DELETE FROM rp_inspections WHERE outcome_id IN "
                             "(SELECT outcome_id FROM rp_replaced)")  # fmt: skip
            finally:
                self._db.unstage("rp_replaced")
        if reading is None:
            return report
        return self._add_outcomes(report, unique, reading)

    def _add_outcomes(
        self, report: AddReport, frame: pl.DataFrame, reading: OutcomeReading
    ) -> AddReport:
        from riskprofile.history._outcomes import inspection_rows

        rows, unmatched = inspection_rows(frame, reading.outcomes, report.run_id)
        before = self._count("rp_inspections")
        self._db.stage("rp_incoming_inspections", rows)
        try:
            columns = ", ".join(name for name, _ in INSPECTION_COLUMNS)
            self._db.run(
                f"INSERT INTO rp_inspections ({columns}) SELECT {columns} "  # noqa: S608
                "FROM rp_incoming_inspections i WHERE NOT EXISTS (SELECT 1 FROM rp_inspections "
                "r WHERE r.outcome_id = i.outcome_id)"
            )
        finally:
            self._db.unstage("rp_incoming_inspections")
        added = self._count("rp_inspections") - before
        return AddReport(
            **{
                **report.__dict__,
                "outcomes_read": reading.records_read,
                "outcomes_added": added,
                "outcomes_known": rows.height - added,
                "unmatched": unmatched,
                "outcomes_rejected": tuple(reading.rejected),
            }
        )

    def _count(self, table: str) -> int:
        return int(self._db.frame(f"SELECT COUNT(*) AS n FROM {table}").item(0, 0))  # noqa: S608

    # --- reading --------------------------------------------------------------------------

    def runs(self) -> pl.DataFrame:
        """The batches recorded, oldest first: run id, source, as_of, when added, the
        shipments it added, the profile fingerprints (JSON) and the outcome rows recorded
        with it."""
        return self._db.frame(
            "SELECT r.run_id, r.source, r.as_of, r.added_at, r.shipments_added, "
            "r.profile_fingerprints, "
            "(SELECT COUNT(*) FROM rp_inspections i WHERE i.run_id = r.run_id) AS outcomes "
            "FROM rp_runs r ORDER BY r.added_at, r.run_id"
        )

    def stats(self, as_of: AsOf | None = None) -> StoreStats:
        """Counts of what the store holds (seen strictly before ``as_of`` when given)."""
        when = naive_utc(as_of_datetime(as_of)) if as_of is not None else dt.datetime(9999, 1, 1)
        params = {"as_of": when, "as_of_day": when.date()}
        row = self._db.frame(
            "SELECT COUNT(*) AS shipments, "
            "COUNT(DISTINCT COALESCE(lc.trader, s.consignee_key)) AS consignees, "
            "COUNT(DISTINCT COALESCE(ls.trader, s.shipper_key)) AS shippers, "
            "MIN(s.seen_at) AS first_seen, MAX(s.seen_at) AS last_seen, "
            "COUNT(DISTINCT s.run_id) AS runs FROM rp_shipments s "
            "LEFT JOIN rp_trader_links lc ON lc.key = s.consignee_key "
            "LEFT JOIN rp_trader_links ls ON ls.key = s.shipper_key "
            "WHERE s.seen_at < :as_of",
            params,
        ).row(0, named=True)
        insp = self._db.frame(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN i.finding THEN 1 ELSE 0 END), 0) "
            "AS BIGINT) AS f FROM rp_inspections i JOIN rp_shipments s "
            "ON s.shipment_id = i.shipment_id WHERE i.inspected AND s.seen_at < :as_of AND "
            "(i.inspected_on < :as_of_day OR i.inspected_on IS NULL)",
            params,
        ).row(0, named=True)
        return StoreStats(
            runs=int(row["runs"]),
            shipments=int(row["shipments"]),
            consignees=int(row["consignees"]),
            shippers=int(row["shippers"]),
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            inspections=int(insp["n"]),
            findings=int(insp["f"]),
        )

    def features(self, frame: pl.DataFrame, as_of: AsOf) -> pl.DataFrame:
        """The history fields of each row of a shipment frame at ``as_of``: one column per
        name of :data:`~riskprofile.model.shipment.HISTORY_FIELDS`, in the frame's row
        order, computed from history seen strictly before ``as_of`` only, each party
        counted as the trader it resolves to."""
        return history_features(self._db, frame, as_of, self.fuzzy_threshold)

    def custom_fields(self) -> pl.DataFrame:
        """The custom fields (``x_<name>``, a column mapping's ``extra:``) recorded with
        the batches: name, kind (text, number, date, bool, list) and how many shipments
        give a value."""
        return stored_custom_fields(self._db)

    def custom_values(self, names: Iterable[str], as_of: AsOf) -> pl.DataFrame:
        """The shipments seen strictly before ``as_of`` with the custom fields ``names``
        (``x_office``), typed as declared: ``shipment_id``, ``seen_at``,
        ``shipper_key``, ``consignee_key``, ``notify_key`` and one column per name (null
        where a shipment gave none): what a feature over a custom field reads, point in
        time.

        Raises:
            HistoryStoreError: a name the store holds no value of (the fields it holds
                are named).
        """
        return read_custom(self._db, list(names), naive_utc(as_of_datetime(as_of)))

    # --- traders --------------------------------------------------------------------------

    def traders(self) -> pl.DataFrame:
        """Every party key resolved to another trader (or kept apart by an analyst): key,
        trader, method (``name``, ``fuzzy``, ``merge``, ``split``), score, reason,
        decided_by (``auto``/``analyst``), decided_at, and the first spelling of the key
        and of the trader. Keys not listed are their own trader."""
        return trader_links(self._db)

    def merge_traders(self, key: str, into: str, *, note: str = "") -> TraderLink:
        """An analyst's decision: the trader key ``key`` (``name:KHAN LOGISTIC|PK``) is the
        trader ``into`` is, from now on for every feature (kept in the store; ``note``
        says why).

        Raises:
            HistoryStoreError: a key is not recorded (the closest are suggested), or both
                are one trader already.
        """
        return self._decide(lambda now: merge_traders(self._db, key, into, now, note), key)

    def split_trader(self, key: str, *, note: str = "") -> TraderLink:
        """An analyst's decision: the trader key ``key`` is a trader of its own, not the
        one it was resolved to (kept in the store: never resolved again).

        Raises:
            HistoryStoreError: the key is not recorded, or is its own trader already.
        """
        return self._decide(lambda now: split_trader(self._db, key, now, note), key)

    def _decide(self, decide: Any, key: str) -> TraderLink:
        now = naive_utc(dt.datetime.now(tz=dt.UTC))
        try:
            decide(now)
        except Exception:
            self._db.rollback()
            raise
        self._db.commit()
        row = self.traders().filter(pl.col("key") == key).row(0, named=True)
        return TraderLink(key=row["key"], trader=row["trader"], method=row["method"],
                          score=row["score"], reason=row["reason"],
                          decided_by=row["decided_by"])  # fmt: skip


def _frame_batch(frame: pl.DataFrame) -> FrameBatch:
    from riskprofile.io import FrameBatch

    return FrameBatch(source="<frame>", format="parquet", strictness="lenient", frame=frame,
                      rejected=(), records_read=frame.height, manifests=0, ignored_columns=(),
                      record_unit="row", rows_via_models=0)  # fmt: skip


def _outcomes(
    outcomes: OutcomeReading | Iterable[Outcome] | str | Path | None, mapping: Any
) -> OutcomeReading | None:
    from riskprofile.evaluation import OutcomeReading, read_outcomes

    if outcomes is None:
        return None
    if isinstance(outcomes, OutcomeReading):
        return outcomes
    if isinstance(outcomes, str | Path):
        return read_outcomes(outcomes, mapping)
    given = tuple(outcomes)
    return OutcomeReading(source="<outcomes>", outcomes=given, rejected=(),
                          records_read=len(given))  # fmt: skip


def open_store(
    location: str | Path, *, create: bool = True, fuzzy_threshold: float = FUZZY_THRESHOLD
) -> HistoryStore:
    """Open the history store at ``location``: a DuckDB file path (created when missing,
    unless ``create`` is false), or a PostgreSQL DSN (``postgresql://user@host/db``; its
    tables are created when missing). ``fuzzy_threshold`` is the least name similarity
    (0-100) at which a new trader name is taken for an earlier trader's.

    Raises:
        HistoryStoreError: the store cannot be opened or is not a history store.
    """
    return HistoryStore(location, create=create, fuzzy_threshold=fuzzy_threshold)
