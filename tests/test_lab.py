"""The overfitting lab's computations (paramviz.lab): each pins down the phenomenon its view teaches, on fixed
seeds, and the side-by-side trainer is checked against separate Runs."""

import numpy as np
import pandas as pd
import pytest

import paramviz as pv
from paramviz import lab

# The lab's running example: 20 noisy points of sin(πx), 12 to train on and 8 to test on.
FEW_POINTS = pv.TrainConfig(dataset="sine", n_samples=20, noise=0.3, test_fraction=0.4, seed=0, hidden_layers=(),
                            optimizer="adam", learning_rate=0.1, batch_size=100_000)


@pytest.fixture(scope="module")
def capacity():
    return lab.capacity_curve(FEW_POINTS, "poly_degree", range(1, 16), steps=2000)


@pytest.fixture(scope="module")
def bias_variance():
    return lab.bias_variance(FEW_POINTS.replace(test_fraction=0.25), n_resamples=30, steps=1500,
                             values=(1, 3, 5, 9, 12))


# ---- true functions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", ["sine", "linear"])
def test_true_functions_are_the_generators_without_noise(dataset):
    raw = pv.make_raw(pv.TrainConfig(dataset=dataset, n_samples=50, noise=0.0))
    np.testing.assert_allclose(lab.true_function(dataset, raw.X[:, 0]), raw.y, rtol=0, atol=1e-12)


def test_true_function_of_a_classification_dataset_is_a_value_error_naming_the_choices():
    with pytest.raises(ValueError, match="dataset must be one of sine, linear"):
        lab.true_function("moons", np.zeros(3))


# ---- training side by side -----------------------------------------------------------------------------------

def _padded_run_theta(cfg, steps, layout):
    run = pv.Run(cfg).step(steps)
    return lab._embed(run.theta, run.layout, layout), run


def test_side_by_side_equals_separate_runs_for_different_degrees_and_seeds():
    cfgs = [FEW_POINTS.replace(poly_degree=d, seed=s) for d in (1, 4, 12) for s in (0, 7)]
    fit = lab.train_side_by_side(cfgs, 300)
    for t, cfg in enumerate(cfgs):
        theta, run = _padded_run_theta(cfg, 300, fit.layout)
        np.testing.assert_allclose(fit.theta[t], theta, rtol=0, atol=1e-12)
        final = fit.history[(fit.history["trial"] == t) & (fit.history["step"] == 300)]
        assert final["test_loss"].item() == pytest.approx(run.history["test_loss"].iloc[-1], rel=1e-10)


def test_side_by_side_equals_separate_runs_with_minibatches_schedule_and_proximal_l1():
    base = pv.TrainConfig(dataset="moons", n_samples=60, hidden_layers=(5,), batch_size=7, optimizer="momentum",
                          learning_rate=0.1, regularizer="l1", reg_strength=0.01, proximal=True, schedule="step",
                          schedule_epochs=3)
    cfgs = [base.replace(seed=s, poly_degree=d) for s in (3, 4) for d in (1, 2)]
    fit = lab.train_side_by_side(cfgs, 200)
    for t, cfg in enumerate(cfgs):
        theta, _ = _padded_run_theta(cfg, 200, fit.layout)
        np.testing.assert_allclose(fit.theta[t], theta, rtol=0, atol=1e-12)


def test_side_by_side_handles_multiclass_targets_per_model():
    cfgs = [pv.TrainConfig(dataset="blobs", n_samples=60, hidden_layers=(4,), batch_size=16, seed=s) for s in (1, 2)]
    fit = lab.train_side_by_side(cfgs, 100)
    for t, cfg in enumerate(cfgs):
        np.testing.assert_allclose(fit.theta[t], pv.Run(cfg).step(100).theta, rtol=0, atol=1e-12)


def test_side_by_side_refuses_configs_that_differ_in_how_they_train():
    with pytest.raises(ValueError, match="learning_rate"):
        lab.train_side_by_side([FEW_POINTS, FEW_POINTS.replace(learning_rate=0.5)], 10)


# ---- capacity curve -------------------------------------------------------------------------------------------

def test_capacity_curve_test_loss_climbs_at_the_highest_degree(capacity):
    best = capacity["final_test_loss"].min()
    assert capacity["final_test_loss"].iloc[-1] >= 1.5 * best
    assert capacity.loc[capacity["best"], "poly_degree"].item() in (3, 4, 5)


