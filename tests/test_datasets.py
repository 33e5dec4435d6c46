"""Datasets: every generator's shapes, tasks and classes, seeding, the split and the input features."""

from __future__ import annotations

import numpy as np
import pytest

import paramviz as pv
from paramviz.datasets import DATASETS, Features

EXPECTED = {  # name -> (task, n_classes, n_inputs)
    "linear": ("regression", 1, 1), "sine": ("regression", 1, 1), "ripple": ("regression", 1, 2),
    "moons": ("binary", 2, 2), "circles": ("binary", 2, 2), "xor": ("binary", 2, 2), "spiral": ("binary", 2, 2),
    "gaussians": ("binary", 2, 2), "blobs": ("multiclass", 4, 2),
}


def cfg_for(name, **kw):
    base = dict(dataset=name, n_samples=101, noise=0.1, n_classes=4, seed=3)
    base.update(kw)
    return pv.TrainConfig(**base)


def test_registry_covers_every_config_dataset_but_csv():
    from paramviz.config import DATASET_NAMES
    assert set(DATASETS) == set(DATASET_NAMES) - {"csv"} == set(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_generator_shapes_task_and_classes(name):
    task, k, d = EXPECTED[name]
    raw = pv.make_raw(cfg_for(name))
    assert raw.X.shape == (101, d) and raw.X.dtype == np.float64
    assert raw.y.shape == (101,)
    assert raw.task == task and raw.n_classes == k
    assert len(raw.input_names) == d
    assert np.all(np.isfinite(raw.X)) and np.all(np.isfinite(raw.y))
    if task != "regression":
        assert raw.y.dtype == np.int64
        assert set(np.unique(raw.y)) == set(range(k))
        counts = np.bincount(raw.y, minlength=k)
        if name == "xor":  # labelled by quadrant of uniform points: roughly balanced
            assert counts.min() > 30
        else:  # labelled by construction: balanced to within one point
            assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", list(EXPECTED))
def test_generator_is_deterministic_by_seed(name):
    a, b = pv.make_raw(cfg_for(name)), pv.make_raw(cfg_for(name))
    c = pv.make_raw(cfg_for(name, seed=4))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_prepared_dataset_split_sizes(name):
    cfg = cfg_for(name, test_fraction=0.25)
    data = pv.prepare(pv.make_raw(cfg), cfg)
    assert len(data.y_test) == cfg.n_test == 25 and len(data.y_train) == cfg.n_train == 76
    assert data.X_train.shape == (76, EXPECTED[name][2])
    assert data.inputs_test.shape == (25, EXPECTED[name][2])
    assert data.n_outputs == (4 if name == "blobs" else 1)
    assert data.task == EXPECTED[name][0]


def test_split_partitions_the_raw_points():
    cfg = cfg_for("ripple")
    raw = pv.make_raw(cfg)
    data = pv.prepare(raw, cfg)
    together = np.concatenate([data.inputs_train, data.inputs_test])
    assert sorted(map(tuple, together)) == sorted(map(tuple, raw.X))
    ys = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_array_equal(np.sort(ys), np.sort(raw.y))


def test_linear_without_noise_is_exactly_the_line():
    raw = pv.make_raw(cfg_for("linear", noise=0.0))
    np.testing.assert_array_equal(raw.y, 0.8 * raw.X[:, 0] - 1.0)
    assert raw.X.min() >= 0.0 and raw.X.max() <= 4.0


def test_sine_without_noise_is_exactly_the_curve():
    raw = pv.make_raw(cfg_for("sine", noise=0.0))
    np.testing.assert_array_equal(raw.y, np.sin(np.pi * raw.X[:, 0]))


def test_ripple_without_noise_is_exactly_the_surface():
    raw = pv.make_raw(cfg_for("ripple", noise=0.0))
    np.testing.assert_array_equal(raw.y, np.sin(2 * raw.X[:, 0]) * np.cos(1.5 * raw.X[:, 1]))


def test_circles_without_noise_have_radius_half_and_one():
    raw = pv.make_raw(cfg_for("circles", noise=0.0))
    r = np.hypot(raw.X[:, 0], raw.X[:, 1])
    np.testing.assert_allclose(r[raw.y == 1], 0.5, rtol=1e-12)
    np.testing.assert_allclose(r[raw.y == 0], 1.0, rtol=1e-12)


def test_xor_without_noise_labels_by_quadrant():
    raw = pv.make_raw(cfg_for("xor", noise=0.0))
    np.testing.assert_array_equal(raw.y, (raw.X[:, 0] * raw.X[:, 1] > 0).astype(int))
    assert np.abs(raw.X).min() >= 0.05  # a margin around the axes


def test_moons_without_noise_lie_on_their_half_circles():
    raw = pv.make_raw(cfg_for("moons", noise=0.0))
    up, low = raw.X[raw.y == 0], raw.X[raw.y == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1, low[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(up[:, 1] >= 0) and np.all(low[:, 1] <= 0.5)


def test_blobs_class_means_near_their_centres():
    raw = pv.make_raw(cfg_for("blobs", n_samples=4000, noise=0.0, n_classes=5))
    for k in range(5):
        centre = 2 * np.array([np.cos(2 * np.pi * k / 5), np.sin(2 * np.pi * k / 5)])
        np.testing.assert_allclose(raw.X[raw.y == k].mean(axis=0), centre, atol=0.06)


def test_csv_dataset_needs_data():
    with pytest.raises(ValueError, match="csv"):
        pv.make_raw(pv.TrainConfig(dataset="csv"))


def test_poly_degree_three_of_two_inputs_gives_nine_monomials():
    cfg = cfg_for("ripple", poly_degree=3)
    data = pv.prepare(pv.make_raw(cfg), cfg)
    assert data.X_train.shape[1] == 9
    assert data.features.names == ("x1", "x2", "x1^2", "x1·x2", "x2^2", "x1^3", "x1^2·x2", "x1·x2^2", "x2^3")


@pytest.mark.parametrize("d, degree, count", [(1, 1, 1), (1, 5, 5), (2, 1, 2), (2, 2, 5), (2, 4, 14), (3, 2, 9)])
def test_number_of_monomials(d, degree, count):
    X = np.random.default_rng(0).standard_normal((20, d))
    feats = Features.fit(X, degree, True, tuple(f"x{i}" for i in range(d)))
    assert feats(X).shape == (20, count)


def test_unscaled_polynomial_features_are_the_monomials():
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    feats = Features.fit(X, 2, False, ("a", "b"))
    np.testing.assert_array_equal(feats(X), [[2, 3, 4, 6, 9], [-1, 0.5, 1, -0.5, 0.25]])


@pytest.mark.parametrize("name, degree", [("moons", 1), ("ripple", 3), ("sine", 7)])
def test_train_features_are_standardised(name, degree):
    cfg = cfg_for(name, poly_degree=degree, n_samples=300)
    data = pv.prepare(pv.make_raw(cfg), cfg)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0, rtol=1e-12)


def test_test_features_use_training_statistics():
    cfg = cfg_for("ripple", poly_degree=2, n_samples=200)
    data = pv.prepare(pv.make_raw(cfg), cfg)
    x1, x2 = data.inputs_train[:, 0], data.inputs_train[:, 1]
    train_poly = np.c_[x1, x2, x1**2, x1 * x2, x2**2]
    mean, std = train_poly.mean(axis=0), train_poly.std(axis=0)
    t1, t2 = data.inputs_test[:, 0], data.inputs_test[:, 1]
    test_poly = np.c_[t1, t2, t1**2, t1 * t2, t2**2]
    np.testing.assert_allclose(data.X_test, (test_poly - mean) / std, rtol=1e-12, atol=1e-12)
    assert not np.allclose(data.X_test.mean(axis=0), 0.0, atol=1e-3)  # not re-standardised on its own


def test_scale_inputs_false_keeps_raw_inputs():
    cfg = cfg_for("linear", scale_inputs=False)
    data = pv.prepare(pv.make_raw(cfg), cfg)
    np.testing.assert_array_equal(data.X_train, data.inputs_train)


def test_constant_feature_is_not_divided_by_zero():
    X = np.c_[np.ones(10), np.arange(10.0)]
    feats = Features.fit(X, 1, True, ("c", "x"))
    out = feats(X)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[:, 0], 0.0)


def test_split_depends_on_seed_only():
    cfg = cfg_for("gaussians")
    raw = pv.make_raw(cfg)
    a, b = pv.prepare(raw, cfg), pv.prepare(raw, cfg.replace(learning_rate=0.5, init_seed=9))
    np.testing.assert_array_equal(a.inputs_test, b.inputs_test)
    c = pv.prepare(raw, cfg.replace(seed=11))
    assert not np.array_equal(a.inputs_test, c.inputs_test)


def test_split_that_leaves_under_two_training_points_is_a_value_error():
    cfg = pv.TrainConfig(dataset="linear", n_samples=10, test_fraction=0.95)
    with pytest.raises(ValueError, match="test_fraction"):
        pv.prepare(pv.make_raw(cfg), cfg)


def test_dataset_repr_is_readable():
    cfg = cfg_for("ripple", poly_degree=2, test_fraction=0.2)
    assert repr(pv.prepare(pv.make_raw(cfg), cfg)) == "Dataset(regression, 81 train + 20 test, 2 inputs -> 5 features)"


# ---- data from outside: RawData is checked before training -------------------------------------------------

def two_inputs(n=20):
    X = np.random.default_rng(0).normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(np.int64)


def raw_with(**changes):
    X, y = two_inputs()
    return pv.RawData(X, y, "binary", 2, ("a", "b"))._replace(**changes)


CSV_CFG = pv.TrainConfig(dataset="csv", hidden_layers=(4,))


def test_one_missing_input_is_named_by_column_and_row_not_reported_as_divergence():
    X, _ = two_inputs()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"^data.X: column 'b' has a missing value \(row 3\)$"):
        pv.Run(CSV_CFG, data=raw_with(X=X))


