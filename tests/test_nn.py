"""The network: gradient checks by central differences, loss formulas, activations and the parameter Layout."""

from __future__ import annotations

import itertools
import pickle
import zlib

import numpy as np
import pytest

from paramviz import nn
from paramviz.nn import ACTIVATIONS, INITIALIZERS, LOSSES, Layout, forward, loss_and_grad, outputs
from paramviz.regularizers import REGULARIZERS, penalty_for

TASK_OUTPUTS = {"regression": 1, "binary": 1, "multiclass": 3}


def _targets(task, rng, n):
    if task == "regression":
        return rng.standard_normal(n)
    if task == "binary":
        return np.arange(n) % 2
    return np.arange(n) % 3


def _away_from_kinks(theta, X, layout, act_name, rng, margin=1e-3):
    """Redraw until every weight is off the L1 kink (|w| > margin) and every hidden pre-activation is off the
    relu/leaky_relu kink, so central differences see a smooth function."""
    for _ in range(200):
        ok = np.all(np.abs(theta[..., layout.weight_mask == 1]) > margin)
        p = layout.views(theta)
        A = X
        for layer in range(layout.n_layers - 1):  # hidden pre-activations, using the real activation
            Z = A @ p[2 * layer] + p[2 * layer + 1][..., None, :]
            ok = ok and np.all(np.abs(Z) > margin)
            A = ACTIVATIONS[act_name].f(Z)
        if ok:
            return theta
        theta = rng.standard_normal(theta.shape) * 0.8
    raise AssertionError("could not draw parameters away from the kinks")


def _problem(act_name, task, T, seed=0):
    rng = np.random.default_rng(seed)
    layout = Layout.of((2, 3, 2, TASK_OUTPUTS[task]))
    X = rng.standard_normal((7, 2))
    y = _targets(task, rng, 7)
    theta = _away_from_kinks(rng.standard_normal((T, layout.n_params)) * 0.8, X, layout, act_name, rng)
    return layout, X, y, theta


def _objective(theta, X, y, layout, act, loss_fn, pen):
    return loss_and_grad(theta, X, y, layout, act, loss_fn)[0] + pen.value(theta)


def _central_differences(theta, X, y, layout, act, loss_fn, pen, h=1e-6):
    fd = np.empty_like(theta)
    for j in range(theta.shape[1]):  # perturbing column j moves parameter j of every trial at once
        plus, minus = theta.copy(), theta.copy()
        plus[:, j] += h
        minus[:, j] -= h
        fd[:, j] = (_objective(plus, X, y, layout, act, loss_fn, pen)
                    - _objective(minus, X, y, layout, act, loss_fn, pen)) / (2 * h)
    return fd


