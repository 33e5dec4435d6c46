"""Engine speed against PyTorch CPU on the classroom reference model, measured side by side in one run.

Reference model: moons, 200 samples (140 train / 60 test), MLP 2-8-8-1 tanh, Adam lr 0.01, L2 1e-3 on weights,
batch 32, full train and test loss recorded after every step. The PyTorch loop does the same work: a minibatch
forward/backward with the same penalty, an Adam step, then a no-grad evaluation of train and test loss that is
stored in a history. Both start from the same initial weights.

Run: python benchmarks/bench_engine.py   (needs `pip install torch==2.13.0`; torch is not a paramviz dependency)
Target: paramviz at least 3x PyTorch's steps/s, for run.step(4000) and for 1,000 calls of run.step(1).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import paramviz as pv  # noqa: E402

CFG = pv.TrainConfig(dataset="moons", n_samples=200, noise=0.2, test_fraction=0.3, seed=0, hidden_layers=(8, 8),
                     activation="tanh", optimizer="adam", learning_rate=0.01, batch_size=32,
                     regularizer="l2", reg_strength=1e-3)
STEPS = 4000
CALLS = 1000
REPEATS = 5
DEFAULT_THREADS = torch.get_num_threads()


class TorchLoop:
    """The same training loop in PyTorch: the engine's data and initial weights, Adam, L2, history every step."""

    def __init__(self, run: pv.Run):
        d = run.data
        self.X, self.y = torch.tensor(d.X_train), torch.tensor(d.y_train, dtype=torch.float64)
        self.X_test, self.y_test = torch.tensor(d.X_test), torch.tensor(d.y_test, dtype=torch.float64)
        sizes = run.layout.sizes
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(a, b).double())
            if i < len(sizes) - 2:
                layers.append(torch.nn.Tanh())
        self.model = torch.nn.Sequential(*layers)
        with torch.no_grad():
            linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
            for i, lin in enumerate(linears, start=1):
                lin.weight.copy_(torch.tensor(run.params[f"W{i}"].T))
                lin.bias.copy_(torch.tensor(run.params[f"b{i}"]))
        self.weights = [m.weight for m in self.model if isinstance(m, torch.nn.Linear)]
        self.opt = torch.optim.Adam(self.model.parameters(), lr=CFG.learning_rate)
        self.loss = torch.nn.BCEWithLogitsLoss()
        self.gen = torch.Generator().manual_seed(0)
        self.order, self.pos, self.history = torch.randperm(len(self.y), generator=self.gen), 0, []

    def step(self, n: int) -> None:
        for _ in range(n):
            idx = self.order[self.pos:self.pos + CFG.batch_size]
            self.pos += CFG.batch_size
            if self.pos >= len(self.y):
                self.pos, self.order = 0, torch.randperm(len(self.y), generator=self.gen)
            self.opt.zero_grad()
            penalty = CFG.reg_strength * sum((w * w).sum() for w in self.weights)
            batch_loss = self.loss(self.model(self.X[idx])[:, 0], self.y[idx]) + penalty
            batch_loss.backward()
            self.opt.step()
            with torch.no_grad():
                train = self.loss(self.model(self.X)[:, 0], self.y).item()
                test = self.loss(self.model(self.X_test)[:, 0], self.y_test).item()
            self.history.append((train, test, batch_loss.item()))


def steps_per_second(make, chunk: int, calls: int) -> float:
    trainer = make()
    start = time.perf_counter()
    for _ in range(calls):
        trainer.step(chunk)
    return chunk * calls / (time.perf_counter() - start)


def measure(threads: int) -> dict[str, tuple[float, float]]:
    torch.set_num_threads(threads)
    results = {}
    for label, chunk, calls in ((f"run.step({STEPS})", STEPS, 1), (f"{CALLS} x run.step(1)", 1, CALLS)):
        ours, theirs = [], []
        for _ in range(REPEATS):  # interleaved, so both see the same machine load
            ours.append(steps_per_second(lambda: pv.Run(CFG), chunk, calls))
            theirs.append(steps_per_second(lambda: TorchLoop(pv.Run(CFG)), chunk, calls))
        results[label] = (statistics.median(ours), statistics.median(theirs))
    return results


def check_same_model() -> float:
    """Sanity: full-batch Adam from the same weights gives the same losses in both (max abs difference)."""
    run = pv.Run(CFG.replace(batch_size=100_000))
    loop = TorchLoop(run)
    loop.order = torch.arange(len(loop.y))
    run.step(50)
    for _ in range(50):
        loop.opt.zero_grad()
        penalty = CFG.reg_strength * sum((w * w).sum() for w in loop.weights)
        (loop.loss(loop.model(loop.X)[:, 0], loop.y) + penalty).backward()
        loop.opt.step()
    with torch.no_grad():
        torch_train = loop.loss(loop.model(loop.X)[:, 0], loop.y).item()
    return abs(torch_train - run.history.train_loss.iloc[-1])


def main() -> None:
    print(f"paramviz {pv.__version__} vs torch {torch.__version__}; numpy {np.__version__}")
    print(f"reference model: {pv.Run(CFG)!r}; median of {REPEATS} interleaved repeats\n")
    print(f"same model check: |train loss difference| after 50 full-batch Adam steps = {check_same_model():.2e}\n")
    worst = []
    for threads in sorted({1, DEFAULT_THREADS}):
        for label, (ours, theirs) in measure(threads).items():
            ratio = ours / theirs
            print(f"{label:<22} torch threads={threads}: paramviz {ours:8.0f} steps/s   torch {theirs:8.0f} steps/s"
                  f"   ratio {ratio:5.2f}x")
            worst.append(ratio)
    print(f"\nworst ratio {min(worst):.2f}x (target >= 3x): {'MET' if min(worst) >= 3 else 'NOT MET'}")


if __name__ == "__main__":
    main()
