"""The ``riskprofile`` command: output a user reads and exit codes a script relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskprofile import Manifest, write_csv
from riskprofile.cli import EXIT_DATA_PROBLEMS, EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_USAGE, main
from riskprofile.model import LENIENT, field_catalogue
from tests.io.test_read import manifest_doc


@pytest.fixture
def batch_with_bad_container(tmp_path: Path) -> Path:
    doc = manifest_doc()
    doc["containers"][1]["number"] = "MSKU1234566"  # wrong check digit
    doc["consignments"][0]["container_numbers"][1] = "MSKU1234566"
    path = tmp_path / "batch.csv"
    write_csv([Manifest.model_validate(doc, context=LENIENT)], path)
    return path


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("data", "schema", "fields"):
        assert command in out


def test_data_check_lenient_summarises_and_exits_0(
    batch_with_bad_container: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "check", str(batch_with_bad_container)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "0 rejected" in out
    assert "container_number:check_digit" in out
    assert "PKKHI" in out


def test_data_check_strict_lists_rejections_and_exits_1(
    batch_with_bad_container: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["data", "check", "--strict", str(batch_with_bad_container)])
    assert code == EXIT_DATA_PROBLEMS
    out = capsys.readouterr().out
    assert "rejected records:" in out
    assert "line 3: container_number:" in out
    assert "'MSKU1234566'" in out


def test_data_check_json_is_machine_readable(
    batch_with_bad_container: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["data", "check", "--strict", "--format", "json", str(batch_with_bad_container)])
    summary = json.loads(capsys.readouterr().out)
    assert summary["records_read"] == summary["records_accepted"] + summary["records_rejected"]
    assert summary["rejected"][0]["problems"][0]["value"] == "MSKU1234566"


def test_unreadable_input_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "check", str(tmp_path / "missing.csv")]) == EXIT_USAGE
    assert "no such file" in capsys.readouterr().err
    bad_mapping = tmp_path / "m.yaml"
    bad_mapping.write_text("columns:\n  bl_numbr: X\n", encoding="utf-8")
    csv = tmp_path / "b.csv"
    csv.write_text("X\nBL1\n", encoding="utf-8")
    assert main(["data", "check", str(csv), "--mapping", str(bad_mapping)]) == EXIT_USAGE
    assert "did you mean 'bl_number'?" in capsys.readouterr().err


def test_schema_manifest_is_a_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "manifest"]) == EXIT_OK
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Manifest"
    assert {"Consignment", "Container", "GoodsItem", "Party"} <= set(schema["$defs"])


def test_fields_json_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields", "--format", "json"]) == EXIT_OK
    names = [f["name"] for f in json.loads(capsys.readouterr().out)]
    assert names == [f.name for f in field_catalogue()]


def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "riskprofile", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("riskprofile ")


def test_data_convert_writes_the_manifests_of_an_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export.jsonl"
    code = main(
        [
            "data",
            "convert",
            "examples/data/customs-export.csv",
            str(out),
            "--mapping",
            "examples/mappings/customs-export.yaml",
        ]
    )
    assert code == EXIT_OK
    assert "12 records read, 0 rejected" in capsys.readouterr().out
    from riskprofile import read_batch

    converted = read_batch(out)
    original = read_batch(
        "examples/data/customs-export.csv", mapping="examples/mappings/customs-export.yaml"
    )
    assert converted.shipments == original.shipments


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["data", "generate", "-o", "never-written.csv", "--containers", "0"])
    assert info.value.code == EXIT_USAGE
    assert "must be at least 1" in capsys.readouterr().err


def test_internal_error_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import riskprofile.io

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    # Whichever reader the command uses (data check reads through the frame).
    monkeypatch.setattr(riskprofile.io, "read_batch", broken)
    monkeypatch.setattr(riskprofile.io, "read_frame", broken)
    csv = tmp_path / "b.csv"
    csv.write_text("bl_number\nBL1\n", encoding="utf-8")
    assert main(["data", "check", str(csv)]) == EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err
    assert "internal error" in err


def test_writing_into_a_missing_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "batch.csv"
    assert main(["data", "generate", "--containers", "3", "-o", str(target)]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    assert not target.exists()


def test_the_command_spares_the_interpreter_its_final_collection() -> None:
    """At exit every object is frozen (``gc.freeze``), so the interpreter's last garbage
    collection walks none of them (about 0.2 s of a port day's CPU); registered once,
    however often ``main`` runs in one process. A handler registered before ``main``
    runs after the command's own (atexit is last in, first out) and sees the freeze."""
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, flush=True))\n"
        "from riskprofile.cli import main\n"
        "main(['fields', '--format', 'json'])\n"
        "once = atexit._ncallbacks()\n"
        "main(['fields', '--format', 'json'])\n"
        "main(['fields', '--format', 'json'])\n"
        "print('handlers', atexit._ncallbacks() - once, flush=True)\n"
    )
    import riskprofile

    env = {**os.environ, "PYTHONPATH": str(Path(riskprofile.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    lines = done.stdout.splitlines()
    assert lines[-1] == "frozen True"
    assert lines[-2] == "handlers 0"  # registered by the first run only


def test_only_version_reads_the_package_metadata() -> None:
    """Reading the installed version imports importlib.metadata (and email): about 45 ms
    that only ``--version`` needs, not every command's parser."""
    import riskprofile

    probe = (
        "import sys\n"
        "from riskprofile.cli import main\n"
        "try:\n"
        "    main(['{}'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(riskprofile.__file__).parents[1])}
    outs = {}
    for option in ("--help", "--version"):
        done = subprocess.run(
            [sys.executable, "-c", probe.format(option)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        outs[option] = done.stdout.splitlines()
    assert outs["--help"][-1] == "False"
    assert outs["--version"] == [f"riskprofile {riskprofile.__version__}", "True"]
