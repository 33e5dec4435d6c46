"""The network: activations, losses and initialisers in registries, and one forward/backward pass.

All parameters live in one flat float64 vector per trial, `theta` of shape (T, P); W1, b1, ... are views into
it (see `Layout`). T is the number of models trained side by side: 1 for a `Run`, many in a sweep, and a whole
grid of points when the loss landscape is evaluated. One code path serves all three.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np


class Activation(NamedTuple):
    """f(z) and its derivative written in terms of the output a = f(z) (as TensorFlow Playground does)."""

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    formula: str


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(np.float64), "max(0, z)"),
    "tanh": Activation(np.tanh, lambda a: 1.0 - a * a, "tanh(z)"),
    "sigmoid": Activation(lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), lambda a: a * (1.0 - a), "1 / (1 + e^−z)"),
    "linear": Activation(lambda z: z, lambda a: np.ones_like(a), "z"),
    "leaky_relu": Activation(lambda z: np.where(z > 0, z, 0.01 * z), lambda a: np.where(a > 0, 1.0, 0.01),
                             "max(0.01·z, z)"),
    "elu": Activation(lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
                      lambda a: np.where(a > 0, 1.0, a + 1.0), "z if z > 0 else e^z − 1"),
}


def _glorot(rng, fan_in, fan_out):
    """Glorot/Xavier uniform: U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out)))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


INITIALIZERS: dict[str, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    "glorot": _glorot,
    "he": lambda rng, fan_in, fan_out: rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in),  # N(0, 2/fan_in)
    "small": lambda rng, fan_in, fan_out: rng.uniform(-0.5, 0.5, (fan_in, fan_out)),  # TF Playground's U(−½, ½)
    "zeros": lambda rng, fan_in, fan_out: np.zeros((fan_in, fan_out)),  # every hidden neuron stays identical
}


MEMO_SIZE = 65_536  # floats: Layout.views remembers the views of arrays up to this size (512 KB)


@dataclass(frozen=True)
class Layout:
    """Where each named parameter sits in the flat vector: W1 (fan_in, fan_out), b1 (fan_out,), W2, b2, ..."""

    sizes: tuple[int, ...]  # (n_features, *hidden_layers, n_outputs)
    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    offsets: tuple[int, ...]
    n_params: int
    weight_mask: np.ndarray  # (P,) 1.0 on weights, 0.0 on biases: regularizers and weight decay use it
    _memo: list = field(default_factory=lambda: [None], init=False, repr=False, compare=False)

    @classmethod
    def of(cls, sizes: tuple[int, ...]) -> Layout:
        names, shapes, offsets, at = [], [], [], 0
        for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            for name, shape in ((f"W{layer}", (fan_in, fan_out)), (f"b{layer}", (fan_out,))):
                names.append(name), shapes.append(shape), offsets.append(at)
                at += int(np.prod(shape))
        mask = np.zeros(at)
        for name, shape, off in zip(names, shapes, offsets):
            if name[0] == "W":
                mask[off:off + int(np.prod(shape))] = 1.0
        return cls(tuple(sizes), tuple(names), tuple(shapes), tuple(offsets), at, mask)

    def __getstate__(self) -> dict:  # a pickled layout (a sweep sent to workers) leaves the memo behind
        return {**self.__dict__, "_memo": [None]}

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Views {"W1": ..., "b1": ...} into theta of shape (P,) or (T, P)."""
        return dict(zip(self.names, self.views(theta)))

    def views(self, theta: np.ndarray) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...] as views into theta of shape (P,) or (T, P). A step asks for the same theta's
        views more than once (forward, then backward), so a small array's views are remembered. The memo holds
        the array itself, so its id cannot be reused while it is there; a big one (a landscape grid) is not kept
        alive by it."""
        last = self._memo[0]
        if last is not None and last[0] is theta:
            return last[1]
        lead = theta.shape[:-1]
        # a bias's slice is already (..., fan_out): only the weight matrices need a reshape
        views = [theta[key] if shape is None else theta[key].reshape(lead + shape) for key, shape in self._slices]
        if theta.size <= MEMO_SIZE:
            self._memo[0] = (theta, views)  # one tuple, swapped in one step: safe when threads share the layout
        return views

    @cached_property
    def _slices(self) -> tuple[tuple[tuple, tuple[int, ...] | None], ...]:
        """Per parameter array: its index into theta's last axis, and its shape if it is a matrix (else None)."""
        return tuple(((..., slice(off, off + math.prod(shape))), shape if len(shape) > 1 else None)
                     for off, shape in zip(self.offsets, self.shapes))

    def scalar_names(self) -> list[str]:
        """One name per scalar, in flat order: "W1[0,3]", "b2[1]"."""
        out = []
        for name, shape in zip(self.names, self.shapes):
            out += [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]
        return out

    def index_of(self, scalar: str) -> int:
        """Flat index of a scalar parameter name such as "W1[0,3]" or "b1[2]"."""
        if not isinstance(scalar, str):
            raise ValueError(f"a parameter name must be a string like W1[0,0] or b1[0]; got {scalar!r}")
        name, _, rest = scalar.partition("[")
        if name not in self.names or not rest.endswith("]"):
            raise ValueError(f"unknown parameter {scalar!r}; expected a name like W1[0,0] or b1[0]")
        k = self.names.index(name)
        try:
            idx = tuple(int(i) for i in rest[:-1].split(","))
            return self.offsets[k] + int(np.ravel_multi_index(idx, self.shapes[k]))
        except ValueError:
            raise ValueError(f"parameter {scalar!r} is outside {name}'s shape {self.shapes[k]}") from None

    def init(self, scheme: str, rng: np.random.Generator) -> np.ndarray:
        """A fresh flat parameter vector: weights drawn by the scheme, biases zero."""
        theta = np.zeros(self.n_params)
        views = self.unflatten(theta)
        for layer, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            views[f"W{layer}"][...] = INITIALIZERS[scheme](rng, fan_in, fan_out)
        return theta


