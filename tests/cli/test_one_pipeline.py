"""Issue 15's one pipeline, checked from outside: ``riskprofile score``'s default
(column-wise) path and ``--engine rowwise`` (the reference) give the same bytes on
standard output, standard error, exit code and every file written, on the batches a
user meets (typed Parquet columns, JSON Lines the frame cannot all read, a BOM, a .tsv,
a column mapping, hostile cells, an empty batch, every record rejected, duplicate
shipments, B/Ls without a container) and on profiles with
exceptions, shared facts and indicators that cannot be evaluated; and ``score()`` takes
a path, a :class:`~riskprofile.io.Batch`, :func:`~riskprofile.io.read_frame`'s result or
a shipment frame and gives the same run."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from tests.depth import depth
from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples/data/karachi-sample.csv"
AS_OF = ["--as-of", "2026-11-02"]

_PROFILE = """\
id: test.{name}
version: 1
title: {name} test profile
category: {category}
owner: tests
valid_from: 2026-01-01
status: active
rationale: exceptions, shared facts, forced lanes and an indicator that cannot always
  be evaluated
lists:
  hubs:
    values: [PAMIT, ESALG, AEJEA, LKCMB, SGSIN, CNSHA]
indicators:
  - id: payer
    title: third-party payer
    when: freight_payer_role == "third_party"
    weight: 20
    explain: "freight paid by {{freight_payer_name}}"
  - id: gap-small
    title: mass gap
    when: cargo_mass_gap_kg > 100
    weight: 10
    fact: weight-gap
    explain: "gap {{cargo_mass_gap_kg}}"
  - id: gap-big
    title: large mass gap
    when: cargo_mass_gap_kg > 1000
    weight: 25
    fact: weight-gap
    explain: "gap {{cargo_mass_gap_kg}}"
  - id: hub
    title: transshipped at a hub
    when: "[p for p in transshipment_ports if p in $hubs].length > 0"
    weight: {hub_weight}
    explain: "via {{transshipment_ports}}"
  - id: value-per-kg
    title: low value per kg
    when: declared_value / goods_gross_weight_kg < 0.5
    weight: 30
    lane: {lane}
    explain: "value {{declared_value}} for {{goods_gross_weight_kg}} kg, \\"quoted\\""
  - id: aeo
    title: AEO consignee
    when: consignee_aeo == true
    weight: -25
    explain: "consignee is an AEO"
exceptions:
  - id: empties
    title: empty boxes
    when: container_full == false
bands:
  - {{min_score: 50, lane: red}}
  - {{min_score: 30, lane: yellow}}
  - {{min_score: 15, lane: blue}}
