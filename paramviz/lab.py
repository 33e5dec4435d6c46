"""The overfitting lab's computations: capacity curve, regularization path, learning curve, early stopping and
the bias–variance split. Pure functions of a TrainConfig that return DataFrames (numpy and pandas only).

Trials that share data and architecture go through `sweep` (vectorised). Trials that differ in their *data*
(resampled training sets, data seeds, training-set sizes, polynomial degrees) go through `train_side_by_side`,
which trains T models at once, each on its own data, with the same computation as `Run(cfg).step(steps)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from .config import MAX_SAMPLES, Num, TrainConfig
from .datasets import Dataset, Features, RawData, make_raw, prepare
from .nn import ACTIVATIONS, Layout, forward
from .optim import SCHEDULES, make_optimizer
from .regularizers import penalty_for
from .run import Model, optimizer_settings, sgd_step
from .sweeps import STEPS, sweep

# The noiseless functions behind the regression datasets (datasets.py adds noise·ε to them).
TRUE_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(np.pi * x),  # y = sin(π·x), x ~ U(−1, 1)
    "linear": lambda x: 0.8 * x - 1.0,  # y = 0.8·x − 1, x ~ U(0, 4)
}
INPUT_RANGES: dict[str, tuple[float, float]] = {"sine": (-1.0, 1.0), "linear": (0.0, 4.0)}

# What "capacity" can mean: the polynomial degree of the inputs, or the width / depth of the hidden layers.
CAPACITY_PARAMS = ("poly_degree", "hidden_width", "hidden_depth")
# Fields that may differ between models trained side by side: they change the data, not the training.
DATA_FIELDS = frozenset({"seed", "init_seed", "poly_degree", "n_samples"})
N_TEST = Num(1, MAX_SAMPLES, integer=True)
MIN_DELTA = Num(0, math.inf, high_open=True)


def with_capacity(cfg: TrainConfig, param: str, value: int) -> TrainConfig:
    """cfg with one capacity knob set: poly_degree, or every hidden layer's width, or the number of layers."""
    if param == "poly_degree":
        return cfg.replace(poly_degree=int(value))
    width = cfg.hidden_layers[0] if cfg.hidden_layers else 8
    if param == "hidden_width":
        return cfg.replace(hidden_layers=(int(value),) * max(1, len(cfg.hidden_layers)))
    if param == "hidden_depth":
        return cfg.replace(hidden_layers=(width,) * int(value))
    raise ValueError(f"param must be one of {', '.join(CAPACITY_PARAMS)}; got {param!r}")


def capacity_of(cfg: TrainConfig, param: str) -> int:
    """The current value of a capacity knob in cfg."""
    if param == "poly_degree":
        return cfg.poly_degree
    if param == "hidden_width":
        return cfg.hidden_layers[0] if cfg.hidden_layers else 0
    if param == "hidden_depth":
        return len(cfg.hidden_layers)
    raise ValueError(f"param must be one of {', '.join(CAPACITY_PARAMS)}; got {param!r}")


# ---- training side by side, each model on its own data --------------------------------------------------

