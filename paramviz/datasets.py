"""Datasets: seeded generators in a registry, CSV loading, the train/test split and the input features.

A generator returns raw inputs and targets; `prepare` splits them, expands polynomial features and scales
them with statistics of the training set only, so train and test see the same transform.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .config import MAX_SAMPLES, TrainConfig


class RawData(NamedTuple):
    """Inputs and targets before the split: what a generator or a CSV file gives."""

    X: np.ndarray  # (n, d) float64
    y: np.ndarray  # (n,) float64 for regression, int class index otherwise
    task: str  # "regression" | "binary" | "multiclass"
    n_classes: int  # 1 for regression
    input_names: tuple[str, ...]
    target_name: str = "y"
    class_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Features:
    """Polynomial expansion (all monomials of degree 1..poly_degree) followed by standardisation."""

    poly_degree: int
    powers: np.ndarray  # (n_features, d) exponents
    mean: np.ndarray
    std: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def fit(cls, X: np.ndarray, poly_degree: int, scale: bool, input_names: tuple[str, ...]) -> Features:
        powers = _monomial_powers(X.shape[1], poly_degree)
        P = _expand(X, powers)
        mean = P.mean(axis=0) if scale else np.zeros(P.shape[1])
        std = P.std(axis=0) if scale else np.ones(P.shape[1])
        std = np.where(std > 1e-12, std, 1.0)
        return cls(poly_degree, powers, mean, std, _monomial_names(powers, input_names))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (_expand(np.asarray(X, dtype=np.float64), self.powers) - self.mean) / self.std


@dataclass(frozen=True)
class Dataset:
    """The split data. X_train/X_test are exactly what the model receives; inputs_* are the raw inputs."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    inputs_train: np.ndarray
    inputs_test: np.ndarray
    task: str
    n_classes: int
    features: Features
    input_names: tuple[str, ...]
    target_name: str = "y"
    class_names: tuple[str, ...] = ()

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "multiclass" else 1

    def __repr__(self) -> str:
        return (f"Dataset({self.task}, {len(self.y_train)} train + {len(self.y_test)} test, "
                f"{len(self.input_names)} inputs -> {self.X_train.shape[1]} features)")


def _monomial_powers(d: int, degree: int) -> np.ndarray:
    rows = [p for deg in range(1, degree + 1)
            for p in itertools.product(range(deg + 1), repeat=d) if sum(p) == deg]
    rows.sort(key=lambda p: (sum(p), tuple(-x for x in p)))
    return np.array(rows, dtype=np.int64).reshape(-1, d)


def _expand(X: np.ndarray, powers: np.ndarray) -> np.ndarray:
    if powers.shape[0] == X.shape[1] and np.array_equal(powers, np.eye(X.shape[1], dtype=np.int64)):
        return X.copy()
    return np.prod(X[:, None, :] ** powers[None, :, :], axis=2)


def _monomial_names(powers: np.ndarray, names: tuple[str, ...]) -> tuple[str, ...]:
    def one(p):
        return "·".join(n if k == 1 else f"{n}^{k}" for n, k in zip(names, p) if k)
    return tuple(one(p) for p in powers)


# ---- generators: (rng, n, noise, n_classes) -> RawData -------------------------------------------------

def linear(rng, n, noise, n_classes) -> RawData:
    """y = 0.8·x − 1 + noise·ε, x ~ U(0, 4): one input, so a linear model has exactly two parameters w, b."""
    x = rng.uniform(0.0, 4.0, n)
    y = 0.8 * x - 1.0 + noise * rng.standard_normal(n)
    return RawData(x[:, None], y, "regression", 1, ("x",))


def sine(rng, n, noise, n_classes) -> RawData:
    """y = sin(π·x) + noise·ε, x ~ U(−1, 1): the classic curve for under- and overfitting with polynomials."""
    x = rng.uniform(-1.0, 1.0, n)
    y = np.sin(np.pi * x) + noise * rng.standard_normal(n)
    return RawData(x[:, None], y, "regression", 1, ("x",))


def ripple(rng, n, noise, n_classes) -> RawData:
    """y = sin(2·x1)·cos(1.5·x2) + noise·ε on [−2, 2]²: a two-input regression surface."""
    X = rng.uniform(-2.0, 2.0, (n, 2))
    y = np.sin(2 * X[:, 0]) * np.cos(1.5 * X[:, 1]) + noise * rng.standard_normal(n)
    return RawData(X, y, "regression", 1, ("x1", "x2"))


