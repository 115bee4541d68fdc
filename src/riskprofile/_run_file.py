"""The run file: a :class:`~riskprofile.results.ScoringRun` as one versioned JSON document,
and back (``riskprofile.write_run``, ``riskprofile.read_run``).

:func:`~riskprofile.output.to_json` writes the *report* (the container and hit tables an
analyst reads); the run file keeps everything a run holds - every shipment with its
fields, hits, profile scores, notes, and the containers, the audit (``as_of``, profile
fingerprints and versions, skipped profiles, the batch's account and rejected records) -
so that :func:`read_run` gives back a run equal to the one written. Another system (the
scoring service's caller, an archive, a later evaluation) reads it against the published
JSON Schema (:func:`run_schema`, ``docs/schemas/scoring-run-1.schema.json``).

The document names its format and version (``"format": "riskprofile.scoring-run"``,
``"version": 1``); a reader refuses a version it does not know rather than guess. A new
field a reader can ignore keeps the version; a change of meaning or a removed field
makes a new one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from riskprofile.errors import InputFormatError
from riskprofile.io import FieldProblem, RejectedRecord
from riskprofile.model.shipment import Shipment
from riskprofile.results import (
    ContainerResult,
    Hit,
    ProfileScore,
    ScoringRun,
    ShipmentResult,
)

if TYPE_CHECKING:
    from riskprofile._run_schema import RunDocument

__all__ = ["RUN_FORMAT", "RUN_VERSION", "read_run", "run_schema", "write_run"]

RUN_FORMAT = "riskprofile.scoring-run"
"""The ``format`` of a run file."""
RUN_VERSION = 1
"""The version of the run file this riskprofile writes, and the only one it reads."""


def run_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the run file :func:`write_run` writes.

    ``docs/schemas/scoring-run-1.schema.json`` is this, published.
    """
    from riskprofile._run_schema import RunDocument

    schema = RunDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _decimal(value: Decimal) -> str:
    """A decimal's canonical text: equal decimals write the same (``18619.34`` whether
    it was read as ``18619.34`` or ``18619.340000``), never in exponent form."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _shipment(shipment: Shipment) -> dict[str, Any]:
    """A shipment's fields, its decimals as canonical text."""
    doc = shipment.model_dump(mode="json")
    for name, value in shipment:
        if isinstance(value, Decimal):
            doc[name] = _decimal(value)
    return doc


def _document(run: ScoringRun) -> dict[str, Any]:
    """The run as the run file's JSON-ready dict."""
    results = run.shipments
    place = {id(result): index for index, result in enumerate(results)}
    return {
        "format": RUN_FORMAT,
        "version": RUN_VERSION,
        "as_of": run.as_of.isoformat(),
        "fingerprints": dict(sorted(run.fingerprints.items())),
        "profile_versions": dict(sorted(run.profile_versions.items())),
        "skipped_profiles": dict(sorted(run.skipped_profiles.items())),
        "source": run.source,
        "records_read": run.records_read,
        "record_unit": run.record_unit,
        "rejected": [
            {
                "source": r.source,
                "record": r.record,
                "problems": [
                    {"field": p.field, "value": p.value, "reason": p.reason} for p in r.problems
                ],
                "container_numbers": list(r.container_numbers),
                "bl_numbers": list(r.bl_numbers),
            }
            for r in run.rejected
        ],
        "unevaluable": dict(run.unevaluable),
        "shipments": [
            {
                "shipment": _shipment(s.shipment),
                "hits": [
                    {
                        "profile_id": h.profile_id,
                        "profile_version": h.profile_version,
                        "indicator_id": h.indicator_id,
                        "title": h.title,
                        "weight": _decimal(h.weight),
                        "explanation": h.explanation,
                        "forced_lane": h.forced_lane,
                        "counted_in": h.counted_in,
                    }
                    for h in s.hits
                ],
                "profiles": [
                    {
                        "profile_id": p.profile_id,
                        "profile_version": p.profile_version,
                        "score": _decimal(p.score),
                        "lane": p.lane,
                        "fired": p.fired,
                        "excepted_by": p.excepted_by,
                        "counted": None if p.counted is None else _decimal(p.counted),
                    }
                    for p in s.profiles
                ],
                "score": _decimal(s.score),
                "lane": s.lane,
                "forced": list(s.forced),
                "notes": list(s.notes),
                "unevaluable": list(s.unevaluable),
            }
            for s in results
        ],
        "containers": [
            {
                "key": c.key,
                "container_number": c.container_number,
                "shipments": [_place(place, results, s) for s in c.shipments],
                "score": _decimal(c.score),
                "lane": c.lane,
                "forced": list(c.forced),
            }
            for c in run.containers
        ],
    }