@pytest.mark.parametrize("reg", list(REGULARIZERS))
@pytest.mark.parametrize("task", list(LOSSES))
@pytest.mark.parametrize("act_name", list(ACTIVATIONS))
@pytest.mark.parametrize("T", [1, 3])
def test_backprop_matches_central_differences(act_name, task, reg, T):
    layout, X, y, theta = _problem(act_name, task, T, seed=zlib.crc32(f"{act_name}{task}{reg}".encode()))
    act, loss_fn = ACTIVATIONS[act_name], LOSSES[task]
    pen = penalty_for(reg, 0.3, 0.4, layout.weight_mask)
    _, data_grad = loss_and_grad(theta, X, y, layout, act, loss_fn)
    grad = data_grad + pen.grad(theta)
    fd = _central_differences(theta, X, y, layout, act, loss_fn, pen)
    for t in range(T):
        rel = np.linalg.norm(grad[t] - fd[t]) / (np.linalg.norm(grad[t]) + np.linalg.norm(fd[t]))
        assert rel < 1e-6, (act_name, task, reg, t, rel)
        np.testing.assert_allclose(grad[t], fd[t], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("task", list(LOSSES))
@pytest.mark.parametrize("act_name", ["relu", "tanh", "elu"])
def test_trials_side_by_side_equal_one_at_a_time(act_name, task):
    layout, X, y, theta = _problem(act_name, task, T=3, seed=5)
    act, loss_fn = ACTIVATIONS[act_name], LOSSES[task]
    pen = penalty_for("elasticnet", 0.2, 0.3, layout.weight_mask)
    loss3, grad3 = loss_and_grad(theta, X, y, layout, act, loss_fn)
    for t in range(3):
        loss1, grad1 = loss_and_grad(theta[t:t + 1], X, y, layout, act, loss_fn)
        np.testing.assert_allclose(loss3[t], loss1[0], rtol=1e-13)
        np.testing.assert_allclose(grad3[t], grad1[0], rtol=1e-12, atol=1e-15)
        assert pen.value(theta)[t] == pytest.approx(pen.value(theta[t:t + 1])[0], rel=1e-14)
        np.testing.assert_array_equal(pen.grad(theta)[t], pen.grad(theta[t:t + 1])[0])


def test_penalty_with_per_trial_coefficients_equals_scalar_penalties():
    layout = Layout.of((2, 3, 1))
    theta = np.random.default_rng(1).standard_normal((3, layout.n_params))
    lams = np.array([[0.0], [0.1], [2.0]])
    stacked = penalty_for("elasticnet", lams, 0.25, layout.weight_mask)
    for t in range(3):
        one = penalty_for("elasticnet", float(lams[t, 0]), 0.25, layout.weight_mask)
        assert stacked.value(theta)[t] == pytest.approx(one.value(theta[t:t + 1])[0], rel=1e-14)
        np.testing.assert_allclose(stacked.grad(theta)[t], one.grad(theta[t:t + 1])[0], rtol=1e-14)


# ---- loss definitions ---------------------------------------------------------------------------------

def test_mse_has_no_half():
    Z = np.array([[[1.0], [2.0], [3.0]]])
    y = np.array([0.0, 0.0, 1.0])
    loss, dZ = LOSSES["regression"](Z, y)
    assert loss[0] == pytest.approx((1 + 4 + 4) / 3, rel=1e-15)
    np.testing.assert_allclose(dZ[0, :, 0], 2 * (Z[0, :, 0] - y) / 3)


def test_binary_cross_entropy_equals_hand_formula():
    z = np.array([-2.0, -0.3, 0.0, 0.7, 3.0])
    y = np.array([0, 1, 1, 0, 1])
    p = 1 / (1 + np.exp(-z))
    hand = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss, dZ = LOSSES["binary"](z[None, :, None], y)
    assert loss[0] == pytest.approx(hand, rel=1e-13)
    np.testing.assert_allclose(dZ[0, :, 0], (p - y) / 5, rtol=1e-13)


def test_binary_cross_entropy_is_finite_for_huge_logits():
    loss = LOSSES["binary"].per_sample(np.array([[[1000.0], [-1000.0], [1000.0]]]), np.array([0, 1, 1]))
    np.testing.assert_allclose(loss[0], [1000.0, 1000.0, 0.0], atol=1e-12)


def test_softmax_cross_entropy_equals_hand_formula():
    Z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.2, 0.2], [5.0, -5.0, 0.0]])
    y = np.array([0, 2, 1, 1])
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    hand = -np.mean(np.log(P[np.arange(4), y]))
    loss, dZ = LOSSES["multiclass"](Z[None], y)
    assert loss[0] == pytest.approx(hand, rel=1e-13)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(dZ[0], (P - onehot) / 4, rtol=1e-12, atol=1e-16)


def test_softmax_cross_entropy_is_finite_for_huge_logits():
    loss = LOSSES["multiclass"].per_sample(np.array([[[1000.0, 0.0], [0.0, 1000.0]]]), np.array([0, 0]))
    np.testing.assert_allclose(loss[0], [0.0, 1000.0], atol=1e-12)


def test_loss_of_uniform_softmax_is_log_k():
    loss, _ = LOSSES["multiclass"](np.zeros((1, 6, 4)), np.arange(6) % 4)
    assert loss[0] == pytest.approx(np.log(4), rel=1e-14)


# ---- activations --------------------------------------------------------------------------------------

ACT_VALUES = {
    "relu": [0.0, 0.0, 2.0],
    "tanh": list(np.tanh([-1.5, -0.2, 2.0])),
    "sigmoid": list(1 / (1 + np.exp(-np.array([-1.5, -0.2, 2.0])))),
    "linear": [-1.5, -0.2, 2.0],
    "leaky_relu": [-0.015, -0.002, 2.0],
    "elu": [np.expm1(-1.5), np.expm1(-0.2), 2.0],
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values(name):
    np.testing.assert_allclose(ACTIVATIONS[name].f(np.array([-1.5, -0.2, 2.0])), ACT_VALUES[name], rtol=1e-14)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_from_output_matches_finite_difference(name):
    z = np.array([-2.0, -0.7, -0.1, 0.3, 1.9])
    f = ACTIVATIONS[name].f
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(ACTIVATIONS[name].df(f(z)), numeric, rtol=1e-7, atol=1e-10)


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(np.array([-1000.0, 1000.0])), [0.0, 1.0])


# ---- layout and initialisation ------------------------------------------------------------------------

def test_layout_names_shapes_and_offsets():
    layout = Layout.of((2, 3, 1))
    assert layout.names == ("W1", "b1", "W2", "b2")
    assert layout.shapes == ((2, 3), (3,), (3, 1), (1,))
    assert layout.offsets == (0, 6, 9, 12)
    assert layout.n_params == 13
    assert layout.n_layers == 2
    np.testing.assert_array_equal(layout.weight_mask, [1] * 6 + [0] * 3 + [1] * 3 + [0])


