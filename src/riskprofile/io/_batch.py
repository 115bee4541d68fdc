"""What reading a batch gives back: the shipments, and every record that was rejected.

Nothing is lost: ``records_accepted + len(rejected) == records_read`` for every batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from riskprofile.errors import BatchRejectedError, RecordError
from riskprofile.model import Strictness
from riskprofile.model.shared import validation_errors
from riskprofile.model.shipment import Shipment

__all__ = ["Batch", "FieldProblem", "ReadAccount", "RejectedRecord", "problems_from_validation"]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason a record was rejected.

    Attributes:
        field: the file's column name (flat files) or the JSON path in the document
            (``consignments[2].goods[0].hs_code``); null when the record as a whole is
            at fault.
        value: the offending value as text, when there is one.
        reason: what is wrong.
    """

    field: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}{self.reason}{value}"


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """A record of the input that could not be used, with every reason.

    Attributes:
        source: the file it came from.
        record: where in the file: the line number of a CSV row, the row number of a
            Parquet row, the line of a JSON Lines document, or the index (from 1) of a
            manifest in a JSON array.
        problems: why, one entry per field at fault.
        container_numbers, bl_numbers: the containers and bills of lading the record is
            about, as far as they can be read from it (empty when they cannot): the
            units an officer must review by hand, since they were not scored.
    """

    source: str
    record: int
    problems: tuple[FieldProblem, ...]
    container_numbers: tuple[str, ...] = ()
    bl_numbers: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """All problems in one line."""
        return "; ".join(str(p) for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "source": self.source,
            "record": self.record,
            "problems": [
                {"field": p.field, "value": p.value, "reason": p.reason} for p in self.problems
            ],
        }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "..."


def problems_from_validation(
    exc: ValidationError | RecordError, locate: Any = None
) -> list[FieldProblem]:
    """Turn a pydantic ValidationError (or a model's RecordError) into field problems.

    ``locate`` maps an error location tuple to the field name shown to the user; by
    default the location is written as a JSON path.
    """
    out = []
    for err in validation_errors(exc):
        loc = err["loc"]
        name = locate(loc) if locate else json_path(loc)
        out.append(FieldProblem(field=name, value=_text(_error_input(err)), reason=err["msg"]))
    return out


def _error_input(err: ErrorDetails) -> Any:
    if err["type"] == "missing":
        return None
    return err.get("input")


def json_path(loc: tuple[int | str, ...]) -> str | None:
    """``("consignments", 2, "bl_number")`` -> ``"consignments[2].bl_number"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


class ReadAccount:
    """The account every read of a batch gives, whatever it built from the records: the
    file, how many records it held and what a record number counts, every record
    rejected. :class:`Batch` (shipment objects) and
    :class:`~riskprofile.io.FrameBatch` (the shipment frame) share it, so that both
    count, and refuse, a batch the same way.

    Nothing is lost: ``records_accepted + len(rejected) == records_read``.
    """

    source: str
    strictness: Strictness
    rejected: Sequence[RejectedRecord]
    records_read: int
    manifests: int
    ignored_columns: Sequence[str]
    record_unit: str

    @property
    def records_accepted(self) -> int:
        """Records that made it into shipments: ``records_read - len(rejected)``."""
        return self.records_read - len(self.rejected)

    def raise_for_rejected(self) -> None:
        """Raise :class:`~riskprofile.errors.BatchRejectedError` if any record was rejected."""
        if self.rejected:
            first = self.rejected[0]
            raise BatchRejectedError(
                f"{self.source}: {len(self.rejected)} of {self.records_read} records rejected; "
                f"first: {self.record_unit} {first.record}: {first.reason}",
                list(self.rejected),
            )


@dataclass
class Batch(ReadAccount):
    """The result of reading a batch file (its :class:`ReadAccount` and the shipments).

    Attributes:
        source: the file read.
        strictness: the validation mode used.
        shipments: every shipment built from the accepted records, in file order.
        rejected: every record that could not be used, with its reasons.
        records_read: records in the file (rows of a flat file, manifests of JSON).
        manifests: vessel calls read.
        ignored_columns: columns of a flat file that the layout and mapping do not use.
        record_unit: what a record number counts: ``line`` (CSV, JSON Lines), ``row``
            (Parquet) or ``manifest`` (the position in a JSON array).
    """

    source: str
    strictness: Strictness
    shipments: list[Shipment]
    rejected: list[RejectedRecord]
    records_read: int
    manifests: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    record_unit: str = "record"

    def summary(self) -> dict[str, Any]:
        """Counts an analyst checks before scoring: records, shipments, containers, bills
        of lading, ports, data-quality flags and rejections (JSON-ready, sorted keys)."""
        return summarise(self)


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counter = Counter(v if v is not None else "(none)" for v in values)
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summarise(batch: Batch) -> dict[str, Any]:
    """The batch summary shown by ``riskprofile data check``."""
    shipments = batch.shipments
    flags = Counter(f for s in shipments for f in s.quality_flags)
    containers = {s.container_number for s in shipments if s.container_number is not None}
    bls = {(s.manifest_ref, s.bl_number) for s in shipments if s.bl_number is not None}
    return {
        "source": batch.source,
        "strictness": batch.strictness,
        "record_unit": batch.record_unit,
        "records_read": batch.records_read,
        "records_accepted": batch.records_accepted,
        "records_rejected": len(batch.rejected),
        "manifests": batch.manifests,
        "shipments": len(shipments),
        "containers": len(containers),
        "bills_of_lading": len(bls),
        "lcl_containers": len({s.container_number for s in shipments if s.is_lcl}),
        "shipments_with_flags": sum(1 for s in shipments if s.quality_flags),
        # The unit an officer inspects: a container, or a B/L without one (as scoring).
        "units_with_flags": len(
            {
                (s.manifest_ref, s.container_number or f"B/L {s.bl_number or s.shipment_id}")
                for s in shipments
                if s.quality_flags
            }
        ),
        "by_port_of_call": _counts(s.port_of_call for s in shipments),
        "by_port_of_loading": _counts(s.port_of_loading for s in shipments),
        "by_port_of_discharge": _counts(s.port_of_discharge for s in shipments),
        "flags": dict(sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))),
        "ignored_columns": list(batch.ignored_columns),
        "rejected": [r.as_dict() for r in batch.rejected],
    }