"""

_VARIANTS = [
    [],
    ["--details"],
    ["--format", "csv"],
    ["--format", "json"],
    ["-o", "{out}/run.csv"],
    ["-o", "{out}/run.json"],
    ["-o", "{out}/run.parquet"],
    ["--capacity", "red=2,yellow=5%", "--details"],
    ["--control-rate", "10%", "--seed", "3", "--control-on-top", "--format", "json"],
    ["--strict", "--country", "PK", "--include-drafts", "-o", "{out}/run.csv"],
]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    load_once(monkeypatch)  # each run loads the same profiles: once per process


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def _set(rows: list[list[str]], column: str, values: Callable[[int], str]) -> None:
    at = rows[0].index(column)
    for i, row in enumerate(rows[1:], 1):
        row[at] = values(i)


_HOSTILE = ['=cmd|"/c calc"!A1', 'said "hi", ok', "line1\r\nline2", "X" * 5000,
            "Ünïcødé 漢字 🚢", "+SUM(1)", "@x", "\ttab", '"', "", "a\rb",
            "\\back\\slash"]  # fmt: skip


def _batches(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """The edge-case batches, each with the options it is read with."""
    rows = _rows()
    hostile = [list(r) for r in rows[:14]]
    _set(hostile, "shipper_name", lambda i: _HOSTILE[i % len(_HOSTILE)])
    _set(hostile, "consignee_address", lambda i: _HOSTILE[(i + 3) % len(_HOSTILE)])
    _set(hostile, "description", lambda i: ['=HYPERLINK("x")', "a\nb", "é" * 3000][i % 3])
    rejected = [list(r) for r in rows[:6]]
    for column in ("container_number", "port_of_call", "arrival"):
        _set(rejected, column, lambda i: "garbage!!")
    no_box = [list(r) for r in rows[:15]]
    for row in no_box[1:8]:  # B/Ls whose container is not given
        row[no_box[0].index("container_number")] = ""
    return {
        "typed-parquet": (_typed_parquet(folder / "typed.parquet"), []),
        "hostile-jsonl": (_hostile_json_lines(folder / "hostile.jsonl"), []),
        "bom": (_write(folder / "bom.csv", rows[:40], bom=True), []),
        "tsv": (_write(folder / "batch.tsv", rows[:40], delimiter="\t"), []),
        "hostile": (_write(folder / "hostile.csv", hostile), []),
        "empty": (_write(folder / "empty.csv", rows[:1]), []),
        "all-rejected": (_write(folder / "rejected.csv", rejected), []),
        "duplicates": (_write(folder / "dup.csv", rows[:20] + rows[1:20]), []),
        "no-container": (_write(folder / "nobox.csv", no_box), []),
        "mapping": (
            ROOT / "examples/data/customs-export.csv",
            ["-m", "examples/mappings/customs-export.yaml"],
        ),
    }


def _typed_parquet(path: Path) -> Path:
    """The sample as a Parquet file whose columns are typed as an export types them
    (integers, dates, timestamps, floats, a decimal, a boolean), not all text."""
    import polars as pl

    text = pl.read_csv(SAMPLE, infer_schema_length=0).head(30)
    text.with_columns(
        pl.col("vessel_imo").cast(pl.Int64, strict=False),
        pl.col("arrival").str.to_datetime(strict=False, time_zone="UTC"),
        pl.col("bl_issue_date").str.to_date(strict=False),
        pl.col("gross_weight_kg").cast(pl.Float64, strict=False),
        pl.col("packages").cast(pl.Int32, strict=False),
        pl.col("verified_gross_mass_kg").cast(pl.Float32, strict=False),
        pl.col("value").cast(pl.Decimal(20, 4), strict=False),
        pl.col("container_full") == "true",
        pl.col("hs_code").cast(pl.Int64, strict=False),
        pl.col("port_of_loading").cast(pl.Categorical),
    ).write_parquet(path)
    return path


def _hostile_json_lines(path: Path) -> Path:
    """JSON Lines manifests, some read column-wise, some not (wrong types, a duplicate
    B/L number, no consignments, unknown keys), and lines that are no manifest."""
    from riskprofile.io import write_json
    from riskprofile.synth import generate_port_day

    write_json(generate_port_day(7, 12, planted=0, defect_rate=0.2).manifests, path)
    document = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    lines = [json.dumps(document)]
    changes: list[Callable[[dict[str, object]], None]] = [
        lambda d: d.update(vessel_name='=cmd|" /c"\r\n\u2028X'),
        lambda d: d.update(consignments=None),
        lambda d: d.update(extra_field={"a": [1, 2]}),
        lambda d: d.update(arrival=12),
        lambda d: d.update(consignments=[{}]),
    ]
    for change in changes:
        changed = json.loads(lines[0])
        change(changed)
        lines.append(json.dumps(changed, ensure_ascii=False))
    lines += ["{not json", "[]", "null"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    try:
        code: object = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _both(argv: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Run ``argv`` with each engine and check they give the same bytes everywhere."""
    seen = {}
    for engine in ("rowwise", "columnar"):
        result = _run([*argv, "--engine", engine], capsys)
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        for p in out.iterdir():
            p.unlink()
        seen[engine] = (result, files)
    assert seen["columnar"] == seen["rowwise"], argv
    code = seen["rowwise"][0][0]
    assert code in (0, 1), seen["rowwise"][0][2]


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    return _batches(tmp_path_factory.mktemp("batches"))


@pytest.fixture(scope="module")
def test_profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("profiles")
    for name, category, hub, lane in (("alpha", "narcotics", 15, "yellow"),
                                      ("beta", "revenue", 35, "red")):  # fmt: skip
        text = _PROFILE.format(name=name, category=category, hub_weight=hub, lane=lane)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _cases(names: list[str]) -> list[object]:
    """Each batch with every output variant; a fifth of the pairs (each batch and each
    variant in some) run at the default depth, the rest are marked ``slow``."""
    return [
        pytest.param(name, variant, marks=() if (variant - i) % 5 == 0 else pytest.mark.slow)
        for i, name in enumerate(names)
        for variant in range(len(_VARIANTS))
    ]