class _Targets(NamedTuple):
    """A loss whose targets differ per model: y is (T, n), not (n,). Same formulas as nn.LOSSES."""

    per_sample: Callable[[np.ndarray, np.ndarray], np.ndarray]
    dZ: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __call__(self, Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.per_sample(Z, y).mean(axis=-1), self.dZ(Z, y) / y.shape[-1]


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def _onehot(y, k):
    return (y[..., None] == np.arange(k)).astype(np.float64)


_PER_MODEL_LOSSES = {
    "regression": _Targets(lambda Z, y: (Z[..., 0] - y) ** 2, lambda Z, y: 2.0 * (Z - y[..., None])),
    "binary": _Targets(lambda Z, y: np.logaddexp(0.0, Z[..., 0]) - y * Z[..., 0],
                       lambda Z, y: 0.5 * (1.0 + np.tanh(0.5 * Z)) - y[..., None]),
    "multiclass": _Targets(
        lambda Z, y: -np.log(np.maximum((_softmax(Z) * _onehot(y, Z.shape[-1])).sum(-1), 1e-300)),
        lambda Z, y: _softmax(Z) - _onehot(y, Z.shape[-1])),
}


class SideBySide(NamedTuple):
    """T models trained at once. theta (T, P) is laid out for the widest feature set; a model with fewer
    input features has zeros in the extra rows of W1, which meet only zero-padded inputs and stay zero."""

    theta: np.ndarray
    layout: Layout
    model: Model
    datasets: tuple[Dataset, ...]
    history: pd.DataFrame  # step, trial, train_loss, test_loss
    diverged_at: np.ndarray  # (T,) step of divergence, or -1

    def predict(self, raw_inputs: np.ndarray) -> np.ndarray:
        """(T, n) outputs of every model at the same raw inputs (regression values or logits)."""
        X = np.atleast_2d(np.asarray(raw_inputs, dtype=np.float64))
        feats = _padded([d.features(X) for d in self.datasets], self.layout.sizes[0])
        with np.errstate(all="ignore"):
            return forward(self.theta, feats, self.layout, self.model.act)[-1][..., 0]


def _padded(arrays: list[np.ndarray], width: int) -> np.ndarray:
    """Stack (n, d_t) arrays into (T, n, width), zero-filling the missing feature columns."""
    out = np.zeros((len(arrays), arrays[0].shape[0], width))
    for t, a in enumerate(arrays):
        out[t, :, :a.shape[1]] = a
    return out


def _embed(theta: np.ndarray, small: Layout, big: Layout) -> np.ndarray:
    """A small layout's parameters placed into a wider one (the extra W1 rows left at zero)."""
    out = np.zeros(big.n_params)
    big_views = big.unflatten(out)
    for name, value in small.unflatten(theta).items():
        big_views[name][tuple(slice(0, s) for s in value.shape)] = value
    return out


def _check_side_by_side(cfgs: Sequence[TrainConfig], datasets: Sequence[Dataset]) -> None:
    if not cfgs:
        raise ValueError("train_side_by_side needs at least one config")
    first = cfgs[0].to_dict()
    for cfg in cfgs[1:]:
        differ = {k for k, v in cfg.to_dict().items() if v != first[k]} - DATA_FIELDS
        if differ:
            raise ValueError(f"models trained side by side may differ only in {', '.join(sorted(DATA_FIELDS))}; "
                             f"these differ too: {', '.join(sorted(differ))}")
    shapes = {(len(d.y_train), len(d.y_test), d.task, d.n_outputs) for d in datasets}
    if len(shapes) > 1:
        raise ValueError("models trained side by side need the same numbers of train and test samples")


def train_side_by_side(cfgs: Sequence[TrainConfig], steps: int, datasets: Sequence[Dataset] | None = None,
                       record_every: int | None = None) -> SideBySide:
    """Train len(cfgs) models at once, model t on its own data, for `steps` steps: the computation of
    `Run(cfgs[t], data=datasets[t]).step(steps)`, with the same data, initial weights, minibatch order and schedule.
    The configs may differ only in the data fields (seed, init_seed, poly_degree, n_samples).

    Equal to the Run up to floating-point rounding: the zero-padded feature columns change the order in which
    BLAS adds numbers (about 1e-16 per step). A chaotic run (Adam at a high learning rate, thousands of steps)
    can amplify that to a difference in the second or third digit of the final loss, as any change of
    summation order would; the trade is 15 degrees trained in one group instead of fifteen."""
    steps = STEPS.check("steps", steps)
    datasets = tuple(datasets) if datasets is not None else tuple(prepare(make_raw(c), c) for c in cfgs)
    _check_side_by_side(cfgs, datasets)
    cfg, first = cfgs[0], datasets[0]
    width = max(d.X_train.shape[1] for d in datasets)
    layout = Layout.of((width, *cfg.hidden_layers, first.n_outputs))
    model = Model(layout, ACTIVATIONS[cfg.activation], _PER_MODEL_LOSSES[first.task], first.task)
    theta = np.stack([_initial_theta(c, d, layout) for c, d in zip(cfgs, datasets)])
    X, y = _padded([d.X_train for d in datasets], width), np.stack([d.y_train for d in datasets])
    X_test, y_test = _padded([d.X_test for d in datasets], width), np.stack([d.y_test for d in datasets])
    batches = _Batches([c.seed for c in cfgs], len(first.y_train), cfg.batch_size)
    penalty = penalty_for(cfg.regularizer, cfg.reg_strength, cfg.l1_ratio, layout.weight_mask, cfg.proximal)
    opt = make_optimizer(cfg.optimizer, optimizer_settings(cfg, layout.weight_mask))
    state, every = opt.init(theta), record_every or max(1, steps // 200)
    diverged_at = np.full(len(cfgs), -1)
    rows = [(0, *_losses(theta, model, X, y, X_test, y_test))]
    with np.errstate(all="ignore"):
        for step in range(1, steps + 1):
            lr = SCHEDULES[cfg.schedule](cfg.learning_rate, batches.epoch, cfg.schedule_gamma, cfg.schedule_epochs)
            Xb, yb = batches.next(X, y)
            new_theta, state, _, _ = sgd_step(theta, state, Xb, yb, model, penalty, opt, lr)
            bad = ~np.isfinite(new_theta).all(axis=1) & (diverged_at < 0)
            diverged_at[bad] = step
            theta = np.where((diverged_at < 0)[:, None], new_theta, theta)  # a diverged model keeps its last weights
            if step % every == 0 or step == steps:
                rows.append((step, *_losses(theta, model, X, y, X_test, y_test)))
    return SideBySide(theta, layout, model, datasets, _history_table(rows, len(cfgs)), diverged_at)


def _initial_theta(cfg: TrainConfig, data: Dataset, big: Layout) -> np.ndarray:
    small = Layout.of((data.X_train.shape[1], *cfg.hidden_layers, data.n_outputs))
    init_seed = cfg.seed if cfg.init_seed is None else cfg.init_seed
    return _embed(small.init(cfg.init, np.random.default_rng([init_seed, 4])), small, big)


def _losses(theta, model: Model, X, y, X_test, y_test) -> tuple[np.ndarray, np.ndarray]:
    train = model.loss_fn.per_sample(forward(theta, X, model.layout, model.act)[-1], y).mean(axis=-1)
    test = model.loss_fn.per_sample(forward(theta, X_test, model.layout, model.act)[-1], y_test).mean(axis=-1)
    return train, test


def _history_table(rows: list[tuple[int, np.ndarray, np.ndarray]], T: int) -> pd.DataFrame:
    steps, train, test = zip(*rows)
    return pd.DataFrame({"step": np.repeat(steps, T), "trial": np.tile(np.arange(T), len(steps)),
                         "train_loss": np.concatenate(train), "test_loss": np.concatenate(test)})


class _Batches:
    """Run's minibatch order (a fresh permutation per epoch, seeded by [seed, 3]), one per model."""

    def __init__(self, seeds: Sequence[int], n: int, batch_size: int):
        self.rngs = [np.random.default_rng([s, 3]) for s in seeds]
        self.n, self.size = n, min(batch_size, n)
        self.pos, self.epoch = 0, 0
        self.orders = self._new_orders()

    def _new_orders(self) -> np.ndarray | None:
        if self.size >= self.n:
            return None  # full batch: the order is never used, so the permutations are skipped
        return np.stack([rng.permutation(self.n) for rng in self.rngs])

    def next(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.orders is None:
            self.epoch += 1
            return X, y  # every sample, in data order (as Run does)
        idx = self.orders[:, self.pos:self.pos + self.size]
        self.pos += self.size
        if self.pos >= self.n:
            self.pos, self.orders, self.epoch = 0, self._new_orders(), self.epoch + 1
        rows = np.arange(len(X))[:, None]
        return X[rows, idx], y[rows, idx]


# ---- capacity curve --------------------------------------------------------------------------------------

def capacity_curve(base_cfg: TrainConfig, param: str = "poly_degree", values: Sequence[int] = range(1, 16),
                   steps: int = 2000, seeds: Sequence[int] | None = None) -> pd.DataFrame:
    """Final train and test loss for each capacity value (the validation curve), over one or more data seeds.

    One row per value: param, final_train_loss, final_test_loss (medians over seeds), train/test_loss_lo and _hi
    (their 25th and 75th percentiles), best_test_loss (the lowest test loss seen during training), diverged
    (any seed) and best (True on the lowest final test loss among the models that did not diverge)."""
    values = _whole_numbers("values", values, low=0 if param == "hidden_depth" else 1)
    steps = STEPS.check("steps", steps)
    seeds = list(seeds) if seeds is not None else [base_cfg.seed]
    cfgs = [with_capacity(base_cfg, param, v).replace(seed=s) for v in values for s in seeds]
    if param == "poly_degree":  # only the data differ: all degrees and seeds side by side, in one group
        fit = train_side_by_side(cfgs, steps)
        per_trial = _final_losses(fit.history).assign(diverged=fit.diverged_at >= 0)
    else:  # different architectures: the sweep runs one vectorised group per width or depth
        width = {"hidden_width": [capacity_of(base_cfg, "hidden_width") or 8]} if param == "hidden_depth" else {}
        table = sweep(base_cfg, {param: list(values), **width, "seed": seeds}, steps=steps)
        per_trial = table[[param, "final_train_loss", "final_test_loss", "best_test_loss", "diverged"]]
        per_trial = per_trial.astype({"diverged": bool}).reset_index(drop=True)
    if param == "poly_degree":
        per_trial[param] = np.repeat(values, len(seeds))
    out = _over_seeds(per_trial.rename(columns={"final_train_loss": "train_loss", "final_test_loss": "test_loss"}),
                      param)
    return _mark_best(out.rename(columns={"train_loss": "final_train_loss", "test_loss": "final_test_loss"}),
                      "final_test_loss")


def _over_seeds(per_trial: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median and interquartile range (_lo = 25th, _hi = 75th percentile) of train_loss / test_loss over data
    seeds: the median, because one unlucky draw of a few points can blow a polynomial's test loss up a
    thousandfold and would swamp a mean."""
    g = per_trial.groupby(by, sort=False)
    out = g.agg(train_loss=("train_loss", "median"), test_loss=("test_loss", "median"))
    for column in ("train_loss", "test_loss"):
        out[f"{column}_lo"] = g[column].quantile(0.25)
        out[f"{column}_hi"] = g[column].quantile(0.75)
    if "best_test_loss" in per_trial:
        out["best_test_loss"] = g["best_test_loss"].median()
    if "diverged" in per_trial:
        out["diverged"] = g["diverged"].any()
    return out.reset_index()


def _final_losses(history: pd.DataFrame) -> pd.DataFrame:
    last = history[history["step"] == history["step"].max()].set_index("trial")
    best = history.groupby("trial")["test_loss"].min()
    return pd.DataFrame({"final_train_loss": last["train_loss"], "final_test_loss": last["test_loss"],
                         "best_test_loss": best}).reset_index(drop=True)


def _mark_best(df: pd.DataFrame, column: str) -> pd.DataFrame:
    ok = df[column].where(~df["diverged"] & np.isfinite(df[column]))
    return df.assign(best=(df.index == ok.idxmin()) if ok.notna().any() else False)


def _whole_numbers(name: str, values, low: int = 1) -> list[int]:
    listed = list(values) if _is_list(values) else []
    if not listed or not all(_is_number(v) and math.isfinite(v) and v == int(v) and v >= low for v in listed):
        raise ValueError(f"{name} must be a non-empty list of whole numbers ≥ {low}; got {values!r}")
    return [int(v) for v in listed]


def _is_list(values) -> bool:
    """A list, tuple, range or array: iterable, but not a string (whose characters would pass for digits)."""
    return hasattr(values, "__iter__") and not isinstance(values, (str, bytes, dict))


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


# ---- regularization path -----------------------------------------------------------------------------------

def regularization_path(base_cfg: TrainConfig, regularizer: str = "l1",
                        strengths: Sequence[float] = tuple(np.logspace(-4, 0, 9)), steps: int = 2000,
                        proximal: bool = True) -> pd.DataFrame:
    """Train one model per reg_strength λ (all side by side: same data, same architecture) and return one row
    per λ: reg_strength, final train/test loss, n_zero_weights (weights exactly 0), n_weights, and one column
    per weight (its final value; biases are never regularized, so they are left out)."""
    if regularizer not in ("l1", "l2", "elasticnet"):
        raise ValueError(f"regularizer must be one of l1, l2, elasticnet; got {regularizer!r}")
    strengths = [float(s) for s in strengths]
    if not strengths or any(not (0 < s <= 100) for s in strengths):
        raise ValueError(f"reg_strength values must be a non-empty list of numbers in (0, 100]; got {strengths!r}")
    cfg = base_cfg.replace(regularizer=regularizer, proximal=bool(proximal))
    res = sweep(cfg, {"reg_strength": strengths}, steps=steps, details=True)
    param_names = res.param_names[0]  # one architecture for every λ
    is_weight = np.array([name.startswith("W") for name in param_names])
    weights = np.asarray(res.final_params)[:, is_weight]
    out = pd.DataFrame({"reg_strength": res.table["reg_strength"].to_numpy(dtype=float), "regularizer": regularizer,
                        "final_train_loss": res.table["final_train_loss"].to_numpy(),
                        "final_test_loss": res.table["final_test_loss"].to_numpy(),
                        "diverged": res.table["diverged"].to_numpy(dtype=bool),
                        "n_zero_weights": (weights == 0.0).sum(axis=1), "n_weights": int(is_weight.sum())})
    names = [n for n, w in zip(param_names, is_weight) if w]
    return pd.concat([out, pd.DataFrame(weights, columns=names)], axis=1)


def weight_columns(path: pd.DataFrame) -> list[str]:
    """The per-weight columns of a regularization_path table ("W1[0,0]", ...)."""
    return [c for c in path.columns if c.startswith("W")]


# ---- learning curve --------------------------------------------------------------------------------------

def learning_curve(base_cfg: TrainConfig, sizes: Sequence[int] = (5, 10, 20, 40, 80, 160), steps: int = 1500,
                   seeds: Sequence[int] = (0, 1, 2), n_test: int = 200) -> pd.DataFrame:
    """Train and test loss against the number of training samples, averaged over data seeds.

    For each seed, one pool of points is drawn; the first `size` are the training set and the last n_test are
    a test set shared by every size, so only the amount of training data changes along the curve. One row per
    size: n_train, train_loss, test_loss (medians over seeds), their quartiles (_lo, _hi) and gap = test − train."""
    sizes = _whole_numbers("sizes", sizes, low=2)
    steps, n_test = STEPS.check("steps", steps), N_TEST.check("n_test", n_test)
    if not seeds:
        raise ValueError("seeds must name at least one data seed")
    pools = {s: make_raw(base_cfg.replace(seed=s, n_samples=max(sizes) + n_test)) for s in seeds}
    cfgs = [base_cfg.replace(seed=s) for s in seeds]
    per_size = []
    for size in sizes:  # one group per size: the seeds side by side
        data = [_fixed_test_split(pools[s], size, n_test, base_cfg) for s in seeds]
        final = _final_losses(train_side_by_side(cfgs, steps, data).history)
        per_size.append(pd.DataFrame({"n_train": size, "train_loss": final["final_train_loss"],
                                      "test_loss": final["final_test_loss"]}))
    out = _over_seeds(pd.concat(per_size, ignore_index=True), "n_train")
    return out.assign(gap=out["test_loss"] - out["train_loss"])


def _fixed_test_split(raw: RawData, n_train: int, n_test: int, cfg: TrainConfig) -> Dataset:
    train, test = slice(0, n_train), slice(len(raw.y) - n_test, len(raw.y))
    feats = Features.fit(raw.X[train], cfg.poly_degree, cfg.scale_inputs, raw.input_names)
    y = raw.y.astype(np.float64) if raw.task == "regression" else raw.y.astype(np.int64)
    return Dataset(feats(raw.X[train]), y[train], feats(raw.X[test]), y[test], raw.X[train], raw.X[test],
                   raw.task, raw.n_classes, feats, raw.input_names, raw.target_name, raw.class_names)


# ---- early stopping ----------------------------------------------------------------------------------------

class EarlyStopping(NamedTuple):
    """Where patience-based early stopping stops on a loss history, and what it saves."""

    best_step: int  # step of the lowest test loss over the whole run
    best_test_loss: float
    stop_step: int  # step at which training stops (the last step if patience never ran out)
    stopped: bool  # True if patience ran out before the end
    restored_step: int  # the best step seen before stopping: the weights early stopping keeps
    restored_test_loss: float
    final_step: int
    final_test_loss: float  # what training to the end gives

    @property
    def saved(self) -> float:
        """How much lower the kept model's test loss is than the final model's."""
        return self.final_test_loss - self.restored_test_loss


def early_stopping(history: pd.DataFrame, patience: int, min_delta: float = 0.0) -> EarlyStopping:
    """Patience-based early stopping on a history (columns step, test_loss): stop once the test loss has not
    improved by more than min_delta for `patience` recorded evaluations in a row, and keep the best weights."""
    if not _is_number(patience) or not math.isfinite(patience) or patience != int(patience) or patience < 1:
        raise ValueError(f"patience must be a whole number ≥ 1; got {patience!r}")
    min_delta = MIN_DELTA.check("min_delta", min_delta)
    h = history[np.isfinite(history["test_loss"])].reset_index(drop=True)
    if h.empty:
        raise ValueError("the history has no finite test loss to stop on")
    loss, steps = h["test_loss"].to_numpy(), h["step"].to_numpy()
    best_i, stop_i, waited = 0, len(h) - 1, 0
    for i in range(1, len(h)):
        if loss[i] < loss[best_i] - min_delta:
            best_i, waited = i, 0
        else:
            waited += 1
            if waited >= patience:
                stop_i = i
                break
    stopped = waited >= patience
    g = int(np.argmin(loss))
    return EarlyStopping(int(steps[g]), float(loss[g]), int(steps[stop_i]), stopped, int(steps[best_i]),
                         float(loss[best_i]), int(steps[-1]), float(loss[-1]))


# ---- bias–variance -----------------------------------------------------------------------------------------

class BiasVariance(NamedTuple):
    """summary: one row per capacity value (bias2, variance, noise, expected_error);
    pointwise: the same split at each x of the test grid (value, x, f, mean_prediction, bias2, variance);
    fits: every resample's prediction (value, resample, x, prediction)."""

    summary: pd.DataFrame
    pointwise: pd.DataFrame
    fits: pd.DataFrame


def bias_variance(base_cfg: TrainConfig, n_resamples: int = 20, steps: int = 1500, param: str = "poly_degree",
                  values: Sequence[int] | None = None, n_grid: int = 101) -> BiasVariance:
    """Expected test error split into bias² + variance + noise, by training n_resamples copies of each model,
    each on a fresh training set (data seeds seed, seed+1, ...; the same initial weights), and predicting on a
    fixed grid of test points x where the noiseless function f(x) is known.

    At each x: bias²(x) = (mean_r ŷ_r(x) − f(x))², variance(x) = mean_r (ŷ_r(x) − mean_r ŷ_r(x))², and
    noise = σ² (the dataset's noise²). The expected error E[(y − ŷ)²] = mean_r (ŷ_r(x) − f(x))² + σ² equals
    bias² + variance + noise exactly (variance with 1/R, not 1/(R−1)); the summary averages over the grid.
    With R resamples the measured bias² still holds about variance/R of the fits' disagreement (their average
    is itself noisy), which shows at high degrees where the variance is large; more resamples shrink it."""
    if base_cfg.dataset not in TRUE_FUNCTIONS:
        raise ValueError(f"dataset must be one of {', '.join(TRUE_FUNCTIONS)} for the bias–variance split "
                         f"(they have a known noiseless function); got {base_cfg.dataset!r}")
    if not _is_number(n_resamples) or not 2 <= n_resamples <= 500 or n_resamples != int(n_resamples):
        raise ValueError(f"n_resamples must be a whole number in [2, 500]; got {n_resamples!r}")
    values = _whole_numbers("values", values if values is not None else [capacity_of(base_cfg, param)],
                            low=0 if param == "hidden_depth" else 1)
    steps = STEPS.check("steps", steps)
    init_seed = base_cfg.seed if base_cfg.init_seed is None else base_cfg.init_seed
    cfgs = [with_capacity(base_cfg, param, v).replace(seed=base_cfg.seed + r, init_seed=init_seed)
            for v in values for r in range(n_resamples)]
    lo, hi = INPUT_RANGES[base_cfg.dataset]
    x = np.linspace(lo, hi, n_grid)
    f = TRUE_FUNCTIONS[base_cfg.dataset](x)
    groups = [cfgs] if param == "poly_degree" else [cfgs[i:i + n_resamples] for i in range(0, len(cfgs), n_resamples)]
    preds = np.concatenate([train_side_by_side(g, steps).predict(x[:, None]) for g in groups])
    preds = preds.reshape(len(values), n_resamples, n_grid)
    return _split(preds, f, x, values, param, base_cfg.noise**2)


def _split(preds: np.ndarray, f: np.ndarray, x: np.ndarray, values: list[int], param: str,
           noise: float) -> BiasVariance:
    mean = preds.mean(axis=1)  # (V, G)
    bias2 = (mean - f) ** 2
    variance = ((preds - mean[:, None, :]) ** 2).mean(axis=1)
    error = ((preds - f) ** 2).mean(axis=1) + noise
    V, R, G = preds.shape
    summary = pd.DataFrame({param: values, "bias2": bias2.mean(axis=1), "variance": variance.mean(axis=1),
                            "noise": noise, "expected_error": error.mean(axis=1)})
    pointwise = pd.DataFrame({param: np.repeat(values, G), "x": np.tile(x, V), "f": np.tile(f, V),
                              "mean_prediction": mean.ravel(), "bias2": bias2.ravel(), "variance": variance.ravel(),
                              "expected_error": error.ravel()})
    fits = pd.DataFrame({param: np.repeat(values, R * G), "resample": np.tile(np.repeat(np.arange(R), G), V),
                         "x": np.tile(x, V * R), "prediction": preds.ravel()})
    return BiasVariance(summary, pointwise, fits)


def true_function(dataset: str, x: np.ndarray) -> np.ndarray:
    """The noiseless f(x) of a regression dataset ("sine" or "linear")."""
    if dataset not in TRUE_FUNCTIONS:
        raise ValueError(f"dataset must be one of {', '.join(TRUE_FUNCTIONS)}; got {dataset!r}")
    return TRUE_FUNCTIONS[dataset](np.asarray(x, dtype=np.float64))


def record_every_for(steps: int) -> int:
    """How often training_history evaluates the full losses: about 400 evaluations per run."""
    return max(1, math.ceil(steps / 400))


def training_history(cfg: TrainConfig, steps: int, record_every: int | None = None) -> pd.DataFrame:
    """One model's loss history over `steps` steps (for the early-stopping view)."""
    from .run import Run

    return Run(cfg.replace(record_every=record_every or record_every_for(steps))).step(steps).history
