"""Custom fields (a column mapping's ``extra:``) read the same in both engines: random
declarations and cells, written as a CSV with its mapping, scored row-wise and
column-wise (where a custom field's condition is left to the row-wise engine on the
frame's records), give the same run; the frame equals the model path's."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from riskprofile.io import read_batch, read_frame
from riskprofile.model.frame import shipment_frame
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from tests.depth import depth

AS_OF = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
_CELLS = {
    "text": ["kape", " KAPE ", "x  y", "", "Äb"],
    "number": ["1", "17.5", "-3", "n/a", "", "1e3", "inf", "1e30"],
    "date": ["2026-01-01", "2026-13-01", "", "2026-07-15", "01/02/2026"],
    "bool": ["yes", "no", "1", "maybe", "", "F"],
    "list": ["A;B", "a; b ;", "", ";", "A"],
}
_CONDITIONS = {
    "text": '{f} == "KAPE"',
    "number": "{f} > 5",
    "date": '{f} < d"2026-06-01"',
    "bool": "{f} == true",
    "list": '"A" in {f}',
}


@st.composite
def exports(draw: st.DrawFn) -> tuple[dict[str, dict[str, str]], list[dict[str, str]]]:
    names = draw(
        st.lists(st.sampled_from(["office", "rate", "seen", "urgent", "codes", "a1", "b_2"]),
                 min_size=1, max_size=4, unique=True)
    )  # fmt: skip
    fields = {
        name: {
            "column": f"Col {name.upper()}",
            "type": draw(st.sampled_from(list(_CELLS))),
            "normalise": draw(st.sampled_from(["strip", "upper", "lower", "fold"])),
        }
        for name in names
    }
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = {"bl_number": draw(st.sampled_from(["B1", "B2", "B3"])), "consignee_name": "ACME"}
        for spec in fields.values():
            row[spec["column"]] = draw(st.sampled_from(_CELLS[spec["type"]]))
        rows.append(row)
    return fields, rows


def write_export(
    folder: Path, fields: dict[str, dict[str, str]], rows: list[dict[str, str]]
) -> tuple[Path, Path]:
    """A drawn export (:func:`exports`) written to ``folder``: ``batch.csv`` and its
    column mapping ``map.yaml``."""
    header = ["bl_number", "consignee_name", *[s["column"] for s in fields.values()]]
    lines = [",".join(header)] + [",".join(row[h] for h in header) for row in rows]
    (folder / "batch.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "map.yaml").write_text(yaml.safe_dump({"extra": fields}), encoding="utf-8")
    return folder / "batch.csv", folder / "map.yaml"


@settings(max_examples=depth(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports(), st.sampled_from(["lenient", "strict"]))
def test_custom_fields_read_and_score_alike_in_both_engines(
    export: tuple[dict[str, dict[str, str]], list[dict[str, str]]], strictness: str
) -> None:
    fields, rows = export
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_export(folder, fields, rows)
        profile = {
            "id": "test.custom", "version": 1, "title": "Custom", "category": "other",
            "owner": "tests",
            "requires": {"extra": {name: spec["type"] for name, spec in fields.items()}},
            "indicators": [
                {"id": f"i_{name}", "title": name, "weight": 10,
                 "when": _CONDITIONS[spec["type"]].format(f=f"x_{name}"),
                 "explain": f"{{x_{name}}}"}
                for name, spec in fields.items()
            ],
        }  # fmt: skip
        (folder / "p.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
        profiles = load_profiles(folder / "p.yaml")
        mapping = folder / "map.yaml"
        batch = read_batch(folder / "batch.csv", mapping=mapping, strictness=strictness)  # type: ignore[arg-type]
        frame = read_frame(folder / "batch.csv", mapping=mapping, strictness=strictness)  # type: ignore[arg-type]
        assert frame.fallback is None  # custom fields are read column-wise
        assert_frame_equal(frame.frame, shipment_frame(batch.shipments), check_exact=True)
        assert frame.rejected == tuple(batch.rejected)
        reference = score(batch, profiles, as_of=AS_OF, engine="rowwise")
        columnar = score(batch, profiles, as_of=AS_OF, engine="columnar")
        assert columnar == reference
        # Every record is scored or reported back.
        assert batch.records_accepted + len(batch.rejected) == len(rows)