# ---- losses: per-sample values (T, n) and the gradient of their mean with respect to the output (T, n, k) ----

class Loss(NamedTuple):
    per_sample: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (Z (T, n, k), y (n,)) -> (T, n)
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # d mean / dZ, (T, n, k)
    formula: str

    def __call__(self, Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean loss per trial (T,) and its gradient with respect to Z."""
        return np.add.reduce(self.per_sample(Z, y), axis=-1) / len(y), self.grad(Z, y)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^−z), without overflow warnings


def _softmax_terms(Z, y):
    Zs = Z - Z.max(axis=-1, keepdims=True)
    logsum = np.log(np.exp(Zs).sum(axis=-1))
    return Zs, logsum


def _softmax_ce(Z, y):
    Zs, logsum = _softmax_terms(Z, y)
    return logsum - np.take_along_axis(Zs, np.broadcast_to(y[:, None], Zs.shape[:-1] + (1,)), -1)[..., 0]


def _softmax_ce_grad(Z, y):
    Zs, logsum = _softmax_terms(Z, y)
    dZ = np.exp(Zs - logsum[..., None])
    dZ[..., np.arange(len(y)), y] -= 1.0
    return dZ / len(y)


LOSSES: dict[str, Loss] = {
    "regression": Loss(lambda Z, y: (Z[..., 0] - y) ** 2, lambda Z, y: (2.0 / len(y)) * (Z - y[:, None]),
                       "mean squared error (1/n)·Σ(ŷ − y)²"),
    "binary": Loss(lambda Z, y: np.logaddexp(0.0, Z[..., 0]) - y * Z[..., 0],
                   lambda Z, y: (_sigmoid(Z) - y[:, None]) / len(y),
                   "mean cross-entropy on logits (1/n)·Σ[log(1 + e^z) − y·z]"),
    "multiclass": Loss(_softmax_ce, _softmax_ce_grad, "mean softmax cross-entropy (1/n)·Σ[log Σ_k e^{z_k} − z_y]"),
}


def forward(theta: np.ndarray, X: np.ndarray, layout: Layout, act: Activation) -> list[np.ndarray]:
    """Activations of every layer, [X, A1, ..., Z_out]; the output layer is linear (logits)."""
    p = layout.views(theta)
    A = [X]
    last = layout.n_layers - 1
    for layer in range(layout.n_layers):
        Z = np.matmul(A[-1], p[2 * layer])
        Z += p[2 * layer + 1][..., None, :]
        A.append(Z if layer == last else act.f(Z))
    return A


def outputs(theta: np.ndarray, X: np.ndarray, layout: Layout, act: Activation) -> np.ndarray:
    """The output layer alone: (T, n, k) logits or regression values."""
    return forward(theta, X, layout, act)[-1]


def loss_and_grad(theta, X, y, layout: Layout, act: Activation, loss_fn, A=None) -> tuple[np.ndarray, np.ndarray]:
    """Data loss (T,) and its gradient with respect to theta (T, P), by backpropagation.
    A: this batch's activations from `forward`, when the caller already has them."""
    A = forward(theta, X, layout, act) if A is None else A
    loss, dZ = loss_fn(A[-1], y)
    p = layout.views(theta)
    grad = np.empty_like(theta)
    g = layout.views(grad)
    for layer in range(layout.n_layers - 1, -1, -1):
        A_in = A[layer]
        np.matmul(A_in.swapaxes(-1, -2), dZ, out=g[2 * layer])
        np.add.reduce(dZ, axis=-2, out=g[2 * layer + 1])  # np.sum without its wrapper: this runs every step
        if layer > 0:
            dZ = np.matmul(dZ, p[2 * layer].swapaxes(-1, -2))
            dZ *= act.df(A_in)
    return loss, grad
