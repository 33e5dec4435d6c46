"""Each lesson, trained for its own number of steps, really shows the phenomenon its text promises."""

import numpy as np
import pytest

import paramviz as pv
from paramviz.lessons import LESSONS


def train(cfg, steps):
    return pv.Run(cfg).step(steps)


def test_there_are_at_least_six_lessons_with_known_focus():
    assert len(LESSONS) >= 6
    for key, lesson in LESSONS.items():
        assert lesson.key == key and lesson.title and lesson.watch
        assert lesson.focus in {"loss", "trajectories", "model", "landscape", "optimizer", "network"}


def test_lesson_titles_are_short_enough_for_the_sidebar_picker():
    # About 30 characters fit in the Lesson select box at the sidebar's default width; longer ones were cut
    # ("Learning rate too high → diverger"). tests/e2e/test_studio.py checks the pixels in a browser.
    assert max(len(lesson.title) for lesson in LESSONS.values()) <= 26


def test_lr_too_high_diverges_within_its_steps_and_a_lower_rate_converges():
    lesson = LESSONS["lr-too-high"]
    run = train(lesson.config, lesson.steps)
    assert run.diverged and run.diverged_at <= lesson.steps
    assert np.all(np.isfinite(run.theta))
    calm = train(lesson.config.replace(learning_rate=0.5), lesson.steps)
    assert not calm.diverged and calm.history.train_loss.iloc[-1] < 0.2


def test_momentum_reaches_the_valley_minimum_while_sgd_is_still_crawling():
    lesson = LESSONS["momentum-vs-sgd"]
    momentum = train(lesson.config, lesson.steps)
    sgd = train(lesson.config.replace(optimizer="sgd"), lesson.steps)
    X = np.c_[momentum.data.X_train, np.ones(len(momentum.data.y_train))]
    w_best, *_ = np.linalg.lstsq(X, momentum.data.y_train, rcond=None)
    best = np.mean((X @ w_best - momentum.data.y_train) ** 2)
    excess_momentum = momentum.history.train_loss.iloc[-1] - best
    excess_sgd = sgd.history.train_loss.iloc[-1] - best
    assert excess_momentum < 0.01 * excess_sgd
    assert abs(momentum.params["W1"][0, 0] - w_best[0]) < 0.05 < abs(sgd.params["W1"][0, 0] - w_best[0])


def _roughness(losses):
    return np.mean(np.abs(np.diff(losses))) / np.mean(losses)


def test_batch_of_one_gives_a_much_noisier_loss_curve_than_full_batch():
    lesson = LESSONS["batch-size-noise"]
    noisy = train(lesson.config, lesson.steps).history.train_loss.values
    smooth = train(lesson.config.replace(batch_size=100_000), lesson.steps).history.train_loss.values
    assert _roughness(noisy) > 4 * _roughness(smooth)


def test_degree_15_polynomial_overfits_test_loss_rises_while_train_loss_falls():
    lesson = LESSONS["overfit-polynomial"]
    h = train(lesson.config, lesson.steps).history
    best = h.test_loss.idxmin()
    assert h.test_loss.iloc[-1] > 3 * h.test_loss.min()
    assert h.train_loss.iloc[-1] < h.train_loss.iloc[best]
    modest = train(lesson.config.replace(poly_degree=3), lesson.steps).history
    assert modest.test_loss.iloc[-1] < h.test_loss.iloc[-1] / 3


def test_l1_proximal_makes_exact_zeros_and_l2_of_same_strength_does_not():
    lesson = LESSONS["l1-sparsity"]
    l1 = train(lesson.config, lesson.steps).params["W1"]
    l2 = train(lesson.config.replace(regularizer="l2", proximal=False), lesson.steps).params["W1"]
    assert np.sum(l1 == 0.0) >= 3
    assert np.sum(l2 == 0.0) == 0
    assert np.sum(np.abs(l2) < np.abs(l2).max()) > 0


@pytest.mark.parametrize("layer", ["W1", "W2"])
def test_zero_init_keeps_every_hidden_neuron_identical(layer):
    lesson = LESSONS["zero-init-symmetry"]
    run = train(lesson.config, lesson.steps)
    W = run.params[layer]
    assert np.abs(W).max() > 0.1  # it did learn something...
    assert np.all(W == W[:, :1])  # ...but every neuron (column) learned the same thing


def test_xor_fails_without_a_hidden_layer_and_succeeds_with_one():
    lesson = LESSONS["xor-needs-hidden-layer"]
    flat = train(lesson.config, lesson.steps).history.test_accuracy.iloc[-1]
    hidden = train(lesson.config.replace(hidden_layers=(4,)), lesson.steps).history.test_accuracy.iloc[-1]
    assert flat < 0.7 and hidden > 0.9
