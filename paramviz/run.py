"""Run: one model trained step by step, with its history, parameter trajectory and divergence handling.

`sgd_step` is the whole training step, shared with the vectorised sweep; `Run` adds minibatches, the
learning-rate schedule, bounded recording and the API the app and notebooks use.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from .config import Num, TrainConfig
from .datasets import Dataset, RawData, make_raw, prepare
from .nn import ACTIVATIONS, LOSSES, Activation, Layout, Loss, forward, loss_and_grad
from .optim import SCHEDULES, OptimizerSettings, Transform, default_eps, make_optimizer, state_arrays
from .regularizers import Penalty, penalty_for

# Fields that can change mid-run and keep the current weights; any other change needs a new Run.
HOT_FIELDS = frozenset({
    "optimizer", "learning_rate", "batch_size", "momentum", "beta1", "beta2", "rho", "eps", "weight_decay",
    "schedule", "schedule_gamma", "schedule_epochs", "regularizer", "reg_strength", "l1_ratio", "proximal",
    "max_history", "record_every",
})
LINEAR_NAMES = {"regression": "linear regression", "binary": "logistic regression", "multiclass": "softmax regression"}
TRAJECTORY_BUDGET = 4_000_000  # scalars kept in the trajectory at most (32 MB)
LOSS_GRID_BUDGET = 4_000_000  # floats a block of loss_grid points may hold (32 MB)
GRID_SIZE = Num(2, 1000, integer=True)  # loss_grid's n: points per axis
GRID_SPAN = Num(0, math.inf, low_open=True, high_open=True)  # loss_grid's half-width
GRID_CENTER = Num(-math.inf, math.inf, low_open=True, high_open=True)


class Model(NamedTuple):
    """What the step needs to know about the network: parameter layout, activation and loss."""

    layout: Layout
    act: Activation
    loss_fn: Loss
    task: str

    def correct(self, Z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per sample: 1.0 where the predicted class is right (classification), else the squared error."""
        if self.task == "regression":
            return (Z[..., 0] - y) ** 2
        pred = (Z[..., 0] > 0) if self.task == "binary" else Z.argmax(axis=-1)
        return (pred == y).astype(np.float64)

    @property
    def metric_name(self) -> str:
        return "r2" if self.task == "regression" else "accuracy"


def sgd_step(theta, opt_state, Xb, yb, model: Model, penalty: Penalty, opt: Transform, lr, A=None):
    """One optimizer step on one minibatch: gradient of data loss + penalty, optimizer direction, update.
    A: the minibatch's activations at theta, if already computed (see Run._batch_activations)."""
    batch_loss, grad = loss_and_grad(theta, Xb, yb, model.layout, model.act, model.loss_fn, A)
    if penalty.active:
        grad += penalty.grad(theta)
    direction, opt_state = opt.update(grad, opt_state, theta)
    new_theta = theta - lr * direction
    if penalty.proximal and penalty.active:
        new_theta = penalty.prox(new_theta, lr)
    return new_theta, opt_state, batch_loss, grad


def evaluate(theta, data: Dataset, model: Model, penalty: Penalty, X_all: np.ndarray, y_all: np.ndarray, Z=None):
    """Full-data train and test loss, metric and penalty for each trial, from one forward pass over train+test.
    Z: the outputs on X_all, if already computed."""
    Z = forward(theta, X_all, model.layout, model.act)[-1] if Z is None else Z
    n, n_test = len(data.y_train), len(data.y_test)
    per = model.loss_fn.per_sample(Z, y_all)
    score = model.correct(Z, y_all)
    train_score = np.add.reduce(score[..., :n], axis=-1) / n
    test_score = np.add.reduce(score[..., n:], axis=-1) / n_test
    if model.task == "regression":  # R² = 1 − SS_res / SS_tot; undefined (NaN) when y is constant, e.g. one point
        train_score = 1.0 - train_score / (np.var(data.y_train) or np.nan)
        test_score = 1.0 - test_score / (np.var(data.y_test) or np.nan)
    m = model.metric_name
    return {
        "train_loss": np.add.reduce(per[..., :n], axis=-1) / n,
        "test_loss": np.add.reduce(per[..., n:], axis=-1) / n_test,
        "penalty": penalty.value(theta) if penalty.active else np.zeros(theta.shape[0]),
        f"train_{m}": train_score,
        f"test_{m}": test_score,
    }


