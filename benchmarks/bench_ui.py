"""Live performance of the training studio in headless Chromium, measured side by side in one run.

Starts its own `streamlit run app.py` on a free port, opens the studio on the classroom reference model
(moons, 200 samples, MLP 2-8-8-1 tanh, Adam lr 0.01, L2 1e-3 on weights) and measures, in the browser:
  1. UI refreshes per second while playing: how often the "Step" metric's text changes, and how often each
     Plotly chart redraws (`plotly_afterplot`, grouped by the Step shown), medians of 1-second buckets;
  2. training steps per second shown while playing (the Step metric's growth), median of 1-second buckets;
     both again with each chart tab open in turn (only the open tab is drawn);
  3. time from page.goto to the first drawn chart, cold (first page after the server starts) and warm;
  4. latency from a slider key press (while paused) to the first chart whose data changed;
  5. a classroom: N sessions in separate browser contexts, all but one playing; the minimum per-session
     refreshes/s and steps/s, the server's and the browser's CPU, and isolation between sessions.
Every timestamp is the page's own performance.now(), recorded by a script injected before the app loads; the
same script logs chart remounts and the websocket traffic (message times and sizes), printed as details under
the table with the CPU each side spends per refresh, and the machine's load is printed too: these machines are
shared, and other people's work slows every figure.

Run:  python benchmarks/bench_ui.py              (10 s windows, about 4 minutes on a quiet machine)
      python benchmarks/bench_ui.py --quick      (5 s windows, about 2 minutes)
      python benchmarks/bench_ui.py --no-charts  (plotly.js blocked: the server's capacity alone)
Needs Linux (/proc for CPU accounting), playwright (python) and /usr/bin/chromium. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from paramviz import TrainConfig  # noqa: E402
from paramviz.ui.urls import studio_url  # noqa: E402

REFERENCE = TrainConfig(dataset="moons", n_samples=200, hidden_layers=(8, 8), activation="tanh",
                        optimizer="adam", learning_rate=0.01, regularizer="l2", reg_strength=1e-3)
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "e2e" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 # background tabs (the classroom's other sessions) must not be throttled
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
                 "--disable-renderer-backgrounding"]
PLAY, PAUSE, RESET, STEP_METRIC = "Play", "Pause", "Reset", "Step"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Settings:
    window: float = 10.0  # seconds of each live measurement
    warmup: float = 3.0  # seconds of playing before a window starts
    warm_loads: int = 3  # warm page loads for the first-charts figure
    slider_repeats: int = 7
    sessions: int = 6
    paused_sessions: int = 1
    charts: bool = True  # False: plotly.js blocked, the browsers draw no chart (the server's capacity alone)


QUICK = Settings(window=5.0, warmup=2.0, warm_loads=2, slider_repeats=3)


@dataclass
class Row:
    measure: str
    value: float
    target: float
    higher_is_better: bool

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def main() -> None:
    args = parse_args()
    settings = QUICK if args.quick else Settings()
    if args.sessions:
        settings = replace(settings, sessions=args.sessions)
    if args.no_charts:
        settings = replace(settings, charts=False)
    rows: list[Row] = []
    details: list[str] = [f"machine before: {machine_load()}"]
    with streamlit_server(Path(args.app), args.set) as (base_url, server_pid, server_log):
        url = base_url + (args.path or reference_path())
        details.append(f"page {url}; server pid {server_pid}; server options: {args.set or 'defaults'}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name in args.only.split(","):
                if not settings.charts and name in NEED_CHARTS:
                    details.append(f"{name}: skipped, it needs the charts (--no-charts)")
                    continue
                print(f"measuring {name} ...", file=sys.stderr, flush=True)
                try:
                    r, d = MEASURES[name](browser, url, settings, server_pid)
                except RuntimeError as e:
                    raise RuntimeError(f"{e}\n--- {server_log} ---\n{tail(server_log)}") from None
                rows += r
                details += d
            browser.close()
    details.append(f"machine after: {machine_load()}")
    print_report(rows, details, settings)


def reference_path() -> str:
    """The studio on the reference model, as the app's own links open it."""
    return studio_url(REFERENCE)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="5 s windows and fewer repeats")
    p.add_argument("--app", default=str(REPO / "app.py"), help="Streamlit script to serve (default: app.py)")
    p.add_argument("--path", default=None, help="page path and query (default: the studio, reference model)")
    p.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                   help="a Streamlit option for the server, e.g. runner.postScriptGC=false (repeatable)")
    p.add_argument("--no-charts", action="store_true",
                   help="block plotly.js: the browsers draw no chart, what is left is the server's capacity")
    p.add_argument("--sessions", type=int, default=None, help="sessions in the classroom test (default 6)")
    p.add_argument("--only", default=",".join(MEASURES),
                   help="comma-separated subset of " + ",".join(MEASURES))
    args = p.parse_args()
    unknown = set(args.only.split(",")) - set(MEASURES)
    if unknown:
        p.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {', '.join(MEASURES)}")
    return args


