"""Benchmark: the scoring service's latency for one bill of lading, in-process and on
loopback with two workers.

The Karachi sample call (``examples/data/karachi-sample.csv``) split into its 273
single-B/L documents (and one of the containers no B/L names), each sent as one
``POST /v1/score`` with the bundled library and Pakistan's overlays:

- **in-process** (the application called through httpx's ASGI transport, one request at
  a time): each B/L scored on its own
  (``keep: false``), then the whole call B/L by B/L into the pool, in a seeded random
  order (each addition re-scores the B/Ls its containers share); p50, p99 and max of the
  wall time per request, and of the process's CPU time (on a busy machine the wall time
  counts the time other processes ran);
- **loopback**: ``riskprofile serve --workers 2`` in a child process, ``--clients``
  threads each sending B/Ls on their own connections, bounded by ``--requests`` and
  ``--seconds``; p50, p99 and the throughput.

    python benchmarks/serve.py
    python benchmarks/serve.py --requests 500 --clients 4 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _documents() -> list[dict[str, Any]]:
    from tests.serve.conftest import bill_documents, karachi_call

    documents = bill_documents(karachi_call())
    random.Random(20261102).shuffle(documents)
    return documents


def _quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1e3:6.2f} ms  p99 {p99 * 1e3:6.2f} ms  max {ordered[-1] * 1e3:6.2f} ms"


def in_process(documents: list[dict[str, Any]]) -> None:
    import asyncio

    import httpx

    from riskprofile.serve import ServiceSettings, add_key, create_app

    base = Path(tempfile.mkdtemp(prefix="riskprofile-serve-bench-"))
    key = add_key(base / "keys.txt", "bench")
    app = create_app(ServiceSettings(keys=str(base / "keys.txt"), country="PK",
                                     pool=str(base / "pool.sqlite")))  # fmt: skip
    headers = {"X-API-Key": key}

    async def measure() -> None:
        # The application called in this process, through httpx's ASGI transport (no
        # socket, no thread portal of a test client).
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            for keep in (False, True):
                # Scored once before: the conditions' closures are compiled on first use.
                warm = {"as_of": "2026-11-01", "manifests": documents[:1], "keep": False}
                await client.post("/v1/score", headers=headers, json=warm)
                wall: list[float] = []
                cpu: list[float] = []
                for document in documents:
                    body = {"as_of": "2026-11-02", "manifests": [document], "keep": keep}
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = await client.post("/v1/score", headers=headers, json=body)
                    wall.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                    assert response.status_code == 200, response.text
                what = "into the call's pool" if keep else "on its own (keep=false)"
                print(f"in-process, one B/L {what}, {len(documents)} requests")
                print(f"  wall  {_quantiles(wall)}")
                print(f"  cpu   {_quantiles(cpu)}")

    asyncio.run(measure())


def loopback(documents: list[dict[str, Any]], requests: int, clients: int, seconds: float) -> None:
    import httpx

    from riskprofile.serve import add_key

    base = Path(tempfile.mkdtemp(prefix="riskprofile-serve-bench-"))
    key = add_key(base / "keys.txt", "bench")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_PROXY": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "riskprofile", "serve", "--keys", str(base / "keys.txt"),
         "--country", "PK", "--pool", str(base / "pool.sqlite"), "--port", str(port),
         "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise SystemExit("the service did not start")
        # Warm each worker (its first request compiles the conditions' closures).
        for _ in range(8):
            with httpx.Client(base_url=url, timeout=60) as warm:
                warm.post("/v1/score", headers={"X-API-Key": key},
                          json={"as_of": "2026-11-01", "manifests": documents[:1],
                                "keep": False})  # fmt: skip
        latencies: list[float] = []
        lock = threading.Lock()
        sent = iter(range(requests))
        stop = time.perf_counter() + seconds

        def worker() -> None:
            with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as client:
                for index in sent:
                    if time.perf_counter() > stop:
                        return
                    document = documents[index % len(documents)]
                    body = {"as_of": "2026-11-02", "manifests": [document]}
                    start = time.perf_counter()
                    response = client.post("/v1/score", json=body)
                    elapsed = time.perf_counter() - start
                    assert response.status_code == 200, response.text
                    with lock:
                        latencies.append(elapsed)

        threads = [threading.Thread(target=worker) for _ in range(clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        print(f"loopback, 2 workers, {clients} clients: {len(latencies)} requests in "
              f"{took:.1f} s, {len(latencies) / took:.0f} requests/s")  # fmt: skip
        print(f"  wall  {_quantiles(latencies)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=548, help="loopback requests")
    parser.add_argument("--clients", type=int, default=4, help="loopback client threads")
    parser.add_argument("--seconds", type=float, default=60.0, help="loopback time bound")
    parser.add_argument("--skip-loopback", action="store_true")
    args = parser.parse_args()
    documents = _documents()
    in_process(documents)
    if not args.skip_loopback:
        loopback(documents, args.requests, args.clients, args.seconds)


if __name__ == "__main__":
    main()