def optimizer_settings(cfg: TrainConfig, mask: np.ndarray) -> OptimizerSettings:
    eps = cfg.eps if cfg.eps is not None else default_eps(cfg.optimizer)
    return OptimizerSettings(cfg.momentum, cfg.beta1, cfg.beta2, cfg.rho, eps, cfg.weight_decay, mask)


def build_model(cfg: TrainConfig, data: Dataset) -> Model:
    layout = Layout.of((data.X_train.shape[1], *cfg.hidden_layers, data.n_outputs))
    return Model(layout, ACTIVATIONS[cfg.activation], LOSSES[data.task], data.task)


def to_dataset(cfg: TrainConfig, data: RawData | Dataset | None) -> Dataset:
    if data is None:
        return prepare(make_raw(cfg), cfg)
    return data if isinstance(data, Dataset) else prepare(data, cfg)


class LastStep(NamedTuple):
    """What the latest step leaves for its history row. Its gradient norm and update ratio are worked out from
    these only when a row is recorded, not at every step."""

    batch_loss: float
    learning_rate: float
    theta_before: np.ndarray | None  # (1, P): the parameters the step started from; None before the first step


NO_STEP = LastStep(math.nan, math.nan, None)


class Recorder:
    """A bounded table of rows recorded every `stride` steps; when full it keeps every other row and doubles
    the stride, so old points thin out evenly while the first row always stays."""

    def __init__(self, n_cols: int, capacity: int, stride: int = 1):
        self.rows = np.empty((max(capacity, 2), n_cols))
        self.steps = np.empty(max(capacity, 2), dtype=np.int64)
        self.count, self.stride, self.every = 0, stride, stride

    def set_every(self, every: int) -> None:
        """Record every `every` steps from now on (times the thinning so far): the rows already kept stay."""
        self.stride, self.every = every * (self.stride // self.every), every

    def wants(self, step: int) -> bool:
        return step % self.stride == 0

    def add(self, step: int, row) -> None:
        self.rows[self.count] = row
        self.steps[self.count] = step
        self.count += 1
        if self.count == len(self.rows):
            self._thin()

    def _thin(self) -> None:
        keep = self.count // 2 + self.count % 2
        self.rows[:keep] = self.rows[:self.count:2]
        self.steps[:keep] = self.steps[:self.count:2]
        self.count, self.stride = keep, self.stride * 2

    def resize(self, capacity: int) -> None:
        """Keep at most `capacity` rows from now on; the rows already kept stay, thinned as `add` thins them."""
        size = max(capacity, 2)
        while self.count >= size:
            self._thin()
        rows, steps = np.empty((size, self.rows.shape[1])), np.empty(size, dtype=np.int64)
        rows[:self.count], steps[:self.count] = self.rows[:self.count], self.steps[:self.count]
        self.rows, self.steps = rows, steps

    @property
    def last_step(self) -> int:
        return int(self.steps[self.count - 1]) if self.count else -1


class Run:
    """A model, its data and its optimizer, trained one step (one minibatch update) at a time.

    >>> run = Run(TrainConfig(dataset="moons", hidden_layers=(8,), optimizer="adam"))
    >>> run.step(100).step_count
    100
    """

    def __init__(self, cfg: TrainConfig | None = None, data: RawData | Dataset | None = None, **overrides):
        example = "Run(TrainConfig(dataset='moons')) or Run(dataset='moons')"
        cfg = TrainConfig() if cfg is None else _check_cfg(cfg, example)
        cfg = cfg.replace(**overrides) if overrides else cfg
        self.data = to_dataset(cfg, data)
        self.model = build_model(cfg, self.data)
        self.layout = self.model.layout
        self._param_names: tuple[str, ...] | None = None
        self.cfg = cfg
        init_seed = cfg.seed if cfg.init_seed is None else cfg.init_seed
        self.initial_theta = self.layout.init(cfg.init, np.random.default_rng([init_seed, 4]))
        self._X_all = np.concatenate([self.data.X_train, self.data.X_test])
        self._y_all = np.concatenate([self.data.y_train, self.data.y_test])
        self._metric_cols = [f"train_{self.model.metric_name}", f"test_{self.model.metric_name}"]
        self._hist_cols = ["step", "epoch", "train_loss", "test_loss", "batch_loss", "penalty", *self._metric_cols,
                           "grad_norm", "update_ratio", "learning_rate"]
        self._configure(cfg)
        self.reset()

    # ---- setup ---------------------------------------------------------------------------------------
    def _configure(self, cfg: TrainConfig) -> None:
        self.cfg = cfg
        mask = self.layout.weight_mask
        self.penalty = penalty_for(cfg.regularizer, cfg.reg_strength, cfg.l1_ratio, mask, cfg.proximal)
        self.optimizer = make_optimizer(cfg.optimizer, optimizer_settings(cfg, mask))
        self.batch_size = min(cfg.batch_size, len(self.data.y_train))
        self.steps_per_epoch = math.ceil(len(self.data.y_train) / self.batch_size)

    def reset(self) -> Run:
        """Back to step 0 with the same initial weights, the same data and the same minibatch order."""
        self._theta = self.initial_theta[None, :].copy()
        self.opt_state = self.optimizer.init(self._theta)
        self.step_count, self.epoch, self._pos = 0, 0, 0
        self._batch_rng = np.random.default_rng([self.cfg.seed, 3])
        self._order = self._new_order()
        self.diverged, self.diverged_at, self.divergence_reason, self.divergence_cause = False, None, "", ""
        self._last = NO_STEP
        self._grad = np.zeros_like(self._theta)
        self._acts = (-1, [])
        self._new_recorders()
        self._record(force=True)
        return self

    def _new_recorders(self) -> None:
        every = self.cfg.record_every
        self._history = Recorder(len(self._hist_cols), self.cfg.max_history, every)
        self._traj = Recorder(self.layout.n_params, self._traj_capacity(), every)

    def _traj_capacity(self) -> int:
        return min(self.cfg.max_history, TRAJECTORY_BUDGET // self.layout.n_params)

    def update_config(self, cfg: TrainConfig) -> None:
        """Change hyperparameters mid-run, keeping the current weights and the history so far. Only HOT_FIELDS
        may differ. A new optimizer starts with fresh state (its moments are not transferable); a new batch size
        takes effect from the next step, within the current epoch; a smaller max_history thins the history; a new
        record_every records at that pace from now on."""
        _check_cfg(cfg, "run.update_config(run.cfg.replace(learning_rate=0.1))")
        changed = {k for k, v in cfg.to_dict().items() if v != self.cfg.to_dict()[k]}
        cold = changed - HOT_FIELDS
        if cold:
            raise ValueError(f"changing {', '.join(sorted(cold))} needs a new Run (data or model changed)")
        old = self.cfg
        self._configure(cfg)
        if cfg.optimizer != old.optimizer:
            self.opt_state = self.optimizer.init(self._theta)
        if cfg.max_history != old.max_history:
            self._history.resize(cfg.max_history)
            self._traj.resize(self._traj_capacity())
        if cfg.record_every != old.record_every:
            self._history.set_every(cfg.record_every)
            self._traj.set_every(cfg.record_every)

    # ---- training ------------------------------------------------------------------------------------
    @property
    def epochs_done(self) -> float:
        """Passes over the training data so far, counting the current one in part: 2.5 is halfway through the
        third epoch. The history's epoch column. (`epoch` counts whole epochs: 2 here.)"""
        return self.epoch + self._pos / len(self._order)

    @property
    def learning_rate(self) -> float:
        """The learning rate in force now (the schedule applied to cfg.learning_rate)."""
        c = self.cfg
        return SCHEDULES[c.schedule](c.learning_rate, self.epoch, c.schedule_gamma, c.schedule_epochs)

    def _new_order(self) -> np.ndarray:
        return self._batch_rng.permutation(len(self.data.y_train))

    def _next_batch(self) -> np.ndarray:
        idx = self._order[self._pos:self._pos + self.batch_size]
        self._pos += self.batch_size
        if self._pos >= len(self._order):
            self._pos, self._order = 0, self._new_order()
            self.epoch += 1
        return idx

    def step(self, n: int = 1) -> Run:
        """Advance n optimizer steps (one step = one minibatch update). Does nothing once diverged."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a whole number ≥ 0; got {n!r}")
        X, y = self.data.X_train, self.data.y_train
        full_batch = self.batch_size >= len(y)
        with np.errstate(all="ignore"):
            for _ in range(int(n)):
                if self.diverged:
                    break
                lr = self.learning_rate
                place = self.epoch, self._pos, self._order  # a step that diverges is undone, its batch too
                idx = self._next_batch()
                Xb, yb = (X, y) if full_batch else (X.take(idx, axis=0), y[idx])  # take: cheaper than X[idx]
                A = self._batch_activations(slice(0, len(y)) if full_batch else idx)
                theta, state, batch_loss, grad = sgd_step(self._theta, self.opt_state, Xb, yb, self.model,
                                                          self.penalty, self.optimizer, lr, A)
                loss_ok = math.isfinite(batch_loss[0])
                if not (loss_ok and _all_finite(theta)):
                    self.epoch, self._pos, self._order = place
                    self._diverge("the loss" if not loss_ok else "a parameter")
                    break
                previous = self._theta, self.opt_state, self._grad, self._last
                self._last = LastStep(batch_loss[0], lr, self._theta)
                self._theta, self.opt_state, self._grad = theta, state, grad
                self.step_count += 1
                self._record()
                if self.diverged:  # the full-data loss overflowed: keep the last finite step, as _diverge does
                    self._theta, self.opt_state, self._grad, self._last = previous
                    self.step_count -= 1
                    self.epoch, self._pos, self._order = place
        return self

    def _batch_activations(self, rows) -> list[np.ndarray] | None:
        """The batch's activations at the current theta, taken from the last full-data evaluation when it was
        at this very step (train rows come first in X_all), so a recorded step costs one forward pass, not two."""
        at, A = self._acts
        if at != self.step_count:
            return None
        if isinstance(rows, slice):
            return [a[..., rows, :] for a in A]
        return [a.take(rows, axis=-2) for a in A]  # the batch's rows along the sample axis; cheaper than a[:, rows]

    def step_epoch(self) -> Run:
        """Advance to the end of the current epoch (one full pass over the training data)."""
        return self.step(math.ceil((len(self._order) - self._pos) / self.batch_size))

    def _diverge(self, what: str) -> None:
        self.diverged, self.diverged_at = True, self.step_count + 1
        self.divergence_cause = f"{what} became infinite or NaN"  # the reason's first words, without the steps
        self.divergence_reason = (f"{self.divergence_cause} at step {self.diverged_at}; the parameters "
                                  f"are kept at step {self.step_count}, the last finite values")

    def _record(self, force: bool = False) -> None:
        s = self.step_count
        if force or self._history.wants(s):
            row = self._row()
            if not _finite_row(row) and s > 0:
                return self._diverge_on_eval()
            self._history.add(s, row)
        if force or self._traj.wants(s):
            self._traj.add(s, self._theta[0])

    def _diverge_on_eval(self) -> None:
        self.diverged, self.diverged_at = True, self.step_count
        self.divergence_cause = "the loss, penalty or gradient became infinite"
        self.divergence_reason = (f"{self.divergence_cause} at step {self.step_count}; "
                                  f"the parameters are kept at step {self.step_count - 1}, the last finite values")

    def _row(self, cache: bool = True) -> np.ndarray:
        A = forward(self._theta, self._X_all, self.layout, self.model.act)
        if cache:  # only scheduled records feed the next step, so reading `history` never changes the training
            self._acts = (self.step_count, A)
        ev = evaluate(self._theta, self.data, self.model, self.penalty, self._X_all, self._y_all, Z=A[-1])
        last = self._last
        grad_norm, update_ratio, lr = self._step_sizes()
        return np.array([self.step_count, self.epochs_done, ev["train_loss"][0],
                         ev["test_loss"][0], last.batch_loss, ev["penalty"][0],
                         ev[self._metric_cols[0]][0], ev[self._metric_cols[1]][0], grad_norm,
                         update_ratio, lr])

    def _step_sizes(self) -> tuple[float, float, float]:
        """The latest step's gradient norm |g|, update ratio |Δθ| / |θ| and learning rate (NaN, NaN and the
        current rate before the first step)."""
        before = self._last.theta_before
        if before is None:
            return math.nan, math.nan, self.learning_rate
        g, delta = self._grad[0], (self._theta - before)[0]
        return math.sqrt(np.dot(g, g)), _ratio(delta, before[0]), self._last.learning_rate

    # ---- what the app and notebooks read --------------------------------------------------------------
    @property
    def params(self) -> dict[str, np.ndarray]:
        """{"W1": (fan_in, fan_out), "b1": (fan_out,), ...}: copies of the current weights and biases."""
        return {k: v.copy() for k, v in self.layout.unflatten(self._theta[0]).items()}

    @property
    def theta(self) -> np.ndarray:
        """All parameters as one flat vector (a copy), in the order of `param_names`."""
        return self._theta[0].copy()

    @property
    def param_names(self) -> list[str]:
        """One name per scalar parameter, in flat order: "W1[0,3]", "b2[1]". Built once per Run (a 6 × 256
        network has 330,000 of them); each call returns a new list."""
        if self._param_names is None:
            self._param_names = tuple(self.layout.scalar_names())
        return list(self._param_names)

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """The last step's gradient (data loss + penalty) per parameter array."""
        return {k: v.copy() for k, v in self.layout.unflatten(self._grad[0]).items()}

    @property
    def optimizer_state(self) -> dict[str, dict[str, np.ndarray]]:
        """The optimizer's buffers (trace, sum_sq, mu, nu) as {"mu": {"W1": ..., ...}}."""
        return {name: {k: v.copy() for k, v in self.layout.unflatten(arr[0]).items()}
                for name, arr in state_arrays(self.opt_state).items()}

    @property
    def n_weights(self) -> int:
        return int(self.layout.weight_mask.sum())

    @property
    def n_biases(self) -> int:
        return self.layout.n_params - self.n_weights

    @property
    def history(self) -> pd.DataFrame:
        """One row per recorded step (thinned evenly when long); the latest step is always the last row."""
        h = self._history
        rows = h.rows[:h.count]
        if h.last_step != self.step_count:
            with np.errstate(all="ignore"):
                row = self._row(cache=False)
            if _finite_row(row):
                rows = np.vstack([rows, row])
        df = pd.DataFrame(rows, columns=self._hist_cols)
        df["step"] = df["step"].astype(np.int64)
        return df

    @property
    def trajectory(self) -> pd.DataFrame:
        """step + one column per scalar weight and bias ("W1[0,3]", "b2[1]"), thinned like the history."""
        t = self._traj
        steps, rows = t.steps[:t.count], t.rows[:t.count]
        if t.last_step != self.step_count:
            steps, rows = np.append(steps, self.step_count), np.vstack([rows, self._theta])
        df = pd.DataFrame(rows, columns=self.param_names)
        df.insert(0, "step", steps)
        return df

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Model outputs for raw inputs (the dataset's input space, e.g. 2-D points): regression values,
        P(class 1) for binary, or an (n, k) array of class probabilities for multi-class.
        inputs: an (n, n_inputs) array, one point, or (data with one input) a 1-D array of x values."""
        X = self.data.features(self._points(inputs))
        with np.errstate(all="ignore"):
            Z = forward(self._theta, X, self.layout, self.model.act)[-1][0]
            if self.model.task == "regression":
                return Z[:, 0]
            if self.model.task == "binary":
                return 0.5 * (1.0 + np.tanh(0.5 * Z[:, 0]))
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            return E / E.sum(axis=1, keepdims=True)

    def _points(self, inputs) -> np.ndarray:
        names = self.data.input_names
        rule = f"inputs must be numbers of shape (n, {len(names)}), one column per input ({', '.join(names)})"
        try:
            X = np.asarray(inputs, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{rule}; got {type(inputs).__name__} that is not all numbers") from None
        if X.ndim < 2:  # one point, or one x value per point when there is a single input
            X = X.reshape(-1, 1) if len(names) == 1 else X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != len(names):
            raise ValueError(f"{rule}; got shape {np.shape(inputs)}")
        return X

    def loss_grid(self, p1: str, p2: str, center: tuple[float, float] | None = None, span: float | None = None,
                  n: int = 41, theta: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The training objective (train loss + penalty) over an n×n grid of two scalar parameters, the others
        held at `theta` (default: the current values). Returns (xs, ys, Z) with Z[i, j] at (xs[j], ys[i]).
        The grid is evaluated a block of points at a time, so its memory stays under LOSS_GRID_BUDGET floats
        however big the network."""
        i, j = self._grid_axes(p1, p2)
        base = self._theta[0] if theta is None else self._check_theta(theta)
        n = GRID_SIZE.check("n", n)
        cx, cy = (base[i], base[j]) if center is None else _check_center(center)
        span = max(2.0, 1.5 * max(abs(cx), abs(cy))) if span is None else GRID_SPAN.check("span", span)
        xs, ys = np.linspace(cx - span, cx + span, n), np.linspace(cy - span, cy + span, n)
        gx, gy = (g.ravel() for g in np.meshgrid(xs, ys))
        block = np.repeat(base[None, :], min(n * n, self._grid_block()), axis=0)
        out = np.empty(n * n)
        with np.errstate(all="ignore"):
            for a in range(0, n * n, len(block)):
                b = min(a + len(block), n * n)
                points = block[:b - a]
                points[:, i], points[:, j] = gx[a:b], gy[a:b]  # only these two columns differ between points
                out[a:b] = self._objective(points)
        return xs, ys, out.reshape(n, n)

    def _grid_axes(self, p1: str, p2: str) -> tuple[int, int]:
        i, j = self.layout.index_of(p1), self.layout.index_of(p2)
        if i == j:
            raise ValueError(f"p1 and p2 must be two different parameters; both are {p1!r}")
        return i, j

    def _check_theta(self, theta) -> np.ndarray:
        shape = np.shape(theta)
        if shape != (self.layout.n_params,):
            raise ValueError(f"theta must be a vector of all {self.layout.n_params} parameters (as run.theta); "
                             f"got shape {shape}")
        return np.asarray(theta, dtype=np.float64)

    def _grid_block(self) -> int:
        """How many grid points fit in LOSS_GRID_BUDGET floats: each has its own parameter vector and its own
        activations of every layer on the training set (plus one layer's worth of temporaries)."""
        sizes = self.layout.sizes
        per_point = self.layout.n_params + len(self.data.y_train) * (sum(sizes[1:]) + max(sizes))
        return max(1, LOSS_GRID_BUDGET // per_point)

    def _objective(self, theta: np.ndarray) -> np.ndarray:
        """Train loss + penalty for each row of theta (T, P)."""
        y = self.data.y_train
        Z = forward(theta, self.data.X_train, self.layout, self.model.act)[-1]
        loss = np.add.reduce(self.model.loss_fn.per_sample(Z, y), axis=-1) / len(y)
        return loss + self.penalty.value(theta) if self.penalty.active else loss

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.layout.sizes))
        linear = LINEAR_NAMES[self.model.task]
        model = f"MLP {arch} {self.cfg.activation}" if self.cfg.hidden_layers else f"{linear} {arch}"
        state = f"diverged at step {self.diverged_at}" if self.diverged else f"step {self.step_count}"
        return f"Run({self.cfg.dataset}, {model}, {self.cfg.optimizer} lr={self.cfg.learning_rate:g}, {state})"


def _all_finite(theta: np.ndarray) -> bool:
    """No parameter infinite or NaN. A finite sum of squares says so in one BLAS call; only when it is not (a NaN,
    an infinity, or an overflow of huge but finite values) is each entry looked at."""
    return math.isfinite(np.vdot(theta, theta)) or bool(np.isfinite(theta).all())


def _finite_row(row: np.ndarray) -> bool:
    """Train/test/batch loss and penalty finite, and nothing infinite (a gradient norm can overflow while the loss
    has not yet); NaN is allowed elsewhere, e.g. step 0 has no gradient yet."""
    values = row.tolist()  # eleven floats: plain Python is faster than two numpy reductions, every step
    return all(map(math.isfinite, values[2:6])) and not any(map(math.isinf, values))


def _check_cfg(cfg, example: str) -> TrainConfig:
    if not isinstance(cfg, TrainConfig):
        hint = " (TrainConfig.from_dict(d) builds one from a dict)" if isinstance(cfg, dict) else ""
        raise ValueError(f"cfg must be a TrainConfig, e.g. {example}; got {type(cfg).__name__}{hint}")
    return cfg


def _check_center(center) -> tuple[float, float]:
    try:
        cx, cy = center
    except (TypeError, ValueError):
        raise ValueError(f"center must be a pair (x, y) of numbers; got {center!r}") from None
    return GRID_CENTER.check("center[0]", cx), GRID_CENTER.check("center[1]", cy)


def _ratio(delta: np.ndarray, theta: np.ndarray) -> float:
    norm = math.sqrt(np.dot(theta, theta))
    return math.sqrt(np.dot(delta, delta)) / norm if norm > 0 else math.nan  # undefined while all weights are 0