def test_linear_model_layout_has_two_parameters():
    layout = Layout.of((1, 1))
    assert layout.scalar_names() == ["W1[0,0]", "b1[0]"]
    assert layout.n_params == 2


def test_scalar_names_follow_flat_order():
    layout = Layout.of((2, 2, 1))
    assert layout.scalar_names() == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "b1[0]", "b1[1]",
                                     "W2[0,0]", "W2[1,0]", "b2[0]"]
    for k, name in enumerate(layout.scalar_names()):
        assert layout.index_of(name) == k


@pytest.mark.parametrize("bad", ["W3[0,0]", "W1[5,0]", "b1", "W1[0]", "W1[a,b]", "x"])
def test_index_of_unknown_parameter_is_a_value_error(bad):
    with pytest.raises(ValueError, match="parameter"):
        Layout.of((2, 2, 1)).index_of(bad)


def test_unflatten_gives_views_that_write_through():
    layout = Layout.of((2, 3, 1))
    theta = np.zeros((2, layout.n_params))
    views = layout.unflatten(theta)
    views["W2"][1] = [[7.0], [8.0], [9.0]]
    views["b1"][0, 2] = 5.0
    assert theta[1, 9:12].tolist() == [7.0, 8.0, 9.0]
    assert theta[0, 8] == 5.0
    assert views["W1"].shape == (2, 2, 3)


def test_views_of_the_same_small_array_are_remembered_and_of_a_new_or_big_one_are_fresh():
    layout = Layout.of((2, 3, 1))
    theta = np.arange(layout.n_params, dtype=float)[None, :]
    first = layout.views(theta)
    assert layout.views(theta) is first  # forward then backward on the same theta: built once
    other = theta.copy()
    assert layout.views(other) is not first and np.shares_memory(layout.views(other)[0], other)
    other[0, 0] = -1.0  # views of the remembered array still write through
    assert layout.views(other)[0][0, 0, 0] == -1.0
    big = np.zeros((nn.MEMO_SIZE // layout.n_params + 1, layout.n_params))
    layout.views(big)
    assert layout._memo[0][0] is other  # a landscape grid is not kept alive by the memo
    copy = pickle.loads(pickle.dumps(layout))  # a sweep's workers get the layout without the memo
    assert copy._memo == [None] and copy.sizes == layout.sizes and copy.views(theta)[2].shape == (1, 3, 1)


def test_forward_is_the_hand_computed_network():
    layout = Layout.of((2, 2, 1))
    theta = np.array([[0.5, -1.0, 2.0, 0.25, 0.1, -0.2, 1.5, -3.0, 0.4]])
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W1, b1, W2, b2 = np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([0.1, -0.2]), np.array([[1.5], [-3.0]]), 0.4
    hand = np.tanh(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(outputs(theta, X, layout, ACTIVATIONS["tanh"])[0], hand, rtol=1e-14)
    A = forward(theta, X, layout, ACTIVATIONS["tanh"])
    assert [a.shape for a in A] == [(2, 2), (1, 2, 2), (1, 2, 1)]


@pytest.mark.parametrize("scheme", list(INITIALIZERS))
def test_init_draws_weights_and_zero_biases(scheme):
    layout = Layout.of((4, 30, 2))
    theta = layout.init(scheme, np.random.default_rng(0))
    p = layout.unflatten(theta)
    assert np.all(p["b1"] == 0) and np.all(p["b2"] == 0)
    if scheme == "zeros":
        assert np.all(theta == 0)
    else:
        assert np.count_nonzero(p["W1"]) == 120


def test_glorot_and_small_init_ranges():
    rng = np.random.default_rng(0)
    W = INITIALIZERS["glorot"](rng, 40, 60)
    limit = np.sqrt(6 / 100)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.95 * limit
    S = INITIALIZERS["small"](rng, 40, 60)
    assert np.abs(S).max() <= 0.5 and np.abs(S).max() > 0.49


def test_he_init_variance_is_two_over_fan_in():
    W = INITIALIZERS["he"](np.random.default_rng(0), 50, 400)
    assert W.var() == pytest.approx(2 / 50, rel=0.05)


def test_init_is_deterministic_for_a_seed():
    layout = Layout.of((2, 8, 1))
    a = layout.init("glorot", np.random.default_rng([3, 4]))
    b = layout.init("glorot", np.random.default_rng([3, 4]))
    c = layout.init("glorot", np.random.default_rng([4, 4]))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_all_combinations_registered():
    assert set(ACTIVATIONS) == {"relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu"}
    assert set(LOSSES) == {"regression", "binary", "multiclass"}
    assert len(list(itertools.product(ACTIVATIONS, LOSSES, REGULARIZERS))) == 72
