"""Sweep speed: 64 trials trained side by side (pv.sweep) against the same 64 trials run one by one with pv.Run,
measured in one run.

Reference model: moons, 200 samples (140 train / 60 test), noise 0.2, MLP 2-8-8-1 tanh, Adam, batch 32, L2.
The sweep varies learning_rate over 8 values × reg_strength over 8 values, 2000 steps each. Both sides record the
full train/test loss every `record_every` steps (the sweep's default, steps/200 = 10): the one-by-one loop runs
Run(cfg) with that record_every (the configs pv.sweep returns carry it) and reads each run's history, as a
hand-written search would. Both sides give the same numbers; the script checks this before printing timings.

Run:  python benchmarks/bench_sweep.py            (about a minute)
      python benchmarks/bench_sweep.py --quick    (500 steps)
Target: vectorised ≥ 8× the trials/s of one-by-one. Both sides run in this one process, single-threaded, so
the ratio is taken from CPU time (time.process_time), which other programs competing for the cores barely
change; wall-clock times are printed too. Also prints n_jobs=2 against n_jobs=1 in wall-clock time
(informative only: with two cores the vectorised sweep is already bound by numpy's elementwise work).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import paramviz as pv  # noqa: E402

CFG = pv.TrainConfig(dataset="moons", n_samples=200, noise=0.2, test_fraction=0.3, seed=0, hidden_layers=(8, 8),
                     activation="tanh", optimizer="adam", learning_rate=0.01, batch_size=32,
                     regularizer="l2", reg_strength=1e-3)
SPACE = {"learning_rate": pv.LogUniform(1e-3, 3e-1, points=8), "reg_strength": pv.LogUniform(1e-4, 1e-1, points=8)}
TARGET = 8.0


class Clock:
    """Wall-clock and CPU seconds of this process, for one block of work."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def vectorised(steps: int, n_jobs: int = 1) -> tuple[Clock, pv.SweepResult]:
    with Clock() as clock:
        result = pv.sweep(CFG, SPACE, steps=steps, n_jobs=n_jobs, details=True)
    return clock, result


def one_by_one(configs: list[pv.TrainConfig], steps: int) -> tuple[Clock, list]:
    with Clock() as clock:
        histories = [pv.Run(cfg).step(steps).history for cfg in configs]
    return clock, histories


def check_same(result: pv.SweepResult, histories: list) -> float:
    """Largest relative difference between the sweep's and the Runs' recorded test losses (expected 0)."""
    worst = 0.0
    for mine, theirs in zip(result.histories, histories):
        if list(mine["step"]) != list(theirs["step"]):
            raise SystemExit("sweep and Run recorded different steps")
        a, b = mine["test_loss"].to_numpy(), theirs["test_loss"].to_numpy()
        worst = max(worst, float(np.max(np.abs(a - b) / np.abs(b))))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 steps instead of 2000")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of each side (median reported)")
    args = parser.parse_args()
    steps = 500 if args.quick else 2000
    vectorised(20)  # warm-up: imports and first-call costs
    n = 64
    sweeps, runs, worst = [], [], 0.0
    for _ in range(args.repeats):  # interleaved, so a busy machine slows both sides alike
        clock, result = vectorised(steps)
        sweeps.append(clock)
        clock, histories = one_by_one(result.configs, steps)
        runs.append(clock)
        worst = max(worst, check_same(result, histories))
    cpu_sweep, cpu_runs = (statistics.median(c.cpu for c in cs) for cs in (sweeps, runs))
    wall_sweep, wall_runs = (statistics.median(c.wall for c in cs) for cs in (sweeps, runs))
    wall_parallel = statistics.median(vectorised(steps, n_jobs=2)[0].wall for _ in range(args.repeats))
    ratio = cpu_runs / cpu_sweep
    print(f"{n} trials × {steps} steps, record_every {result.configs[0].record_every}, "
          f"median of {args.repeats} (max relative difference sweep vs Run: {worst:.1e})")
    print("                           trials/s (CPU)   CPU s    wall s")
    print(f"  one by one (pv.Run)      {n / cpu_runs:8.2f}      {cpu_runs:8.2f}  {wall_runs:8.2f}")
    print(f"  vectorised (pv.sweep)    {n / cpu_sweep:8.2f}      {cpu_sweep:8.2f}  {wall_sweep:8.2f}")
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"  ratio                    {ratio:8.2f}×  (wall clock {wall_runs / wall_sweep:.2f}×; "
          f"target ≥ {TARGET:g}×: {verdict})")
    print(f"  vectorised, n_jobs=2     wall {wall_parallel:6.2f} s = {wall_sweep / wall_parallel:.2f}× n_jobs=1 "
          "(informative)")


if __name__ == "__main__":
    main()
