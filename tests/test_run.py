"""Run: closed-form checks, reproducibility, divergence, bounded history, mid-run changes, loss_grid, predict."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import paramviz as pv
import paramviz.run as run_module
from paramviz.nn import forward
from paramviz.run import Recorder


def linear_run(**kw):
    base = dict(dataset="linear", n_samples=100, noise=0.3, hidden_layers=(), optimizer="sgd", learning_rate=0.1,
                batch_size=1000)
    base.update(kw)
    return pv.Run(pv.TrainConfig(**base))


def ridge_solution(X, y, lam):
    """argmin (1/n)||Xw + b − y||² + λ||w||², b unpenalised. Setting the gradient to zero:
    (XᵀX/n + λI) w + (Xᵀ1/n) b = Xᵀy/n   and   (1ᵀX/n) w + b = mean(y)."""
    n, d = X.shape
    A = np.zeros((d + 1, d + 1))
    A[:d, :d] = X.T @ X / n + lam * np.eye(d)
    A[:d, d] = X.mean(axis=0)
    A[d, :d] = X.mean(axis=0)
    A[d, d] = 1.0
    rhs = np.r_[X.T @ y / n, y.mean()]
    sol = np.linalg.solve(A, rhs)
    return sol[:d], sol[d]


# ---- closed forms ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lam", [0.0, 0.05, 1.0])
def test_linear_regression_with_l2_converges_to_ridge(lam):
    run = linear_run(regularizer="l2", reg_strength=lam, learning_rate=0.2).step(600)
    w, b = ridge_solution(run.data.X_train, run.data.y_train, lam)
    np.testing.assert_allclose(run.params["W1"][:, 0], w, atol=1e-9)
    assert run.params["b1"][0] == pytest.approx(b, abs=1e-9)


def test_polynomial_ridge_on_ripple_matches_normal_equations():
    run = pv.Run(pv.TrainConfig(dataset="ripple", n_samples=200, poly_degree=3, hidden_layers=(), optimizer="sgd",
                                learning_rate=0.1, batch_size=1000, regularizer="l2", reg_strength=0.1))
    assert run.data.X_train.shape[1] == 9
    run.step(3000)
    w, b = ridge_solution(run.data.X_train, run.data.y_train, 0.1)
    np.testing.assert_allclose(run.params["W1"][:, 0], w, atol=1e-6)
    assert run.params["b1"][0] == pytest.approx(b, abs=1e-6)
    assert np.abs(w).max() > 0.05  # a real fit, not the trivial zero


def test_linear_fit_without_noise_recovers_the_line():
    run = linear_run(noise=0.0, scale_inputs=False, learning_rate=0.15).step(500)
    assert run.params["W1"][0, 0] == pytest.approx(0.8, abs=1e-8)
    assert run.params["b1"][0] == pytest.approx(-1.0, abs=1e-8)
    assert run.history["train_r2"].iloc[-1] == pytest.approx(1.0, abs=1e-12)


# ---- metrics ------------------------------------------------------------------------------------------

def test_r2_is_one_minus_ss_res_over_ss_tot():
    run = pv.Run(pv.TrainConfig(dataset="sine", n_samples=80, hidden_layers=(5,), optimizer="adam", learning_rate=0.02,
                                batch_size=16)).step(37)
    h = run.history.iloc[-1]
    for split in ("train", "test"):
        inputs, y = getattr(run.data, f"inputs_{split}"), getattr(run.data, f"y_{split}")
        pred = run.predict(inputs)
        r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
        assert h[f"{split}_r2"] == pytest.approx(r2, rel=1e-10)
        assert h[f"{split}_loss"] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-10)
    assert 0.0 < h["train_r2"] < 1.0


def test_r2_of_a_single_test_point_is_undefined_not_a_huge_number():
    run = pv.Run(pv.TrainConfig(dataset="sine", n_samples=10, test_fraction=0.1, hidden_layers=(), optimizer="sgd",
                                learning_rate=0.1)).step(5)
    assert len(run.data.y_test) == 1
    h = run.history
    assert h["test_r2"].isna().all()  # SS_tot = 0: R² is not defined
    assert np.all(np.isfinite(h["test_loss"])) and np.all(np.isfinite(h["train_r2"]))


def test_accuracy_is_the_fraction_of_right_classes():
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=120, hidden_layers=(4,), optimizer="sgd",
                                learning_rate=0.05, batch_size=16)).step(15)
    h = run.history.iloc[-1]
    for split in ("train", "test"):
        inputs, y = getattr(run.data, f"inputs_{split}"), getattr(run.data, f"y_{split}")
        p = run.predict(inputs)
        assert h[f"{split}_accuracy"] == pytest.approx(np.mean((p > 0.5) == y), abs=1e-15)
        bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        assert h[f"{split}_loss"] == pytest.approx(bce, rel=1e-10)


def test_multiclass_accuracy_and_loss():
    run = pv.Run(pv.TrainConfig(dataset="blobs", n_classes=4, n_samples=120, hidden_layers=(6,), optimizer="adam",
                                learning_rate=0.01, batch_size=20)).step(12)
    h = run.history.iloc[-1]
    P = run.predict(run.data.inputs_train)
    y = run.data.y_train
    assert h["train_accuracy"] == pytest.approx(np.mean(P.argmax(axis=1) == y), abs=1e-15)
    assert h["train_loss"] == pytest.approx(-np.mean(np.log(P[np.arange(len(y)), y])), rel=1e-10)


# ---- predict ------------------------------------------------------------------------------------------

def test_binary_predict_is_sigmoid_of_the_hand_logit():
    run = pv.Run(pv.TrainConfig(dataset="circles", n_samples=60, hidden_layers=(3,), activation="relu",
                                optimizer="adam", learning_rate=0.05, batch_size=10)).step(20)
    pts = np.array([[0.0, 0.0], [1.0, -0.5], [-2.0, 3.0], [30.0, -40.0]])
    f = run.data.features
    X = (pts - f.mean) / f.std
    p = run.params
    logit = (np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"])[:, 0]
    out = run.predict(pts)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-logit)), rtol=1e-12)
    assert out.shape == (4,) and np.all((out >= 0) & (out <= 1))


def test_predict_single_point_and_far_points_stay_probabilities():
    run = pv.Run(pv.TrainConfig(dataset="xor", n_samples=50, hidden_layers=(4,), optimizer="adam",
                                learning_rate=0.5, batch_size=10)).step(30)
    assert run.predict([0.5, 0.5]).shape == (1,)
    far = run.predict(np.array([[1e6, -1e6], [-1e8, 1e8]]))
    assert np.all(np.isfinite(far)) and np.all((far >= 0) & (far <= 1))


def test_multiclass_predict_rows_sum_to_one():
    run = pv.Run(pv.TrainConfig(dataset="blobs", n_classes=5, n_samples=100, hidden_layers=(4,), optimizer="adam",
                                batch_size=10)).step(10)
    P = run.predict(np.random.default_rng(0).uniform(-3, 3, (50, 2)))
    assert P.shape == (50, 5)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    assert np.all(P > 0)


def test_regression_predict_of_linear_model_is_w_x_plus_b():
    run = linear_run().step(10)
    x = np.array([[0.0], [2.0], [4.0]])
    f = run.data.features
    hand = ((x - f.mean) / f.std) @ run.params["W1"] + run.params["b1"]
    np.testing.assert_allclose(run.predict(x), hand[:, 0], rtol=1e-14)


@pytest.mark.parametrize("inputs, shape", [([[1.0, 2.0, 3.0]], r"\(1, 3\)"), (np.zeros((2, 2, 2)), r"\(2, 2, 2\)"),
                                           (5.0, r"\(\)")])
def test_predict_with_the_wrong_number_of_inputs_names_them(inputs, shape):
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=40, hidden_layers=(3,)))
    with pytest.raises(ValueError, match=r"inputs must be numbers of shape \(n, 2\), one column per input "
                                         rf"\(x1, x2\); got shape {shape}$"):
        run.predict(inputs)


def test_predict_non_numbers_is_a_value_error():
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=40, hidden_layers=(3,)))
    with pytest.raises(ValueError, match="inputs must be numbers .*; got list that is not all numbers"):
        run.predict([["a", "b"]])


def test_predict_on_one_input_data_takes_a_1d_array_of_x_values():
    run = pv.Run(pv.TrainConfig(dataset="sine", n_samples=40, poly_degree=3, hidden_layers=(4,))).step(5)
    xs = np.array([-0.5, 0.1, 0.7])
    np.testing.assert_array_equal(run.predict(xs), run.predict(xs[:, None]))
    assert run.predict(0.1).shape == (1,) and run.predict(0.1)[0] == pytest.approx(run.predict(xs)[1], rel=1e-12)

# ---- loss_grid ------------------------------------------------------------------------------------------

def test_loss_grid_equals_mse_by_hand():
    run = linear_run(regularizer="l2", reg_strength=0.1).step(3)
    xs, ys, Z = run.loss_grid("W1[0,0]", "b1[0]", center=(0.5, -0.5), span=2.0, n=5)
    np.testing.assert_allclose(xs, [-1.5, -0.5, 0.5, 1.5, 2.5])
    np.testing.assert_allclose(ys, [-2.5, -1.5, -0.5, 0.5, 1.5])
    X, y = run.data.X_train[:, 0], run.data.y_train
    for i, j in [(0, 0), (1, 3), (4, 2), (2, 2), (3, 0)]:
        w, b = xs[j], ys[i]
        assert Z[i, j] == pytest.approx(np.mean((w * X + b - y) ** 2) + 0.1 * w * w, rel=1e-12)


def test_loss_grid_minimum_is_near_least_squares():
    run = linear_run()
    w, b = ridge_solution(run.data.X_train, run.data.y_train, 0.0)
    xs, ys, Z = run.loss_grid("W1[0,0]", "b1[0]", center=(0.0, 0.0), span=3.0, n=121)
    i, j = np.unravel_index(np.argmin(Z), Z.shape)
    cell = xs[1] - xs[0]
    assert abs(xs[j] - w[0]) <= cell / 2 + 1e-12 and abs(ys[i] - b) <= cell / 2 + 1e-12


def test_loss_grid_defaults_centre_on_current_values():
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=60, hidden_layers=(3,), batch_size=10)).step(5)
    xs, ys, Z = run.loss_grid("W1[0,1]", "b2[0]", n=7)
    assert Z.shape == (7, 7)
    assert xs[3] == pytest.approx(run.params["W1"][0, 1]) and ys[3] == pytest.approx(run.params["b2"][0])
    assert Z[3, 3] == pytest.approx(run.history["train_loss"].iloc[-1], rel=1e-12)


def test_loss_grid_unknown_parameter_is_a_value_error():
    with pytest.raises(ValueError, match="W9"):
        linear_run().loss_grid("W9[0,0]", "b1[0]")


def unchunked_loss_grid(run, p1, p2, center, span, n):
    """The whole grid as one (n², P) block: the plain computation loss_grid must reproduce."""
    i, j = run.layout.index_of(p1), run.layout.index_of(p2)
    xs, ys = np.linspace(center[0] - span, center[0] + span, n), np.linspace(center[1] - span, center[1] + span, n)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.repeat(run.theta[None, :], n * n, axis=0)
    grid[:, i], grid[:, j] = gx.ravel(), gy.ravel()
    Z = forward(grid, run.data.X_train, run.layout, run.model.act)[-1]
    loss = np.mean(run.model.loss_fn.per_sample(Z, run.data.y_train), axis=-1)
    return (loss + run.penalty.value(grid)).reshape(n, n)


def test_loss_grid_in_small_blocks_equals_the_whole_grid_at_once(monkeypatch):
    run = pv.Run(pv.TrainConfig(dataset="blobs", n_samples=60, n_classes=3, hidden_layers=(4, 3), optimizer="adam",
                                learning_rate=0.05, batch_size=10, regularizer="l2", reg_strength=0.01)).step(7)
    expected = unchunked_loss_grid(run, "W2[1,2]", "b1[0]", center=(0.3, -0.2), span=1.5, n=9)
    blocks = []

    def spy(theta, X, layout, act):
        blocks.append(len(theta))
        return forward(theta, X, layout, act)

    per_point = run.layout.n_params + len(run.data.y_train) * (4 + 3 + 3 + 4)  # its parameters and activations
    monkeypatch.setattr(run_module, "LOSS_GRID_BUDGET", 7 * per_point)
    monkeypatch.setattr(run_module, "forward", spy)
    xs, ys, Z = run.loss_grid("W2[1,2]", "b1[0]", center=(0.3, -0.2), span=1.5, n=9)
    assert blocks == [7] * 11 + [4]  # 81 points, 7 at a time
    np.testing.assert_array_equal(Z, expected)
    np.testing.assert_array_equal(xs, np.linspace(-1.2, 1.8, 9))


def test_loss_grid_memory_follows_its_budget_not_the_network_size(monkeypatch):
    import tracemalloc
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=200, hidden_layers=(64,) * 6))
    monkeypatch.setattr(run_module, "LOSS_GRID_BUDGET", 250_000)  # 2 MB; the whole 11x11 grid of thetas is 20 MB
    tracemalloc.start()
    try:
        run.loss_grid("W1[0,0]", "b1[0]", n=11)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 121 * run.layout.n_params * 8 > 20e6
    assert peak < 2 * 250_000 * 8


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), r"n must be a whole number in \[2, 1000\]; got 0"),
    (dict(n=1), r"n must be a whole number in \[2, 1000\]; got 1"),
    (dict(n=1001), r"n must be a whole number in \[2, 1000\]; got 1001"),
    (dict(n=4.5), r"n must be a whole number in \[2, 1000\]; got 4.5"),
    (dict(span=-1.0), r"span must be a number in \(0, inf\); got -1.0"),
    (dict(span=0), r"span must be a number in \(0, inf\); got 0"),
    (dict(span=float("nan")), r"span must be a number in \(0, inf\); got nan"),
    (dict(center=(1.0,)), r"center must be a pair \(x, y\) of numbers; got \(1.0,\)"),
    (dict(center=(0.0, float("inf"))), r"center\[1\] must be a number"),
    (dict(theta=np.zeros(3)), r"theta must be a vector of all 2 parameters \(as run.theta\); got shape \(3,\)"),
])
def test_loss_grid_rejects_bad_arguments_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        linear_run().loss_grid("W1[0,0]", "b1[0]", **kwargs)


def test_loss_grid_needs_two_different_parameters():
    with pytest.raises(ValueError, match=r"p1 and p2 must be two different parameters; both are 'W1\[0,0\]'"):
        linear_run().loss_grid("W1[0,0]", "W1[0,0]")


def test_loss_grid_parameter_name_must_be_a_string():
    with pytest.raises(ValueError, match="a parameter name must be a string like W1"):
        linear_run().loss_grid(0, "b1[0]")


def test_loss_grid_smallest_grid_is_its_four_corners():
    run = linear_run()
    xs, ys, Z = run.loss_grid("W1[0,0]", "b1[0]", center=(0.0, 0.0), span=1.0, n=2)
    X, y = run.data.X_train[:, 0], run.data.y_train
    assert xs.tolist() == ys.tolist() == [-1.0, 1.0]
    assert Z[1, 0] == pytest.approx(np.mean((-X + 1 - y) ** 2), rel=1e-12)


# ---- zero initialisation: symmetry is never broken ------------------------------------------------------

def test_zero_init_sigmoid_hidden_neurons_stay_identical():
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=80, hidden_layers=(4, 3), activation="sigmoid",
                                init="zeros", optimizer="adam", learning_rate=0.05, batch_size=16)).step(150)
    p = run.params
    np.testing.assert_allclose(p["W1"], p["W1"][:, :1].repeat(4, axis=1), rtol=1e-10, atol=1e-15)  # columns
    np.testing.assert_allclose(p["b1"], p["b1"][0], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(p["W2"], p["W2"][0, 0], rtol=1e-10, atol=1e-15)  # rows (and columns) equal
    np.testing.assert_allclose(p["W3"], p["W3"][0, 0], rtol=1e-10, atol=1e-15)
    assert np.abs(p["W1"]).max() > 1e-3 and np.abs(p["W3"]).max() > 1e-2  # the weights did learn


def test_zero_init_tanh_hidden_neurons_stay_identical():
    """tanh(0) = 0, so with all-zero weights no weight gradient ever appears: only the output bias learns."""
    run = pv.Run(pv.TrainConfig(dataset="sine", n_samples=60, hidden_layers=(5,), activation="tanh",
                                init="zeros", optimizer="sgd", learning_rate=0.1, batch_size=8)).step(100)
    p = run.params
    np.testing.assert_array_equal(p["W1"], p["W1"][:, :1].repeat(5, axis=1))
    np.testing.assert_array_equal(p["W2"], p["W2"][0, 0])
    assert np.all(p["W1"] == 0) and np.all(p["W2"] == 0) and np.all(p["b1"] == 0)
    assert p["b2"][0] != 0


# ---- reproducibility ----------------------------------------------------------------------------------

REPRO = pv.TrainConfig(dataset="spiral", n_samples=80, hidden_layers=(6, 4), activation="relu", optimizer="momentum",
                       learning_rate=0.05, batch_size=12, regularizer="elasticnet", reg_strength=0.01)


def test_same_config_and_seed_is_bit_identical():
    a, b = pv.Run(REPRO).step(60), pv.Run(REPRO).step(60)
    assert a.history.equals(b.history)
    assert a.trajectory.equals(b.trajectory)
    np.testing.assert_array_equal(a.theta, b.theta)


def test_different_seed_differs():
    a, b = pv.Run(REPRO).step(20), pv.Run(REPRO.replace(seed=1)).step(20)
    assert not np.array_equal(a.data.X_train, b.data.X_train)
    assert not np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.history["train_loss"], b.history["train_loss"])


def test_reset_replays_the_identical_run():
    run = pv.Run(REPRO)
    first_theta = run.theta
    run.step(45)
    hist, traj, theta = run.history, run.trajectory, run.theta
    run.reset()
    assert run.step_count == 0 and run.epoch == 0 and len(run.history) == 1
    np.testing.assert_array_equal(run.theta, first_theta)
    np.testing.assert_array_equal(run.theta, run.initial_theta)
    run.step(45)
    assert run.history.equals(hist) and run.trajectory.equals(traj)
    np.testing.assert_array_equal(run.theta, theta)


def test_steps_in_chunks_equal_steps_at_once():
    a = pv.Run(REPRO).step(50)
    b = pv.Run(REPRO)
    for n in (1, 7, 0, 30, 12):
        b.step(n)
    assert a.history.equals(b.history)
    np.testing.assert_array_equal(a.theta, b.theta)


@pytest.mark.parametrize("record_every", [1, 5])
def test_reading_history_does_not_change_the_training(record_every):
    cfg = pv.TrainConfig(dataset="spiral", n_samples=200, hidden_layers=(16, 16), optimizer="adam", learning_rate=0.03,
                         batch_size=37, record_every=record_every)
    watched = pv.Run(cfg)
    for _ in range(20):
        watched.step(3)
        _ = watched.history, watched.trajectory  # what the app does between frames
    unwatched = pv.Run(cfg).step(60)
    np.testing.assert_array_equal(watched.theta, unwatched.theta)
    assert watched.history.equals(unwatched.history)


def test_init_seed_changes_only_the_initial_weights():
    a, b = pv.Run(REPRO), pv.Run(REPRO.replace(init_seed=123))
    assert not np.array_equal(a.initial_theta, b.initial_theta)
    np.testing.assert_array_equal(a.data.X_train, b.data.X_train)
    np.testing.assert_array_equal(a.data.y_test, b.data.y_test)
    np.testing.assert_array_equal(a._order, b._order)  # same minibatch order
    c = pv.Run(REPRO.replace(init_seed=REPRO.seed))  # init_seed = seed is the default
    np.testing.assert_array_equal(a.initial_theta, c.initial_theta)


# ---- divergence ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [1000, 8])
def test_divergence_is_caught_and_the_last_finite_step_kept(batch_size):
    run = linear_run(learning_rate=50.0, batch_size=batch_size)
    run.step(500)
    assert run.diverged
    assert isinstance(run.diverged_at, int) and 1 < run.diverged_at < 500
    assert run.step_count == run.diverged_at - 1
    assert np.all(np.isfinite(run.theta))
    h, t = run.history, run.trajectory
    assert np.all(np.isfinite(h[["train_loss", "test_loss"]].to_numpy()))
    assert not np.isinf(h.to_numpy()).any()
    assert h["step"].iloc[-1] == run.diverged_at - 1 < run.diverged_at
    assert t["step"].iloc[-1] == run.step_count
    np.testing.assert_array_equal(t.iloc[-1, 1:].to_numpy(dtype=float), run.theta)
    assert np.all(np.isfinite(t.to_numpy()))
    assert str(run.diverged_at) in run.divergence_reason
    assert run.divergence_reason.startswith(f"{run.divergence_cause} at step {run.diverged_at}")
    assert f"diverged at step {run.diverged_at}" in repr(run)


@pytest.mark.parametrize("batch_size, record_every", [(10_000, 1), (10_000, 7), (4, 1)])
def test_a_diverged_step_is_undone_with_its_batch(batch_size, record_every):
    """The epoch count agrees with the steps kept: the batch of the step that overflowed is not counted."""
    settings = {"learning_rate": 50.0, "batch_size": batch_size, "record_every": record_every}
    run = linear_run(**settings).step(500)
    kept = linear_run(**settings).step(run.step_count)  # the same steps, stopped just before the overflow
    assert run.diverged and not kept.diverged
    assert run.epochs_done == kept.epochs_done


def test_no_more_steps_after_divergence():
    run = linear_run(learning_rate=50.0).step(500)
    count, theta, rows = run.step_count, run.theta, len(run.history)
    run.step(10)
    run.step_epoch()
    assert run.step_count == count and len(run.history) == rows
    np.testing.assert_array_equal(run.theta, theta)


def test_divergence_with_sparse_recording_keeps_finite_values():
    run = linear_run(learning_rate=50.0, record_every=7).step(500)
    assert run.diverged and run.step_count == run.diverged_at - 1
    assert np.all(np.isfinite(run.theta))
    assert not np.isinf(run.history.to_numpy()).any()
    assert run.history["step"].iloc[-1] < run.diverged_at


def test_exploding_penalty_is_divergence_and_history_never_holds_inf():
    """lr·2λ > 2 makes L2 weight decay overshoot and grow; behind dead relus the data loss need not overflow
    first, but an infinite penalty or gradient norm is divergence all the same."""
    cfg = pv.TrainConfig(dataset="linear", n_samples=10, noise=0.0, test_fraction=0.375, seed=0, hidden_layers=(1, 1),
                         activation="relu", optimizer="sgd", learning_rate=1.0, batch_size=1, regularizer="l2",
                         reg_strength=3.0, max_history=10)
    run = pv.Run(cfg).step(40)
    assert run.diverged and run.step_count == run.diverged_at - 1 < 39
    h = run.history
    assert not np.isinf(h.to_numpy()).any()
    assert np.all(np.isfinite(h[["train_loss", "test_loss", "penalty"]].to_numpy()))
    assert h["step"].iloc[-1] <= run.step_count


def test_reset_after_divergence_starts_again():
    run = linear_run(learning_rate=50.0).step(500)
    run.reset()
    assert not run.diverged and run.diverged_at is None and run.divergence_reason == run.divergence_cause == ""
    assert run.step(3).step_count == 3


def test_a_stable_run_does_not_diverge():
    run = linear_run(learning_rate=0.5).step(200)
    assert not run.diverged and run.diverged_at is None


# ---- bounded history ----------------------------------------------------------------------------------

def test_history_stays_bounded_and_evenly_spaced():
    run = linear_run(max_history=100).step(10_000)
    h, t = run.history, run.trajectory
    assert len(h) <= 101 and len(t) <= 101
    assert h["step"].iloc[0] == 0 and h["step"].iloc[-1] == 10_000
    gaps = np.diff(h["step"].to_numpy()[:-1])
    assert len(set(gaps)) == 1 and gaps[0] >= 100
    np.testing.assert_array_equal(t["step"].to_numpy(), h["step"].to_numpy())
    np.testing.assert_array_equal(t.iloc[-1, 1:].to_numpy(dtype=float), run.theta)


def test_recorder_memory_stays_bounded_over_a_million_steps():
    rec = Recorder(n_cols=3, capacity=200)
    nbytes = rec.rows.nbytes
    for step in range(1_000_001):
        if rec.wants(step):
            rec.add(step, (step, 2.0 * step, 0.0))
    assert rec.rows.nbytes == nbytes and rec.count < 200
    steps = rec.steps[:rec.count]
    assert steps[0] == 0 and steps[-1] > 1_000_000 - rec.stride
    assert set(np.diff(steps)) == {rec.stride}
    np.testing.assert_array_equal(rec.rows[:rec.count, 0], steps)  # rows still match their steps
    np.testing.assert_array_equal(rec.rows[:rec.count, 1], 2.0 * steps)


def test_record_every_thins_the_history():
    run = linear_run(record_every=10).step(95)
    assert run.history["step"].tolist() == list(range(0, 100, 10)) + [95]


def test_history_columns_and_first_row():
    run = linear_run()
    h = run.history
    assert list(h.columns) == ["step", "epoch", "train_loss", "test_loss", "batch_loss", "penalty", "train_r2",
                               "test_r2", "grad_norm", "update_ratio", "learning_rate"]
    assert len(h) == 1 and h["step"].iloc[0] == 0 and h["learning_rate"].iloc[0] == 0.1
    assert h["step"].dtype == np.int64


# ---- update_config ------------------------------------------------------------------------------------

def test_changing_learning_rate_keeps_weights_and_takes_effect():
    run = linear_run(learning_rate=0.1).step(5)
    theta = run.theta
    run.update_config(run.cfg.replace(learning_rate=0.01))
    np.testing.assert_array_equal(run.theta, theta)
    assert run.learning_rate == 0.01
    run.step(1)
    g = np.concatenate([v.ravel() for v in run.grads.values()])
    np.testing.assert_allclose(theta - run.theta, 0.01 * g, rtol=1e-12)
    assert run.history["learning_rate"].iloc[-1] == 0.01


def test_changing_optimizer_keeps_weights_and_resets_its_state():
    run = pv.Run(REPRO).step(20)
    theta = run.theta
    assert np.abs(run.optimizer_state["trace"]["W1"]).max() > 0
    run.update_config(run.cfg.replace(optimizer="adam"))
    np.testing.assert_array_equal(run.theta, theta)
    assert set(run.optimizer_state) == {"mu", "nu"}
    assert all(np.all(v == 0) for d in run.optimizer_state.values() for v in d.values())
    run.step(1)  # a fresh Adam: its first step is lr·g/(|g| + eps)
    g = np.concatenate([v.ravel() for v in run.grads.values()])
    np.testing.assert_allclose(theta - run.theta, 0.05 * g / (np.abs(g) + 1e-8), rtol=1e-10, atol=1e-15)


def test_changing_momentum_value_keeps_the_optimizer_state():
    run = pv.Run(REPRO).step(20)
    trace = run.optimizer_state["trace"]["W1"]
    run.update_config(run.cfg.replace(momentum=0.5))
    np.testing.assert_array_equal(run.optimizer_state["trace"]["W1"], trace)


def test_changing_regularizer_keeps_weights_and_changes_the_objective():
    run = linear_run().step(5)
    theta = run.theta
    run.update_config(run.cfg.replace(regularizer="l2", reg_strength=0.5))
    np.testing.assert_array_equal(run.theta, theta)
    run.step(1)
    h = run.history.iloc[-1]
    assert h["penalty"] == pytest.approx(0.5 * run.params["W1"][0, 0] ** 2, rel=1e-12)


@pytest.mark.parametrize("change", [dict(dataset="sine"), dict(hidden_layers=(3,)), dict(seed=5),
                                    dict(activation="relu"), dict(n_samples=50)])
def test_changing_data_or_model_needs_a_new_run(change):
    run = linear_run().step(2)
    field = next(iter(change))
    with pytest.raises(ValueError, match=field):
        run.update_config(run.cfg.replace(**change))
    assert run.cfg.dataset == "linear" and run.step_count == 2


def test_changing_batch_size_mid_run():
    run = linear_run(batch_size=10).step(3)
    assert run.steps_per_epoch == 7  # 70 training points
    run.update_config(run.cfg.replace(batch_size=35))
    assert run.steps_per_epoch == 2 and run.batch_size == 35
    epoch = run.epoch
    run.step_epoch()
    assert run.epoch == epoch + 1


@pytest.mark.parametrize("cfg, got", [("moons", "str"), ({"learning_rate": 0.1}, r"dict \(TrainConfig.from_dict")])
def test_run_needs_a_train_config(cfg, got):
    with pytest.raises(ValueError, match=rf"cfg must be a TrainConfig, e.g. Run\(TrainConfig\(dataset='moons'\)\) or "
                                         rf"Run\(dataset='moons'\); got {got}"):
        pv.Run(cfg)


def test_update_config_needs_a_train_config():
    run = linear_run().step(2)
    with pytest.raises(ValueError, match=r"cfg must be a TrainConfig, e.g. run.update_config\(run.cfg.replace\("):
        run.update_config({"learning_rate": 0.5})
    assert run.cfg.learning_rate == 0.1

def test_epoch_column_keeps_counting_passes_when_the_batch_size_changes():
    run = pv.Run(pv.TrainConfig(batch_size=140)).step(100)  # 140 training points: one step is one epoch
    run.update_config(run.cfg.replace(batch_size=14))  # now ten steps are one epoch
    run.step(20)
    h = run.history.set_index("step")["epoch"]
    assert h[100] == 100.0 and h[101] == pytest.approx(100.1) and h[110] == 101.0 and h[120] == 102.0
    assert np.all(np.diff(h.to_numpy()) > 0)
    assert run.epoch == 102 == run.epochs_done


def test_a_new_batch_size_finishes_the_current_epoch_with_every_point_once():
    run = linear_run(batch_size=10)  # 70 training points
    batches, next_batch = [], run._next_batch
    run._next_batch = lambda: batches.append(next_batch()) or batches[-1]
    run.step(3)
    run.update_config(run.cfg.replace(batch_size=35))
    run.step(1)
    assert run.epoch == 0 and run.history["epoch"].iloc[-1] == pytest.approx(65 / 70)
    run.step(1)  # the epoch's last five points
    assert run.epoch == 1 and run.history["epoch"].iloc[-1] == 1.0
    assert [len(b) for b in batches] == [10, 10, 10, 35, 5]
    assert sorted(np.concatenate(batches)) == list(range(70))


def test_epoch_column_is_the_fraction_of_the_data_seen():
    run = linear_run(batch_size=16).step(6)  # 70 training points: batches of 16, 16, 16, 16 and 6
    np.testing.assert_allclose(run.history["epoch"], [0, 16 / 70, 32 / 70, 48 / 70, 64 / 70, 1, 1 + 16 / 70],
                               rtol=1e-15)
    assert run.epochs_done == pytest.approx(1 + 16 / 70) and run.epoch == 1


def test_a_smaller_max_history_thins_the_history_instead_of_wiping_it():
    run = linear_run(max_history=200).step(150)
    before = run.history.set_index("step")
    run.update_config(run.cfg.replace(max_history=20))
    after = run.history.set_index("step")
    assert len(after) <= 21 and after.index[0] == 0 and after.index[-1] == 150
    gaps = np.diff(after.index[:-1])
    assert len(set(gaps)) == 1 and gaps[0] >= 8
    pd.testing.assert_frame_equal(after, before.loc[after.index])
    run.step(50)
    assert len(run.history) <= 21 and run.history["step"].iloc[0] == 0 and run.history["step"].iloc[-1] == 200
    assert len(run.trajectory) <= 21
    np.testing.assert_array_equal(run.trajectory["step"], run.history["step"])


def test_a_larger_max_history_keeps_every_row():
    run = linear_run(max_history=20).step(60)
    before = run.history
    run.update_config(run.cfg.replace(max_history=1000))
    pd.testing.assert_frame_equal(run.history, before)
    run.step(40)
    assert run.history["step"].iloc[:len(before)].tolist() == before["step"].tolist()
    assert run.history["step"].iloc[-1] == 100


def test_a_new_record_every_records_at_that_pace_from_the_next_step():
    run = linear_run(record_every=10).step(20)
    run.update_config(run.cfg.replace(record_every=1))  # watching single steps
    run.step(3)
    run.update_config(run.cfg.replace(record_every=10))  # playing fast again
    run.step(7)
    assert run.history["step"].tolist() == [0, 10, 20, 21, 22, 23, 30]
    np.testing.assert_array_equal(run.trajectory["step"], run.history["step"])


def test_a_new_record_every_keeps_the_thinning_so_far():
    rec = Recorder(n_cols=1, capacity=4, stride=2)
    for step in range(0, 8, 2):
        rec.add(step, (step,))
    assert rec.stride == 4  # full once: every other row kept, stride doubled
    rec.set_every(3)
    assert rec.stride == 6 and rec.wants(6) and not rec.wants(3)


def test_recorder_resize_keeps_its_rows_evenly_thinned():
    rec = Recorder(n_cols=1, capacity=100)
    for step in range(90):
        rec.add(step, (10.0 * step,))
    rec.resize(10)
    steps = rec.steps[:rec.count]
    assert rec.count < 10 and rec.stride == 16 and steps.tolist() == list(range(0, 90, 16))
    np.testing.assert_array_equal(rec.rows[:rec.count, 0], 10.0 * steps)

def test_hot_fields_are_config_fields():
    from paramviz.config import field_names
    assert pv.HOT_FIELDS <= set(field_names())
    assert "dataset" not in pv.HOT_FIELDS and "hidden_layers" not in pv.HOT_FIELDS


# ---- the rest of the API -----------------------------------------------------------------------------

@pytest.mark.parametrize("n", [-1, "3", 2.0, None, True])
def test_step_rejects_anything_but_a_whole_number(n):
    run = linear_run()
    with pytest.raises(ValueError, match="n must be a whole number"):
        run.step(n)
    assert run.step_count == 0


def test_step_accepts_numpy_integers_and_zero():
    run = linear_run()
    assert run.step(np.int64(3)).step(0).step_count == 3


def test_step_epoch_is_one_pass_over_the_training_data():
    run = linear_run(batch_size=16)  # 70 training points -> 5 steps per epoch
    assert run.steps_per_epoch == 5
    run.step(2).step_epoch()
    assert run.step_count == 5 and run.epoch == 1
    run.step_epoch()
    assert run.step_count == 10 and run.epoch == 2
    assert run.history["epoch"].iloc[-1] == 2.0


def test_every_training_point_is_used_once_per_epoch():
    run = linear_run(batch_size=16)
    seen = []
    for _ in range(run.steps_per_epoch):
        seen.extend(run._next_batch().tolist())
    assert sorted(seen) == list(range(70))


def test_counts_names_and_copies():
    run = pv.Run(pv.TrainConfig(dataset="moons", n_samples=50, hidden_layers=(3, 2)))
    assert run.n_weights == 2 * 3 + 3 * 2 + 2 * 1 and run.n_biases == 3 + 2 + 1
    assert len(run.param_names) == 20 and run.param_names[0] == "W1[0,0]" and run.param_names[-1] == "b3[0]"
    assert list(run.trajectory.columns) == ["step", *run.param_names]
    p = run.params
    p["W1"][...] = 99.0
    assert not np.any(run.params["W1"] == 99.0)
    th = run.theta
    th[:] = 0
    assert np.any(run.theta != 0)


def test_grads_are_data_plus_penalty_gradient():
    run = linear_run(regularizer="l1", reg_strength=0.2)
    theta = run.theta
    run.step(1)
    X, y = run.data.X_train[:, 0], run.data.y_train
    w, b = theta
    r = w * X + b - y
    assert run.grads["W1"][0, 0] == pytest.approx(2 * np.mean(r * X) + 0.2 * np.sign(w), rel=1e-12)
    assert run.grads["b1"][0] == pytest.approx(2 * np.mean(r), rel=1e-12)


def test_repr_is_readable():
    run = pv.Run(pv.TrainConfig(dataset="moons", hidden_layers=(8, 8), activation="tanh", optimizer="adam",
                                learning_rate=0.01, n_samples=40))
    assert repr(run.step(3)) == "Run(moons, MLP 2-8-8-1 tanh, adam lr=0.01, step 3)"


def test_run_accepts_a_prepared_dataset():
    cfg = pv.TrainConfig(dataset="gaussians", n_samples=40, hidden_layers=(2,))
    data = pv.prepare(pv.make_raw(cfg), cfg)
    run = pv.Run(cfg, data=data)
    assert run.data is data


def test_engine_imports_neither_streamlit_nor_plotly():
    code = ("import sys, paramviz; bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; "
            "print(','.join(bad) or 'clean')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "clean"


def test_history_is_a_dataframe_of_floats():
    h = linear_run().step(3).history
    assert isinstance(h, pd.DataFrame) and len(h) == 4
    assert h["step"].tolist() == [0, 1, 2, 3]


def test_changing_eps_keeps_adams_moments_and_takes_effect_on_the_next_step():
    run = linear_run(optimizer="adam", learning_rate=0.05).step(5)
    (before,) = run.opt_state
    theta = run.theta
    run.update_config(run.cfg.replace(eps=0.1))
    (kept,) = run.opt_state
    assert kept.count == before.count == 5
    np.testing.assert_array_equal(kept.mu, before.mu)
    np.testing.assert_array_equal(kept.nu, before.nu)
    run.step(1)  # Adam's sixth step by hand, with the new ε
    g = np.concatenate([v.ravel() for v in run.grads.values()])
    mu, nu = 0.9 * before.mu[0] + 0.1 * g, 0.999 * before.nu[0] + 0.001 * g * g
    d = (mu / (1 - 0.9**6)) / (np.sqrt(nu / (1 - 0.999**6)) + 0.1)
    np.testing.assert_allclose(theta - run.theta, 0.05 * d, rtol=1e-10, atol=1e-15)


def test_param_names_are_built_once_and_each_call_gets_its_own_list():
    run = pv.Run(pv.TrainConfig(dataset="moons", hidden_layers=(3,)))
    names = run.param_names
    assert names[:3] == ["W1[0,0]", "W1[0,1]", "W1[0,2]"] and names[-1] == "b2[0]" and len(names) == 13
    names.clear()  # the caller's copy
    assert run.param_names == run.layout.scalar_names()
