"""Optimizers re-derived by hand on three parameters over three steps, and the learning-rate schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import paramviz as pv
from paramviz.optim import DEFAULT_EPS, OPTIMIZERS, SCHEDULES, OptimizerSettings, make_optimizer, state_arrays

THETA0 = [0.5, -1.0, 2.0]
MASK = np.array([1.0, 1.0, 0.0])  # two weights and a bias
GRADS = [[0.3, -2.0, 0.05], [-0.1, -1.0, 0.2], [0.4, 0.5, -0.3]]  # the gradient seen at each step
LR = 0.1


def settings(**kw):
    base = dict(momentum=0.9, beta1=0.9, beta2=0.999, rho=0.99, eps=1e-8, weight_decay=0.0, weight_mask=MASK)
    base.update(kw)
    return OptimizerSettings(**base)


def run_engine(name, s, lr=LR, grads=GRADS):
    opt = make_optimizer(name, s)
    theta = np.array([THETA0])
    state = opt.init(theta)
    for g in grads:
        d, state = opt.update(np.array([g]), state, theta)
        theta = theta - lr * d
    return theta[0], state


def assert_params(name, s, expected, **kw):
    got, _ = run_engine(name, s, **kw)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_sgd_by_hand():
    expected = [THETA0[i] - LR * sum(g[i] for g in GRADS) for i in range(3)]
    assert expected == pytest.approx([0.44, -0.75, 2.005])
    assert_params("sgd", settings(), expected)


def test_momentum_by_hand():
    mu, out = 0.9, []
    for i in range(3):
        th, buf = THETA0[i], 0.0
        for g in GRADS:
            buf = mu * buf + g[i]
            th -= LR * buf
        out.append(th)
    # parameter 0: bufs 0.3, 0.17, 0.553 -> 0.5 - 0.1 * 1.023
    assert out[0] == pytest.approx(0.5 - 0.1 * (0.3 + 0.17 + 0.553))
    assert_params("momentum", settings(momentum=mu), out)


def test_nesterov_by_hand():
    mu, out = 0.5, []
    for i in range(3):
        th, buf = THETA0[i], 0.0
        for g in GRADS:
            buf = mu * buf + g[i]
            th -= LR * (g[i] + mu * buf)
        out.append(th)
    # parameter 0: bufs 0.3, 0.05, 0.425; steps 0.3+0.15, -0.1+0.025, 0.4+0.2125
    assert out[0] == pytest.approx(0.5 - 0.1 * (0.45 - 0.075 + 0.6125))
    assert_params("nesterov", settings(momentum=mu), out)


def test_adagrad_by_hand():
    eps, out = 1e-10, []
    for i in range(3):
        th, s = THETA0[i], 0.0
        for g in GRADS:
            s += g[i] ** 2
            th -= LR * g[i] / (math.sqrt(s) + eps)
        out.append(th)
    assert out[0] == pytest.approx(0.5 - 0.1 * (1 - 0.1 / math.sqrt(0.1) + 0.4 / math.sqrt(0.26)))
    assert_params("adagrad", settings(eps=eps), out)


def test_rmsprop_by_hand():
    rho, eps, out = 0.9, 1e-8, []
    for i in range(3):
        th, v = THETA0[i], 0.0
        for g in GRADS:
            v = rho * v + (1 - rho) * g[i] ** 2
            th -= LR * g[i] / (math.sqrt(v) + eps)
        out.append(th)
    # first step: v = 0.1·g², so the step is lr·g/(|g|·√0.1) = lr·sign(g)·√10
    assert THETA0[0] - run_engine("rmsprop", settings(rho=rho), grads=GRADS[:1])[0][0] == pytest.approx(
        LR * math.sqrt(10), rel=1e-6)
    assert_params("rmsprop", settings(rho=rho, eps=eps), out)


def _adam_by_hand(b1, b2, eps, wd=0.0, mask=MASK):
    out = []
    for i in range(3):
        th, m, v = THETA0[i], 0.0, 0.0
        for t, g in enumerate(GRADS, start=1):
            m = b1 * m + (1 - b1) * g[i]
            v = b2 * v + (1 - b2) * g[i] ** 2
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            th -= LR * wd * mask[i] * th + LR * m_hat / (math.sqrt(v_hat) + eps)
        out.append(th)
    return out


def test_adam_by_hand():
    assert_params("adam", settings(beta1=0.8, beta2=0.99), _adam_by_hand(0.8, 0.99, 1e-8))


def test_adam_bias_correction_first_step():
    eps = 1e-8
    got, state = run_engine("adam", settings(eps=eps), grads=GRADS[:1])
    g = np.array(GRADS[0])
    step = np.array(THETA0) - got
    np.testing.assert_allclose(step, LR * g / (np.abs(g) + eps), rtol=1e-12)
    np.testing.assert_allclose(step, LR * np.sign(g), rtol=1e-6)  # ≈ lr·sign(g), however small g is
    adam_state = state[0]
    assert adam_state.count == 1
    np.testing.assert_allclose(adam_state.mu[0], 0.1 * g)  # raw moments are stored, not the corrected ones
    np.testing.assert_allclose(adam_state.nu[0], 0.001 * g * g)


def test_adamw_decays_weights_only():
    wd = 0.5
    expected = _adam_by_hand(0.9, 0.999, 1e-8, wd=wd)
    assert_params("adamw", settings(weight_decay=wd), expected)
    # the bias follows plain Adam exactly; the weights do not
    plain, _ = run_engine("adam", settings())
    decayed, _ = run_engine("adamw", settings(weight_decay=wd))
    assert decayed[2] == plain[2]
    assert np.all(np.abs(decayed[:2] - plain[:2]) > 1e-3)


def test_adamw_decay_step_with_zero_gradient():
    """With g = 0 Adam's direction is 0, so AdamW's step is the decay alone: w ← w − lr·wd·w, b untouched."""
    got, _ = run_engine("adamw", settings(weight_decay=0.2), grads=[[0.0, 0.0, 0.0]])
    np.testing.assert_allclose(got, [0.5 * (1 - 0.02), -1.0 * (1 - 0.02), 2.0], rtol=1e-15)


def test_optimizer_state_is_plain_named_arrays():
    _, state = run_engine("adam", settings())
    arrays = state_arrays(state)
    assert set(arrays) == {"mu", "nu"}
    assert arrays["mu"].shape == (1, 3)
    assert set(state_arrays(run_engine("momentum", settings())[1])) == {"trace"}
    assert set(state_arrays(run_engine("adagrad", settings())[1])) == {"sum_sq"}
    assert set(state_arrays(run_engine("rmsprop", settings())[1])) == {"nu"}
    assert state_arrays(run_engine("sgd", settings())[1]) == {}


def test_every_optimizer_is_registered():
    assert set(OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}
    assert DEFAULT_EPS == {"adagrad": 1e-10}


def test_run_uses_torch_default_eps():
    cfg = pv.TrainConfig(dataset="linear", n_samples=20, hidden_layers=(), learning_rate=0.1)
    for name, eps in [("adagrad", 1e-10), ("adam", 1e-8), ("rmsprop", 1e-8)]:
        run = pv.Run(cfg.replace(optimizer=name, batch_size=100))
        g = run.step(1).grads
        g_flat = np.concatenate([g["W1"].ravel(), g["b1"]])
        step = run.initial_theta - run.theta
        # first step of each of these with the default eps: lr·g/(|g|·c + eps), c = 1 for Adam and AdaGrad
        c = math.sqrt(0.01) if name == "rmsprop" else 1.0
        np.testing.assert_allclose(step, 0.1 * g_flat / (np.abs(g_flat) * c + eps), rtol=1e-12)


def test_run_adam_first_step_is_learning_rate_times_sign():
    run = pv.Run(pv.TrainConfig(dataset="ripple", n_samples=50, hidden_layers=(4,), optimizer="adam",
                                learning_rate=0.05, batch_size=8))
    run.step(1)
    g = np.concatenate([v.ravel() for v in run.grads.values()])
    step = run.initial_theta - run.theta
    np.testing.assert_allclose(step, 0.05 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert np.all(np.abs(np.abs(step[g != 0]) - 0.05) < 1e-6)


# ---- learning-rate schedules --------------------------------------------------------------------------

@pytest.mark.parametrize("epoch, expected", [(0, 1.0), (9, 1.0), (10, 0.5), (19, 0.5), (20, 0.25), (35, 0.125)])
def test_step_schedule_by_hand(epoch, expected):
    assert SCHEDULES["step"](1.0, epoch, 0.5, 10) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("epoch, expected", [(0, 0.2), (1, 0.18), (2, 0.162), (10, 0.2 * 0.9**10)])
def test_exponential_schedule_by_hand(epoch, expected):
    assert SCHEDULES["exponential"](0.2, epoch, 0.9, 999) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("epoch, expected", [(0, 0.4), (5, 0.3414213562373095), (10, 0.2), (15, 0.0585786437626905),
                                             (20, 0.0), (25, 0.0)])
def test_cosine_schedule_by_hand(epoch, expected):
    assert SCHEDULES["cosine"](0.4, epoch, 0.5, 20) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_constant_schedule_ignores_epoch():
    assert SCHEDULES["constant"](0.3, 1000, 0.1, 1) == 0.3


def test_run_learning_rate_follows_epochs():
    cfg = pv.TrainConfig(dataset="linear", n_samples=30, test_fraction=1 / 3, hidden_layers=(), optimizer="sgd",
                         learning_rate=0.1, batch_size=5, schedule="step", schedule_gamma=0.5, schedule_epochs=2)
    run = pv.Run(cfg)
    assert run.steps_per_epoch == 4  # 20 training samples in batches of 5
    seen = []
    for _ in range(6):
        seen.append((run.epoch, run.learning_rate))
        run.step_epoch()
    assert seen == [(0, 0.1), (1, 0.1), (2, 0.05), (3, 0.05), (4, 0.025), (5, 0.025)]
    lr_col = run.history["learning_rate"].to_numpy()
    # history rows 1..4 are the steps of epoch 0 (lr 0.1); rows 9..12 are epoch 2 (lr 0.05)
    np.testing.assert_allclose(lr_col[1:5], 0.1)
    np.testing.assert_allclose(lr_col[9:13], 0.05)


def test_run_cosine_schedule_lr_mid_training():
    cfg = pv.TrainConfig(dataset="linear", n_samples=20, test_fraction=0.5, hidden_layers=(), optimizer="sgd",
                         learning_rate=0.2, batch_size=10, schedule="cosine", schedule_epochs=4)
    run = pv.Run(cfg)
    run.step(2)  # one epoch is one step of 10 samples
    assert run.epoch == 2
    assert run.learning_rate == pytest.approx(0.1, rel=1e-14)
    run.step(10)
    assert run.learning_rate == pytest.approx(0.0, abs=1e-17)
