"""What each live chart costs the browser per redraw, plotly.js alone on a bare page, measured side by side.

The studio's frame rate is bound by the browser's main thread (benchmarks/README.md): about 100 ms per refresh,
half of it Streamlit's own, the rest the two charts on the page. With the studio playing, a page is too noisy to
show a chart getting a few milliseconds cheaper. Here each chart of the classroom reference model, built as the
studio builds it while playing, is redrawn with `Plotly.react` on a bare page in headless Chromium, alternating
the figures of two nearby steps (fresh arrays each time, as the live chart gets them), and this prints per chart:
  - the main thread's time per redraw (CDP `TaskDuration`: script, style, layout and paint), median of rounds;
  - the synchronous part of `Plotly.react`;
  - the ratio to a one-line chart with the same axes and fonts, redrawn in the same rounds: what any chart costs.
With `--against DIR`, the same charts built by another checkout (a git worktree of an earlier commit, say) are
redrawn alternately with this one's, and the ratio of the two is printed per chart.

Run:  python benchmarks/bench_charts.py                     (about a minute)
      python benchmarks/bench_charts.py --against /tmp/old  (A = /tmp/old, B = this checkout)
Needs playwright (python) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_ui import CHROMIUM, CHROMIUM_ARGS, machine_load  # noqa: E402

WIDTH = 408  # the picked chart's width at 1280 pixels with the sidebar open

# Run in a checkout's own Python process (sys.argv[1] is its root): the studio's live figures for the reference
# model at step 5,000 and 5,200, as JSON, {chart: [figure, figure]}.
BUILD = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/benchmarks")
import numpy as np
import paramviz as pv
from paramviz.charts import training as charts, network
from paramviz.charts.training import encoded
from bench_ui import REFERENCE

HEIGHT = 460
r = pv.Run(REFERENCE)
out = {}
for steps in (5000, 200):
    r.step(steps)
    d = r.data
    p1, p2 = "W1[0,0]", "b1[0]"
    path = (r.trajectory[p1].to_numpy(), r.trajectory[p2].to_numpy())
    center, span = charts.landscape_window([path], (float(path[0][-1]), float(path[1][-1])))
    xs, ys, Z = r.loss_grid(p1, p2, center=center, span=span, n=31)
    landscape = charts.landscape_spec(xs, ys, Z, p1, p2, {"adam (this run)": path}, height=HEIGHT, colorbar=False)
    model = charts.model_spec(r, height=HEIGHT - 30, legend=False, colorbar=False)
    specs = {
        "loss curves": charts.loss_spec(r.history, True, None, height=HEIGHT),
        # while playing, the data points and the contours lie on a layer drawn once: what moves is redrawn
        "the model": {**model, "data": [t for t in model["data"] if t.get("mode") != "markers"]},
        "weights & biases": charts.trajectory_spec(r.trajectory, None, None, height=HEIGHT),
        "loss landscape": {**landscape, "data": [t for t in landscape["data"] if t["type"] != "contour"]},
        "inside the optimizer": charts.optimizer_spec(r.trajectory, r.history, r.layout.n_layers, None,
                                                      height=HEIGHT),
        "network": network.network_spec(r.params, r.layout.sizes, d.features.names, ("class 1",), height=HEIGHT),
    }
    base = charts.loss_spec(r.history, False, None, height=HEIGHT)
    specs["one line (reference)"] = {**base, "data": base["data"][:1]}
    for name, spec in specs.items():
        # while playing, annotations on the paper (panel titles) lie on a layer drawn once (livechart.js)
        notes = [a for a in spec["layout"].get("annotations", []) if (a.get("xref"), a.get("yref")) != ("paper",) * 2]
        out.setdefault(name, []).append(encoded({**spec, "layout": {**spec["layout"], "annotations": notes}}))
print(json.dumps(out))
'''

PAGE = f'<html><body style="margin:0"><div id="g" style="width:{WIDTH}px"></div></body></html>'

REDRAW = """async ([figs, n, width]) => {
  const gd = document.getElementById("g");
  Plotly.purge(gd);
  const layout = (f) => ({...f.layout, width, autosize: false, paper_bgcolor: "rgba(0,0,0,0)",
                          plot_bgcolor: "rgba(0,0,0,0)"});
  await Plotly.react(gd, figs[0].data, layout(figs[0]));
  const sync = [];
  for (let i = 0; i < n; i++) {
    const f = JSON.parse(JSON.stringify(figs[(i + 1) % 2]));  // new arrays each frame, as the live chart gets
    const t0 = performance.now();
    const drawn = Plotly.react(gd, f.data, layout(f));
    sync.push(performance.now() - t0);
    await drawn;
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));  // laid out and painted
  }
  sync.sort((a, b) => a - b);
  return sync[Math.floor(n / 2)];
}"""


def figures(repo: Path) -> dict[str, list[dict]]:
    done = subprocess.run([sys.executable, "-c", BUILD, str(repo)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="another checkout whose charts are redrawn alternately (A)")
    ap.add_argument("--rounds", type=int, default=4, help="rounds per chart (alternating A and B)")
    ap.add_argument("--redraws", type=int, default=30, help="redraws per round")
    args = ap.parse_args()
    sides = {"A": figures(args.against), "B": figures(REPO)} if args.against else {"B": figures(REPO)}
    charts = list(sides["B"])
    plotly_js = REPO / "paramviz" / "ui" / "plotlyjs" / "plotly.min.js"
    print(machine_load(), flush=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_content(PAGE)
        page.add_script_tag(path=str(plotly_js))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def busy() -> float:
            metrics = cdp.send("Performance.getMetrics")["metrics"]
            return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

        results = {(side, c): [] for side in sides for c in charts}
        for i in range(args.rounds):
            for chart in charts:
                for side in (sides if i % 2 == 0 else list(sides)[::-1]):
                    t0 = busy()
                    sync = page.evaluate(REDRAW, [sides[side][chart], args.redraws, WIDTH])
                    results[(side, chart)].append(((busy() - t0) * 1000 / (args.redraws + 1), sync))
        browser.close()
    print(machine_load())
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in results.items()}
    ref = "one line (reference)"
    print(f"\nPer redraw of one chart, {WIDTH} px wide, on a bare page: median of {args.rounds} rounds of "
          f"{args.redraws} redraws; main thread = script, style, layout and paint; x one line = against the "
          "one-line chart of the same rounds.")
    cols = [f"{side} main thread | {side} Plotly.react | {side} x one line" for side in sides]
    print(" | ".join([f"{'chart':22s}", *cols, *(["B / A"] if args.against else [])]))
    for chart in charts:
        cells = [f"{chart:22s}"]
        for side in sides:
            ms, sync = med[(side, chart)]
            cells += [f"{ms:12.1f} ms", f"{sync:12.1f} ms", f"{ms / med[(side, ref)][0]:10.2f}"]
        if args.against:
            cells.append(f"{med[('B', chart)][0] / med[('A', chart)][0]:5.2f}")
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
