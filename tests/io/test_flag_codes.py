"""Every data-quality flag code is named once (``riskprofile.model.FLAG_CODES``), and both
readers - the model path (``read_batch`` + ``flatten``) and the column-wise reader
(``read_frame``) - emit each one, alike, on data made to trigger it."""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from pathlib import Path

from riskprofile.io import read_batch, read_frame
from riskprofile.model import FLAG_CODES
from riskprofile.model.codes import container_number_problem
from riskprofile.model.shipment import PAYER_ROLES
from tests.io.test_columnar import assert_same_as_models

SRC = Path(__file__).resolve().parents[2] / "src" / "riskprofile"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"

# One change of a good row per code a flat file can carry (column -> cell).
TRIGGERS: dict[str, dict[str, str]] = {
    "format": {"port_of_loading": "12345"},
    "check_digit": {"container_number": "CSQU3054384"},
    "unknown_country": {"shipper_country": "XX"},
    "unknown_currency": {"currency": "XYZ"},
    "unknown_chapter": {"hs_code": "770000"},
    "inconsistent": {"net_weight_kg": "99999", "gross_weight_kg": "10"},
    "implausible": {"tare_kg": "999999"},
    "missing": {"shipper_name": ""},
    "invalid_value": {"packages": "abc"},
    "negative": {"value": "-100"},
}
# Codes only a document (JSON) can carry: a flat row cannot name an unknown field, and two
# rows of one key are one record, not a duplicate.
DOCUMENT_ONLY = {"duplicate", "unknown_field"}
# A B/L that lost a record: a lenient read keeps every record it can.
STRICT_ONLY = {"incomplete"}
# The structure of an EDIFACT interchange (read by the EDIFACT reader only).
EDIFACT_ONLY = {
    "control_count", "control_reference", "directory", "invalid_message", "message_function",
    "message_type", "misplaced_location", "no_position", "outside_message", "syntax",
    "too_many", "transfer_sequence", "truncated",
    "unplaced_segment",
}  # fmt: skip


