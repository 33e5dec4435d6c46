"""Hyperparameter sweeps: grid and random search over TrainConfig fields, with many trials trained side by side.

Trials that share their data, network, batch size and optimizer form a group and train as one stacked theta
(T, P), each with its own learning rate, optimizer constants and penalty as (T, 1) columns: step for step the
same numbers T separate `Run`s would give. Groups, or chunks of large groups, are dispatched through joblib, so
`backend="dask"` runs the same sweep on a Dask cluster.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .config import FIELDS, MAX_HIDDEN_LAYERS, WIDTH, Num, TrainConfig, field_names
from .datasets import Dataset, RawData, check_raw
from .nn import forward
from .optim import SCHEDULES, OptimizerSettings, make_optimizer
from .regularizers import REGULARIZERS, Penalty
from .run import Model, build_model, evaluate, optimizer_settings, sgd_step, to_dataset

MAX_TRIALS = 2000
MAX_STEPS = 1_000_000
METHODS = ("grid", "random")
RECORDS_PER_SWEEP = 200  # the default record_every gives about this many history rows per trial
PROGRESS_EVERY = 0.1  # seconds between calls to the progress callback
EVAL_BUDGET = 4_000_000  # floats in one layer's activations when a chunk is evaluated on all of its data

# Fields that may differ between trials trained together: each trial gets its own number, as a (T, 1) column.
PER_TRIAL_FIELDS = ("learning_rate", "momentum", "beta1", "beta2", "rho", "eps", "weight_decay", "schedule",
                    "schedule_gamma", "schedule_epochs", "regularizer", "reg_strength", "l1_ratio")
NOT_SWEPT = ("record_every", "max_history")  # bookkeeping, set by sweep() itself
# Every other field must be equal for trials to train together: it shapes the data, the network or the
# minibatch order (a field added to TrainConfig later lands here, which is always safe).
GROUP_FIELDS = tuple(f for f in field_names() if f not in PER_TRIAL_FIELDS + NOT_SWEPT)
ARCHITECTURE_KEYS = {"hidden_width": WIDTH, "hidden_depth": Num(0, MAX_HIDDEN_LAYERS, integer=True)}
HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "train_{m}", "test_{m}", "penalty")
DEFAULT_LAYERS = TrainConfig().hidden_layers
STEPS = Num(1, MAX_STEPS, integer=True)
SEED = Num(0, 2**32 - 1, integer=True)
N_TRIALS = Num(1, MAX_TRIALS, integer=True)
DEFAULT_REG_STRENGTH = 0.01  # λ for a regularizer searched without λ: enough to change a small net's fit visibly


# ---- search spaces ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Uniform:
    """A number drawn uniformly from [low, high); a grid uses `points` evenly spaced values from low to high."""

    low: float
    high: float
    points: int = 5

    def sample(self, rng: np.random.Generator, n: int) -> list:
        return rng.uniform(self.low, self.high, n).tolist()

    def grid(self) -> list:
        return np.linspace(self.low, self.high, self.points).tolist()

    def check(self, name: str) -> None:
        kind = type(self).__name__
        for label, value in (("low", self.low), ("high", self.high)):
            if not _is_number(value):
                raise ValueError(f"space[{name!r}]: {kind} {label} must be a finite number; got {value!r}")
        if not self.low < self.high:
            raise ValueError(f"space[{name!r}]: {kind} needs low < high; got low={self.low!r}, high={self.high!r}")
        Num(1, MAX_TRIALS, integer=True).check(f"space[{name!r}].points", self.points)


@dataclass(frozen=True)
class LogUniform(Uniform):
    """log(value) uniform: every decade between low and high is equally likely (learning rates, λ)."""

    def sample(self, rng: np.random.Generator, n: int) -> list:
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n)).tolist()

    def grid(self) -> list:
        return np.geomspace(self.low, self.high, self.points).tolist()

    def check(self, name: str) -> None:
        super().check(name)
        if self.low <= 0:
            raise ValueError(f"space[{name!r}]: LogUniform needs low > 0; got low={self.low!r}")


@dataclass(frozen=True)
class IntUniform(Uniform):
    """A whole number from low to high, both included; a grid rounds `points` evenly spaced values."""

    def sample(self, rng: np.random.Generator, n: int) -> list:
        return rng.integers(int(self.low), int(self.high), n, endpoint=True).tolist()

    def grid(self) -> list:
        return sorted({int(v) for v in np.rint(np.linspace(self.low, self.high, self.points))})

    def check(self, name: str) -> None:
        super().check(name)
        if float(self.low) != int(self.low) or float(self.high) != int(self.high):
            raise ValueError(f"space[{name!r}]: IntUniform needs whole numbers; got {self.low!r}, {self.high!r}")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(x)


# ---- results ------------------------------------------------------------------------------------------------

class SweepCancelled(Exception):
    """Raised when the progress callback returns False; `.partial` is the table of the trials finished so far."""

    def __init__(self, partial: pd.DataFrame):
        super().__init__(f"sweep cancelled after {len(partial)} finished trials")
        self.partial = partial


class SweepResult(NamedTuple):
    """Everything a sweep learned: the summary table and, per trial, its history, final parameters and config."""

    table: pd.DataFrame
    histories: list[pd.DataFrame]  # step, train_loss, test_loss, train_<m>, test_<m>, penalty
    final_params: list[np.ndarray]  # flat parameter vector of each trial, in the order of its param_names
    param_names: list[list[str]]  # "W1[0,3]", "b2[1]", ... (architectures may differ between trials)
    configs: list[TrainConfig]  # Run(configs[i]).step(steps) retraces trial i
    data: list[Dataset]  # the split data each trial saw (one object shared by trials with the same data)

    def predict(self, trial: int, raw_inputs: np.ndarray) -> np.ndarray:
        """Trial `trial`'s final model on raw inputs, as Run.predict: regression values, P(class 1) for
        binary, or (n, k) class probabilities for multi-class."""
        if isinstance(trial, bool) or not isinstance(trial, (int, np.integer)) or not 0 <= trial < len(self.configs):
            raise ValueError(f"trial must be a whole number in [0, {len(self.configs) - 1}]; got {trial!r}")
        data = self.data[trial]
        model = build_model(self.configs[trial], data)
        X = data.features(np.atleast_2d(np.asarray(raw_inputs, dtype=np.float64)))
        with np.errstate(all="ignore"):
            Z = forward(self.final_params[trial][None, :], X, model.layout, model.act)[-1][0]
        return _predictions(Z, model.task)


def _predictions(Z: np.ndarray, task: str) -> np.ndarray:
    """Network outputs to what a student reads: values, P(class 1), or softmax probabilities (as Run.predict)."""
    if task == "regression":
        return Z[:, 0]
    if task == "binary":
        return 0.5 * (1.0 + np.tanh(0.5 * Z[:, 0]))
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# ---- the entry point ----------------------------------------------------------------------------------------

def sweep(base_cfg: TrainConfig, space: dict[str, Any], method: str = "grid", steps: int = 1000,
          n_trials: int | None = None, seed: int = 0, record_every: int | None = None,
          data: RawData | Dataset | None = None, n_jobs: int = 1, backend: str | None = None,
          progress: Callable[[float, int, int, float], Any] | None = None,
          details: bool = False) -> pd.DataFrame | SweepResult:
    """Train one model per point of `space` for `steps` steps and tabulate how each did.

    space: field name -> list of values, or a range (Uniform, LogUniform, IntUniform). Any TrainConfig field,
    plus "hidden_width" and "hidden_depth" (hidden_layers = (width,) * depth).
    method "grid": the full Cartesian product, in the order of space's keys with the last key varying fastest.
    method "random": n_trials settings, each field drawn independently (uniformly from a list, or from its
    range); the same seed gives the same trials.
    A space that varies regularizer but not reg_strength gives every regularizer but none the λ of
    regularizer_strength(base_cfg), and the table a reg_strength column saying which λ each trial used.
    Returns a DataFrame with one row per trial (trial, the swept fields, final_train_loss, final_test_loss,
    best_test_loss, best_step, final_train_<metric>, final_test_<metric>, diverged, diverged_at), or with
    details=True a SweepResult that adds every trial's history, final parameters and config.
    progress(fraction_done, trials_done, n_trials, seconds_elapsed) is called every ~0.1 s and at the end;
    returning False stops the sweep with SweepCancelled (its `.partial` holds the finished trials).
    """
    plan = _plan(base_cfg, space, method, steps, n_trials, seed, record_every)
    _check_options(n_jobs, progress, details)
    if data is not None and not isinstance(data, Dataset):
        data = check_raw(data)  # once, here, rather than failing in every trial
    chunks, metrics = _chunks(plan, data, _n_workers(n_jobs, backend))
    done: dict[int, TrialResult] = {}
    report = _Progress(progress, chunks, len(plan.configs))
    try:
        report.report(0, force=True)
        _train_all(chunks, n_jobs, backend, report, done)
    except _Stopped:
        raise SweepCancelled(_table(plan, done, metrics)) from None
    report.final()
    table = _table(plan, done, metrics)
    return _details(plan, chunks, done, table, data) if details else table


class Plan(NamedTuple):
    """A validated sweep: each trial's swept settings and full config, and what every trial records."""

    settings: list[dict[str, Any]]
    configs: list[TrainConfig]
    steps: int
    record_every: int