# ---- server and CPU accounting -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.read().decode().strip() == "ok"
    except OSError:
        return False


@contextmanager
def streamlit_server(app: Path, options: list[str] = (),
                     timeout: float = 60.0) -> Iterator[tuple[str, int, Path]]:
    """`streamlit run app` from the repo root (so .streamlit/config.toml applies), with extra config options
    ("runner.postScriptGC=false"); yields (base URL, pid, log file). The log is kept only after a failure."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true", "--server.port",
           str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    for option in options:
        name, _, value = option.partition("=")
        cmd += [f"--{name}", value]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")])}
    log = Path(tempfile.mkstemp(prefix="bench_ui_server_", suffix=".log")[1])
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base, ok = f"http://127.0.0.1:{port}", False
    try:
        deadline = time.monotonic() + timeout
        while not healthy(base + "/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{tail(log)}")
            time.sleep(0.2)
        yield base, proc.pid, log
        ok = True
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if ok:
            log.unlink(missing_ok=True)


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of one process, from /proc/<pid>/stat (0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def descendants(pid: int) -> list[int]:
    """Every process below pid (Playwright's driver and the Chromium processes it starts)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all cores, every user), from /proc/stat."""
    parts = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(x) for x in parts]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK  # all but idle and iowait


def machine_load() -> str:
    """Load average and CPU pressure (the share of time some task waited for a CPU): other people's work on a
    shared machine slows both the server and the browser, so every report says how busy the machine was."""
    load = Path("/proc/loadavg").read_text().split()[:3]
    try:
        psi = Path("/proc/pressure/cpu").read_text().split("\n", 1)[0]
        pressure = re.search(r"avg60=([\d.]+)", psi).group(1) + "%"
    except (OSError, AttributeError):
        pressure = "n/a"
    return f"load average {' '.join(load)} on {os.cpu_count()} cores, CPU pressure (avg60) {pressure}"


def process_kind(pid: int) -> str:
    """"renderer", "gpu-process" (software WebGL here: --disable-gpu), "utility", "browser" (Chromium's main
    process) or the program's name (node: Playwright's driver). Chromium rewrites its command line into one
    string, so its flags are searched, not split."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if m := re.search(r"--type=(\S+)", cmd):
        return m.group(1)
    markers = {"--renderer-client-id": "renderer", "--gpu-preferences": "gpu-process",
               "--utility-sub-type": "utility", "--remote-debugging-pipe": "browser"}
    if kind := next((k for marker, k in markers.items() if marker in cmd), None):
        return kind
    return "chromium (other)" if "chromium" in cmd else Path(cmd.split(" ", 1)[0]).name


class CpuMeter:
    """CPU use over a window in % of one core: the server, the browser (our descendants but the server, by
    process kind) and the whole machine."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.browser = {p: process_kind(p) for p in descendants(os.getpid()) if p != server_pid}
        self.start = self._sample()

    def _sample(self) -> dict:
        return {"wall": time.monotonic(), "server": cpu_seconds(self.server_pid),
                "machine": machine_busy_seconds(), "pids": {p: cpu_seconds(p) for p in self.browser}}

    def stop(self) -> dict:
        end = self._sample()
        wall = end["wall"] - self.start["wall"]
        parts: dict[str, float] = {}
        for p, kind in self.browser.items():
            parts[kind] = parts.get(kind, 0.0) + (end["pids"][p] - self.start["pids"][p]) / wall * 100
        server = (end["server"] - self.start["server"]) / wall * 100
        machine = (end["machine"] - self.start["machine"]) / wall * 100
        browser = sum(parts.values())
        return {"server": server, "browser": browser, "machine": machine, "other": machine - server - browser,
                "wall": wall, "browser_parts": parts}


def cpu_line(cpu: dict[str, float]) -> str:
    parts = ", ".join(f"{k} {v:.0f}%" for k, v in sorted(cpu["browser_parts"].items(), key=lambda kv: -kv[1]))
    return (f"CPU in % of one core ({os.cpu_count()} cores = {100 * os.cpu_count()}%): server "
            f"{cpu['server']:.0f}%, browser {cpu['browser']:.0f}% ({parts}), everything else on the machine "
            f"{cpu['other']:.0f}%")


