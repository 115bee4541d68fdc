"""Custom fields (a column mapping's ``extra:``, ``x_<name>``) kept with the batch in the
history store, typed, and read back point-in-time.

They are kept long, one row per shipment and field (and per element of a ``list``
field), in ``rp_custom``, each value in the column of its type - ``text_value``,
``number_value``, ``date_value`` (UTC), ``bool_value`` - so that any administration's
fields fit one table, no store schema depends on a mapping, and a feature reads them as
typed SQL. A field keeps one type in a store: a batch that gives ``x_rate`` as text where
the store holds it as a number is refused, naming both. A null value is no row.
"""

from __future__ import annotations

import polars as pl

from riskprofile.errors import HistoryStoreError
from riskprofile.history._backends import Backend
from riskprofile.model.frame import custom_field_kind
from riskprofile.model.shared import is_extra_field

__all__ = [
    "CUSTOM_SCHEMA",
    "custom_kinds",
    "custom_rows",
    "insert_custom",
    "read_custom",
    "stored_custom_fields",
]

CUSTOM_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rp_custom (shipment_id VARCHAR, name VARCHAR, kind VARCHAR, "
    "position BIGINT, text_value VARCHAR, number_value {double}, date_value {timestamp}, "
    "bool_value BOOLEAN)"
)
"""The table of custom fields' values (``name`` as in rules, ``x_office``; ``kind`` the
declared type: text, number, date, bool, list; ``position`` a list element's place)."""

_VALUE_COLUMNS = ("text_value", "number_value", "date_value", "bool_value")
_COLUMN_OF = {"text": "text_value", "list": "text_value", "number": "number_value",
              "date": "date_value", "bool": "bool_value"}  # fmt: skip


def custom_kinds(frame: pl.DataFrame) -> dict[str, str]:
    """The custom fields of a shipment frame and their types (text, number, date, bool,
    list), from their columns' dtypes."""
    kinds: dict[str, str] = {}
    for name, dtype in frame.schema.items():
        kind = custom_field_kind(dtype) if is_extra_field(name) else None
        if kind is not None:
            kinds[name] = kind
    return kinds


def custom_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The ``rp_custom`` rows of a shipment frame's custom fields (nulls left out)."""
    schema: dict[str, pl.DataType] = {
        "shipment_id": pl.String(), "name": pl.String(), "kind": pl.String(),
        "position": pl.Int64(), "text_value": pl.String(), "number_value": pl.Float64(),
        "date_value": pl.Datetime("us"), "bool_value": pl.Boolean(),
    }  # fmt: skip
    parts = [pl.DataFrame(schema=schema)]
    for name, kind in custom_kinds(frame).items():
        rows = frame.select("shipment_id", pl.col(name).alias("value"))
        if kind == "list":
            rows = rows.explode("value").with_columns(
                pl.int_range(pl.len()).over("shipment_id").alias("position")
            )
        else:
            rows = rows.with_columns(pl.lit(0, pl.Int64).alias("position"))
        if kind == "date":
            value = pl.col("value").dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        else:
            value = pl.col("value")
        column = _COLUMN_OF[kind]
        parts.append(
            rows.filter(pl.col("value").is_not_null()).select(
                "shipment_id",
                pl.lit(name).alias("name"),
                pl.lit(kind).alias("kind"),
                pl.col("position").cast(pl.Int64),
                *[
                    (value if c == column else pl.lit(None)).cast(schema[c]).alias(c)
                    for c in _VALUE_COLUMNS
                ],
            )
        )
    return pl.concat(parts)


def insert_custom(db: Backend, frame: pl.DataFrame) -> None:
    """Record the custom fields of ``frame``'s shipments that the store does not hold yet
    (call it before they are added to ``rp_shipments``). Runs inside the caller's
    transaction.

    Raises:
        HistoryStoreError: a field is given with another type than the store holds.
    """
    kinds = custom_kinds(frame)
    if not kinds:
        return
    stored = db.frame("SELECT DISTINCT name, kind FROM rp_custom")
    held = dict(zip(stored["name"].to_list(), stored["kind"].to_list(), strict=True))
    for name, kind in sorted(kinds.items()):
        if held.get(name, kind) != kind:
            raise HistoryStoreError(
                f"custom field {name} is stored as {held[name]}; this batch gives it as "
                f"{kind} (its column mapping's extra: {name[2:]}): a field keeps one type "
                "in a store",
                store=db.location,
            )
    db.stage("rp_incoming_custom", custom_rows(frame))
    try:
        db.run(
            "INSERT INTO rp_custom SELECT c.shipment_id, c.name, c.kind, c.position, "
            "c.text_value, c.number_value, c.date_value, c.bool_value FROM rp_incoming_custom c "
            "WHERE NOT EXISTS (SELECT 1 FROM rp_shipments s WHERE s.shipment_id = c.shipment_id)"
        )
    finally:
        db.unstage("rp_incoming_custom")


def stored_custom_fields(db: Backend) -> pl.DataFrame:
    """The custom fields a store holds: name, kind, and how many shipments give one."""
    return db.frame(
        "SELECT name, kind, COUNT(DISTINCT shipment_id) AS shipments FROM rp_custom "
        "GROUP BY name, kind ORDER BY name"
    ).cast({"shipments": pl.Int64})


def read_custom(db: Backend, names: list[str], before: object) -> pl.DataFrame:
    """The stored shipments seen strictly before ``before`` (a naive UTC datetime) with
    ``names``' values, typed: ``shipment_id``, ``seen_at``, the party keys, and one column
    per name (a list field's elements in order; null where the shipment gave none).

    Raises:
        HistoryStoreError: a name the store holds no value of.
    """
    held = dict(stored_custom_fields(db).select("name", "kind").iter_rows())
    unknown = [n for n in names if n not in held]
    if unknown:
        have = ", ".join(sorted(held)) or "none"
        raise HistoryStoreError(
            f"no custom field {', '.join(unknown)} in the store (it holds: {have})",
            store=db.location,
        )
    base = db.frame(
        "SELECT shipment_id, seen_at, shipper_key, consignee_key, notify_key FROM rp_shipments "
        "WHERE seen_at < :before ORDER BY seen_at, shipment_id",
        {"before": before},
    ).cast({"shipment_id": pl.String, "seen_at": pl.Datetime("us")})
    for name in names:
        kind = held[name]
        column = _COLUMN_OF[kind]
        values = db.frame(
            f"SELECT shipment_id, position, {column} AS value FROM rp_custom "  # noqa: S608
            "WHERE name = :name ORDER BY shipment_id, position",
            {"name": name},
        )
        dtypes: dict[str, pl.DataType] = {
            "text": pl.String(), "list": pl.String(), "number": pl.Float64(),
            "date": pl.Datetime("us"), "bool": pl.Boolean(),
        }  # fmt: skip
        dtype = dtypes[kind]
        values = values.select(pl.col("shipment_id").cast(pl.String), pl.col("value").cast(dtype))
        if kind == "list":
            values = values.group_by("shipment_id", maintain_order=True).agg(pl.col("value"))
        else:
            values = values.unique("shipment_id", keep="first", maintain_order=True)
        if kind == "date":
            values = values.with_columns(pl.col("value").dt.replace_time_zone("UTC"))
        base = base.join(values.rename({"value": name}), on="shipment_id", how="left",
                         maintain_order="left")  # fmt: skip
    return base