def _plan(base_cfg, space, method, steps, n_trials, seed, record_every) -> Plan:
    if not isinstance(base_cfg, TrainConfig):
        raise ValueError(f"base_cfg must be a TrainConfig; got {type(base_cfg).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "grid" and n_trials is not None:
        raise ValueError(f"n_trials is for method='random'; a grid runs every combination (got n_trials={n_trials!r})")
    steps = STEPS.check("steps", steps)
    record_every = max(1, round(steps / RECORDS_PER_SWEEP)) if record_every is None else \
        Num(1, MAX_STEPS, integer=True).check("record_every", record_every)
    space = _check_space(space)
    settings = _grid(space) if method == "grid" else _random(space, n_trials, SEED.check("seed", seed))
    settings = _with_reg_strength(base_cfg, settings)
    history_rows = min(1_000_000, steps // record_every + 2)  # so a Run of the same config never thins its history
    bookkeeping = {"record_every": record_every, "max_history": max(base_cfg.max_history, history_rows)}
    configs = [_trial_config(base_cfg, i, s, bookkeeping) for i, s in enumerate(settings)]
    return Plan(settings, configs, steps, record_every)


def _check_space(space) -> dict[str, Any]:
    if not isinstance(space, dict) or not space:
        raise ValueError("space must be a non-empty dict of field name -> list of values or a range")
    allowed = [f for f in field_names() if f not in NOT_SWEPT] + list(ARCHITECTURE_KEYS)
    for name, values in space.items():
        if name in NOT_SWEPT:
            raise ValueError(f"{name} cannot be swept: it is bookkeeping, set by sweep(record_every=...)")
        if name not in allowed:
            raise ValueError(f"unknown field {name!r} in space; sweepable fields: {', '.join(allowed)}")
        if isinstance(values, Uniform):
            if not (isinstance(FIELDS.get(name), Num) or name in ARCHITECTURE_KEYS):
                raise ValueError(f"space[{name!r}]: {name} is not a number, so give a list of values, not a range")
            values.check(name)
        elif isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__"):
            raise ValueError(f"space[{name!r}] must be a list of values or a range such as "
                             f"LogUniform(1e-4, 1e-1); got {values!r}")
        elif len(values) == 0:
            raise ValueError(f"space[{name!r}] is an empty list; give at least one value")
    if "hidden_layers" in space and ARCHITECTURE_KEYS.keys() & space.keys():
        raise ValueError("space has hidden_layers and hidden_width/hidden_depth; sweep one or the other")
    return {name: v if isinstance(v, Uniform) else [_plain(name, x) for x in v] for name, v in space.items()}


def _plain(name: str, value: Any) -> Any:
    """Lists of widths become tuples, so the hidden_layers column can be grouped and compared."""
    if name == "hidden_layers" and not isinstance(value, (str, bytes)) and hasattr(value, "__iter__"):
        return tuple(value)
    return value


def _grid(space: dict[str, Any]) -> list[dict[str, Any]]:
    axes = [v.grid() if isinstance(v, Uniform) else v for v in space.values()]
    count = math.prod(len(a) for a in axes)
    if count > MAX_TRIALS:
        sizes = " × ".join(f"{len(a)} {name}" for name, a in zip(space, axes))
        raise ValueError(f"the grid has {count} trials ({sizes}), more than MAX_TRIALS = {MAX_TRIALS}; "
                         "use fewer values or method='random' with n_trials")
    return [dict(zip(space, combo)) for combo in itertools.product(*axes)]


def _random(space: dict[str, Any], n_trials, seed: int) -> list[dict[str, Any]]:
    if n_trials is None:
        raise ValueError("n_trials is required for method='random' (how many settings to draw)")
    n_trials = N_TRIALS.check("n_trials", n_trials)
    rng = np.random.default_rng(seed)
    draws = {name: _draw(values, rng, n_trials) for name, values in space.items()}
    return [{name: draws[name][i] for name in space} for i in range(n_trials)]


def _draw(values, rng: np.random.Generator, n: int) -> list:
    if isinstance(values, Uniform):
        return values.sample(rng, n)
    return [values[i] for i in rng.integers(len(values), size=n)]


def regularizer_strength(base: TrainConfig) -> float:
    """The λ of the regularized trials in a search over regularizer but not reg_strength: the base's own, or
    DEFAULT_REG_STRENGTH when that is 0 (with λ = 0, l1, l2 and elasticnet would all train exactly as none)."""
    return base.reg_strength or DEFAULT_REG_STRENGTH


def _with_reg_strength(base: TrainConfig, settings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A search over regularizer without reg_strength: each trial's λ (0 for none, which has no penalty) joins its
    settings right after the regularizer, so the table shows it and each trial's config carries it."""
    if "regularizer" not in settings[0] or "reg_strength" in settings[0]:
        return settings
    lam = regularizer_strength(base)
    at = list(settings[0]).index("regularizer") + 1
    return [dict([*list(s.items())[:at], ("reg_strength", 0.0 if s["regularizer"] == "none" else lam),
                  *list(s.items())[at:]]) for s in settings]


def _trial_config(base: TrainConfig, trial: int, settings: dict[str, Any], bookkeeping: dict) -> TrainConfig:
    """The trial's TrainConfig; a bad value raises the config's own error, prefixed with the trial's settings."""
    try:
        changes = {k: v for k, v in settings.items() if k not in ARCHITECTURE_KEYS}
        if ARCHITECTURE_KEYS.keys() & settings.keys():
            changes["hidden_layers"] = _hidden_layers(base, settings)
        return base.replace(**changes, **bookkeeping)
    except ValueError as e:
        raise ValueError(f"trial {trial} ({_describe(settings)}): {e}") from None


def _hidden_layers(base: TrainConfig, settings: dict[str, Any]) -> tuple[int, ...]:
    """(width,) * depth. A width alone keeps the base depth (at least 1); a depth alone takes the base's first
    width, or TrainConfig's default width when the base has no hidden layer."""
    width = settings.get("hidden_width", (base.hidden_layers or DEFAULT_LAYERS)[0])
    depth = settings.get("hidden_depth", max(1, len(base.hidden_layers)))
    width = ARCHITECTURE_KEYS["hidden_width"].check("hidden_width", width)
    return (width,) * ARCHITECTURE_KEYS["hidden_depth"].check("hidden_depth", depth)


def _describe(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in settings.items())


def _check_options(n_jobs, progress, details) -> None:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a whole number other than 0 (-1 = all cores); got {n_jobs!r}")
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be a function or None; got {progress!r}")
    if not isinstance(details, bool):
        raise ValueError(f"details must be true or false; got {details!r}")


# ---- groups and chunks --------------------------------------------------------------------------------------

class Chunk(NamedTuple):
    """Trials that train together as one stacked theta: the unit of work sent to a joblib worker."""

    trials: tuple[int, ...]
    configs: tuple[TrainConfig, ...]
    source: RawData | Dataset | None  # the user's data, if any; the worker builds the trials' Dataset from it
    steps: int
    record_every: int
    columns: frozenset[str]  # per-trial constants that differ somewhere in the sweep: passed as (T, 1) columns


def _chunks(plan: Plan, data, n_workers: int) -> tuple[list[Chunk], list[str]]:
    """Group trials that can share one stacked theta, then split big groups so every worker gets work.
    Also returns the metrics the table needs ("accuracy", "r2")."""
    groups: dict[tuple, list[int]] = {}
    for i, cfg in enumerate(plan.configs):
        groups.setdefault(_group_key(cfg), []).append(i)
    columns = _varying_constants(plan.configs)
    per_worker = math.ceil(len(plan.configs) / (2 * n_workers)) if n_workers > 1 else MAX_TRIALS
    chunks, metrics = [], set()
    for trials in groups.values():
        # built here to report a bad dataset before any training, then dropped: workers rebuild it, so a
        # sweep over many seeds or sample sizes never holds every group's data at once
        dataset = _group_data(plan.configs[trials[0]], plan.settings[trials[0]], trials[0], data)
        metrics.add("r2" if dataset.task == "regression" else "accuracy")
        widest = max((dataset.X_train.shape[1], *plan.configs[trials[0]].hidden_layers, dataset.n_outputs))
        size = max(1, min(per_worker, EVAL_BUDGET // ((len(dataset.y_train) + len(dataset.y_test)) * widest)))
        for part in np.array_split(np.array(trials), math.ceil(len(trials) / size)):
            chunks.append(Chunk(tuple(part.tolist()), tuple(plan.configs[t] for t in part), data,
                                plan.steps, plan.record_every, columns))
    return chunks, sorted(metrics)


def _group_key(cfg: TrainConfig) -> tuple:
    return tuple(getattr(cfg, f) for f in GROUP_FIELDS)


def _group_data(cfg: TrainConfig, settings: dict[str, Any], trial: int, data) -> Dataset:
    try:
        return to_dataset(cfg, data)
    except ValueError as e:
        raise ValueError(f"trial {trial} ({_describe(settings)}): {e}") from None


def _constants(cfg: TrainConfig) -> dict[str, Any]:
    """The per-trial numbers of one trial: optimizer constants, penalty coefficients and its schedule."""
    optimizer = optimizer_settings(cfg, np.zeros(0))._asdict()
    del optimizer["weight_mask"]
    c1, c2 = REGULARIZERS[cfg.regularizer](cfg.reg_strength, cfg.l1_ratio)
    schedule = (cfg.schedule, cfg.learning_rate, cfg.schedule_gamma, cfg.schedule_epochs)
    return {**optimizer, "c1": c1, "c2": c2, "learning_rate": schedule}


def _varying_constants(configs: list[TrainConfig]) -> frozenset[str]:
    """Constants that differ between trials. Decided once for the whole sweep, so a trial's numbers never depend
    on which chunk it lands in (np.power on a column can differ from Python's float ** in the last bit)."""
    rows = [_constants(c) for c in configs]
    return frozenset(k for k in rows[0] if any(r[k] != rows[0][k] for r in rows))


# ---- training one chunk -------------------------------------------------------------------------------------

class TrialResult(NamedTuple):
    """One trial's outcome, as a worker sends it back."""

    trial: int
    history: np.ndarray  # (rows, 6): step, train_loss, test_loss, train_metric, test_metric, penalty
    theta: np.ndarray  # final (last finite) parameters
    diverged_at: int | None
    metric: str  # "accuracy" or "r2"


def train_chunk(chunk: Chunk, tick: Callable[[int], None] | None = None) -> list[TrialResult]:
    """Train a chunk's trials side by side for chunk.steps steps, exactly as separate Runs would.

    tick(steps_done), if given, is called after every step (the sweep's progress report)."""
    cfg = chunk.configs[0]
    data = to_dataset(cfg, chunk.source)
    model = build_model(cfg, data)
    init_seed = cfg.seed if cfg.init_seed is None else cfg.init_seed
    stack = _Stack(chunk, model, model.layout.init(cfg.init, np.random.default_rng([init_seed, 4])))
    book = _Book(chunk, model, data)
    batches = _Batches(cfg.seed, len(data.y_train), cfg.batch_size)
    X, y = data.X_train, data.y_train
    full_batch = batches.size >= len(y)
    every_row = np.arange(len(y))
    with np.errstate(all="ignore"):
        acts = book.record(0, stack)
        for step in range(chunk.steps):
            lr = stack.lr(batches.epoch)  # the schedule at the completed-epoch count, read before the batch
            idx = batches.next()
            A = None if acts is None else _batch_rows(acts, every_row if full_batch else idx)
            stuck = stack.step(X, y, lr, A) if full_batch else stack.step(X[idx], y[idx], lr, A)
            if stuck is not None:
                book.freeze(step, *stuck, diverged_at=step + 1)
            acts = book.record(step + 1, stack) if book.wants(step + 1) and stack.size else None
            if not stack.size:
                break
            if tick is not None:
                tick(step + 1)
    return book.results(stack)


def _batch_rows(acts: list[np.ndarray], rows: np.ndarray) -> list[np.ndarray]:
    """The minibatch's rows of the activations on all data, as C-ordered arrays: `a[:, rows]` would lay the
    trial axis out innermost, and matmul and sum on that layout round differently from Run's single trial."""
    return [np.take(a, rows, axis=a.ndim - 2) for a in acts]


class _Batches:
    """Run's minibatch order, replicated: a fresh permutation per epoch from default_rng([seed, 3]), the last
    batch of an epoch may be short, and the epoch count goes up when an epoch's last batch is drawn."""

    def __init__(self, seed: int, n: int, batch_size: int):
        self.rng = np.random.default_rng([seed, 3])
        self.n, self.size = n, min(batch_size, n)
        self.order, self.pos, self.epoch = self.rng.permutation(n), 0, 0

    def next(self) -> np.ndarray:
        idx = self.order[self.pos:self.pos + self.size]
        self.pos += self.size
        if self.pos >= self.n:
            self.pos, self.order, self.epoch = 0, self.rng.permutation(self.n), self.epoch + 1
        return idx


class _Moment(NamedTuple):
    """The trials after a step: theta, the gradient that step used and theta before it. Run's gradient norm
    and update ratio come from these, and a row where either is infinite is one Run does not keep."""

    theta: np.ndarray
    grad: np.ndarray | None = None  # None at step 0
    before: np.ndarray | None = None

    def take(self, ok: np.ndarray) -> _Moment:
        return _Moment(*(None if a is None else a[ok] for a in self))

    def overflowed(self) -> np.ndarray:
        if self.grad is None:
            return np.zeros(len(self.theta), dtype=bool)
        norm = np.sqrt(_sum_sq(self.before))
        ratio = np.sqrt(_sum_sq(self.theta - self.before)) / np.where(norm > 0, norm, np.nan)
        return np.isinf(np.sqrt(_sum_sq(self.grad))) | np.isinf(ratio)


def _sum_sq(a: np.ndarray) -> np.ndarray:
    return np.einsum("tp,tp->t", a, a)


class _Stack:
    """The trials of a chunk still training: where they are now and one step ago (`now`, `last`), their
    optimizer state and per-trial constants. A trial that diverges leaves the stack, so the others never
    compute on its NaNs."""

    def __init__(self, chunk: Chunk, model: Model, theta0: np.ndarray):
        self.chunk, self.model = chunk, model
        self.ids = np.arange(len(chunk.trials))  # positions in the chunk of the trials still training
        self.now = _Moment(np.repeat(theta0[None, :], len(self.ids), axis=0))
        self.last = self.now
        self._configure()
        self.state = self.opt.init(self.now.theta)

    @property
    def size(self) -> int:
        return len(self.ids)

    def _configure(self) -> None:
        cfgs, mask = [self.chunk.configs[i] for i in self.ids], self.model.layout.weight_mask
        self.penalty = _penalty(cfgs, mask, self.chunk.columns)
        per_trial = [optimizer_settings(c, mask) for c in cfgs]
        settings = {name: mask if name == "weight_mask" else
                    _column(name, [getattr(h, name) for h in per_trial], self.chunk.columns)
                    for name in OptimizerSettings._fields}
        self.opt = make_optimizer(cfgs[0].optimizer, OptimizerSettings(**settings))
        self._cfgs, self._lr_epoch, self._lr = cfgs, None, None
        self._scheduled = any(c.schedule != "constant" for c in cfgs)

    def lr(self, epoch: int):
        """Each trial's scheduled learning rate, computed once per epoch with the same scalars Run uses."""
        if epoch != self._lr_epoch and (self._lr is None or self._scheduled):
            rates = [SCHEDULES[c.schedule](c.learning_rate, epoch, c.schedule_gamma, c.schedule_epochs)
                     for c in self._cfgs]
            self._lr_epoch, self._lr = epoch, _column("learning_rate", rates, self.chunk.columns)
        return self._lr

    def step(self, Xb, yb, lr, A=None) -> tuple[np.ndarray, _Moment] | None:
        """One step for every trial (A: the batch's activations, when the last evaluation already has them).
        Trials whose batch loss or parameters turn non-finite leave the stack and are returned as
        (positions, their last finite moment)."""
        theta, state, batch_loss, grad = sgd_step(self.now.theta, self.state, Xb, yb, self.model, self.penalty,
                                                  self.opt, lr, A)
        ok = np.isfinite(batch_loss) & np.isfinite(theta).all(axis=1)
        self.last, self.now, self.state = self.now, _Moment(theta, grad, self.now.theta), state
        if ok.all():
            return None
        stuck = (self.ids[~ok], self.last.take(~ok))
        self.keep(ok)
        return stuck

    def keep(self, ok: np.ndarray) -> None:
        self.ids, self.now, self.last = self.ids[ok], self.now.take(ok), self.last.take(ok)
        self.state = tuple(type(s)(*(v[ok] if isinstance(v, np.ndarray) else v for v in s)) for s in self.state)
        if self.size:
            self._configure()


def _column(name: str, values: list, columns: frozenset[str]):
    """A per-trial constant: a (T, 1) column if it varies in the sweep, else the plain scalar Run would use."""
    return np.array(values, dtype=np.float64)[:, None] if name in columns else values[0]


def _penalty(cfgs: list[TrainConfig], mask: np.ndarray, columns: frozenset[str]) -> Penalty:
    c1, c2 = zip(*(REGULARIZERS[c.regularizer](c.reg_strength, c.l1_ratio) for c in cfgs))
    return Penalty(_column("c1", c1, columns), _column("c2", c2, columns), mask, cfgs[0].proximal,
                   bool(any(c1) or any(c2)))


class _Book:
    """A chunk's records, kept as Run keeps them: full-data losses every record_every steps and at the last
    step, and each trial's final parameters and divergence."""

    def __init__(self, chunk: Chunk, model: Model, data: Dataset):
        self.chunk, self.model, self.data = chunk, model, data
        self.steps = np.unique(np.r_[np.arange(0, chunk.steps + 1, chunk.record_every), chunk.steps])
        self._index = {int(s): k for k, s in enumerate(self.steps)}
        T = len(chunk.trials)
        self.rows = np.zeros((len(self.steps), T, 5))
        self.present = np.zeros((len(self.steps), T), dtype=bool)
        self.extra: dict[int, np.ndarray] = {}  # position -> the row at its last finite step, if not recorded
        self.theta: list[np.ndarray | None] = [None] * T
        self.diverged_at: list[int | None] = [None] * T
        self.X_all = np.concatenate([data.X_train, data.X_test])
        self.y_all = np.concatenate([data.y_train, data.y_test])

    def wants(self, step: int) -> bool:
        return step in self._index

    def _rows(self, moment: _Moment, penalty: Penalty):
        """(T, 5) train_loss, test_loss, train_metric, test_metric, penalty; which rows Run would keep; and
        the activations on all data."""
        A = forward(moment.theta, self.X_all, self.model.layout, self.model.act)
        ev = evaluate(moment.theta, self.data, self.model, penalty, self.X_all, self.y_all, Z=A[-1])
        m = self.model.metric_name
        rows = np.column_stack([ev["train_loss"], ev["test_loss"], ev[f"train_{m}"], ev[f"test_{m}"],
                                ev["penalty"]])
        # losses and penalty finite, nothing infinite (a NaN R², undefined for a constant target, is fine)
        keep = np.isfinite(rows[:, [0, 1, 4]]).all(axis=1) & ~np.isinf(rows[:, 2:4]).any(axis=1)
        return rows, keep & ~moment.overflowed(), A

    def record(self, step: int, stack: _Stack) -> list[np.ndarray]:
        """Evaluate the trials still training; returns the activations on all data (Run reuses them for the
        next minibatch). As in Run, a row with an infinite value at a recording step ends the trial, kept at
        the step before; at a last step off the recording stride the row is simply left out."""
        rows, keep, A = self._rows(stack.now, stack.penalty)
        keep |= step == 0
        k = self._index[step]
        self.rows[k, stack.ids[keep]] = rows[keep]
        self.present[k, stack.ids[keep]] = True
        if step % self.chunk.record_every == 0 and not keep.all():
            self.freeze(step - 1, stack.ids[~keep], stack.last.take(~keep), diverged_at=step)
            stack.keep(keep)
            A = [a if a.ndim == 2 else a[keep] for a in A]
        return A

    def freeze(self, step: int, positions: np.ndarray, moment: _Moment, diverged_at: int) -> None:
        """Trials that diverged: kept at `step`, their last finite one, whose row ends Run's history."""
        for pos, theta in zip(positions, moment.theta):
            self.theta[pos], self.diverged_at[pos] = theta, diverged_at
        if self.wants(step):
            return  # already recorded
        cfgs = [self.chunk.configs[p] for p in positions]
        rows, keep, _ = self._rows(moment, _penalty(cfgs, self.model.layout.weight_mask, self.chunk.columns))
        for pos, row, ok in zip(positions, rows, keep):
            if ok:
                self.extra[pos] = np.r_[step, row]

    def results(self, stack: _Stack) -> list[TrialResult]:
        for pos, theta in zip(stack.ids, stack.now.theta):
            self.theta[pos] = theta
        out = []
        for pos, trial in enumerate(self.chunk.trials):
            have = self.present[:, pos]
            history = np.column_stack([self.steps[have], self.rows[have, pos]])
            if pos in self.extra:
                history = np.vstack([history, self.extra[pos]])
            out.append(TrialResult(trial, history, self.theta[pos], self.diverged_at[pos], self.model.metric_name))
        return out


# ---- dispatch and progress ----------------------------------------------------------------------------------

class _Stopped(Exception):
    """The progress callback asked to stop."""


class _Progress:
    """Calls the user's progress callback at most every PROGRESS_EVERY seconds (and at the start and end)."""

    def __init__(self, callback, chunks: list[Chunk], n_trials: int):
        self.callback, self.n_trials = callback, n_trials
        self.total = max(1, sum(len(c.trials) * c.steps for c in chunks))
        self.units, self.trials_done = 0, 0
        self.start, self.last = time.perf_counter(), -math.inf

    def tick_for(self, chunk: Chunk) -> Callable[[int], None] | None:
        if self.callback is None:
            return None
        size = len(chunk.trials)
        return lambda steps_done: self.report(self.units + steps_done * size)

    def chunk_done(self, chunk: Chunk) -> None:
        self.units += len(chunk.trials) * chunk.steps
        self.trials_done += len(chunk.trials)
        self.report(self.units)

    def report(self, units: int, force: bool = False) -> None:
        now = time.perf_counter()
        if self.callback is None or (not force and now - self.last < PROGRESS_EVERY):
            return
        self.last = now
        if self.callback(min(units / self.total, 1.0), self.trials_done, self.n_trials, now - self.start) is False:
            raise _Stopped

    def final(self) -> None:
        if self.callback is not None:  # everything is done: a False here has nothing left to stop
            self.callback(1.0, self.n_trials, self.n_trials, time.perf_counter() - self.start)


def _backend(backend: str | None):
    import joblib  # only parallel sweeps need it: importing it costs the app's start a noticeable moment

    return joblib.parallel_config(backend=backend) if backend is not None else contextlib.nullcontext()


def _n_workers(n_jobs: int, backend: str | None) -> int:
    if n_jobs == 1 and backend is None:
        return 1
    import joblib

    try:
        with _backend(backend):
            return max(1, joblib.effective_n_jobs(n_jobs))
    except (ValueError, ImportError, KeyError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if backend == "dask" and "Client" in reason:
            reason = "no Dask client is running; create one first with dask.distributed.Client(...)"
        raise ValueError(f"backend {backend!r} is not available: {reason}") from None


def _train_all(chunks: list[Chunk], n_jobs: int, backend: str | None, report: _Progress,
               done: dict[int, TrialResult]) -> None:
    """Train every chunk, in this process (n_jobs=1, progress within chunks) or through joblib."""
    if n_jobs == 1 and backend is None:
        for chunk in chunks:
            done.update((r.trial, r) for r in train_chunk(chunk, report.tick_for(chunk)))
            report.chunk_done(chunk)
        return
    import joblib

    by_first_trial = {c.trials[0]: c for c in chunks}
    with _backend(backend):
        outputs = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            joblib.delayed(train_chunk)(chunk) for chunk in chunks)
        try:
            for results in outputs:
                done.update((r.trial, r) for r in results)
                report.chunk_done(by_first_trial[results[0].trial])
        except _Stopped:
            with warnings.catch_warnings():  # closing early cancels the chunks still running; joblib warns
                warnings.simplefilter("ignore")
                outputs.close()
            raise


# ---- tables -------------------------------------------------------------------------------------------------

def _table(plan: Plan, done: dict[int, TrialResult], metrics: list[str]) -> pd.DataFrame:
    """One row per finished trial, in trial order."""
    rows = [_summary(t, plan.settings[t], done[t]) for t in sorted(done)]
    columns = ["trial", *plan.settings[0], "final_train_loss", "final_test_loss", "best_test_loss", "best_step",
               *(f"final_{part}_{m}" for m in metrics for part in ("train", "test")), "diverged", "diverged_at"]
    table = pd.DataFrame(rows, columns=columns, index=pd.Index(sorted(done), dtype=np.int64))  # index = trial
    table["best_step"] = table["best_step"].astype(np.int64)
    table["diverged"] = table["diverged"].astype(bool)
    table["diverged_at"] = table["diverged_at"].astype("Int64")
    return table


def _summary(trial: int, settings: dict[str, Any], r: TrialResult) -> dict[str, Any]:
    h = r.history
    test = h[:, 2]
    best = int(np.nanargmin(test)) if np.isfinite(test).any() else 0  # the first minimum: the early-stopping point
    return {"trial": trial, **settings, "final_train_loss": h[-1, 1], "final_test_loss": h[-1, 2],
            "best_test_loss": h[best, 2], "best_step": int(h[best, 0]), f"final_train_{r.metric}": h[-1, 3],
            f"final_test_{r.metric}": h[-1, 4], "diverged": r.diverged_at is not None,
            "diverged_at": pd.NA if r.diverged_at is None else r.diverged_at}


def _details(plan: Plan, chunks: list[Chunk], done: dict[int, TrialResult], table: pd.DataFrame,
             source) -> SweepResult:
    n = len(plan.configs)
    data: list[Dataset | None] = [None] * n
    names: list[list[str] | None] = [None] * n
    groups: dict[tuple, tuple[Dataset, list[str]]] = {}
    for chunk in chunks:
        cfg = chunk.configs[0]
        if _group_key(cfg) not in groups:
            dataset = to_dataset(cfg, source)
            groups[_group_key(cfg)] = dataset, build_model(cfg, dataset).layout.scalar_names()
        dataset, scalar_names = groups[_group_key(cfg)]
        for t in chunk.trials:
            data[t], names[t] = dataset, list(scalar_names)
    histories = [_history_frame(done[t]) for t in range(n)]
    return SweepResult(table, histories, [done[t].theta.copy() for t in range(n)], names, list(plan.configs), data)


def _history_frame(r: TrialResult) -> pd.DataFrame:
    df = pd.DataFrame(r.history, columns=[c.format(m=r.metric) for c in HISTORY_COLUMNS])
    df["step"] = df["step"].astype(np.int64)
    return df