def moons(rng, n, noise, n_classes) -> RawData:
    """Two interleaving half circles, jittered by noise·ε."""
    n0 = n // 2
    t = rng.uniform(0, np.pi, n)
    upper = np.arange(n) < n0
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, (~upper).astype(np.int64), "binary", 2)


def circles(rng, n, noise, n_classes) -> RawData:
    """A disc of class 1 (radius 0.5) inside a ring of class 0 (radius 1)."""
    y = (np.arange(n) % 2).astype(np.int64)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.0)
    X = r[:, None] * np.c_[np.cos(t), np.sin(t)] + noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y, "binary", 2)


def xor(rng, n, noise, n_classes) -> RawData:
    """Class 1 where x1·x2 > 0 (two opposite quadrants): no single line separates it."""
    X = rng.uniform(-1, 1, (n, 2))
    X = X + np.sign(X) * 0.05
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return RawData(X + noise * rng.standard_normal((n, 2)), y, "binary", 2, ("x1", "x2"))


def spiral(rng, n, noise, n_classes) -> RawData:
    """Two interleaved spirals, one per class."""
    y = (np.arange(n) % 2).astype(np.int64)
    r = rng.uniform(0.1, 1.0, n)
    t = 1.75 * 2 * np.pi * r + np.pi * y
    X = r[:, None] * np.c_[np.sin(t), np.cos(t)] + noise * 0.5 * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y, "binary", 2)


def gaussians(rng, n, noise, n_classes) -> RawData:
    """Two Gaussian clouds at (−1, −1) and (1, 1), spread 0.4 + noise: linearly separable when noise is low."""
    y = (np.arange(n) % 2).astype(np.int64)
    centers = np.array([[-1.0, -1.0], [1.0, 1.0]])
    X = centers[y] + (0.4 + noise) * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y, "binary", 2)


def blobs(rng, n, noise, n_classes) -> RawData:
    """n_classes Gaussian clouds on a circle of radius 2, spread 0.4 + noise: multi-class softmax data."""
    y = (np.arange(n) % n_classes).astype(np.int64)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centers = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    X = centers[y] + (0.4 + noise) * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y, "multiclass", n_classes)


def _shuffled(rng, X, y, task, k) -> RawData:
    order = rng.permutation(len(y))
    return RawData(X[order], y[order], task, k, ("x1", "x2"))


DATASETS: dict[str, Callable[..., RawData]] = {
    "linear": linear, "sine": sine, "ripple": ripple,
    "moons": moons, "circles": circles, "xor": xor, "spiral": spiral, "gaussians": gaussians,
    "blobs": blobs,
}


def make_raw(cfg: TrainConfig) -> RawData:
    """Draw the dataset named by cfg.dataset with cfg.seed (the same seed always gives the same points)."""
    if cfg.dataset == "csv":
        raise ValueError("dataset 'csv' needs data: pass Run(cfg, data=pv.load_csv(...))")
    rng = np.random.default_rng([cfg.seed, 1])
    return DATASETS[cfg.dataset](rng, cfg.n_samples, cfg.noise, cfg.n_classes)


def split_sizes(n: int, test_fraction: float) -> tuple[int, int]:
    """(train, test) sizes of n samples split with test_fraction, or a ValueError when fewer than 2 would train."""
    n_test = max(1, int(round(n * test_fraction)))
    if n - n_test < 2:
        raise ValueError(f"test_fraction {test_fraction} leaves fewer than 2 training samples of {n}")
    return n - n_test, n_test


def prepare(raw: RawData, cfg: TrainConfig) -> Dataset:
    """Split raw data into train and test (seeded by cfg.seed) and build the model's input features."""
    raw = check_raw(raw)
    n = len(raw.y)
    n_test = split_sizes(n, cfg.test_fraction)[1]
    order = np.random.default_rng([cfg.seed, 2]).permutation(n)
    test, train = order[:n_test], order[n_test:]
    feats = Features.fit(raw.X[train], cfg.poly_degree, cfg.scale_inputs, raw.input_names)
    return Dataset(feats(raw.X[train]), raw.y[train], feats(raw.X[test]), raw.y[test], raw.X[train], raw.X[test],
                   raw.task, raw.n_classes, feats, raw.input_names, raw.target_name, raw.class_names)


# ---- checking data that comes from outside (a CSV, or a RawData built by hand) ---------------------------