def _place(place: dict[int, int], results: Sequence[ShipmentResult], result: Any) -> int:
    """A container's shipment's place in the run's shipments (the same object; an equal
    one when the run was assembled by hand)."""
    found = place.get(id(result))
    return found if found is not None else list(results).index(result)


def write_run(run: ScoringRun, path: str | os.PathLike[str] | None = None) -> str:
    """The run as a run file (JSON text, version :data:`RUN_VERSION`), written to
    ``path`` when one is given; :func:`read_run` reads it back.

    The same run gives the same bytes. A run scored column-wise makes its objects to be
    written (``run.shipments``, ``run.containers``).

    >>> from riskprofile import Shipment, load_profiles, read_run, score
    >>> run = score([Shipment()], load_profiles(bundled=True), as_of="2026-11-02")
    >>> read_run(write_run(run)) == run
    True
    """
    text = json.dumps(_document(run), indent=1, ensure_ascii=False) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def read_run(source: str | os.PathLike[str]) -> ScoringRun:
    """A run file (:func:`write_run`) read back as the :class:`ScoringRun` it was: a path,
    or the JSON text itself (a string starting with ``{``).

    Raises:
        InputFormatError: not a run file (not JSON, another format, a version this
            riskprofile does not read, a value of the wrong shape: the message names
            where), or a file that cannot be read.
    """
    where: str | None = None
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text = source
    else:
        where = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFormatError(f"cannot read the run file: {exc}", path=where) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"not a run file: not JSON ({exc})", path=where) from exc
    if not isinstance(raw, dict) or raw.get("format") != RUN_FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise InputFormatError(
            f"not a run file: format {found!r}, expected {RUN_FORMAT!r} (a report written "
            "by to_json or `score -o` is not a run file: write one with write_run)",
            path=where,
        )
    if raw.get("version") != RUN_VERSION:
        raise InputFormatError(
            f"run file version {raw.get('version')!r} is not one this riskprofile reads "
            f"(it reads version {RUN_VERSION}): upgrade riskprofile, or write the run again",
            path=where,
        )
    from riskprofile._run_schema import RunDocument  # pydantic models: built when read

    try:
        doc = RunDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        place = ".".join(str(p) for p in first["loc"])
        raise InputFormatError(
            f"not a valid run file: {place}: {first['msg']} ({exc.error_count()} problem(s))",
            path=where,
        ) from exc
    return _run(doc, where)


def _run(doc: RunDocument, where: str | None) -> ScoringRun:
    """The run the validated document holds."""
    results = []
    for item in doc.shipments:
        shipment_id = item.shipment.shipment_id
        results.append(
            ShipmentResult(
                shipment=item.shipment,
                hits=tuple(
                    Hit(
                        h.profile_id,
                        h.profile_version,
                        h.indicator_id,
                        h.title,
                        Decimal(h.weight),
                        h.explanation,
                        h.forced_lane,
                        shipment_id,
                        h.counted_in,
                    )
                    for h in item.hits
                ),
                profiles=tuple(
                    ProfileScore(
                        p.profile_id,
                        p.profile_version,
                        Decimal(p.score),
                        p.lane,
                        p.fired,
                        p.excepted_by,
                        None if p.counted is None else Decimal(p.counted),
                    )
                    for p in item.profiles
                ),
                score=Decimal(item.score),
                lane=item.lane,
                forced=tuple(item.forced),
                notes=tuple(item.notes),
                unevaluable=tuple(item.unevaluable),
            )
        )
    containers = []
    for number, c in enumerate(doc.containers):
        try:
            members = tuple(results[i] for i in c.shipments)
        except IndexError:
            raise InputFormatError(
                f"not a valid run file: containers.{number}.shipments names a shipment "
                f"past the {len(results)} of the run",
                path=where,
            ) from None
        containers.append(
            ContainerResult(
                c.key, c.container_number, members, Decimal(c.score), c.lane, tuple(c.forced)
            )
        )
    return ScoringRun(
        as_of=doc.as_of.astimezone(dt.UTC),
        fingerprints=dict(doc.fingerprints),
        shipments=tuple(results),
        containers=tuple(containers),
        profile_versions=dict(doc.profile_versions),
        skipped_profiles=dict(doc.skipped_profiles),
        source=doc.source,
        records_read=doc.records_read,
        rejected=tuple(
            RejectedRecord(
                r.source,
                r.record,
                tuple(FieldProblem(p.field, p.value, p.reason) for p in r.problems),
                tuple(r.container_numbers),
                tuple(r.bl_numbers),
            )
            for r in doc.rejected
        ),
        record_unit=doc.record_unit,
        unevaluable=dict(doc.unevaluable),
    )
