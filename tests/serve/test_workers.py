"""`riskprofile serve --workers 2` starts two worker processes that each load the profiles
themselves, and scores through them, on loopback, bounded in time - started from a
process that has run a columnar score (a fork of it would deadlock)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from riskprofile.serve import add_key
from tests.serve.conftest import ROOT, bill_documents, karachi_call

DOCUMENTARY = str(ROOT / "profiles" / "base" / "documentary.yaml")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(p) for p in text.split())
    return found


@pytest.fixture
def served(tmp_path: Path) -> Any:
    key = add_key(tmp_path / "keys.txt", "tests")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_PROXY": "127.0.0.1"}
    argv = [
        "serve",
        "--keys",
        str(tmp_path / "keys.txt"),
        "--profiles",
        DOCUMENTARY,
        "--pool",
        str(tmp_path / "pool.sqlite"),
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    # The parent scores column-wise first: a worker forked from it would deadlock in
    # Polars' thread pool; spawned workers that load their own profiles do not.
    script = (
        "import sys; from riskprofile import load_profiles, score; "
        f"run = score({str(ROOT / 'examples' / 'data' / 'karachi-sample.csv')!r}, "
        "load_profiles(bundled=True), as_of='2026-11-02', engine='columnar'); "
        "assert run.frame_run is not None; "
        f"from riskprofile.cli import main; sys.exit(main({argv!r}))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # bounded: 240 tries half a second apart
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the service did not answer /healthz after 240 tries")
        yield process, url, {"X-API-Key": key}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_two_workers_start_load_their_own_profiles_and_score(served: Any) -> None:
    process, url, headers = served
    for _ in range(300):  # bounded: the workers are up within a minute
        if len(_children(process.pid)) >= 2:
            break
        time.sleep(0.2)
    workers = _children(process.pid)
    assert len(workers) >= 2, "uvicorn runs two worker processes"
    seen: set[int] = set()
    documents = bill_documents(karachi_call())[:40]
    for document in documents:
        # A new connection each time, so that either worker may take it.
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            seen.add(client.get("/healthz").json()["worker"])
            body = {"as_of": "2026-11-02", "manifests": [document]}
            response = client.post("/v1/score", json=body)
            assert response.status_code == 200, response.text
            assert response.json()["containers"]
    assert seen <= workers, "every answer comes from a worker, never the parent"
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        [call] = client.get("/v1/calls").json()["calls"]
    # Whichever worker took each B/L, the pool they share holds them all.
    assert call["bills_of_lading"] == 40
