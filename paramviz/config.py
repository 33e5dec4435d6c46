"""TrainConfig: every hyperparameter a student can set, validated once, at the boundary.

Each field is a plain keyword with a default; `FIELDS` below is the single table of allowed values, so the
error for a bad value always names the field and its allowed range.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DATASET_NAMES = ("linear", "sine", "ripple", "moons", "circles", "xor", "spiral", "gaussians", "blobs", "csv")
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu")
INIT_NAMES = ("glorot", "he", "small", "zeros")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
REGULARIZER_NAMES = ("none", "l1", "l2", "elasticnet")
SCHEDULE_NAMES = ("constant", "step", "exponential", "cosine")

MAX_SAMPLES = 100_000
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 256
MAX_POLY_DEGREE = 15


@dataclass(frozen=True)
class Num:
    """A numeric field: `low`/`high` bounds, each open or closed, and whether it must be a whole number."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def describe(self) -> str:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} in {lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def check(self, name: str, value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if not (isinstance(value, (np.integer, np.floating))):  # numpy scalars are fine; strings are not
                raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
            value = value.item()
        if not math.isfinite(float(value) if abs(value) < 1e308 else math.inf):  # huge ints: no OverflowError
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
        if self.integer and float(value) != int(value):
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
        too_low = value <= self.low if self.low_open else value < self.low
        too_high = value >= self.high if self.high_open else value > self.high
        if too_low or too_high:
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def check(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise ValueError(f"{name} must be one of {', '.join(self.options)}; got {value!r}")
        return value


def _fmt(x: float) -> str:
    if x == math.inf:
        return "inf"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"  # 4294967295, not 4.29497e+09


# The one table of allowed values. The UI reads its slider ranges from here too.
FIELDS: dict[str, Num | Choice] = {
    "dataset": Choice(DATASET_NAMES),
    "n_samples": Num(10, MAX_SAMPLES, integer=True),
    "noise": Num(0, 10),
    "test_fraction": Num(0, 1, low_open=True, high_open=True),
    "seed": Num(0, 2**32 - 1, integer=True),
    "n_classes": Num(3, 8, integer=True),
    "activation": Choice(ACTIVATION_NAMES),
    "poly_degree": Num(1, MAX_POLY_DEGREE, integer=True),
    "init": Choice(INIT_NAMES),
    "init_seed": Num(0, 2**32 - 1, integer=True),
    "optimizer": Choice(OPTIMIZER_NAMES),
    "learning_rate": Num(0, 100, low_open=True),
    "batch_size": Num(1, MAX_SAMPLES, integer=True),
    "momentum": Num(0, 1, high_open=True),
    "beta1": Num(0, 1, high_open=True),
    "beta2": Num(0, 1, high_open=True),
    "rho": Num(0, 1, high_open=True),
    "eps": Num(0, 1, low_open=True),
    "weight_decay": Num(0, 10),
    "regularizer": Choice(REGULARIZER_NAMES),
    "reg_strength": Num(0, 100),
    "l1_ratio": Num(0, 1),
    "schedule": Choice(SCHEDULE_NAMES),
    "schedule_gamma": Num(0, 1, low_open=True),
    "schedule_epochs": Num(1, 1_000_000, integer=True),
    "max_history": Num(10, 1_000_000, integer=True),
    "record_every": Num(1, 1_000_000, integer=True),
}
WIDTH = Num(1, MAX_WIDTH, integer=True)


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run: the data, the model, the optimizer and the regularizer.

    Hyperparameters are set by you before training; the weights and biases are learned by the optimizer.
    Every value is checked when the config is built: a bad one raises ValueError naming the field and its range.
    """

    # data
    dataset: str = "moons"
    n_samples: int = 200
    noise: float = 0.2
    test_fraction: float = 0.3
    seed: int = 0
    n_classes: int = 3  # used by "blobs"
    scale_inputs: bool = True
    # model
    hidden_layers: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    poly_degree: int = 1
    init: str = "glorot"
    init_seed: int | None = None  # None: use `seed`
    # optimizer
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.99  # RMSProp's smoothing constant (torch calls it alpha)
    eps: float | None = None  # None: the optimizer's torch default (1e-10 for AdaGrad, else 1e-8)
    weight_decay: float = 0.01  # AdamW only; decoupled, weights only
    schedule: str = "constant"
    schedule_gamma: float = 0.5
    schedule_epochs: int = 50
    # regularizer (weights only, never biases)
    regularizer: str = "none"
    reg_strength: float = 0.0
    l1_ratio: float = 0.5
    proximal: bool = False
    # bookkeeping
    max_history: int = 5000  # rows kept in history/trajectory; older rows are thinned evenly beyond this
    record_every: int = 1  # evaluate the full train/test loss every this many steps

    def __post_init__(self) -> None:
        for name, rule in FIELDS.items():
            value = getattr(self, name)
            if name in ("init_seed", "eps") and value is None:
                continue
            object.__setattr__(self, name, rule.check(name, value))
        for name in ("scale_inputs", "proximal"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false; got {getattr(self, name)!r}")
        object.__setattr__(self, "hidden_layers", _check_layers(self.hidden_layers))

    @property
    def n_train(self) -> int:
        return self.n_samples - self.n_test

    @property
    def n_test(self) -> int:
        return max(1, int(round(self.n_samples * self.test_fraction)))

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (validated like a new config)."""
        unknown = set(changes) - set(field_names())
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = {name: getattr(self, name) for name in field_names()}
        d["hidden_layers"] = list(self.hidden_layers)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        if not isinstance(d, dict):
            raise ValueError("a config must be a JSON object of field: value pairs")
        unknown = set(d) - set(field_names())
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(sorted(unknown))}")
        return cls(**d)


def field_names() -> list[str]:
    return [f.name for f in dataclasses.fields(TrainConfig)]


def _check_layers(layers: Any) -> tuple[int, ...]:
    rule = f"a list of 0 to {MAX_HIDDEN_LAYERS} widths, each {WIDTH.describe()}"
    if isinstance(layers, (str, bytes)) or not isinstance(layers, (Sequence, np.ndarray)):  # not a dict or a set
        raise ValueError(f"hidden_layers must be {rule}; got {type(layers).__name__} {layers!r}")
    layers = tuple(layers)
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden_layers must be {rule}; got {len(layers)} layers")
    return tuple(WIDTH.check(f"hidden_layers[{i}]", w) for i, w in enumerate(layers))