def cost_line(cpu: dict[str, float], refreshes: int) -> str:
    """CPU time per refresh: unlike rates, roughly independent of how busy the machine is, so it says which
    side would limit the frame rate on a quiet machine (the server's Python runs on one core: the GIL)."""
    if not refreshes:
        return "CPU per refresh: no refresh in the window"
    per = {k: cpu[k] / 100 * cpu["wall"] * 1000 / refreshes for k in ("server", "browser")}
    page = f" (its page's main thread {1000 * cpu['main_thread'] / refreshes:.0f} ms)" if "main_thread" in cpu else ""
    return (f"CPU per refresh ({refreshes} refreshes): server {per['server']:.0f} ms, browser "
            f"{per['browser']:.0f} ms{page}")


# ---- in-page instrumentation -------------------------------------------------------------------------------

# Injected before the app's own scripts. Logs, with performance.now() times in ms:
#   steps: [t, text] each time the "Step" metric's text changes (MutationObserver on the page + a 10 ms poll);
#   plots: [t, chart] for every plotly_afterplot event (chart: its title, or its position on the page);
#   mounts: [t, chart] each time a chart's plot div is new (a remount: plotly draws it from scratch);
#   ws:    [t, 0 sent | 1 received, bytes] for every websocket message;
#   drawn: {chart: t} when each chart first had its svg; change: set by arm(), see slider_latency;
#   busy:  ms this script itself spent, so its overhead can be reported.
INSTRUMENT_JS = r"""
(() => {
  if (window.__bench) return;
  const STEP = %(step)s, now = () => performance.now();
  const W = window.__bench = {steps: [], plots: [], mounts: [], ws: [], drawn: {}, change: null, busy: 0};
  const size = (d) => d == null ? 0 : (d.byteLength ?? d.size ?? d.length ?? 0);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => W.ws.push([now(), 1, size(e.data)]));
    }
    send(data) { W.ws.push([now(), 0, size(data)]); return super.send(data); }
  };
  const timed = (f) => (...args) => { const t = now(); try { f(...args); } finally { W.busy += now() - t; } };
  let stepEl = null, lastText = null;
  function findStep() {
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const label = m.querySelector('[data-testid="stMetricLabel"]');
      if (label && label.textContent.trim() === STEP) return m.querySelector('[data-testid="stMetricValue"]');
    }
    return null;
  }
  function checkStep() {
    if (!stepEl || !stepEl.isConnected) stepEl = findStep();
    if (!stepEl) return;
    const text = stepEl.textContent.trim();
    if (text !== lastText) { lastText = text; W.steps.push([now(), text]); }
  }
  const charts = () => Array.from(document.querySelectorAll('.js-plotly-plot:not(.pv-live-chart-overlay)'));
  function key(gd) {
    const t = gd.layout && gd.layout.title;
    const text = String((t && (t.text ?? t)) || '').replace(/<[^>]*>/g, '').trim();
    return text || 'chart ' + (charts().indexOf(gd) + 1);
  }
  function fnv(h, bytes) {
    for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function sig(gd) {  // a hash of the chart's data (typed arrays hashed by their bytes)
    const text = JSON.stringify(gd.data || null, (k, v) => ArrayBuffer.isView(v)
      ? 'ta' + fnv(2166136261, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) : v);
    return fnv(2166136261, new TextEncoder().encode(text));
  }
  function drew(gd) {
    const t = now(), k = key(gd), c = W.change;
    W.plots.push([t, k]);
    if (!(k in W.drawn)) W.drawn[k] = t;
    if (c && !(k in c.hits) && sig(gd) !== c.base[k]) c.hits[k] = t;
  }
  function tag(gd) {
    if (gd.__benchTagged || !gd.on) return;
    gd.__benchTagged = true;
    W.mounts.push([now(), key(gd)]);
    gd.on('plotly_afterplot', timed(() => drew(gd)));
    if (gd.querySelector('.main-svg')) drew(gd);  // drawn before we could listen
  }
  const scan = timed(() => { checkStep(); charts().forEach(tag); });
  W.arm = () => {
    const base = {};
    charts().forEach((gd) => { base[key(gd)] = sig(gd); });
    W.change = {t0: now(), base, hits: {}};
    return W.change.t0;
  };
  new MutationObserver(scan).observe(document, {subtree: true, childList: true, characterData: true});
  setInterval(scan, 10);
})();
"""