def test_an_infinite_input_is_named_by_column_and_row():
    X, _ = two_inputs()
    X[7, 0] = -np.inf
    with pytest.raises(ValueError, match=r"^data.X: column 'a' has an infinite value \(row 7\)$"):
        pv.prepare(raw_with(X=X), CSV_CFG)


@pytest.mark.parametrize("changes, message", [
    (dict(y=two_inputs()[1][:10]), r"data.X has 20 rows but data.y has 10; they need one target per row"),
    (dict(task="classification"), r"data.task must be one of regression, binary, multiclass; got 'classification'"),
    (dict(X=two_inputs()[0][:, 0]), r"data.X must be a 2-D array .*; got shape \(20,\) \(for a single input, pass "
                                    r"X\[:, None\]\)"),
    (dict(y=two_inputs()[1][:, None]), r"data.y must be a 1-D array of one target per row; got shape \(20, 1\)"),
    (dict(X=np.full((20, 2), "x")), r"data.X must be an array of numbers; got dtype <U1"),
    (dict(X=np.zeros((20, 21))), r"data.X has 21 columns; it needs 1 to 20 inputs"),
    (dict(input_names=("a",)), r"data.input_names must have one name per column of data.X \(2\); got \('a',\)"),
    (dict(n_classes=3), r"data.n_classes must be 2 for a binary task; got 3"),
    (dict(task="multiclass", n_classes=11), r"data.n_classes must be a whole number in \[3, 10\] for a multiclass "
                                            r"task; got 11"),
    (dict(y=np.arange(20) % 5), r"data.y must hold class indices 0 to 1 \(task binary, n_classes=2\); got 2 at row 2"),
    (dict(y=np.where(np.arange(20) == 4, 0.5, 1.0)), r"class indices 0 to 1 .*; got 0.5 at row 4"),
    (dict(task="regression", n_classes=1, y=np.where(np.arange(20) == 6, np.nan, 1.0)),
     r"data.y must be finite numbers; got nan at row 6"),
    (dict(class_names=("no", "yes", "maybe")),
     r"data.class_names must have one name per class \(2\), or none; got \('no', 'yes', 'maybe'\)"),
])
def test_malformed_raw_data_is_a_value_error_naming_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        pv.Run(CSV_CFG, data=raw_with(**changes))


@pytest.mark.parametrize("data", [two_inputs()[0], two_inputs(), pytest.param("moons", id="str")])
def test_data_that_is_not_raw_data_says_what_is_expected(data):
    with pytest.raises(ValueError, match=r"data must be a RawData .* or a Dataset .*; got (ndarray|tuple|str)$"):
        pv.Run(CSV_CFG, data=data)


def test_data_frame_as_data_says_what_is_expected():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="data must be a RawData .*; got DataFrame"):
        pv.Run(CSV_CFG, data=pd.DataFrame(two_inputs()[0]))


def test_raw_data_from_lists_and_floats_is_normalised():
    X, y = two_inputs()
    raw = pv.RawData(X.tolist(), y.astype(float).tolist(), "binary", np.int64(2), ["a", "b"])
    data = pv.prepare(raw, CSV_CFG)
    assert data.y_train.dtype == np.int64 and data.X_train.dtype == np.float64
    assert data.input_names == ("a", "b") and data.n_classes == 2 and type(data.n_classes) is int
    np.testing.assert_array_equal(np.sort(np.r_[data.y_train, data.y_test]), np.sort(y))
