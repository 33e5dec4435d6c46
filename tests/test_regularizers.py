"""Regularizers: L1/L2/elastic-net penalties on weights only, sign(0) = 0, and proximal L1's exact zeros."""

from __future__ import annotations

import numpy as np
import pytest

import paramviz as pv
from paramviz.nn import Layout
from paramviz.regularizers import REGULARIZERS, penalty_for

LAYOUT = Layout.of((2, 2, 1))  # W1 (4), b1 (2), W2 (2), b2 (1)
THETA = np.array([[0.5, -1.0, 0.0, 2.0, 3.0, -4.0, -0.25, 1.5, 10.0]])
WEIGHTS = np.array([0.5, -1.0, 0.0, 2.0, -0.25, 1.5])


@pytest.mark.parametrize("reg, lam, ratio, c1, c2", [
    ("none", 0.7, 0.5, 0.0, 0.0), ("l1", 0.7, 0.5, 0.7, 0.0), ("l2", 0.7, 0.5, 0.0, 0.7),
    ("elasticnet", 0.8, 0.25, 0.2, 0.6), ("elasticnet", 0.8, 1.0, 0.8, 0.0), ("elasticnet", 0.8, 0.0, 0.0, 0.8),
])
def test_coefficients_from_strength_and_ratio(reg, lam, ratio, c1, c2):
    assert REGULARIZERS[reg](lam, ratio) == pytest.approx((c1, c2), abs=1e-15)


def test_l1_value_is_lambda_sum_abs_weights_ignoring_biases():
    pen = penalty_for("l1", 0.1, 0.5, LAYOUT.weight_mask)
    assert pen.value(THETA)[0] == pytest.approx(0.1 * np.abs(WEIGHTS).sum(), rel=1e-15)
    assert pen.value(THETA)[0] == pytest.approx(0.525, rel=1e-15)


def test_l2_value_is_lambda_sum_squares_weights_ignoring_biases():
    pen = penalty_for("l2", 0.1, 0.5, LAYOUT.weight_mask)
    assert pen.value(THETA)[0] == pytest.approx(0.1 * (WEIGHTS**2).sum(), rel=1e-15)
    assert pen.value(THETA)[0] == pytest.approx(0.1 * 7.5625, rel=1e-15)


def test_elasticnet_value_by_hand():
    pen = penalty_for("elasticnet", 2.0, 0.3, LAYOUT.weight_mask)
    hand = 2.0 * (0.3 * np.abs(WEIGHTS).sum() + 0.7 * (WEIGHTS**2).sum())
    assert pen.value(THETA)[0] == pytest.approx(hand, rel=1e-15)


def test_biases_do_not_change_the_penalty():
    pen = penalty_for("elasticnet", 1.0, 0.5, LAYOUT.weight_mask)
    other = THETA.copy()
    other[0, [4, 5, 8]] = [-100.0, 55.0, 0.0]
    assert pen.value(other)[0] == pen.value(THETA)[0]


@pytest.mark.parametrize("reg", list(REGULARIZERS))
def test_gradient_is_zero_on_biases(reg):
    g = penalty_for(reg, 0.5, 0.5, LAYOUT.weight_mask).grad(THETA)[0]
    np.testing.assert_array_equal(g[[4, 5, 8]], 0.0)


def test_l1_subgradient_is_lambda_sign_with_sign_zero_zero():
    g = penalty_for("l1", 0.3, 0.5, LAYOUT.weight_mask).grad(THETA)[0]
    np.testing.assert_array_equal(g, [0.3, -0.3, 0.0, 0.3, 0.0, 0.0, -0.3, 0.3, 0.0])


def test_l2_gradient_is_two_lambda_w():
    g = penalty_for("l2", 0.3, 0.5, LAYOUT.weight_mask).grad(THETA)[0]
    np.testing.assert_allclose(g, [0.3, -0.6, 0.0, 1.2, 0.0, 0.0, -0.15, 0.9, 0.0], rtol=1e-15)


def test_proximal_gradient_leaves_out_the_l1_part():
    pen = penalty_for("elasticnet", 1.0, 0.5, LAYOUT.weight_mask, proximal=True)
    np.testing.assert_allclose(pen.grad(THETA)[0], 2 * 0.5 * THETA[0] * LAYOUT.weight_mask, rtol=1e-15)


def test_prox_is_soft_thresholding_with_exact_zeros():
    pen = penalty_for("l1", 2.0, 0.5, LAYOUT.weight_mask, proximal=True)
    out = pen.prox(THETA, 0.5)[0]  # shrink weights by lr·λ = 1
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 1.0, 3.0, -4.0, 0.0, 0.5, 10.0])
    assert not np.any(np.signbit(out[[0, 1, 2, 6]]))  # exact +0, never −0


def test_none_is_inactive_and_l_strength_zero_is_inactive():
    assert not penalty_for("none", 5.0, 0.5, LAYOUT.weight_mask).active
    assert not penalty_for("l2", 0.0, 0.5, LAYOUT.weight_mask).active
    assert penalty_for("l1", 1e-6, 0.5, LAYOUT.weight_mask).active


def _l1_run(proximal):
    cfg = pv.TrainConfig(dataset="ripple", n_samples=200, poly_degree=3, hidden_layers=(), optimizer="sgd",
                         learning_rate=0.1, batch_size=1000, regularizer="l1", reg_strength=0.05,
                         proximal=proximal)
    return pv.Run(cfg).step(600)


def test_proximal_l1_gives_exact_zeros_and_subgradient_l1_does_not():
    prox, plain = _l1_run(True).params["W1"].ravel(), _l1_run(False).params["W1"].ravel()
    zeros = prox == 0.0
    assert 3 <= zeros.sum() <= 7  # a sparse model: some of the nine monomials switched off exactly
    assert np.all(plain != 0.0)  # the subgradient overshoots zero back and forth, never landing on it
    assert np.all(np.abs(plain[zeros]) < 0.01)  # ... but hovers close to it
    assert np.all(np.abs(prox[~zeros]) > 0.001)


def test_regularizer_never_touches_the_bias_in_training():
    """Huge L2 crushes the weight; the unpenalised bias still fits the mean of y exactly."""
    cfg = pv.TrainConfig(dataset="linear", n_samples=100, hidden_layers=(), optimizer="sgd", learning_rate=0.015,
                         batch_size=1000, regularizer="l2", reg_strength=50.0)
    run = pv.Run(cfg).step(2000)
    assert abs(run.params["W1"][0, 0]) < 0.02
    assert run.params["b1"][0] == pytest.approx(run.data.y_train.mean(), rel=1e-9)