def _codes_made_in_source() -> Iterator[tuple[str, str]]:
    """(module, code) for each literal code the models and readers give a flag or a
    problem: ``QualityFlag(code="...")``, ``Problem("...", ...)``, ``message.problem("...",
    ...)``, ``{"code": "...", ...}``, ``code = "..."``."""
    # Flags are made while reading: by the models and by the readers.
    for path in sorted([*(SRC / "model").rglob("*.py"), *(SRC / "io").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            found: list[ast.expr | None] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                found += [k.value for k in node.keywords if k.arg == "code"]
                if name in ("Problem", "problem", "SyntaxProblem") and node.args:
                    found.append(node.args[0])
            elif isinstance(node, ast.Dict):
                found += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "code"
                ]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                found.append(node.value)
            for expr in found:
                for leaf in ast.walk(expr) if expr is not None else ():
                    if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                        yield path.relative_to(SRC).as_posix(), leaf.value


def test_every_code_the_source_makes_is_in_the_catalogue() -> None:
    made = set(_codes_made_in_source())
    assert {code for _module, code in made} >= {"check_digit", "format", "missing"}  # teeth
    assert {(m, c) for m, c in made if c not in FLAG_CODES} == set()


def _container_numbers(count: int) -> list[str]:
    numbers = []
    for serial in range(count):
        stem = f"TSTU{serial:06d}"
        numbers.append(
            next(stem + d for d in "0123456789" if not container_number_problem(stem + d))
        )
    return numbers


def _base_row() -> dict[str, str]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _codes(flags: list[list[str]]) -> set[str]:
    return {flag.rpartition(":")[2] for shipment in flags for flag in shipment}


def test_both_readers_emit_every_flag_code_of_a_flat_file(tmp_path: Path) -> None:
    # A good row of the example, changed once per code (each its own B/L and container).
    numbers = iter(_container_numbers(len(TRIGGERS)))
    rows = [
        {**_base_row(), "bl_number": f"BL{n:04d}", "container_number": next(numbers), **change}
        for n, change in enumerate(TRIGGERS.values())
    ]
    path = _write(tmp_path / "flags.csv", rows)
    frame_batch = assert_same_as_models(path)  # the column-wise reader equals the model path
    assert frame_batch.rows_via_models == 0  # ... computed column-wise, not handed over
    from_frame = _codes(frame_batch.frame.get_column("quality_flags").to_list())
    from_models = _codes([s.quality_flags for s in read_batch(path).shipments])
    assert from_frame == from_models == set(FLAG_CODES) - DOCUMENT_ONLY - STRICT_ONLY - EDIFACT_ONLY


def test_both_readers_flag_a_bill_of_lading_that_lost_a_record(tmp_path: Path) -> None:
    # Strict: a second row that contradicts its B/L's header is rejected, and the B/L
    # scored without it says so (goods:incomplete).
    first, second = _container_numbers(2)
    kept = {**_base_row(), "bl_number": "BLPART", "container_number": first}
    lost = {**kept, "container_number": second, "port_of_loading": "CNSHA"}
    path = _write(tmp_path / "part.csv", [kept, lost])
    frame_batch = assert_same_as_models(path, strictness="strict")
    from_frame = _codes(frame_batch.frame.get_column("quality_flags").to_list())
    from_models = _codes([s.quality_flags for s in read_batch(path, strictness="strict").shipments])
    assert from_frame == from_models >= STRICT_ONLY


def test_both_readers_emit_the_codes_only_a_document_carries(tmp_path: Path) -> None:
    number = _container_numbers(1)[0]
    manifest = {
        "vessel_name": "KOTA NABIL",
        "voyage_number": "730W",
        "port_of_call": "PKKHI",
        "arrival": "2026-11-02T00:10:00+00:00",
        "colour": "blue",
        "consignments": [
            {
                "bl_number": "BL1",
                "shipper": {"name": "A"},
                "consignee": {"name": "B"},
                "container_numbers": [number],
                "goods": [{"container_number": number, "hs_code": "520100"}],
            }
        ],
        "containers": [{"number": number}, {"number": number}],
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    from_models = _codes([s.quality_flags for s in read_batch(path).shipments])
    from_frame = _codes(read_frame(path).frame.get_column("quality_flags").to_list())
    assert from_frame == from_models >= DOCUMENT_ONLY


def test_both_readers_give_the_freight_payer_the_same_role(tmp_path: Path) -> None:
    # One B/L per role of PAYER_ROLES (in the model's order: a payer who is both shipper
    # and consignee is the shipper), a third party, and no payer at all.
    base = _base_row()
    parties = {p: base[f"{p}_name"] for p in ("shipper", "consignee", "notify")}
    payers = [
        {"freight_payer_name": parties["shipper"], "consignee_name": parties["shipper"]},
        {"freight_payer_name": parties["consignee"].lower(), "shipper_name": "ANOTHER"},
        {"freight_payer_name": "NOTIFY CO", "notify_name": "NOTIFY CO",
         "consignee_name": "C", "shipper_name": "S"},
        {"freight_payer_name": "SOMEONE ELSE", "freight_payer_identifier": ""},
        {"freight_payer_name": "", "freight_payer_address": "", "freight_payer_country": "",
         "freight_payer_identifier": ""},
    ]  # fmt: skip
    numbers = iter(_container_numbers(len(payers)))
    rows = [
        {**base, "bl_number": f"BL{n}", "container_number": next(numbers), **change}
        for n, change in enumerate(payers)
    ]
    path = _write(tmp_path / "payers.csv", rows)
    frame_batch = assert_same_as_models(path)
    assert frame_batch.rows_via_models == 0
    frame = frame_batch.frame
    roles = dict(zip(frame["bl_number"], frame["freight_payer_role"], strict=True))
    assert roles == {
        "BL0": "shipper", "BL1": "consignee", "BL2": "notify_party", "BL3": "third_party",
        "BL4": None,
    }  # fmt: skip
    assert {role for role, _prefix in PAYER_ROLES} < set(roles.values())