def test_capacity_curve_train_loss_falls_with_degree(capacity):
    train = capacity["final_train_loss"].to_numpy()
    assert train[-1] < train[2] / 2 < train[0] / 4
    low, middle, high = train[:5].mean(), train[5:10].mean(), train[10:].mean()
    assert low > middle > high


def test_capacity_curve_marks_exactly_the_argmin_of_test_loss_as_best(capacity):
    assert capacity["best"].sum() == 1
    assert capacity["best"].idxmax() == capacity["final_test_loss"].idxmin()


def test_capacity_curve_over_hidden_width_matches_separate_runs():
    base = FEW_POINTS.replace(hidden_layers=(8,), learning_rate=0.03)
    curve = lab.capacity_curve(base, "hidden_width", [1, 6], steps=120)
    for width, test_loss in zip(curve["hidden_width"], curve["final_test_loss"]):
        run = pv.Run(base.replace(hidden_layers=(width,))).step(120)
        assert test_loss == pytest.approx(run.history["test_loss"].iloc[-1], rel=1e-9)


def test_capacity_curve_over_seeds_reports_the_median_and_the_quartiles():
    seeds = (0, 1, 2, 3, 4)
    curve = lab.capacity_curve(FEW_POINTS, "poly_degree", [2], steps=200, seeds=seeds)
    singles = [lab.capacity_curve(FEW_POINTS.replace(seed=s), "poly_degree", [2], steps=200)["final_test_loss"].item()
               for s in seeds]
    assert curve["final_test_loss"].item() == pytest.approx(np.median(singles), rel=1e-12)
    assert curve["test_loss_lo"].item() == pytest.approx(sorted(singles)[1], rel=1e-12)  # 25th percentile of 5
    assert curve["test_loss_hi"].item() == pytest.approx(sorted(singles)[3], rel=1e-12)


def test_capacity_curve_rejects_an_unknown_knob_and_empty_values():
    with pytest.raises(ValueError, match="param must be one of poly_degree, hidden_width, hidden_depth"):
        lab.capacity_curve(FEW_POINTS, "depth", [1, 2])
    with pytest.raises(ValueError, match="values must be a non-empty list"):
        lab.capacity_curve(FEW_POINTS, "poly_degree", [])


@pytest.mark.parametrize("values", [5, "123", [1, float("nan")], [1, 2.5], [True, 2]])
def test_capacity_curve_values_must_be_a_list_of_whole_numbers(values):
    with pytest.raises(ValueError, match=r"^values must be a non-empty list of whole numbers ≥ 1; got "):
        lab.capacity_curve(FEW_POINTS, "poly_degree", values, steps=10)


@pytest.mark.parametrize("steps", [0, -5, 1.5, None])
def test_capacity_curve_steps_must_be_a_whole_number_from_one(steps):
    with pytest.raises(ValueError, match=r"^steps must be a whole number in \[1, 1000000\]; got "):
        lab.capacity_curve(FEW_POINTS, "poly_degree", [1, 2], steps=steps)


# ---- regularization path ----------------------------------------------------------------------------------------

PATH_BASE = FEW_POINTS.replace(poly_degree=9, optimizer="sgd", learning_rate=0.15)
LAMBDAS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def test_proximal_l1_sets_weights_exactly_to_zero_and_more_as_lambda_grows():
    path = lab.regularization_path(PATH_BASE, "l1", LAMBDAS, steps=1500, proximal=True)
    zeros = path.set_index("reg_strength")["n_zero_weights"]
    assert zeros[1e-2] > 0
    assert zeros[1.0] > zeros[1e-2] >= zeros[1e-4]
    weights = path[lab.weight_columns(path)].to_numpy()
    assert ((weights == 0.0).sum(axis=1) == path["n_zero_weights"]).all()


def test_l2_never_sets_a_weight_exactly_to_zero():
    path = lab.regularization_path(PATH_BASE, "l2", LAMBDAS, steps=1500)
    assert (path["n_zero_weights"] == 0).all()
    assert path["n_weights"].iloc[0] == 9


def test_l1_by_subgradient_jitters_around_zero_without_landing_on_it():
    path = lab.regularization_path(PATH_BASE, "l1", (1e-2, 1e-1), steps=1000, proximal=False)
    assert (path["n_zero_weights"] == 0).all()