TASKS = ("regression", "binary", "multiclass")
MAX_INPUTS = 20  # input columns of a CSV or a RawData
MAX_CLASSES = 10


def check_raw(raw: RawData) -> RawData:
    """raw with X as (n, d) float64 and y as float64 targets or int64 class indices, or a ValueError that says
    which field is wrong and what is allowed. `prepare` calls it, so bad data is caught before any training."""
    if not isinstance(raw, RawData):
        raise ValueError("data must be a RawData (as pv.load_csv returns, or pv.RawData(X, y, task, n_classes, "
                         f"input_names)) or a Dataset (as pv.prepare returns); got {type(raw).__name__}")
    X, y = _numbers("X", raw.X), _numbers("y", raw.y)
    if X.ndim != 2:
        hint = " (for a single input, pass X[:, None])" if X.ndim == 1 else ""
        raise ValueError(f"data.X must be a 2-D array of shape (n_samples, n_inputs); got shape {X.shape}{hint}")
    if y.ndim != 1:
        raise ValueError(f"data.y must be a 1-D array of one target per row; got shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"data.X has {len(X)} rows but data.y has {len(y)}; they need one target per row")
    if len(y) > MAX_SAMPLES:
        raise ValueError(f"data has {len(y)} rows; at most {MAX_SAMPLES} are allowed")
    if not 1 <= X.shape[1] <= MAX_INPUTS:
        raise ValueError(f"data.X has {X.shape[1]} columns; it needs 1 to {MAX_INPUTS} inputs")
    names = tuple(map(str, raw.input_names))
    if len(names) != X.shape[1]:
        raise ValueError(f"data.input_names must have one name per column of data.X ({X.shape[1]}); got {names}")
    _check_finite(X, names, first_row=0, where="data.X: ")
    y = _targets(y, raw)
    return raw._replace(X=X.astype(np.float64), y=y, n_classes=int(raw.n_classes), input_names=names,
                        class_names=_class_names(raw))


def _numbers(field: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values)
    except ValueError:  # ragged rows
        raise ValueError(f"data.{field} must be an array of numbers with the same length in every row") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"data.{field} must be an array of numbers; got dtype {arr.dtype}")
    return arr


def _targets(y: np.ndarray, raw: RawData) -> np.ndarray:
    """y as float64 regression targets, or int64 class indices 0 .. n_classes − 1."""
    if raw.task not in TASKS:
        raise ValueError(f"data.task must be one of {', '.join(TASKS)}; got {raw.task!r}")
    allowed = {"regression": (1, 1), "binary": (2, 2), "multiclass": (3, MAX_CLASSES)}[raw.task]
    k = raw.n_classes
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not allowed[0] <= k <= allowed[1]:
        rule = str(allowed[0]) if allowed[0] == allowed[1] else f"a whole number in [{allowed[0]}, {allowed[1]}]"
        raise ValueError(f"data.n_classes must be {rule} for a {raw.task} task; got {k!r}")
    y = y.astype(np.float64)
    if raw.task == "regression":
        if not np.all(np.isfinite(y)):
            r = int(np.argmin(np.isfinite(y)))
            raise ValueError(f"data.y must be finite numbers; got {y[r]} at row {r}")
        return y
    bad = ~((y >= 0) & (y < k) & (y == np.round(y)))
    if bad.any():
        r = int(np.argmax(bad))
        raise ValueError(f"data.y must hold class indices 0 to {k - 1} (task {raw.task}, n_classes={k}); "
                         f"got {y[r]:g} at row {r}")
    return y.astype(np.int64)


def _class_names(raw: RawData) -> tuple[str, ...]:
    names = tuple(map(str, raw.class_names))
    if names and len(names) != raw.n_classes:
        raise ValueError(f"data.class_names must have one name per class ({raw.n_classes}), or none; got {names}")
    return names


def _check_finite(X: np.ndarray, columns, first_row: int, where: str = "") -> None:
    """A ValueError at the first missing (NaN) or infinite input, named by its column and row: one NaN would
    make its whole column NaN once standardised, and the run would fail as if it diverged."""
    bad = ~np.isfinite(X)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        kind = "a missing value" if np.isnan(X[r, c]) else "an infinite value"
        raise ValueError(f"{where}column {columns[c]!r} has {kind} (row {r + first_row})")


# ---- CSV --------------------------------------------------------------------------------------------