_EDGES = [
    "typed-parquet",
    "hostile-jsonl",
    "bom",
    "tsv",
    "hostile",
    "empty",
    "all-rejected",
    "duplicates",
    "no-container",
    "mapping",
]


@pytest.mark.parametrize(("name", "variant"), _cases(_EDGES))
def test_edge_batches_give_the_same_bytes_on_both_paths(
    batches: dict[str, tuple[Path, list[str]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    variant: int,
) -> None:
    batch, options = batches[name]
    out = tmp_path / "out"
    out.mkdir()
    extra = [o.format(out=out) for o in _VARIANTS[variant]]
    _both(["score", str(batch), *AS_OF, *options, *extra], out, capsys)


@pytest.mark.parametrize(("name", "variant"), _cases(["hostile", "duplicates"]))
def test_exceptions_shared_facts_and_notes_give_the_same_bytes(
    batches: dict[str, tuple[Path, list[str]]],
    test_profiles: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    variant: int,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    extra = [o.format(out=out) for o in _VARIANTS[variant] if o not in ("--country", "PK")]
    argv = ["score", str(batches[name][0]), *AS_OF, "--profiles", str(test_profiles), *extra]
    _both(argv, out, capsys)


def test_the_test_profiles_meet_what_they_are_for(
    test_profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The profiles above do exercise shared facts, forced lanes and unevaluable notes
    on the sample (else the comparisons above would prove less than they say)."""
    out = tmp_path / "run.json"
    argv = ["score", str(SAMPLE), *AS_OF, "--profiles", str(test_profiles), "-o", str(out)]
    assert _run(argv, capsys)[0] == 0
    text = out.read_text(encoding="utf-8")
    audit = json.loads(text)["audit"]
    assert audit["unevaluable"]["test.alpha/value-per-kg"]["units"] > 0
    assert "counted once" in text
    assert "forced" in text


# Any character UTF-8 can write: every code point but the surrogates (category Cs).
# Not ``codec="utf-8"``, which names the same set but makes hypothesis test each of the
# 1.1 million code points once per fresh checkout (1.5 s of CPU).
_CELL = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(
    max_examples=depth(10, floor=3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.lists(_CELL, min_size=3, max_size=3),
    output=st.sampled_from(["run.csv", "run.json", "run.parquet", "list.txt"]),
)
def test_any_text_in_a_cell_gives_the_same_bytes_on_both_paths(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    cells: list[str],
    output: str,
) -> None:
    folder = tmp_path_factory.mktemp("cells")
    rows = [list(r) for r in _rows()[:6]]
    for column, cell in zip(("shipper_name", "description", "seal_numbers"), cells, strict=True):
        _set(rows, column, lambda i, cell=cell: cell if i % 2 else cell[::-1])
    batch = _write(folder / "batch.csv", rows)
    out = folder / "out"
    out.mkdir()
    fmt = ["--format", "table"] if output.endswith(".txt") else []
    argv = ["score", str(batch), *AS_OF, "--details", *fmt, "-o", str(out / output)]
    _both(argv, out, capsys)


def test_score_takes_a_path_a_batch_a_frame_batch_or_a_frame() -> None:
    """``score()`` given ``read_frame``'s result or a bare shipment frame (it raised
    "'FrameBatch' object is not iterable", and a frame was iterated as its columns)."""
    from riskprofile import read_batch, score
    from riskprofile.engines.columnar import shipment_frame
    from riskprofile.io import read_frame
    from riskprofile.output import to_json
    from riskprofile.profiles import load_profiles

    path = SAMPLE
    profiles = list(load_profiles(bundled=True))
    reference = to_json(score(read_batch(path), profiles, as_of="2026-11-02", engine="rowwise"))
    assert to_json(score(path, profiles, as_of="2026-11-02")) == reference
    assert to_json(score(read_frame(path), profiles, as_of="2026-11-02")) == reference
    bare = score(shipment_frame(read_batch(path).shipments), profiles, as_of="2026-11-02")
    shipments = score(read_batch(path).shipments, profiles, as_of="2026-11-02")
    assert to_json(bare) == to_json(shipments)
    assert json.loads(to_json(bare))["audit"]["containers"] == 251
