"""The real-browser harness: gunicorn on 127.0.0.1 with a fresh database, Debian's Chromium
driven by Playwright, axe-core run in every page, and a screenshot of each failure.

Everything here is skipped when Chromium, Playwright or axe-core is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.served import free_port

ROOT = Path(__file__).parent.parent.parent
CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "test-results"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}"
    if not AXE.exists():
        return "axe-core not installed (npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
    # The every-page check adds an open attempt, an essay and other objects to the shared
    # server; running last, it changes nothing a journey expects to find.
    items.sort(key=lambda item: Path(str(item.fspath)).name == "test_every_page.py")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@dataclass
class Server:
    url: str
    accounts: dict[str, tuple[str, str]]  # handle → (email, password)
    env: dict[str, str]

    def flask(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT,  # noqa: S603
                                env=self.env,
                                capture_output=True, text=True, check=True, timeout=300)
        return result.stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The platform under gunicorn on a free local port, with the course and the demo."""
    folder = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{folder / 'lms.sqlite3'}",
        "STORAGE_DIR": str(folder / "storage"),
        "SECRET_KEY": "e2e-secret-key-0123456789-abcdefghijklmnop",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = Server(f"http://127.0.0.1:{port}", {}, env)
    server.flask("db", "upgrade")
    server.flask("lms", "load", "course_content/migration-governance")
    for line in server.flask("lms", "demo").splitlines()[1:]:
        role, email, password = line.split()
        server.accounts[email.split("@")[0]] = (email, password)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(  # noqa: S603
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{server.url}/login", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``new_page()`` opens a page in a fresh browser context (its own cookies)."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w-]+", "_", request.node.nodeid)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(RESULTS / f"{name}-{index}-{number}.png"),
                                full_page=True)
    for context in contexts:
        context.close()


def follow(locator: Any) -> None:
    """Click, then wait until the page the click leads to has loaded.

    A click that starts a navigation returns once the next page's response has arrived, before
    the browser has parsed it, so reading the page straight after could find half of it.
    Waiting for the load event costs nothing after a click that stays on the page.
    """
    locator.click()
    locator.page.wait_for_load_state()


def check_accessibility(page: Any) -> None:
    """Run axe-core in the page (WCAG 2.1 A and AA) and fail on any violation."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    violations = [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]
    assert not violations, f"{page.url}: " + "; ".join(violations)