def test_regularization_path_shrinks_the_weights_as_lambda_grows():
    path = lab.regularization_path(PATH_BASE, "l2", LAMBDAS, steps=1500)
    norms = np.abs(path[lab.weight_columns(path)].to_numpy()).sum(axis=1)
    assert np.all(np.diff(norms) < 0)


def test_regularization_path_rejects_lambda_zero_and_unknown_regularizers():
    with pytest.raises(ValueError, match=r"reg_strength values must be .* in \(0, 100\]"):
        lab.regularization_path(PATH_BASE, "l1", (0.0, 0.1))
    with pytest.raises(ValueError, match="regularizer must be one of l1, l2, elasticnet"):
        lab.regularization_path(PATH_BASE, "none", (0.1,))


# ---- learning curve -----------------------------------------------------------------------------------------------

def test_learning_curve_gap_narrows_with_more_data():
    curve = lab.learning_curve(FEW_POINTS.replace(poly_degree=5), sizes=(6, 20, 80, 160), steps=800, seeds=(0, 1, 2))
    gap = curve["gap"].to_numpy()
    assert gap[-1] < gap[0] / 5
    assert np.all(np.diff(gap) < 0)
    assert curve["train_loss"].iloc[-1] > curve["train_loss"].iloc[0]  # more points are harder to memorise


def test_learning_curve_needs_a_test_set_and_names_n_test():
    with pytest.raises(ValueError, match=r"^n_test must be a whole number in \[1, 100000\]; got 0$"):
        lab.learning_curve(FEW_POINTS, sizes=(10, 20), steps=10, seeds=(0,), n_test=0)
    with pytest.raises(ValueError, match=r"^steps must be a whole number in \[1, 1000000\]; got 0$"):
        lab.learning_curve(FEW_POINTS, sizes=(10, 20), steps=0, seeds=(0,))


def test_learning_curve_tests_every_size_on_the_same_points():
    raw = pv.make_raw(FEW_POINTS.replace(n_samples=300))
    small, large = (lab._fixed_test_split(raw, n, 100, FEW_POINTS) for n in (10, 200))
    np.testing.assert_array_equal(small.inputs_test, large.inputs_test)
    np.testing.assert_array_equal(small.inputs_train, large.inputs_train[:10])


# ---- early stopping -----------------------------------------------------------------------------------------------

def _history(test_losses, every=10):
    return pd.DataFrame({"step": np.arange(len(test_losses)) * every, "test_loss": test_losses})


def test_early_stopping_stops_patience_evaluations_after_the_best_and_keeps_the_best():
    h = _history([1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8])
    stop = lab.early_stopping(h, patience=3)
    assert (stop.best_step, stop.stop_step, stop.restored_step) == (30, 60, 30)
    assert stop.stopped and stop.restored_test_loss == 0.5
    assert stop.saved == pytest.approx(0.8 - 0.5)


def test_early_stopping_with_little_patience_stops_at_a_bump_before_the_lowest_point():
    h = _history([1.0, 0.8, 0.85, 0.9, 0.7, 0.6, 0.65])
    short, long = lab.early_stopping(h, patience=2), lab.early_stopping(h, patience=3)
    assert (short.stop_step, short.restored_step, short.restored_test_loss) == (30, 10, 0.8)
    assert short.best_step == 50  # the global minimum, which short patience never reaches
    assert not long.stopped and long.restored_step == 50 and long.stop_step == 60


def test_early_stopping_on_a_real_overfitting_run():
    h = lab.training_history(FEW_POINTS.replace(poly_degree=12), steps=2000)
    stop = lab.early_stopping(h, patience=20)
    assert stop.best_step == h["step"][h["test_loss"].idxmin()]
    every = h["step"].iloc[1] - h["step"].iloc[0]
    assert stop.stop_step - stop.restored_step == 20 * every
    assert stop.restored_step == stop.best_step
    assert stop.final_test_loss > 3 * stop.restored_test_loss


@pytest.mark.parametrize("patience", [0, -1, 2.5, True, None, "3", float("inf")])
def test_early_stopping_rejects_patience_below_one_or_fractional(patience):
    with pytest.raises(ValueError, match="patience must be a whole number ≥ 1"):
        lab.early_stopping(_history([1.0, 0.5]), patience)


