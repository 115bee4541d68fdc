"""Trader resolution: which earlier trader a party's key is, with the score and the reason.

:func:`~riskprofile.history.trader_key` gives each party a key - its identifier, else its
normalised name and country. Spellings that still differ after normalisation
(``KHAN LOGISTIC`` and ``KHAN LOGISTICS``) are then *resolved*: a new name key is linked to
an earlier trader

1. with the **same normalised name and country** (one seen with an identifier: the
   identifier's trader), score 100; or
2. with a **close name** in the same country (rapidfuzz ``ratio`` of the normalised names
   at least :data:`FUZZY_THRESHOLD`), the same first two letters and the same digits
   (``TRADER 12`` and ``TRADER 13`` are two traders), the best score winning, the
   earliest trader on a tie.

An identifier key is never linked by name: two identifiers are two traders unless an
analyst merges them. Each link keeps its method, score and reason
(``rp_trader_links``); an analyst's ``merge`` and ``split`` override them and are kept
the same way. A key is resolved once, when the store first records it, against the
traders recorded before it (so what is added later never re-links an earlier trader);
a batch scored against the store resolves the keys the store has not seen before
``as_of`` the same way, against the traders seen before ``as_of`` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from riskprofile.errors import HistoryStoreError
from riskprofile.history._backends import Backend
from riskprofile.history._keys import PARTY_ROLES, trader_name_expr

__all__ = [
    "FUZZY_THRESHOLD",
    "TRADER_SCHEMA",
    "TraderLink",
    "merge_traders",
    "register_traders",
    "resolve_probe",
    "split_trader",
    "trader_links",
]

FUZZY_THRESHOLD = 90.0
"""The least rapidfuzz ``ratio`` (0-100) of two normalised names of one country for a
new name to be taken as an earlier trader's (``KHAN LOGISTIC`` / ``KHAN LOGISTICS``: 96)."""

TRADER_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS rp_trader_names (key VARCHAR, name VARCHAR, spelling "
    "VARCHAR, country VARCHAR, block VARCHAR, first_seen {timestamp})",
    "CREATE TABLE IF NOT EXISTS rp_trader_links (key VARCHAR, trader VARCHAR, method "
    "VARCHAR, score {double}, reason VARCHAR, decided_by VARCHAR, decided_at {timestamp})",
)
"""The trader tables: every (key, normalised name, country) recorded with its first
spelling and first time; and each key resolved to another trader (or, after an analyst's
split, to itself), with how."""

_NAME_COLUMNS = ("key", "name", "spelling", "country", "block", "first_seen")


@dataclass(frozen=True)
class TraderLink:
    """One party key resolved to a trader.

    Attributes:
        key: the key as the party gives it (``name:KHAN LOGISTIC|PK``).
        trader: the trader's key it resolves to (itself after an analyst's split).
        method: ``name`` (same normalised name and country), ``fuzzy`` (close name),
            ``merge`` or ``split`` (an analyst's decision).
        score: the name similarity (0-100), or None for an analyst's decision.
        reason: what was matched, in words (``matched KHAN LOGISTIC PRIVATE LIMITED as
            KHAN LOGISTICS (PVT) LTD, score 96``).
        decided_by: ``auto`` or ``analyst``.
    """

    key: str
    trader: str
    method: str
    score: float | None
    reason: str
    decided_by: str


def _block(name: pl.Expr, country: pl.Expr) -> pl.Expr:
    """Names are compared only within a block: the same country, the same first two
    letters, the same digits."""
    return pl.concat_str(
        country.fill_null(""),
        pl.lit("|"),
        name.str.slice(0, 2),
        pl.lit("|"),
        name.str.replace_all(r"[^0-9]", ""),
    )


def party_names(rows: pl.DataFrame) -> pl.DataFrame:
    """The trader-name rows of ``rp_shipments`` rows: one per (key, normalised name,
    country), with the first spelling and the first time it was seen."""
    parts = [
        rows.select(
            pl.col(f"{role}_key").alias("key"),
            trader_name_expr(pl.col(f"{role}_name")).alias("name"),
            pl.col(f"{role}_name").alias("spelling"),
            pl.col(f"{role}_country").alias("country"),
            pl.col("seen_at").alias("first_seen"),
        )
        for role in PARTY_ROLES
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("key").is_not_null())
        .sort("first_seen", "key", "spelling", nulls_last=True)
        .group_by("key", "name", "country", maintain_order=True)
        .agg(pl.col("spelling").first(), pl.col("first_seen").min())
        .with_columns(_block(pl.col("name"), pl.col("country")).alias("block"))
        .select(_NAME_COLUMNS)
    )


