"""Fixtures for the browser end-to-end tests.

The app is served by a real ``streamlit run`` subprocess and driven with Playwright
in Debian's Chromium (``/usr/bin/chromium``); Playwright never downloads a browser.

Streamlit 1.67 ``data-testid`` values confirmed in the installed frontend bundle
(``streamlit/static/static/js/*.js``); those marked * were also seen in a live page:
    stApp*, stAppViewContainer*, stMain*, stMainBlockContainer*, stHeader*, stToolbar*,
    stMainMenu*, stMainMenuButton*, stSidebar*, stSidebarContent*, stSidebarUserContent*,
    stStatusWidget*, stStatusWidgetRunningIcon*, stStatusWidgetRunningManIcon*,
    stConnectionStatus, stAppSkeleton, stSkeleton*, stMetric*, stMetricLabel*,
    stMetricValue*, stMetricDelta*, stPlotlyChart*, stButton*, stBaseButton-<kind>*
    (e.g. stBaseButton-secondary, also used by the uploader's button), stSlider*,
    stSliderThumbValue*, stNumberInput*, stNumberInputField*, stSelectbox, stCheckbox,
    stRadio, stTabs, stTab, stExpander, stFileUploader*, stFileUploaderDropzone*,
    stFileUploaderDropzoneInput*, stFileChip*, stFileChipName*, stDataFrame, stTable,
    stMarkdown*, stMarkdownContainer*, stHeading*, stCaptionContainer, stAlert,
    stAlertContainer, stException*, stExceptionMessage, stSpinner, stProgress, stToast,
    stDownloadButton, stForm, stFormSubmitButton, stElementContainer*, stVerticalBlock*,
    stHorizontalBlock, stColumn.
The status widget (stStatusWidget*) lives in the toolbar: it is not rendered at all when
client.toolbarMode is "minimal", so ``wait_for_app`` relies first on the ``stApp``
attributes ``data-test-script-state`` (initial, running, notRunning, rerunRequested,
stopRequested, compilationError) and ``data-test-connection-state`` (CONNECTED, ...).

Use from a test module (fixtures avoid importing this conftest by name):
    def test_x(app_page, wait_ready):      # app_page: page already on the app, rendered
        app_page.get_by_role("button", name="Train").click()
        wait_ready(app_page)               # == wait_for_app(app_page)

Environment:
    PARAMVIZ_APP  path of the Streamlit script to serve (default: <repo>/app.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
CHROMIUM = "/usr/bin/chromium"
SERVER_START_TIMEOUT_S = 60.0

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]


# --------------------------------------------------------------------------- markers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as ``e2e`` (and give it a timeout if pytest-timeout runs)."""
    has_timeout = config.pluginmanager.hasplugin("timeout")
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if has_timeout and item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(300))


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _app_path() -> Path:
    return Path(os.environ.get("PARAMVIZ_APP", REPO_ROOT / "app.py")).resolve()


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``streamlit run <app>`` on a free loopback port; yield its base URL."""
    app = _app_path()
    if not app.is_file():
        pytest.fail(f"Streamlit app not found: {app} (set PARAMVIZ_APP to override)")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_dir = tmp_path_factory.mktemp("streamlit_server")
    out_path, err_path = log_dir / "stdout.log", log_dir / "stderr.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # cwd = repo root so that .streamlit/config.toml applies.
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=err)

    def logs() -> str:
        return (
            f"--- stderr ---\n{err_path.read_text(errors='replace')}"
            f"\n--- stdout ---\n{out_path.read_text(errors='replace')}"
        )

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} at start-up:\n{logs()}")
            if _health_ok(f"{base_url}/_stcore/health"):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy in {SERVER_START_TIMEOUT_S:.0f} s:\n{logs()}")
            time.sleep(0.25)
        yield base_url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skips when either is unavailable.

    Under CI (``CI`` set) a missing browser or Playwright is an error, not a skip, so a
    broken install step cannot pass silently.
    """
    reason = None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            reason = f"playwright is not importable ({exc}); pip install -r requirements-dev.txt"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(f"e2e browser tests skipped: {reason}")

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser):
    """A fresh 1600x1000 browser context and page per test."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots (git-ignored)."""
    path = E2E_DIR / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- helpers

# True once the app is connected, no script run is in progress and no "Running..."
# indicator is visible, continuously for `stableMs` (so that a rerun triggered just
# before the call has time to start and is not mistaken for idleness).
_IDLE_JS = """
(stableMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = !!app
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && ['notRunning', 'compilationError'].includes(app.getAttribute('data-test-script-state'))
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
    && !document.querySelector('[data-testid="stStatusWidgetRunningManIcon"]')
    && !document.querySelector('[data-testid="stAppSkeleton"]');
  const now = performance.now();
  if (!idle) { window.__paramvizIdleSince = undefined; return false; }
  if (window.__paramvizIdleSince === undefined) { window.__paramvizIdleSince = now; }
  return now - window.__paramvizIdleSince >= stableMs;
}
"""


def wait_for_app(page, timeout: float = 60_000, settle_ms: int = 500) -> None:
    """Wait until Streamlit has finished rendering (after a ``goto`` or an interaction).

    Waits for ``[data-testid="stApp"]``, then until no script run is in progress and the
    status widget's running indicator is gone, stable for ``settle_ms``. ``timeout`` is in ms.
    """
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout)
    page.evaluate("() => { window.__paramvizIdleSince = undefined; }")
    page.wait_for_function(_IDLE_JS, arg=settle_ms, timeout=timeout, polling=100)
    page.wait_for_selector('[data-testid="stStatusWidgetRunningIcon"]', state="hidden", timeout=timeout)


@pytest.fixture
def wait_ready():
    """The :func:`wait_for_app` helper, as a fixture."""
    return wait_for_app


@pytest.fixture
def app_page(page, streamlit_server):
    """``page`` opened on the served app, after its first run has rendered."""
    page.goto(streamlit_server)
    wait_for_app(page)
    return page