def load_csv(source, target: str | None = None, task: str | None = None,
             max_rows: int = MAX_SAMPLES) -> RawData:
    """Read a CSV of numeric feature columns and one target column (default: the last column).

    task: "regression", "classification" or None to infer (a target of ≤ 10 distinct whole numbers or any
    text labels is classification). Raises ValueError with the reason for any malformed file.
    """
    import pandas as pd  # pandas is a dependency of the package; only CSV loading needs it here

    if isinstance(source, (bytes, bytearray)):
        if source[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as spreadsheets save "Unicode text"
            raise ValueError("the file is not a CSV text file in UTF-8; save the table as CSV (UTF-8) and upload "
                             "that")
        if b"\x00" in source[:4096]:
            raise ValueError("the file is not a CSV text file (it holds binary data, like an image or a "
                             "spreadsheet); save the table as CSV and upload that")
        source = io.BytesIO(source)
    try:
        df = pd.read_csv(source)
    except pd.errors.EmptyDataError:
        raise ValueError("the CSV file is empty") from None
    except UnicodeDecodeError:
        raise ValueError("the file is not a CSV text file in UTF-8; save the table as CSV (UTF-8) and upload "
                         "that") from None
    except pd.errors.ParserError as e:
        raise ValueError(f"the file could not be read as CSV: {_parser_problem(str(e))}") from None
    if df.shape[1] < 2:
        separator = next((name for sep, name in ((";", "semicolons"), ("\t", "tabs")) if sep in str(df.columns[0])),
                         None)
        hint = f"; this file seems to separate its values with {separator}, save it with commas" if separator else ""
        raise ValueError(f"the CSV needs at least two columns: one or more features and a target{hint}")
    if len(df) < 10:
        raise ValueError(f"the CSV has {len(df)} rows; at least 10 are needed")
    if len(df) > max_rows:
        raise ValueError(f"the CSV has {len(df)} rows; at most {max_rows} are allowed")
    target = df.columns[-1] if target is None else target
    if target not in df.columns:
        raise ValueError(f"target column {target!r} is not in the CSV (columns: {', '.join(map(str, df.columns))})")
    X_df = df.drop(columns=[target])
    if X_df.shape[1] > MAX_INPUTS:
        raise ValueError(f"the CSV has {X_df.shape[1]} feature columns; at most {MAX_INPUTS} are allowed")
    X = _numeric(X_df)
    y_col = df[target]
    if y_col.isna().any():
        raise ValueError(f"target column {target!r} has missing values (row {int(y_col.isna().argmax()) + 2})")
    is_text = not pd.api.types.is_numeric_dtype(y_col)
    if task is None:
        whole = (not is_text) and np.all(np.mod(y_col.to_numpy(dtype=float), 1) == 0)
        task = "classification" if is_text or (whole and y_col.nunique() <= 10) else "regression"
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be one of regression, classification; got {task!r}")
    names = tuple(map(str, X_df.columns))
    if task == "regression":
        if is_text:
            raise ValueError(f"target column {target!r} is not numeric, so it cannot be a regression target")
        y = y_col.to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"target column {target!r} has non-finite values (inf)")
        return RawData(X, y, "regression", 1, names, str(target))
    classes, y = np.unique(y_col.astype(str) if is_text else y_col.to_numpy(), return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"target column {target!r} has a single class ({classes[0]}); at least two are needed")
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"target column {target!r} has {len(classes)} classes; at most {MAX_CLASSES} are allowed")
    k = len(classes)
    return RawData(X, y.astype(np.int64), "binary" if k == 2 else "multiclass", k, names, str(target),
                   tuple(map(str, classes)))


def _parser_problem(message: str) -> str:
    """pandas' parser message in plain words: "Expected 3 fields in line 5, saw 4" is a row with a value too many."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found is None:
        return message.splitlines()[0]
    expected, line, saw = found.groups()
    return (f"line {line} has {saw} comma-separated values but the first line has {expected}; every row needs "
            "one value per column")


def _numeric(X_df) -> np.ndarray:
    import pandas as pd

    for col in X_df.columns:
        if not pd.api.types.is_numeric_dtype(X_df[col]):
            bad = pd.to_numeric(X_df[col], errors="coerce").isna() & X_df[col].notna()
            row = int(bad.argmax()) + 2 if bad.any() else 2
            raise ValueError(f"column {col!r} is not numeric (row {row}: {X_df[col].iloc[row - 2]!r})")
    X = X_df.to_numpy(dtype=np.float64)
    _check_finite(X, X_df.columns, first_row=2)  # row 1 of the file is the header
    return X