@pytest.mark.parametrize("min_delta", [float("nan"), -0.1, float("inf")])
def test_early_stopping_min_delta_must_be_a_finite_number_from_zero(min_delta):
    with pytest.raises(ValueError, match=r"^min_delta must be a number in \[0, inf\); got "):
        lab.early_stopping(_history([1.0, 0.8, 0.9, 1.0]), 2, min_delta=min_delta)


def test_early_stopping_min_delta_ignores_improvements_smaller_than_it():
    h = _history([1.0, 0.8, 0.79, 0.78, 0.77])
    assert lab.early_stopping(h, 2, min_delta=0.05).stop_step == 30  # 0.79 and 0.78 are not 0.05 better than 0.8
    assert not lab.early_stopping(h, 2).stopped


# ---- bias–variance ------------------------------------------------------------------------------------------------

def test_bias_variance_split_adds_up_to_the_expected_error_exactly(bias_variance):
    s, p = bias_variance.summary, bias_variance.pointwise
    np.testing.assert_allclose(s["bias2"] + s["variance"] + s["noise"], s["expected_error"], rtol=1e-12)
    np.testing.assert_allclose(p["bias2"] + p["variance"] + 0.3**2, p["expected_error"], rtol=1e-12)
    np.testing.assert_allclose(s["noise"], 0.09, rtol=1e-12)


def test_expected_error_matches_fresh_noisy_test_targets(bias_variance):
    """The split's expected error is E over training sets and over noise of (y − ŷ)²: check it against
    explicitly drawn noisy targets y = f(x) + σε at the grid points."""
    fits = bias_variance.fits[bias_variance.fits["poly_degree"] == 3]
    preds = fits.pivot(index="resample", columns="x", values="prediction").to_numpy()  # (R, G)
    x = np.sort(fits["x"].unique())
    rng = np.random.default_rng(0)
    y = lab.true_function("sine", x) + 0.3 * rng.standard_normal((4000, 1, len(x)))
    monte_carlo = ((y - preds[None]) ** 2).mean()
    expected = bias_variance.summary.set_index("poly_degree").loc[3, "expected_error"]
    assert monte_carlo == pytest.approx(expected, rel=0.02)


def test_bias_shrinks_and_variance_grows_with_degree(bias_variance):
    s = bias_variance.summary.set_index("poly_degree")
    assert s.loc[1, "bias2"] > 10 * s.loc[3, "bias2"]
    assert s.loc[1, "bias2"] > 10 * s.loc[5, "bias2"]
    variance = s.loc[[3, 5, 9, 12], "variance"].to_numpy()
    assert np.all(np.diff(variance) > 0)


def test_bias_variance_fits_are_models_trained_on_fresh_training_sets_from_the_same_start(bias_variance):
    fits = bias_variance.fits[bias_variance.fits["poly_degree"] == 5]
    r2 = fits[fits["resample"] == 2].sort_values("x")
    run = pv.Run(FEW_POINTS.replace(test_fraction=0.25, poly_degree=5, seed=2, init_seed=0)).step(1500)
    np.testing.assert_allclose(r2["prediction"], run.predict(r2["x"].to_numpy()[:, None]), rtol=1e-9, atol=1e-9)


def test_bias_variance_needs_a_dataset_with_a_known_true_function():
    with pytest.raises(ValueError, match="dataset must be one of sine, linear"):
        lab.bias_variance(pv.TrainConfig(dataset="moons"), n_resamples=3, steps=10)
    with pytest.raises(ValueError, match=r"n_resamples must be a whole number in \[2, 500\]"):
        lab.bias_variance(FEW_POINTS, n_resamples=1, steps=10)
    with pytest.raises(ValueError, match=r"n_resamples must be a whole number in \[2, 500\]"):
        lab.bias_variance(FEW_POINTS, n_resamples=None, steps=10)


def test_bias_variance_and_side_by_side_need_at_least_one_step():
    with pytest.raises(ValueError, match=r"^steps must be a whole number in \[1, 1000000\]; got 0$"):
        lab.bias_variance(FEW_POINTS, n_resamples=3, steps=0)
    with pytest.raises(ValueError, match=r"^steps must be a whole number in \[1, 1000000\]; got -1$"):
        lab.train_side_by_side([FEW_POINTS], -1)


def test_engine_lab_module_imports_neither_streamlit_nor_plotly():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(lab))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
             for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                  if isinstance(n, ast.ImportFrom) and n.module}
    assert not names & {"streamlit", "plotly"}