@dataclass
class _Candidate:
    trader: str
    name: str
    spelling: str


class _Pool:
    """The traders a new name may be taken for, by block, earliest first."""

    def __init__(self, rows: pl.DataFrame) -> None:
        self._blocks: dict[str, list[_Candidate]] = {}
        self._exact: dict[tuple[str, str], set[str]] = {}
        self._first: dict[tuple[str, str], _Candidate] = {}
        for row in rows.sort("first_seen", "key", nulls_last=True).iter_rows(named=True):
            self.add(row["trader"], row["name"], row["spelling"] or row["name"], row["country"],
                     row["block"])  # fmt: skip

    def add(self, trader: str, name: str | None, spelling: str, country: str | None,
            block: str) -> None:  # fmt: skip
        if name is None:
            return
        candidate = _Candidate(trader, name, spelling)
        self._blocks.setdefault(block, []).append(candidate)
        exact = (name, country or "")
        self._exact.setdefault(exact, set()).add(trader)
        self._first.setdefault(exact, candidate)

    def match(
        self, key: str, name: str, spelling: str, country: str | None, block: str,
        threshold: float,
    ) -> TraderLink | None:  # fmt: skip
        """The earlier trader ``key`` (a name key) is, or None."""
        try:
            from rapidfuzz import fuzz, process
        except ImportError:  # pragma: no cover - an install without the extra
            raise HistoryStoreError(
                "resolving traders by name needs rapidfuzz: pip install 'riskprofile[history]'"
            ) from None

        exact = self._exact.get((name, country or ""), set()) - {key}
        if len(exact) == 1:
            found = self._first[(name, country or "")]
            trader = next(iter(exact))
            if found.trader != trader:  # pragma: no cover - one trader per exact name here
                found = _Candidate(trader, name, found.spelling)
            return TraderLink(key, trader, "name", 100.0,
                              f"matched {spelling} as {found.spelling} ({trader}): the same "
                              "name and country", "auto")  # fmt: skip
        if exact:  # the same name under several identifiers: not for a name to choose
            return None
        candidates = [c for c in self._blocks.get(block, ()) if c.trader != key]
        if not candidates:
            return None
        best = process.extractOne(name, [c.name for c in candidates], scorer=fuzz.ratio,
                                  score_cutoff=threshold)  # fmt: skip
        if best is None:
            return None
        chosen = candidates[best[2]]
        score = round(float(best[1]), 1)
        return TraderLink(key, chosen.trader, "fuzzy", score,
                          f"matched {spelling} as {chosen.spelling}, score {score:g}",
                          "auto")  # fmt: skip


def _pool_rows(db: Backend, blocks: Iterable[str], before: dt.datetime | None) -> pl.DataFrame:
    """The recorded trader names of ``blocks`` (seen before ``before`` when given), with
    the trader each resolves to."""
    staged = pl.DataFrame({"block": sorted(set(blocks))}, schema={"block": pl.String})
    db.stage("rp_probe_blocks", staged)
    try:
        sql = (
            "SELECT n.key, n.name, n.spelling, n.country, n.block, n.first_seen, "
            "COALESCE(l.trader, n.key) AS trader FROM rp_trader_names n "
            "JOIN rp_probe_blocks b ON b.block = n.block "
            "LEFT JOIN rp_trader_links l ON l.key = n.key WHERE n.name IS NOT NULL"
        )
        if before is None:
            return db.frame(sql)
        return db.frame(sql + " AND n.first_seen < :before", {"before": before})
    finally:
        db.unstage("rp_probe_blocks")


def _link_rows(links: list[TraderLink], when: dt.datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "key": [link.key for link in links],
            "trader": [link.trader for link in links],
            "method": [link.method for link in links],
            "score": [link.score for link in links],
            "reason": [link.reason for link in links],
            "decided_by": [link.decided_by for link in links],
            "decided_at": [when] * len(links),
        },
        schema={
            "key": pl.String,
            "trader": pl.String,
            "method": pl.String,
            "score": pl.Float64,
            "reason": pl.String,
            "decided_by": pl.String,
            "decided_at": pl.Datetime("us"),
        },
    )


