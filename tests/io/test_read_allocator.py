"""``read_frame`` sets Polars' allocator options (riskprofile._allocator) when it is what
loads Polars, as the command line does: the column-wise readers (a 100,000-container
CUSCAR file, a million-row table) spent a quarter of their CPU in the kernel faulting in
again the pages jemalloc's defaults had just given back.

jemalloc prints its options at exit when ``stats_print`` is among them: the child's own
report says which options it read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from riskprofile._allocator import ALLOCATOR_OPTIONS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-cuscar.edi"


def _child(code: str, user: str | None) -> tuple[str, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    env["PYTHONPATH"] = str(ROOT / "src")
    if user is not None:
        env["_RJEM_MALLOC_CONF"] = user
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    options = dict(re.findall(r"^\s*opt\.(\w+): (\S+)", child.stderr, flags=re.MULTILINE))
    return child.stdout.strip(), options


def test_read_frame_sets_the_allocator_options_before_polars_loads() -> None:
    code = (
        "import os\n"
        "from riskprofile.io import read_frame\n"
        f"print(read_frame({str(SAMPLE)!r}).frame.height)\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])\n"
    )
    out, options = _child(code, "stats_print:true,dirty_decay_ms:777")
    height, variable = out.splitlines()
    assert int(height) > 0
    # (Polars puts its own defaults first when it loads: ours and the user's come after.)
    assert variable.endswith(ALLOCATOR_OPTIONS + ",stats_print:true,dirty_decay_ms:777")
    assert options["oversize_threshold"] == "0"
    assert options["muzzy_decay_ms"] == "0"
    assert options["narenas"] == str(max(1, (os.cpu_count() or 1) // 2))
    assert options["dirty_decay_ms"] == "777"  # the user's own option wins


def test_nothing_is_set_when_polars_was_loaded_first() -> None:
    code = (
        "import os, polars\n"
        "from riskprofile.io import read_frame\n"
        "print(os.environ.get('_RJEM_MALLOC_CONF'))\n"
    )
    out, options = _child(code, "stats_print:true")
    assert ALLOCATOR_OPTIONS not in out
    assert options["oversize_threshold"] != "0"  # jemalloc's own default
