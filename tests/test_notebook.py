"""The example notebook runs from top to bottom, and is committed without outputs."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

# Looked for, not imported, at collection: importing ipykernel and matplotlib cost every
# pytest-xdist worker almost half a second; the tests import what they use.
_MISSING = [m for m in ("nbclient", "nbformat", "ipykernel", "matplotlib") if find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"could not find {', '.join(_MISSING)}")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "port-day.ipynb"


def _text(cell: object) -> str:
    outputs = getattr(cell, "outputs", [])
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def test_notebook_is_committed_without_outputs() -> None:
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], "clear the outputs of examples/port-day.ipynb"
            assert cell.execution_count is None


@pytest.mark.slow
def test_notebook_runs() -> None:
    import nbclient
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel is the python3 of the running interpreter (jupyter_client swaps the
    # spec's `python` for sys.executable), so it sees this virtual environment.
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    errors = [
        o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors == []
    images = [
        o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(images) == 2  # the score distribution and the hits per indicator
    # The history store fills in a history field, which a history profile reads.
    history = next(_text(c) for c in notebook.cells if "open_store" in c.get("source", ""))
    assert "container-seized-before: container PCIU6784682 had 1 earlier finding(s)" in history
    # The stow plan against the manifest: both sides' lists and the cross-check's hits.
    stow = next(_text(c) for c in notebook.cells if "stow_run" in c.get("source", ""))
    assert "1 on board and on no manifest, 1 manifested and not on board" in stow
    assert "undeclared-dangerous-goods" in stow
    assert "reefer-setting-on-dry-box" in stow
    last = _text(notebook.cells[-1])
    assert "planted cases selected by the profiles" in last