def register_traders(db: Backend, rows: pl.DataFrame, threshold: float, now: dt.datetime) -> int:
    """Record the trader names of newly stored ``rp_shipments`` rows, and resolve the keys
    the store had not seen (earliest first, each against the traders recorded before it).
    Returns the number of links made. Runs inside the caller's transaction."""
    names = party_names(rows)
    db.stage("rp_incoming_names", names)
    try:
        known = db.frame(
            "SELECT DISTINCT i.key FROM rp_incoming_names i JOIN rp_trader_names n ON n.key = i.key"
        )
        # A name seen earlier than recorded (a batch added out of order) moves back.
        db.run(
            "UPDATE rp_trader_names SET first_seen = i.first_seen FROM rp_incoming_names i "
            "WHERE rp_trader_names.key = i.key AND rp_trader_names.name = i.name "
            "AND rp_trader_names.country = i.country AND i.first_seen < rp_trader_names.first_seen"
        )
        db.run(
            "INSERT INTO rp_trader_names SELECT i.key, i.name, i.spelling, i.country, i.block, "
            "i.first_seen FROM rp_incoming_names i WHERE NOT EXISTS (SELECT 1 FROM "
            "rp_trader_names n WHERE n.key = i.key AND n.name IS NOT DISTINCT FROM i.name "
            "AND n.country IS NOT DISTINCT FROM i.country)"
        )
    finally:
        db.unstage("rp_incoming_names")
    new = names.filter(~pl.col("key").is_in(known["key"].implode()))
    if new.height == 0:
        return 0
    pool = _Pool(
        _pool_rows(db, new["block"], None).filter(~pl.col("key").is_in(new["key"].implode()))
    )
    links: list[TraderLink] = []
    resolved: dict[str, str] = {}
    for row in new.sort("first_seen", "key", nulls_last=True).iter_rows(named=True):
        key = row["key"]
        trader = resolved.get(key)
        if trader is None and key.startswith("name:") and row["name"] is not None:
            link = pool.match(key, row["name"], row["spelling"] or row["name"], row["country"],
                              row["block"], threshold)  # fmt: skip
            if link is not None:
                links.append(link)
                trader = link.trader
        trader = trader or key
        resolved[key] = trader
        pool.add(trader, row["name"], row["spelling"] or row["name"] or key, row["country"],
                 row["block"])  # fmt: skip
    if links:
        db.stage("rp_incoming_links", _link_rows(links, now))
        try:
            db.run("INSERT INTO rp_trader_links SELECT * FROM rp_incoming_links")
        finally:
            db.unstage("rp_incoming_links")
    return len(links)


def resolve_probe(
    db: Backend, probe: pl.DataFrame, as_of: dt.datetime, threshold: float
) -> pl.DataFrame:
    """The trader of each party key of a batch scored at ``as_of``: ``key``, ``trader``,
    ``reason`` (null for a key that is its own trader).

    A key the store saw before ``as_of`` resolves as recorded; a name key it did not is
    matched against the traders seen before ``as_of`` (same name, then close name); any
    other key is its own trader. ``probe`` has ``<role>_key``, ``<role>_name`` and
    ``<role>_country`` columns."""
    # Once per distinct key; a name key holds its normalised name (name:<NAME>|<COUNTRY>),
    # and only name keys are matched by name.
    names = (
        pl.concat(
            probe.select(
                pl.col(f"{role}_key").alias("key"),
                pl.col(f"{role}_name").alias("spelling"),
                pl.col(f"{role}_country").alias("country"),
            )
            for role in PARTY_ROLES
        )
        .filter(pl.col("key").is_not_null())
        .unique("key", keep="first", maintain_order=True)
        .with_columns(
            pl.when(pl.col("key").str.starts_with("name:"))
            .then(pl.col("key").str.slice(5).str.replace(r"\|[^|]*$", ""))
            .alias("name")
        )
        .with_columns(_block(pl.col("name"), pl.col("country")).alias("block"))
    )
    db.stage("rp_probe_keys", names.select("key"))
    try:
        known = db.frame(
            "SELECT p.key, COALESCE(l.trader, p.key) AS trader, l.reason FROM rp_probe_keys p "
            "LEFT JOIN rp_trader_links l ON l.key = p.key WHERE EXISTS (SELECT 1 FROM "
            "rp_trader_names n WHERE n.key = p.key AND n.first_seen < :as_of)",
            {"as_of": as_of},
        )
    finally:
        db.unstage("rp_probe_keys")
    known = known.with_columns(
        pl.when(pl.col("trader") != pl.col("key")).then(pl.col("reason")).alias("reason")
    ).cast({"key": pl.String, "trader": pl.String, "reason": pl.String})
    unknown = names.filter(
        pl.col("key").str.starts_with("name:")
        & pl.col("name").is_not_null()
        & ~pl.col("key").is_in(known["key"].implode())
    )
    found: list[TraderLink] = []
    if unknown.height:
        pool = _Pool(_pool_rows(db, unknown["block"], as_of))
        for row in unknown.iter_rows(named=True):
            link = pool.match(row["key"], row["name"], row["spelling"] or row["name"],
                              row["country"], row["block"], threshold)  # fmt: skip
            if link is not None:
                found.append(link)
    matched = pl.DataFrame(
        {"key": [f.key for f in found], "trader": [f.trader for f in found],
         "reason": [f.reason for f in found]},
        schema={"key": pl.String, "trader": pl.String, "reason": pl.String},
    )  # fmt: skip
    return pl.concat([known, matched])


