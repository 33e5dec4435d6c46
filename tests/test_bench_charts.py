"""benchmarks/bench_charts.py builds the studio's live figures in a checkout's own process: they must stay
buildable as the chart functions change (the browser part is a benchmark, not a test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_charts_builds_every_live_chart_at_two_steps_as_the_studio_draws_it_while_playing():
    spec = importlib.util.spec_from_file_location("bench_charts", REPO / "benchmarks" / "bench_charts.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figs = bench.figures(REPO)
    assert list(figs) == ["loss curves", "the model", "weights & biases", "loss landscape", "inside the optimizer",
                          "network", "one line (reference)"]
    assert all(len(pair) == 2 and pair[0] != pair[1] for pair in figs.values())  # two different steps
    assert not [t for f in figs["loss landscape"] for t in f["data"] if t["type"] == "contour"]  # on their layer
    assert not [t for f in figs["the model"] for t in f["data"] if t.get("mode") == "markers"]
    assert [len(f["data"]) for f in figs["one line (reference)"]] == [1, 1]