def new_session(browser: Browser, url: str, charts: bool = True) -> Page:
    """A page in its own browser context (own cookies: its own Streamlit session), loaded, a chart drawn.
    charts=False blocks plotly.js, so the page draws no chart: what is left is the server's work."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(120_000)
    context.add_init_script(INSTRUMENT_JS % {"step": json.dumps(STEP_METRIC)})
    if not charts:
        context.route(re.compile(r".*/plotly\.min\.js$"), lambda route: route.abort())
    page = context.new_page()
    page.goto(url)
    try:
        wait_ready(page, charts)
    except PlaywrightError as e:
        raise RuntimeError(f"the studio did not show a Step metric and a chart: {e.message.splitlines()[0]}; "
                           f"see {screenshot(page, 'not_ready')}") from None
    if page.get_by_text("Page not found").count():
        raise RuntimeError(f"{url} shows Streamlit's 'Page not found' dialog")
    return page


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"bench_ui_{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


# Connected, the Step metric shown and a chart drawn. (Not "no script running": a playing session never stops
# running its fragment.)
READY_JS = """(charts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (charts && document.querySelector('[data-testid="stException"]')) return true;  // see wait_ready
  return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED' && __bench.steps.length > 0
    && (!charts || !!document.querySelector('.js-plotly-plot:not(.pv-live-chart-overlay) .main-svg'));
}"""


def wait_ready(page: Page, charts: bool = True, settle: float = 0.5) -> None:
    page.wait_for_function(READY_JS, arg=charts, polling=50)
    if charts and page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"the app shows an exception; see {screenshot(page, 'exception')}")
    time.sleep(settle)


def button(page: Page, label: str):
    """The visible button whose text ends with label (its text may start with a material icon's name)."""
    return page.locator('[data-testid="stButton"] button').filter(has_text=re.compile(rf"{label}\s*$"),
                                                                   visible=True).first


def press(page: Page, label: str, then: str) -> None:
    """Click a button and wait until `then` shows. A dispatched click, not a mouse click: while playing, the
    page redraws constantly and a mouse click would wait for the button to hold still. One click only (a
    second one could undo a slow first one)."""
    button(page, label).dispatch_event("click")
    try:
        button(page, then).wait_for(timeout=120_000)
    except PlaywrightError:
        shot = screenshot(page, "press_" + label)
        raise RuntimeError(f"pressing {label} never showed {then} in 120 s; see {shot}") from None


def play(page: Page) -> None:
    press(page, PLAY, then=PAUSE)


def pause_if_playing(page: Page) -> None:
    if button(page, PAUSE).count():
        press(page, PAUSE, then=PLAY)


def marks(pages: list[Page], origins: list[float], now: float) -> list[tuple[float, float]]:
    """`now` (wall clock, s) on each page's clock, and the ms its instrumentation has used so far. Times come
    from this process's clock and each page's timeOrigin (both wall clock), so every page gets the same
    instant however long the calls into busy pages take."""
    return [(now * 1000 - origin, page.evaluate("__bench.busy")) for page, origin in zip(pages, origins)]


def measure_window(pages: list[Page], window: float, server_pid: int) -> tuple[list[Live], dict]:
    """Each page's figures over the same `window` seconds, starting now, and the CPU use meanwhile."""
    origins = [time_origin(p) for p in pages]
    t0 = time.time()
    cpu, starts = CpuMeter(server_pid), marks(pages, origins, t0)
    time.sleep(max(0.0, t0 + window - time.time()))
    t1 = time.time()
    usage = cpu.stop()
    ends = marks(pages, origins, t1)
    return [live_figures(log(p), a, b) for p, a, b in zip(pages, starts, ends)], usage


def time_origin(page: Page) -> float:
    """The wall-clock time (ms since the epoch) of the page's performance.now() == 0."""
    return page.evaluate("performance.timeOrigin")


def log(page: Page) -> dict:
    keys = ("steps", "plots", "mounts", "ws", "drawn", "change")
    return page.evaluate("({" + ", ".join(f"{k}: __bench.{k}" for k in keys) + "})")


# ---- pure statistics over the logs -------------------------------------------------------------------------

def parse_count(text: str) -> int:
    """The Step metric's text as a number: "12,345" → 12345, "12.3k" → 12300, "1.2M" → 1200000."""
    m = re.search(r"(\d[\d,\s]*(?:\.\d+)?)\s*([kKMB]?)", text)
    if not m:
        raise ValueError(f"the Step metric shows no number: {text!r}")
    number = float(re.sub(r"[,\s]", "", m.group(1)))
    return int(round(number * {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}[m.group(2)]))


def buckets(t0: float, t1: float, width: float = 1000.0) -> list[tuple[float, float]]:
    n = max(1, int((t1 - t0) // width))
    return [(t0 + i * width, t0 + (i + 1) * width) for i in range(n)]


def events_per_second(times: list[float], t0: float, t1: float) -> list[float]:
    """Events in each whole second of [t0, t1) (t in ms)."""
    return [sum(a <= t < b for t in times) for a, b in buckets(t0, t1)]


def redraw_times(afterplots: list[float], step_times: list[float]) -> list[float]:
    """One time per Step value during which the chart redrew: plotly fires plotly_afterplot two or three
    times for one new figure (the draw, then autosize), so the events are grouped by the Step shown."""
    first: dict[int, float] = {}
    for t in afterplots:
        first.setdefault(bisect.bisect_right(step_times, t), t)
    return list(first.values())


def value_at(samples: list[tuple[float, int]], t: float) -> int:
    """The last value shown at or before time t."""
    before = [v for s, v in samples if s <= t]
    return before[-1] if before else samples[0][1]


def steps_per_second(samples: list[tuple[float, int]], t0: float, t1: float) -> list[float]:
    return [(value_at(samples, b) - value_at(samples, a)) * 1000 / (b - a) for a, b in buckets(t0, t1)]


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


@dataclass
class Live:
    """One session's figures over a window."""

    refreshes: list[float]  # Step-text changes in each second
    n_refreshes: int  # Step-text changes in the whole window
    steps: list[float]  # steps shown per second, each second
    overall_steps: float  # (last − first) / elapsed
    redraws: dict[str, list[float]]  # per chart, per second: Step values after which the chart redrew
    mounts: dict[str, int]  # new plot divs per chart in the window (each one a from-scratch plot)
    overhead: float  # share of the window the instrumentation itself used
    bytes_in: float  # websocket bytes received per second
    msgs_in: list[int]  # sizes of the received messages
    first_step: int
    last_step: int
    longest_gap: float  # s: the longest the Step metric stood still in the window


def live_figures(lg: dict, start: tuple[float, float], end: tuple[float, float]) -> Live:
    (t0, busy0), (t1, busy1) = start, end
    samples = [(t, parse_count(text)) for t, text in lg["steps"]]
    first, last = value_at(samples, t0), value_at(samples, t1)
    step_times = [t for t, _ in lg["steps"]]
    redraws = {chart: events_per_second(redraw_times([t for t, c in lg["plots"] if c == chart], step_times),
                                        t0, t1)
               for chart in sorted({c for _, c in lg["plots"]})}
    mounts = {chart: sum(t0 <= t < t1 and c == chart for t, c in lg["mounts"]) for chart in redraws}
    received = [n for t, d, n in lg["ws"] if d == 1 and t0 <= t < t1]
    return Live(refreshes=events_per_second([t for t, _ in lg["steps"]], t0, t1),
                n_refreshes=sum(t0 <= t < t1 for t, _ in lg["steps"]),
                steps=steps_per_second(samples, t0, t1), overall_steps=(last - first) * 1000 / (t1 - t0),
                redraws=redraws, mounts=mounts, overhead=(busy1 - busy0) / (t1 - t0),
                bytes_in=sum(received) * 1000 / (t1 - t0), msgs_in=received,
                first_step=first, last_step=last, longest_gap=longest_gap(step_times, t0, t1))


def longest_gap(times: list[float], t0: float, t1: float) -> float:
    """The longest time in s between two Step changes in [t0, t1), counting from t0 and up to t1."""
    edges = [t0, *(t for t in times if t0 <= t < t1), t1]
    return max(b - a for a, b in zip(edges, edges[1:])) / 1000


def describe_live(who: str, f: Live) -> list[str]:
    lines = [f"{who}: refreshes/s median {median(f.refreshes):.1f} (per second: {fmt_list(f.refreshes)}); "
             f"steps/s median {median(f.steps):,.0f}, overall {f.overall_steps:,.0f} "
             f"(Step {f.first_step:,} -> {f.last_step:,}); Step stood still at most {f.longest_gap:.2f} s"]
    for name, per_s in f.redraws.items():
        lines.append(f"    chart {name}: {median(per_s):.1f} redraws/s (per second: {fmt_list(per_s)}); "
                     f"remounted {f.mounts[name]} times")
    if not f.redraws:
        lines.append("    no plotly_afterplot events seen: the charts did not redraw")
    lines.append(f"    instrumentation overhead: {100 * f.overhead:.1f}% of the page's main thread")
    if f.msgs_in:
        lines.append(f"    websocket in: {f.bytes_in / 1024:,.0f} KiB/s, {len(f.msgs_in)} messages, median "
                     f"{median(f.msgs_in) / 1024:.1f} KiB, largest {max(f.msgs_in) / 1024:.1f} KiB")
    return lines


def fmt_list(xs: list[float]) -> str:
    return " ".join(f"{x:.0f}" for x in xs)


# ---- the measurements: each returns (rows, detail lines) ---------------------------------------------------

class Load(NamedTuple):
    """Seconds from navigation start to: the frontend's first websocket message (page and scripts loaded,
    the script run requested), the last message before the first chart was drawn (its data), the end of the
    download of the plotly.js chunk (Streamlit loads it when the first chart arrives; it is then parsed), the
    first chart drawn and every chart drawn."""

    requested: float
    data: float
    plotly_js: float
    first: float
    all: float
    n_charts: int

    def text(self) -> str:
        return (f"{self.first:.2f}/{self.all:.2f} (run requested {self.requested:.2f}, chart data in "
                f"{self.data:.2f}, plotly.js chunk downloaded {self.plotly_js:.2f})")


def first_charts(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    """Navigation start → first chart svg drawn, and → every chart drawn. The first load is the server's first
    session (cold: modules imported and caches filled on demand); later loads are warm. Every load is a fresh
    browser context, so the browser cache is always cold, like a student opening the link."""
    loads = [load_times(browser, url) for _ in range(1 + s.warm_loads)]
    cold, warm = loads[0], loads[1:]
    rows = [Row("first chart, cold server (s)", cold.first, 3.0, False),
            Row(f"first chart, warm server (s, median of {len(warm)})", median([w.first for w in warm]), 3.0,
                False)]
    details = [f"page load -> first chart / all {cold.n_charts} charts drawn, in s: cold {cold.text()}",
               *(f"    warm {w.text()}" for w in warm)]
    return rows, details


def load_times(browser: Browser, url: str) -> Load:
    page = new_session(browser, url)
    time.sleep(0.5)  # let the last charts finish drawing
    lg = log(page)
    plotly_js = page.evaluate("""Math.max(0, ...performance.getEntriesByType('resource')
        .filter((r) => /plotly/i.test(r.name)).map((r) => r.responseEnd))""")
    page.context.close()
    drawn = sorted(lg["drawn"].values())
    if not drawn:
        raise RuntimeError("no chart was drawn")
    sent = [t for t, d, _ in lg["ws"] if d == 0]
    data = [t for t, d, _ in lg["ws"] if d == 1 and t <= drawn[0]]
    nan = float("nan")
    return Load(requested=sent[0] / 1000 if sent else nan, data=data[-1] / 1000 if data else nan,
                plotly_js=plotly_js / 1000, first=drawn[0] / 1000, all=drawn[-1] / 1000, n_charts=len(drawn))


def single_session(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    f, usage = play_one(browser, url, s, s.window, server_pid)
    slowest_chart = min((median(v) for v in f.redraws.values()), default=0.0)
    rows = [Row("UI refreshes/s while playing (Step metric)", median(f.refreshes), 10, True),
            Row("chart redraws/s, slowest chart", slowest_chart, 10, True),
            Row("training steps/s shown while playing", median(f.steps), 2000, True)]
    return rows, [*describe_live("one session playing", f), "    " + cpu_line(usage),
                  "    " + cost_line(usage, f.n_refreshes)]


def play_one(browser: Browser, url: str, s: Settings, window: float, server_pid: int,
             charts: bool | None = None) -> tuple[Live, dict]:
    """One session plays; its figures and the CPU use over `window` seconds after the warm-up, with the seconds
    its page's main thread worked in that window ("main_thread") and when the page first showed its Step
    metric ("shown", s after navigation)."""
    page = new_session(browser, url, s.charts if charts is None else charts)
    shown = log(page)["steps"][0][0] / 1000
    play(page)
    time.sleep(s.warmup)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    busy = main_thread_seconds(cdp)
    (f,), usage = measure_window([page], window, server_pid)
    usage |= {"main_thread": main_thread_seconds(cdp) - busy, "shown": shown}
    pause_if_playing(page)
    page.context.close()
    return f, usage


def main_thread_seconds(cdp) -> float:
    """The page's main thread's busy time so far (CDP Performance.getMetrics: TaskDuration)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def every_tab(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    """The live figures with each chart tab open in turn (only the open tab is drawn), half-length windows."""
    try:
        from paramviz.ui.studio import TABS
    except ImportError as e:
        return [], [f"tabs: could not read the studio's tabs ({e})"]
    rows, details = [], []
    for tab in TABS:
        tab_url = url + ("&" if "?" in url else "?") + urlencode({"chart": tab})
        f, usage = play_one(browser, tab_url, s, s.window / 2, server_pid)
        rows.append(Row(f"tab {tab!r}: refreshes/s", median(f.refreshes), 10, True))
        details += [*describe_live(f"tab {tab!r} open, playing", f), "    " + cost_line(usage, f.n_refreshes)]
    return rows, details


def slider_latency(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    """While paused, press an arrow key on the noise slider (a new data set: every chart changes) and time
    until the first chart's data differs, and until every chart that changes has changed."""
    page = new_session(browser, url)
    pause_if_playing(page)
    wait_ready(page)
    sliders = page.locator('[data-testid="stSlider"]')
    thumb = sliders.filter(has_text=re.compile("noise", re.I)).get_by_role("slider")
    firsts, lasts, sends, replies = [], [], [], []
    for i in range(s.slider_repeats):
        thumb.first.focus()
        t0 = page.evaluate("__bench.arm()")
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function("Object.keys(__bench.change.hits).length > 0", timeout=10_000, polling="raf")
        time.sleep(1.0)  # let the other charts change too
        lg = log(page)
        hits = sorted(lg["change"]["hits"].values())
        sent = [t for t, d, _ in lg["ws"] if d == 0 and t > t0]
        got = [t for t, d, _ in lg["ws"] if d == 1 and sent and t > sent[0]]
        firsts.append(hits[0] - t0)
        lasts.append(hits[-1] - t0)
        sends.append(sent[0] - t0 if sent else float("nan"))
        replies.append(got[0] - sent[0] if got else float("nan"))
        wait_ready(page)
    page.context.close()
    rows = [Row(f"slider -> first chart changed (s, median of {len(firsts)})", median(firsts) / 1000, 0.5,
                False),
            Row("slider -> every chart changed (s, median)", median(lasts) / 1000, 0.5, False)]
    details = [f"noise slider key press -> first chart changed: {fmt_ms(firsts)} ms; -> all changed: "
               f"{fmt_ms(lasts)} ms",
               f"    of which key press -> rerun request sent (frontend debounce): {fmt_ms(sends)} ms; "
               f"request -> first reply from the server: {fmt_ms(replies)} ms"]
    return rows, details


def fmt_ms(xs: list[float]) -> str:
    return " ".join(f"{x:.0f}" for x in xs) + f" (median {median(xs):.0f})"


CLASSROOM_GAP = 2.0  # seconds a playing session may show the same step before it no longer looks live


def classroom(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    pages = [new_session(browser, url, s.charts) for _ in range(s.sessions)]
    n_play = s.sessions - s.paused_sessions
    for page in pages[n_play:]:
        pause_if_playing(page)
    for page in pages[:n_play]:
        play(page)
    time.sleep(s.warmup)
    figs, usage = measure_window(pages, s.window, server_pid)
    isolation, isolation_lines = check_isolation(pages, figs, n_play)
    for p in pages:
        p.context.close()
    playing = figs[:n_play]
    # The target: every playing session advancing and refreshing, isolated. Here: each refreshes at least
    # once a second over the window, never stands still for more than CLASSROOM_GAP seconds and trains at least a
    # frame's worth of steps (the default speed, 200) a second. Ten refreshes a second each is beyond one 2-core
    # machine that also runs every student's browser (each page needs about 100 ms of a core per refresh); the
    # server's own share is in the details (CPU per refresh).
    rows = [Row(f"classroom ({n_play} playing): min refreshes/s per session, whole window",
                min(f.n_refreshes for f in playing) / s.window, 1, True),
            Row("classroom: longest a playing session's Step stood still (s)",
                max(f.longest_gap for f in playing), CLASSROOM_GAP, False),
            Row("classroom: min steps/s per session", min(f.overall_steps for f in playing), 200, True),
            Row("classroom: sessions isolated (1 = yes)", float(isolation), 1, True)]
    details = [f"classroom: {s.sessions} sessions (separate browser contexts), {n_play} playing, "
               f"{s.paused_sessions} paused; " + cpu_line(usage),
               "  " + cost_line(usage, sum(f.n_refreshes for f in figs))]
    for i, f in enumerate(figs):
        details += describe_live(f"  session {i + 1} ({'playing' if i < n_play else 'paused'})", f)
    return rows, details + isolation_lines


FLOOR_APP = REPO / "benchmarks" / "floor_app.py"
FRAME_BUDGET_MS = 100  # of the page's main thread per refresh, at 10 refreshes a second


def floor(browser: Browser, url: str, s: Settings, server_pid: int) -> tuple[list[Row], list[str]]:
    """Where a refresh's time goes in the browser, side by side and alternating: a bare Streamlit page (one
    metric in a fragment rerun ten times a second, benchmarks/floor_app.py, on its own server), the studio with
    plotly.js blocked (Streamlit's work for the studio's page, no drawing) and the studio drawing its charts.
    The main thread's time per refresh comes from each page's own renderer (CDP Performance.getMetrics,
    TaskDuration), so other programs on the machine barely change it; at 10 refreshes a second a page has
    100 ms of it per refresh."""
    with streamlit_server(FLOOR_APP) as (bare_base, bare_pid, _):
        cases = {"bare Streamlit page, one metric": (bare_base + "/", bare_pid, False),
                 "studio, plotly.js blocked": (url, server_pid, False),
                 "studio, charts drawn": (url, server_pid, True)}
        seen: dict[str, list[Floor]] = {name: [] for name in cases}
        for _ in range(2):
            for name, (case_url, pid, charts) in cases.items():
                seen[name].append(floor_case(browser, case_url, pid, charts, s))
    rows, details = [], []
    for name, runs in seen.items():
        ms = median([r.ms_per_refresh for r in runs])
        rows.append(Row(f"{name}: main thread per refresh (ms)", ms, FRAME_BUDGET_MS, False))
        details.append(f"{name}: main thread {fmt_list([r.ms_per_refresh for r in runs])} ms per refresh, busy "
                       f"{fmt_list([r.busy for r in runs])}% of the time, {fmt_list([r.refreshes for r in runs])}"
                       f" refreshes/s; Step metric first shown {' '.join(f'{r.shown:.2f}' for r in runs)} s "
                       "after navigation")
    return rows, details


class Floor(NamedTuple):
    refreshes: float  # median refreshes/s
    ms_per_refresh: float  # the renderer's main thread, per refresh
    busy: float  # % of the window the main thread was busy
    shown: float  # s from navigation to the Step metric first shown


def floor_case(browser: Browser, url: str, server_pid: int, charts: bool, s: Settings) -> Floor:
    f, usage = play_one(browser, url, s, s.window, server_pid, charts)
    busy = usage["main_thread"]
    return Floor(median(f.refreshes), 1000 * busy / max(1, f.n_refreshes), 100 * busy / s.window, usage["shown"])


def check_isolation(pages: list[Page], figs: list[Live], n_play: int) -> tuple[bool, list[str]]:
    """Paused sessions' Step stays constant while the others play; Reset in session 1 sends only session 1
    back to step 0 (the playing ones keep counting, the paused ones keep their step)."""
    paused_still = all(f.first_step == f.last_step and sum(f.refreshes) == 0 for f in figs[n_play:])
    advancing = all(f.last_step > f.first_step for f in figs[:n_play])
    before = [current_step(p) for p in pages]
    button(pages[0], RESET).dispatch_event("click")
    try:
        pages[0].wait_for_function(STEP_BELOW_JS, arg=before[0], timeout=60_000)
    except PlaywrightError:
        pass  # reported below: session 1 did not go back
    after = [current_step(p) for p in pages]
    others_kept = all(a >= b for a, b in zip(after[1:n_play], before[1:n_play])) and \
        after[n_play:] == before[n_play:]
    reset_alone = after[0] < before[0] and others_kept
    lines = [f"  isolation: paused sessions constant {paused_still}; playing sessions advancing {advancing}; "
             f"Reset in session 1 moved only session 1 {reset_alone} (Step before {before}, after {after})"]
    return paused_still and advancing and reset_alone, lines


STEP_BELOW_JS = """(before) => {
  const text = __bench.steps.length ? __bench.steps[__bench.steps.length - 1][1] : '';
  return parseInt(text.replace(/[^0-9]/g, ''), 10) < before;
}"""


def current_step(page: Page) -> int:
    steps = page.evaluate("__bench.steps")
    return parse_count(steps[-1][1])


# ---- report ------------------------------------------------------------------------------------------------

def print_report(rows: list[Row], details: list[str], s: Settings) -> None:
    print(f"paramviz studio in headless Chromium: windows of {s.window:.0f} s after {s.warmup:.0f} s of "
          "playing; rates are medians of 1-second buckets\n")
    width = max(len(r.measure) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  {'target':>10}  result")
    for r in rows:
        op = ">=" if r.higher_is_better else "<="
        value = f"{r.value:,.2f}" if r.value < 100 else f"{r.value:,.0f}"
        print(f"{r.measure:<{width}}  {value:>10}  {op} {r.target:>7,g}  {'MET' if r.met else 'NOT MET'}")
    print("\ndetails:")
    for line in details:
        print("  " + line)


NEED_CHARTS = ("load", "slider", "floor")
MEASURES = {"load": first_charts, "live": single_session, "tabs": every_tab, "slider": slider_latency,
            "classroom": classroom, "floor": floor}

if __name__ == "__main__":
    main()
