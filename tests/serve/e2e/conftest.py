"""End-to-end browser tests: two PCUs' workbenches on two free loopback ports, driven by
Playwright through Debian's Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it).

No browser is downloaded (``playwright install`` is never run): Playwright launches the
system's Chromium, headless, without its sandbox and without background networking.
Without the ``playwright`` package or the ``chromium`` package the tests are skipped,
saying which is missing; with ``RISKPROFILE_REQUIRE_E2E=1`` (CI) they fail instead.
Screenshots go to ``test-artifacts/e2e/`` (git-ignored; CI keeps it).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("RISKPROFILE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "correct horse battery staple"
USERS = {"sue": "supervisor", "ana": "analyst", "otto": "officer"}
START_SECONDS = 90.0

pytestmark = pytest.mark.e2e


def _missing() -> str | None:
    # Looked for, not imported: playwright and the serve extra cost every pytest-xdist
    # worker a third of a second to import at collection (the fixtures import them).
    if find_spec("playwright") is None or find_spec("playwright.sync_api") is None:
        return "the playwright package is not installed (pip install 'riskprofile[e2e]')"
    if not CHROMIUM.exists():
        return f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium)"
    for extra in ("fastapi", "uvicorn", "jinja2", "argon2", "babel"):
        if find_spec(extra) is None:
            return f"the serve extra is not installed ({extra})"
    return None


_WHY = _missing()
if _WHY is not None:
    if os.environ.get("RISKPROFILE_REQUIRE_E2E") == "1":
        raise RuntimeError(f"end-to-end tests required, but {_WHY}")
    pytest.skip(f"end-to-end browser tests: {_WHY}", allow_module_level=True)


def free_port() -> int:
    """A TCP port free on the loopback now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pcu:
    """One PCU's workbench, running as ``riskprofile serve --web`` in a child process."""

    pcu: str
    data: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exchange(self) -> Path:
        return self.data / "exchange"


def _prepare(pcu: Pcu) -> None:
    """Users, the PCU's key: what the PCU's administrator sets up before starting."""
    from riskprofile.exchange import generate_keys
    from riskprofile.serve.web import WebStore, add_user

    pcu.data.mkdir(parents=True)
    store = WebStore(str(pcu.data / "workbench.sqlite"))
    try:
        for name, role in USERS.items():
            add_user(store, name, role, PASSWORD, actor="cli:e2e")
    finally:
        store.close()
    generate_keys(pcu.pcu, pcu.exchange / "keys")


def _trust_each_other(one: Pcu, other: Pcu) -> None:
    from riskprofile.exchange import TrustStore

    trust = TrustStore.load(one.exchange / "trust.json")
    trust.add(other.pcu, (other.exchange / "keys" / f"{other.pcu}.pub.pem").read_bytes())
    trust.save(one.exchange / "trust.json")
    (one.exchange / "partners.json").write_text(json.dumps({other.pcu: other.url}))


def _start(pcu: Pcu, log: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "riskprofile", "serve", "--web", "--data", str(pcu.data),
               "--port", str(pcu.port), "--host", "127.0.0.1", "--country", "PK",
               "--capacity", "8", "--control-rate", "0"]  # fmt: skip
    with log.open("wb") as out:
        pcu.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def _wait(pcu: Pcu, log: Path) -> None:
    # A bounded number of tries, a third of a second apart (each request waits at most 2 s).
    for _try in range(int(START_SECONDS * 3)):
        assert pcu.process is not None
        if pcu.process.poll() is not None:
            raise RuntimeError(f"{pcu.pcu}'s workbench exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(pcu.url + "/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{pcu.pcu}'s workbench did not start in {START_SECONDS:.0f} s")


@pytest.fixture(scope="session")
def pcus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Pcu]]:
    """Karachi and Aktau: two workbenches on two free loopback ports, each with its
    own store and key, each trusting the other and knowing where it listens."""
    base = tmp_path_factory.mktemp("e2e")
    found = {name: Pcu(name, base / name, free_port()) for name in ("PK-KHI", "KZ-AKT")}
    for pcu in found.values():
        _prepare(pcu)
    _trust_each_other(found["PK-KHI"], found["KZ-AKT"])
    _trust_each_other(found["KZ-AKT"], found["PK-KHI"])
    logs = {name: base / f"{name}.log" for name in found}
    try:
        for name, pcu in found.items():
            _start(pcu, logs[name])
        for name, pcu in found.items():
            _wait(pcu, logs[name])
        yield found
    finally:
        for pcu in found.values():
            if pcu.process is not None:
                pcu.process.terminate()
                try:
                    pcu.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    pcu.process.kill()
                    pcu.process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, no sandbox, no background networking."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-sync",
                  "--disable-component-update", "--disable-default-apps", "--no-first-run",
                  "--disable-dev-shm-usage", "--metrics-recording-only"],
        )  # fmt: skip
        try:
            yield launched
        finally:
            launched.close()


class Screens:
    """Saves numbered screenshots into :data:`ARTIFACTS` (a folder per test)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def shot(self, page: Any, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> Screens:
    return Screens(ARTIFACTS / request.node.name)


def sign_in(browser: Any, pcu: Pcu, username: str) -> Any:
    """A new browser context signed in to ``pcu`` as ``username``; its page."""
    context = browser.new_context(base_url=pcu.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(pcu.url + "/")
    return page
