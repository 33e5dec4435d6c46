"""Optimizers as pure functions, composed from a few small transforms (the optax way).

Sign convention, stated once: an optimizer turns the gradient g into a direction d, and the step is
θ ← θ − learning_rate·d. Each optimizer follows its torch.optim counterpart's update rule and defaults.
State is plain data (NamedTuples of arrays shaped like θ), so charts can read Adam's moments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class Transform(NamedTuple):
    init: Callable[[np.ndarray], Any]  # params -> state
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]  # (g, state, params) -> (d, state)


class EmptyState(NamedTuple):
    pass


class TraceState(NamedTuple):
    trace: np.ndarray  # the momentum buffer


class SumSquaresState(NamedTuple):
    sum_sq: np.ndarray  # AdaGrad's running sum of g²


class RmsState(NamedTuple):
    nu: np.ndarray  # running average of g²


class AdamState(NamedTuple):
    count: int  # steps taken, for bias correction
    mu: np.ndarray  # first moment m
    nu: np.ndarray  # second moment v


def identity() -> Transform:
    """Plain SGD's direction: d = g."""
    return Transform(lambda p: EmptyState(), lambda g, s, p: (g, s))


def trace(momentum, nesterov: bool = False) -> Transform:
    """Momentum: buf ← μ·buf + g; d = buf, or d = g + μ·buf with Nesterov (torch.optim.SGD)."""
    def update(g, state, params):
        buf = momentum * state.trace + g
        return (g + momentum * buf if nesterov else buf), TraceState(buf)
    return Transform(lambda p: TraceState(np.zeros_like(p)), update)


def scale_by_adagrad(eps) -> Transform:
    """AdaGrad: S ← S + g²; d = g / (√S + ε) (torch.optim.Adagrad, lr_decay 0)."""
    def update(g, state, params):
        s = state.sum_sq + g * g
        return g / (np.sqrt(s) + eps), SumSquaresState(s)
    return Transform(lambda p: SumSquaresState(np.zeros_like(p)), update)


def scale_by_rms(rho, eps) -> Transform:
    """RMSProp: v ← ρ·v + (1 − ρ)·g²; d = g / (√v + ε) (torch.optim.RMSprop, alpha = ρ)."""
    def update(g, state, params):
        nu = rho * state.nu + (1.0 - rho) * g * g
        return g / (np.sqrt(nu) + eps), RmsState(nu)
    return Transform(lambda p: RmsState(np.zeros_like(p)), update)


def scale_by_adam(beta1, beta2, eps) -> Transform:
    """Adam: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; m̂ = m/(1−β1ᵗ); v̂ = v/(1−β2ᵗ); d = m̂/(√v̂ + ε)."""
    def update(g, state, params):
        t = state.count + 1
        mu = beta1 * state.mu + (1.0 - beta1) * g
        nu = beta2 * state.nu + (1.0 - beta2) * g * g
        mu_hat = mu / (1.0 - beta1**t)
        nu_hat = nu / (1.0 - beta2**t)
        return mu_hat / (np.sqrt(nu_hat) + eps), AdamState(t, mu, nu)
    return Transform(lambda p: AdamState(0, np.zeros_like(p), np.zeros_like(p)), update)


def add_decayed_weights(weight_decay, mask) -> Transform:
    """Decoupled weight decay (AdamW): d ← d + λ_wd·w, on weights only (mask is 0 on biases)."""
    return Transform(lambda p: EmptyState(), lambda d, s, p: (d + weight_decay * mask * p, s))


def chain(*transforms: Transform) -> Transform:
    """Apply transforms in order; the state is the tuple of their states."""
    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(g, state, params):
        new_state = []
        for t, s in zip(transforms, state):
            g, s = t.update(g, s, params)
            new_state.append(s)
        return g, tuple(new_state)
    return Transform(init, update)


DEFAULT_EPS = {"adagrad": 1e-10}  # torch's defaults; every other optimizer uses 1e-8


def default_eps(name: str) -> float:
    """The ε an optimizer uses when the config leaves it unset: torch's default for that optimizer."""
    return DEFAULT_EPS.get(name, 1e-8)


# name -> builder(h) -> the transforms to chain; h has momentum, beta1, beta2, rho, eps, weight_decay, weight_mask
OPTIMIZERS: dict[str, Callable[[Any], tuple[Transform, ...]]] = {
    "sgd": lambda h: (identity(),),
    "momentum": lambda h: (trace(h.momentum),),
    "nesterov": lambda h: (trace(h.momentum, nesterov=True),),
    "adagrad": lambda h: (scale_by_adagrad(h.eps),),
    "rmsprop": lambda h: (scale_by_rms(h.rho, h.eps),),
    "adam": lambda h: (scale_by_adam(h.beta1, h.beta2, h.eps),),
    "adamw": lambda h: (scale_by_adam(h.beta1, h.beta2, h.eps), add_decayed_weights(h.weight_decay, h.weight_mask)),
}


class OptimizerSettings(NamedTuple):
    momentum: Any
    beta1: Any
    beta2: Any
    rho: Any
    eps: Any
    weight_decay: Any
    weight_mask: np.ndarray


def make_optimizer(name: str, settings: OptimizerSettings) -> Transform:
    """The optimizer's transforms chained; its state is a tuple of one small state per transform."""
    return chain(*OPTIMIZERS[name](settings))


def state_arrays(state) -> dict[str, np.ndarray]:
    """The arrays in an optimizer state by field name (trace, sum_sq, mu, nu), for charts."""
    out = {}
    for s in state:
        for name, value in s._asdict().items():
            if isinstance(value, np.ndarray):
                out[name] = value
    return out


# ---- learning-rate schedules: lr(epoch) where epoch counts completed epochs, as torch schedulers step ---

SCHEDULES: dict[str, Callable[[float, int, float, int], float]] = {
    "constant": lambda lr, epoch, gamma, epochs: lr,
    "step": lambda lr, epoch, gamma, epochs: lr * gamma ** (epoch // epochs),  # ×γ every `epochs` epochs
    "exponential": lambda lr, epoch, gamma, epochs: lr * gamma**epoch,  # ×γ every epoch
    "cosine": lambda lr, epoch, gamma, epochs: lr * 0.5 * (1.0 + np.cos(np.pi * min(epoch, epochs) / epochs)),
}