# --- an analyst's review ----------------------------------------------------------------------


def trader_links(db: Backend) -> pl.DataFrame:
    """Every resolved key: key, trader, method, score, reason, decided_by, decided_at,
    and the trader's first spelling, ordered by trader then key."""
    return db.frame(
        "SELECT l.key, l.trader, l.method, l.score, l.reason, l.decided_by, l.decided_at, "
        "(SELECT MIN(n.spelling) FROM rp_trader_names n WHERE n.key = l.key) AS spelling, "
        "(SELECT MIN(n.spelling) FROM rp_trader_names n WHERE n.key = l.trader) "
        "AS trader_spelling FROM rp_trader_links l ORDER BY l.trader, l.key"
    )


def _known_key(db: Backend, key: str) -> str:
    """``key`` as recorded, or a HistoryStoreError naming the closest recorded keys."""
    rows = db.frame("SELECT COUNT(*) AS n FROM rp_trader_names WHERE key = :k", {"k": key})
    if rows.item(0, 0):
        return key
    from rapidfuzz import process

    keys = sorted(db.frame("SELECT DISTINCT key FROM rp_trader_names")["key"].to_list())
    close = [k for k, _, _ in process.extract(key, keys, limit=3, score_cutoff=60)]
    hint = f" (did you mean {', '.join(repr(k) for k in close)}?)" if close else ""
    raise HistoryStoreError(f"no trader key {key!r} recorded{hint}", store=db.location)


def _root(db: Backend, key: str) -> str:
    row = db.frame("SELECT trader FROM rp_trader_links WHERE key = :k", {"k": key})
    return str(row.item(0, 0)) if row.height else key


def _set_link(db: Backend, link: TraderLink, now: dt.datetime) -> None:
    db.run("DELETE FROM rp_trader_links WHERE key = :k", {"k": link.key})
    db.run(
        "INSERT INTO rp_trader_links VALUES (:key, :trader, :method, :score, :reason, "
        ":decided_by, :decided_at)",
        {"key": link.key, "trader": link.trader, "method": link.method, "score": link.score,
         "reason": link.reason, "decided_by": link.decided_by, "decided_at": now},
    )  # fmt: skip


def merge_traders(db: Backend, key: str, into: str, now: dt.datetime, note: str = "") -> str:
    """An analyst's decision: ``key`` is the trader ``into`` is (and so are the keys
    resolved to ``key``). Returns the trader's key. Runs inside the caller's transaction.

    Raises:
        HistoryStoreError: a key is not recorded, or both are one trader already.
    """
    key, into = _known_key(db, key), _known_key(db, into)
    target = _root(db, into)
    if target == key or _root(db, key) == target:
        raise HistoryStoreError(f"{key!r} and {into!r} are one trader already",
                                store=db.location)  # fmt: skip
    reason = f"merged by an analyst into {target}" + (f": {note}" if note else "")
    for moved in db.frame("SELECT key FROM rp_trader_links WHERE trader = :k AND key <> :k",
                          {"k": key})["key"].to_list():  # fmt: skip
        _set_link(db, TraderLink(moved, target, "merge", None, reason, "analyst"), now)
    _set_link(db, TraderLink(key, target, "merge", None, reason, "analyst"), now)
    return target


def split_trader(db: Backend, key: str, now: dt.datetime, note: str = "") -> str:
    """An analyst's decision: ``key`` is a trader of its own (it was resolved to another).
    Returns the trader it was resolved to. Runs inside the caller's transaction.

    Raises:
        HistoryStoreError: the key is not recorded, or is not resolved to another trader.
    """
    key = _known_key(db, key)
    was = _root(db, key)
    if was == key:
        raise HistoryStoreError(f"{key!r} is not merged with another trader",
                                store=db.location)  # fmt: skip
    reason = f"split by an analyst from {was}" + (f": {note}" if note else "")
    _set_link(db, TraderLink(key, key, "split", None, reason, "analyst"), now)
    return was
