"""The dashboard served and driven in a real browser: headless Debian Chromium under Playwright.

Used by the browser test (tests/integration/test_dashboard_browser.py) and by `python -m dashboard.screenshots`,
which writes the pictures of docs/dashboard.md. Playwright's own browser download is not used: Chromium comes
from Debian's `chromium` package, installed here when it is missing and this runs as root (as
segmentation_tools/engines/postgres_server.py installs PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.serve import streamlit_command
from segmentation.project import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
DEBIAN_PACKAGES = ("chromium", "chromium-driver")
# Headless, and nothing that reaches out to the network or writes outside the fresh profile.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
START_SECONDS = 90
PAGE_SECONDS = 60
# Streamlit's own test ids: a chart is drawn when its Vega view holds a canvas or an svg; a page is done when
# Streamlit's status widget stops showing that the script runs.
CHARTS_DRAWN = """
(expected) => {
    if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return charts.length >= expected && charts.every((chart) => chart.querySelector('canvas, svg'));
}
"""

# Every given text is in the page's main area (a page without charts is "drawn" before its widgets are).
TEXTS_SHOWN = """
(texts) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const text = main ? main.innerText : "";
    return texts.every((expected) => text.includes(expected));
}
"""


class BrowserUnavailable(Exception):
    """No Chromium here, and no way to install it."""


def ensure_chromium() -> Path:
    """/usr/bin/chromium, installed from Debian's packages when missing (only root can)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise BrowserUnavailable(
            f"{CHROMIUM} not found: install it (apt-get install {' '.join(DEBIAN_PACKAGES)}) or run as root"
        )
    print(f"Installing {', '.join(DEBIAN_PACKAGES)} from Debian's packages ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES]):
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise BrowserUnavailable(
                f"{' '.join(command)} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"{' '.join(DEBIAN_PACKAGES)} installed but no {CHROMIUM}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_app(database: Path, segments_file: Path | None = None) -> Iterator[str]:
    """The app on a free loopback port, reading `database`; yields its address and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "DASHBOARD_DATABASE": str(database)}
    if segments_file is not None:
        env["DASHBOARD_SEGMENTS_FILE"] = str(segments_file)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            streamlit_command(port), cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_SECONDS
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the dashboard did not start on {url}:\n{log.read().decode()[-3000:]}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Visit:
    title: str
    seconds: float
    text: str
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium with a fresh profile, for visiting pages one after another."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        self.page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.console_errors.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(f"console error: {message.text}")

    def open(self, url: str, width: int = 1400, height: int = 900) -> None:
        """Load the app (its first page); the other pages are reached from its navigation, as a user does.
        (Loading a page's own address makes Streamlit's frontend probe `<page>/_stcore/...` first, a 404 it
        recovers from but that a console-error check would count.) Streamlit scrolls inside its own pane, so a
        screenshot holds what fits in `height`."""
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.goto(url, wait_until="domcontentloaded")

    def visit(
        self,
        title: str,
        expected_charts: int,
        screenshot: Path,
        url_path: str | None = None,
        expected_texts: Sequence[str] = (),
    ) -> Visit:
        """Go to the page titled `title` (click its navigation link unless it is the one open), wait until its
        script has finished, `expected_charts` charts are drawn and `expected_texts` are shown (at most
        PAGE_SECONDS: a text still missing then is the caller's to report), and take a full-page screenshot."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.console_errors.clear()
        started = time.perf_counter()
        if url_path is not None:
            self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').click()
        self.page.locator("h1", has_text=title).first.wait_for(timeout=PAGE_SECONDS * 1000)
        self.page.wait_for_function(CHARTS_DRAWN, arg=expected_charts, timeout=PAGE_SECONDS * 1000, polling=200)
        if expected_texts:
            with contextlib.suppress(PlaywrightTimeout):
                self.page.wait_for_function(
                    TEXTS_SHOWN, arg=list(expected_texts), timeout=PAGE_SECONDS * 1000, polling=200
                )
        seconds = time.perf_counter() - started
        self.page.wait_for_timeout(300)  # let the last chart's transition finish before the picture
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(screenshot), full_page=True)
        text = (
            self.page.inner_text('[data-testid="stMain"]') if self.page.query_selector('[data-testid="stMain"]') else ""
        )
        return Visit(title, seconds, text or self.page.inner_text("body"), screenshot, list(self.console_errors))


@contextlib.contextmanager
def chromium(chromium_path: Path | None = None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path or ensure_chromium()
    profile = Path(tempfile.mkdtemp(prefix="dashboard-chromium-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
