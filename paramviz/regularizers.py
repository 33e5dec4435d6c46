"""Regularizers: penalties on the weights only (never the biases), as an L1 and an L2 coefficient.

Every regularizer here is an elastic net c1·Σ|w| + c2·Σw²; the registry says how λ (reg_strength) and
l1_ratio set c1 and c2, so adding one is adding one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

REGULARIZERS: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "none": lambda lam, l1_ratio: (0.0, 0.0),  # no penalty
    "l1": lambda lam, l1_ratio: (lam, 0.0),  # λ·Σ|w|
    "l2": lambda lam, l1_ratio: (0.0, lam),  # λ·Σw²
    "elasticnet": lambda lam, l1_ratio: (lam * l1_ratio, lam * (1.0 - l1_ratio)),  # λ·(r·Σ|w| + (1−r)·Σw²)
}


class Penalty(NamedTuple):
    """c1·Σ|w| + c2·Σw² over the entries where mask is 1. c1 and c2 are scalars or (T, 1) arrays."""

    c1: float | np.ndarray
    c2: float | np.ndarray
    mask: np.ndarray  # (P,) 1.0 on weights, 0.0 on biases
    proximal: bool = False  # L1 part handled by soft-thresholding after the step instead of its subgradient
    active: bool = True  # False when c1 = c2 = 0, so the step can skip the penalty entirely

    def value(self, theta: np.ndarray) -> np.ndarray:
        """The penalty per trial, (T,)."""
        w = theta * self.mask
        return _per_trial(self.c1) * np.abs(w).sum(axis=-1) + _per_trial(self.c2) * (w * w).sum(axis=-1)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """(Sub)gradient added to the data gradient; sign(0) = 0, so a weight at zero feels no L1 pull."""
        w = theta * self.mask
        g = 2.0 * self.c2 * w
        return g if self.proximal else g + self.c1 * np.sign(w)

    def prox(self, theta: np.ndarray, lr) -> np.ndarray:
        """Soft-thresholding, as ISTA does: shrink each weight toward 0 by lr·c1, landing exactly on 0."""
        shrink = lr * self.c1 * self.mask
        return np.sign(theta) * np.maximum(np.abs(theta) - shrink, 0.0) + 0.0  # + 0.0 turns −0 into 0


def _per_trial(c):
    """A (T, 1) column of coefficients as (T,), to scale the (T,) sums; a plain number as it is."""
    return c.reshape(-1) if isinstance(c, np.ndarray) else c  # isinstance: np.ndim is slow, and this runs every record


def penalty_for(regularizer: str, reg_strength, l1_ratio, mask: np.ndarray, proximal: bool = False) -> Penalty:
    c1, c2 = REGULARIZERS[regularizer](reg_strength, l1_ratio)
    return Penalty(c1, c2, mask, proximal, bool(np.any(c1) or np.any(c2)))
