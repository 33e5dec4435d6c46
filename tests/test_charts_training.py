"""The studio's chart functions: each returns a Figure whose traces carry the engine's numbers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import paramviz as pv
from paramviz.charts import network, training


@pytest.fixture(scope="module")
def moons_run() -> pv.Run:
    return pv.Run(pv.TrainConfig(regularizer="l2", reg_strength=0.001, hidden_layers=(4, 3))).step(300)


def _segments(xs) -> int:
    """Number of NaN-separated line pieces in a trace's x values."""
    x = np.asarray(xs, dtype=np.float64)
    starts = np.isfinite(x) & ~np.isfinite(np.r_[np.nan, x[:-1]])
    return int(starts.sum())


# ---- thinning ------------------------------------------------------------------------------------------------

def test_minmax_thinning_keeps_first_last_and_the_spike():
    rng = np.random.default_rng(0)
    y = rng.normal(size=10_000)
    y[5123] = 50.0
    y[777] = -40.0
    idx = training.minmax_index(y, 200)
    assert len(idx) <= 202
    assert {0, 9_999, 5123, 777} <= set(idx.tolist())
    assert np.all(np.diff(idx) >= 0)


def test_minmax_thinning_leaves_short_series_alone():
    assert training.minmax_index(np.arange(50.0), 200).tolist() == list(range(50))


def test_thin_rows_keeps_every_columns_extremes_on_shared_rows():
    n = 20_000
    df = pd.DataFrame({"step": np.arange(n), "a": np.zeros(n), "b": np.zeros(n)})
    df.loc[1234, "a"] = 9.0
    df.loc[15000, "b"] = -9.0
    thin = training.thin_rows(df, ["a", "b"], 500)
    assert len(thin) <= 520
    assert {0, 1234, 15000, n - 1} <= set(thin["step"].tolist())


def test_log_ticks_of_a_single_value_are_round():
    # at step 0 train and test loss can both be ln 2: ticks 0.6 and 0.8, not "0.693147"
    assert training.log_ticks(np.array([0.693147, 0.693147])) == {"tickvals": [0.6, 0.8], "ticktext": ["0.6", "0.8"]}


def test_log_ticks_are_round_values_inside_the_data_range():
    ticks = training.log_ticks(np.array([0.04, 0.9]))
    assert ticks["tickvals"] == [0.05, 0.1, 0.2, 0.5, 1.0]  # within 1.5× of the data either side
    assert ticks["ticktext"] == ["0.05", "0.1", "0.2", "0.5", "1"]
    assert training.log_ticks(np.array([1e-6, 10.0]))["ticktext"] == ["1e-06", "1e-05", "0.0001", "0.001", "0.01",
                                                                     "0.1", "1", "10"]


# ---- loss curves ---------------------------------------------------------------------------------------------

def test_loss_figure_marks_best_test_loss_at_its_argmin(moons_run):
    h = moons_run.history
    fig = training.loss_figure(h)
    assert isinstance(fig, go.Figure)
    best = next(t for t in fig.data if t.name == "best test")
    i = int(h["test_loss"].to_numpy().argmin())
    assert best.x[0] == h["step"].iloc[i]
    assert best.y[0] == pytest.approx(h["test_loss"].iloc[i])
    train = next(t for t in fig.data if t.name == "train")
    np.testing.assert_allclose(train.y, h["train_loss"].to_numpy(np.float32))
    assert next(t for t in fig.data if t.name == "test").fill == "tonexty"  # the gap is shaded
    assert fig.layout.yaxis.type == "log"


def test_loss_chart_can_leave_its_key_to_a_caption(moons_run):
    # the studio's: one legend row in a 380-pixel chart (train, test, penalty), the caption telling the rest
    h = moons_run.history
    full = training.loss_spec(h)["data"]
    lean = training.loss_spec(h, key_in_legend=False)["data"]
    assert [t["name"] for t in full] == ["train", "test", "gap", "penalty", "best test"]
    assert [t["name"] for t in lean] == ["train", "test", "penalty", "best test"]
    assert [t.get("showlegend", True) for t in lean] == [True, True, True, False]
    assert "gap" in training.LOSS_KEY and "★" in training.LOSS_KEY and "early-stopping point" in training.LOSS_KEY


def test_loss_figure_draws_penalty_only_when_there_is_one():
    plain = pv.Run(pv.TrainConfig(hidden_layers=(3,))).step(20)
    assert "penalty" not in [t.name for t in training.loss_figure(plain.history).data]
    l2 = pv.Run(pv.TrainConfig(hidden_layers=(3,), regularizer="l2", reg_strength=0.01)).step(20)
    penalty = next(t for t in training.loss_figure(l2.history, log_y=False).data if t.name == "penalty")
    np.testing.assert_allclose(penalty.y, l2.history["penalty"].to_numpy(np.float32))


def test_loss_figure_marks_divergence_step():
    r = pv.Run(pv.TrainConfig(dataset="linear", hidden_layers=(), optimizer="sgd", learning_rate=5.0,
                              batch_size=100_000)).step(500)
    assert r.diverged
    fig = training.loss_figure(r.history, diverged_at=r.diverged_at)
    assert fig.layout.shapes[0].x0 == r.diverged_at
    assert f"diverged at step {r.diverged_at}" in fig.layout.annotations[0].text


# ---- trajectories --------------------------------------------------------------------------------------------

def test_trajectory_figure_draws_every_parameter_in_one_trace_per_layer_and_kind(moons_run):
    fig = training.trajectory_figure(moons_run.trajectory)
    lines = fig.data
    assert len(lines) == 2 * moons_run.layout.n_layers
    assert all(t.type == training.LINES for t in lines)
    assert sum(_segments(t.x) for t in lines) == moons_run.n_weights + moons_run.n_biases
    weights = next(t for t in fig.data if t.name == "layer 1")
    biases = next(t for t in fig.data if t.name == "layer 1 biases")
    assert (weights.line.dash, biases.line.dash) == ("solid", "dot")
    assert weights.line.color == biases.line.color  # coloured by layer
    final = moons_run.params["W1"].ravel()  # each W1 line ends at the current value
    ends = np.asarray(weights.y, dtype=np.float64)
    ends = ends[np.r_[np.isnan(ends[1:]), False]]
    np.testing.assert_allclose(ends, final.astype(np.float32), rtol=1e-6)


@pytest.fixture(scope="module")
def wide_run() -> pv.Run:
    return pv.Run(pv.TrainConfig(hidden_layers=(40, 40))).step(30)  # 1,801 parameters


def test_trajectory_of_a_big_model_draws_an_even_sample_of_every_layer_and_says_so(wide_run):
    spec = training.trajectory_spec(wide_run.trajectory)
    lines = spec["data"]
    # every (layer, kind) keeps min(size, 59) lines: 59 + 40 + 59 + 40 + 40 + 1 = 239 ≤ TRAJECTORY_LINES
    assert [_segments(t["x"]) for t in lines] == [59, 40, 59, 40, 40, 1]
    assert spec["layout"]["title"]["text"] == "A sample: 239 of 1,801 weights and biases"
    w2 = next(t for t in lines if t["name"] == "layer 2")
    ends = np.asarray(w2["y"], dtype=np.float64)
    ends = ends[np.r_[np.isnan(ends[1:]), False]]
    # evenly spaced through W2, its first and last weight included
    assert ends[0] == np.float32(wide_run.params["W2"][0, 0]) and ends[-1] == np.float32(wide_run.params["W2"][-1, -1])


def test_trajectory_of_a_long_run_stays_within_its_point_budget_and_keeps_each_lines_extremes():
    # each line of 2,000 steps is thinned to TRAJECTORY_POINTS / (number of lines) points (at least 40), by min
    # and max per bucket, so that a jump in one weight survives the thinning
    r = pv.Run(pv.TrainConfig(hidden_layers=(8, 8))).step(2000)
    t = r.trajectory.copy()
    t.loc[1234, "W2[3,4]"] = 99.0
    spec = training.trajectory_spec(t)
    lines = spec["data"]
    points = sum(int(np.isfinite(np.asarray(tr["y"], dtype=np.float64)).sum()) for tr in lines)
    per_line = max(40, training.TRAJECTORY_POINTS // (r.n_weights + r.n_biases))
    assert per_line < len(t) and points <= (per_line + 2) * (r.n_weights + r.n_biases)
    assert points <= training.TRAJECTORY_POINTS * 1.1
    w2 = next(tr for tr in lines if tr["name"] == "layer 2")
    assert np.nanmax(np.asarray(w2["y"], dtype=np.float64)) == 99.0


def test_trajectory_of_a_small_model_is_titled_every_weight_and_bias(moons_run):
    assert training.trajectory_spec(moons_run.trajectory)["layout"]["title"]["text"] == "Every weight and bias"


def test_column_groups_match_parameter_groups(wide_run):
    t = wide_run.trajectory
    fast = training.column_groups(t.columns)
    slow = training.parameter_groups(list(t.columns[1:]))
    assert list(fast) == list(slow)
    assert all(fast[k].tolist() == [i + 1 for i in slow[k]] for k in slow)  # after the step column


def test_trajectory_at_step_zero_draws_each_parameter_as_a_point_on_a_whole_step_axis():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,)))
    spec = training.trajectory_spec(r.trajectory)
    assert {t["mode"] for t in spec["data"]} == {"markers"}
    assert (spec["layout"]["xaxis"]["range"], spec["layout"]["xaxis"]["dtick"]) == ([0.0, 1.0], 1)
    assert training.trajectory_spec(r.step(50).trajectory)["data"][0]["mode"] == "lines"


def test_trajectory_figure_filters_layers(moons_run):
    fig = training.trajectory_figure(moons_run.trajectory, layers=[2])
    assert [t.name for t in fig.data] == ["layer 2", "layer 2 biases"]
    # one legend entry for the layer, which hides or shows its weights and biases together
    assert [(t.showlegend, t.legendgroup) for t in fig.data[:2]] == [(True, "layer 2"), (False, "layer 2")]


# ---- the model -----------------------------------------------------------------------------------------------

def test_model_figure_binary_heatmap_is_the_predicted_probability(moons_run):
    fig = training.model_figure(moons_run, resolution=20)
    heat = fig.data[0]
    assert heat.type == "heatmap" and (heat.zmin, heat.zmax) == (0, 1)
    xs, ys = heat.x0 + heat.dx * np.arange(20), heat.y0 + heat.dy * np.arange(20)  # evenly spaced: one image
    expected = moons_run.predict(np.array([[xs[3], ys[7]]]))[0]
    assert heat.z[7][3] == pytest.approx(expected, abs=1e-5)
    train = [t for t in fig.data if t.name == "train"]
    test = [t for t in fig.data if t.name == "test"]
    assert sum(len(t.x) for t in train) == len(moons_run.data.y_train)
    assert sum(len(t.x) for t in test) == len(moons_run.data.y_test)
    assert {t.marker.color for t in train} == {training.ORANGE, training.BLUE}  # one trace per class
    assert train[0].marker.symbol != test[0].marker.symbol


def test_model_figure_multiclass_shades_each_class_where_it_wins():
    r = pv.Run(pv.TrainConfig(dataset="blobs", n_classes=4, hidden_layers=(5,))).step(50)
    fig = training.model_figure(r, resolution=15)
    heats = [t for t in fig.data if t.type == "heatmap"]
    assert len(heats) == 4
    covered = sum(np.isfinite(np.asarray(h.z, dtype=float)) for h in heats)
    assert np.all(covered == 1)  # every grid cell belongs to exactly one class
    # the class edges are stairs of grid cells: multi-class gets a finer grid than asked for
    assert covered.shape == (training.MULTICLASS_RESOLUTION, training.MULTICLASS_RESOLUTION)
    xs, ys, out = training.plane_grid(r, training.MULTICLASS_RESOLUTION)
    winner = out.argmax(axis=-1)
    np.testing.assert_array_equal(np.isfinite(np.asarray(heats[2].z, dtype=float)), winner == 2)


def test_model_figure_1d_regression_draws_the_fitted_curve():
    r = pv.Run(pv.TrainConfig(dataset="sine", hidden_layers=(8,))).step(100)
    fig = training.model_figure(r)
    curve = next(t for t in fig.data if t.name == "model")
    x = np.asarray(curve.x, float)
    np.testing.assert_allclose(curve.y, r.predict(x[:, None]).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_model_figure_ripple_is_a_prediction_heatmap():
    r = pv.Run(pv.TrainConfig(dataset="ripple", hidden_layers=(8,))).step(30)
    fig = training.model_figure(r, resolution=12)
    assert fig.data[0].type == "heatmap" and fig.data[0].colorscale is not None
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.yaxis.title.text == "x2"


def _csv_run(target_kind: str) -> pv.Run:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, 0.5] if target_kind == "regression" else (X[:, 0] > 0).astype(int)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(t=y)
    raw = pv.load_csv(io.BytesIO(df.to_csv(index=False).encode()), target="t")
    return pv.Run(pv.TrainConfig(dataset="csv", hidden_layers=(4,)), data=raw).step(20)


def test_model_figure_csv_with_three_inputs_shows_predicted_vs_actual():
    r = _csv_run("regression")
    fig = training.model_figure(r)
    test = next(t for t in fig.data if t.name == "test")
    np.testing.assert_allclose(test.x, r.data.y_test.astype(np.float32))
    np.testing.assert_allclose(test.y, r.predict(r.data.inputs_test).astype(np.float32), rtol=1e-5)


def test_model_figure_names_the_class_a_binary_model_predicts():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    df = pd.DataFrame(X, columns=["a", "b"]).assign(animal=np.where(X[:, 0] > 0, "dog", "cat"))
    raw = pv.load_csv(io.BytesIO(df.to_csv(index=False).encode()), target="animal")
    r = pv.Run(pv.TrainConfig(dataset="csv", hidden_layers=(3,)), data=raw)
    heat = training.model_spec(r, resolution=8)["data"][0]
    assert (heat["name"], heat["colorbar"]["title"]["text"]) == ("P(dog)", "P(dog)")
    assert heat["hovertemplate"].startswith("P(dog) = ")
    plain = training.model_spec(pv.Run(pv.TrainConfig(hidden_layers=(3,))), resolution=8)["data"][0]
    assert plain["colorbar"]["title"]["text"] == "P(class 1)"


def test_points_have_a_rim_that_contrasts_with_the_page_and_a_fill_brighter_than_the_background(moons_run):
    for dark, rim in ((False, "#1b1b1b"), (True, "#f2f2f2")):
        points = [t for t in training.model_spec(moons_run, resolution=8, dark=dark)["data"]
                  if t.get("name") in ("train", "test")]
        assert {(t["marker"]["line"]["color"], t["marker"]["line"]["width"]) for t in points} == {(rim, 1.5)}
    # the surest region is 60% class colour, so a point in the full colour still shows against it
    assert training.DIVERGING[-1] == [1, "rgba(8,119,189,0.6)"]


def test_model_figure_csv_classification_counts_every_test_point():
    r = _csv_run("classification")
    fig = training.model_figure(r)
    assert np.asarray(fig.data[0].z).sum() == len(r.data.y_test)


# ---- landscape -----------------------------------------------------------------------------------------------

def test_landscape_figure_contours_log_loss_and_ends_path_at_current_values():
    r = pv.Run(pv.TrainConfig(dataset="linear", hidden_layers=(), optimizer="sgd", learning_rate=0.1)).step(30)
    xs, ys, Z = r.loss_grid("W1[0,0]", "b1[0]", n=21)
    t = r.trajectory
    path = (t["W1[0,0]"].to_numpy(), t["b1[0]"].to_numpy())
    fig = training.landscape_figure(xs, ys, Z, "W1[0,0]", "b1[0]", {"sgd": path})
    np.testing.assert_allclose(fig.data[0].z, np.log10(Z).astype(np.float32), rtol=1e-6)
    ends = fig.data[2]
    assert ends.x[-1] == pytest.approx(r.theta[0]) and ends.y[-1] == pytest.approx(r.theta[1])
    assert fig.layout.xaxis.title.text == "W1[0,0]"


def test_landscape_paths_of_all_seven_optimizers_have_distinct_colours():
    xs = ys = np.linspace(-1, 1, 5)
    paths = {f"opt{i}": (np.array([0.0, 0.1 * i]), np.array([0.0, 0.1])) for i in range(7)}
    spec = training.landscape_spec(xs, ys, np.ones((5, 5)), "a", "b", paths)
    colours = [t["line"]["color"] for t in spec["data"] if t.get("name", "").startswith("opt")]
    assert len(colours) == 7 and len(set(colours)) == 7


def test_landscape_window_holds_every_path():
    center, half = training.landscape_window([(np.array([0.0, 4.0]), np.array([1.0, 2.0]))], (4.0, 2.0))
    assert center == (2.0, 1.5)
    assert half == pytest.approx(2.6)


def test_landscape_window_stays_near_the_start_when_the_path_runs_away():
    run_away = (np.array([0.5, -3.0, 40.0, -1e9]), np.array([0.0, 1.0, -20.0, 1e9]))
    center, half = training.landscape_window([run_away], (-1e9, 1e9))
    assert center == (0.5, 0.0) and half == 10.0


def test_huge_values_are_sent_as_float64_not_inf():
    h = pd.DataFrame({"step": [0, 1, 2], "train_loss": [1.0, 1e100, 1e300], "test_loss": [1.0, 2e100, 2e300],
                      "penalty": [0.0, 0.0, 0.0]})
    train = training.loss_spec(h)["data"][0]["y"]
    assert train.dtype == np.float64 and np.isfinite(train).all() and train[-1] == 1e300


# ---- inside the optimizer ------------------------------------------------------------------------------------

def test_weight_histograms_count_every_weight_of_the_layer_at_each_time(moons_run):
    steps, centres, counts = training.weight_histograms(moons_run.trajectory, layer=2, bins=10)
    assert counts.shape == (10, len(steps))
    assert np.all(counts.sum(axis=0) == 12)  # W2 is 4 × 3


def test_weight_histograms_of_equal_weights_centre_them_in_a_readable_window():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,), init="zeros"))
    steps, centres, counts = training.weight_histograms(r.trajectory, layer=1, bins=30)
    assert centres[counts[:, 0].argmax()] == pytest.approx(0.0, abs=1e-12)  # every weight in the bin at 0
    assert counts[:, 0].max() == 6
    assert (centres[0], centres[-1]) == (pytest.approx(-0.1, abs=0.01), pytest.approx(0.1, abs=0.01))


def test_weight_histograms_are_evenly_spaced_in_step_each_column_the_latest_recorded_step():
    recorded = np.array([0, 1, 2, 3, 10, 20])
    traj = pd.DataFrame({"step": recorded, "W1[0,0]": recorded * 1.0, "W1[0,1]": recorded * 1.0, "b1[0]": 0.0})
    steps, centres, counts = training.weight_histograms(traj, layer=1, bins=21)
    np.testing.assert_allclose(steps, [0, 4, 8, 12, 16, 20])
    np.testing.assert_allclose(centres[counts.argmax(axis=0)], [0, 3, 3, 10, 10, 20], atol=0.5)
    assert np.all(counts.sum(axis=0) == 2)


def test_weight_heatmaps_give_plotly_a_start_and_a_spacing(moons_run):
    """Evenly spaced coordinates given as start and spacing: plotly.js then draws the heatmap as one image
    (half the optimizer chart's drawing time) instead of one rectangle per cell."""
    heat = [t for t in training.optimizer_spec(moons_run.trajectory, moons_run.history, 3)["data"]
            if t["type"] == "heatmap"]
    steps, centres, _ = training.weight_histograms(moons_run.trajectory, layer=1)
    for t in heat:
        assert "x" not in t and "y" not in t
        assert (t["x0"], t["dx"]) == (steps[0], pytest.approx(steps[1] - steps[0]))
        assert t["dy"] > 0 and len(t["z"]) == len(centres)


def test_optimizer_figure_of_a_deep_model_shows_four_readable_layer_panels():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,) * 6)).step(20)
    spec = training.optimizer_spec(r.trajectory, r.history, 7)
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert [t["name"] for t in heat] == ["layer 1 weights", "layer 3 weights", "layer 5 weights", "layer 7 weights"]
    assert spec["layout"]["title"]["text"] == "Inside the optimizer (4 of 7 layers)"
    assert [spec["layout"][f"yaxis{training._ax(i)}"]["nticks"] for i in range(1, 5)] == [3, 3, 3, 3]
    assert spec["layout"]["yaxis6"]["type"] == "log"  # the update ratio panel follows the four


def test_update_ratio_reference_line_is_labelled(moons_run):
    spec = training.optimizer_spec(moons_run.trajectory, moons_run.history, 3)
    note = next(a for a in spec["layout"]["annotations"] if a["text"] == "1e-3 rule of thumb")
    assert (note["yref"], note["y"]) == ("y5", -3.0)  # a log axis places annotations by the exponent
    assert spec["layout"]["shapes"][0]["y0"] == 1e-3


def test_optimizer_chart_can_leave_the_rule_of_thumbs_label_to_a_caption(moons_run):
    spec = training.optimizer_spec(moons_run.trajectory, moons_run.history, 3, key_in_chart=False)
    assert "1e-3 rule of thumb" not in [a["text"] for a in spec["layout"]["annotations"]]
    assert spec["layout"]["shapes"][0]["y0"] == training.HEALTHY_RATIO  # the line stays
    assert "0.001" in training.OPTIMIZER_KEY and "Deeper blue: more weights" in training.OPTIMIZER_KEY


def test_optimizer_panels_over_a_few_steps_tick_whole_steps():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,))).step(3)
    layout = training.optimizer_spec(r.trajectory, r.history, 2)["layout"]
    assert {layout[k].get("dtick") for k in layout if k.startswith("xaxis")} == {1}
    zero = pv.Run(pv.TrainConfig(hidden_layers=(3,)))
    layout = training.optimizer_spec(zero.trajectory, zero.history, 2)["layout"]
    assert layout["xaxis"]["tickvals"] == [0]  # the weights' step axis at step 0: "0", not −0.5, 0, 0.5


def test_optimizer_columns_each_share_one_step_axis_under_their_bottom_panel(moons_run):
    # one axis per column, not one per panel: plotly.js draws each axis every frame
    spec = training.optimizer_spec(moons_run.trajectory, moons_run.history, 3)
    layout = spec["layout"]
    assert sorted(k for k in layout if k.startswith("xaxis")) == ["xaxis", "xaxis4"]
    assert [(t["xaxis"], t["yaxis"]) for t in spec["data"]] == [("x", "y"), ("x", "y2"), ("x", "y3"),
                                                               ("x4", "y4"), ("x4", "y5")]
    assert (layout["xaxis"]["anchor"], layout["xaxis4"]["anchor"]) == ("y3", "y5")  # under the bottom panels
    assert layout["xaxis"]["title"]["text"] == layout["xaxis4"]["title"]["text"] == "step"
    assert {layout[f"yaxis{training._ax(i)}"]["anchor"] for i in (1, 2, 3)} == {"x"}
    assert {layout[f"yaxis{i}"]["anchor"] for i in (4, 5)} == {"x4"}
    bottom = lambda k: layout[f"yaxis{training._ax(k)}"]["domain"][0]  # noqa: E731
    assert bottom(3) < bottom(2) < bottom(1) and bottom(5) < bottom(4)


def test_update_ratio_rule_of_thumb_is_in_view_before_the_first_step():
    zero = pv.Run(pv.TrainConfig(hidden_layers=(3,)))
    layout = training.optimizer_spec(zero.trajectory, zero.history, 2)["layout"]
    low, high = layout["yaxis4"]["range"]  # log axis: exponents
    assert low < np.log10(training.HEALTHY_RATIO) < high
    assert layout["yaxis4"]["ticktext"] == ["0.0001", "0.001", "0.01"]  # round, a decade apart, not crowded
    assert layout["yaxis3"]["showticklabels"] is False  # no gradient yet: no made-up scale
    assert layout["shapes"][0]["yref"] == "y4" and layout["shapes"][0]["xref"] == "x3 domain"


def test_gradient_panels_at_step_0_say_they_fill_after_the_first_step():
    zero = pv.Run(pv.TrainConfig(hidden_layers=(3,)))
    layout = training.optimizer_spec(zero.trajectory, zero.history, 2)["layout"]
    waiting = [a for a in layout["annotations"] if a["text"] == "after the first step"]
    assert [(a["xref"], a["yref"]) for a in waiting] == [("x3 domain", "y3 domain"), ("x3 domain", "y4 domain")]
    assert (layout["xaxis3"]["range"], layout["xaxis3"]["dtick"]) == ([0, 1], 1)  # not plotly's empty −1..6
    stepped = pv.Run(pv.TrainConfig(hidden_layers=(3,))).step(1)
    layout = training.optimizer_spec(stepped.trajectory, stepped.history, 2)["layout"]
    assert not [a for a in layout["annotations"] if a["text"] == "after the first step"]


def test_optimizer_figures_plot_history_columns(moons_run):
    h = moons_run.history
    fig = training.gradients_figure(h)
    np.testing.assert_allclose(fig.data[0].y, h["grad_norm"].iloc[1:].to_numpy(np.float32))
    np.testing.assert_allclose(fig.data[1].y, h["update_ratio"].iloc[1:].to_numpy(np.float32))
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    heat = training.weights_over_time_figure(moons_run.trajectory, moons_run.layout.n_layers)
    assert [t.type for t in heat.data] == ["heatmap"] * 3


def test_optimizer_panels_keep_titles_and_step_labels_readable_in_a_narrow_panel(moons_run):
    """In the studio's narrowest chart (380 pixels) a panel is about 130 pixels wide: titles of at most 21
    characters a line, and at most four upright step labels."""
    fig = training.optimizer_figure(moons_run.trajectory, moons_run.history, 3)
    titles = [a.text for a in fig.layout.annotations]
    assert "update / weight ratio<br>‖Δθ‖/‖θ‖" in titles
    assert max(len(line) for t in titles for line in t.split("<br>")) <= 21
    xaxes = [fig.layout[k] for k in fig.layout if k.startswith("xaxis")]
    assert len(xaxes) == 2 and all(ax.nticks == 4 and ax.tickangle == 0 for ax in xaxes)


def test_optimizer_figure_puts_weight_histograms_left_and_gradients_right(moons_run):
    fig = training.optimizer_figure(moons_run.trajectory, moons_run.history, 3, diverged_at=120)
    assert [t.type for t in fig.data] == ["heatmap"] * 3 + [training.LINES] * 2
    assert fig.layout.xaxis.domain == (0.0, 0.44) and fig.layout.xaxis4.domain == (0.58, 1.0)
    assert fig.layout.yaxis4.type == "log" and fig.layout.yaxis5.type == "log"
    assert fig.layout.shapes[-1].x0 == 120 and fig.layout.shapes[-1].xref == "x4"  # divergence, gradient side


# ---- network diagram -----------------------------------------------------------------------------------------

def test_network_figure_draws_one_edge_per_weight_coloured_by_sign(moons_run):
    params = moons_run.params
    fig = network.network_figure(params, moons_run.layout.sizes, ("x1", "x2"))
    edges = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert sum(_segments(t.x) for t in edges) == moons_run.n_weights
    w = np.concatenate([params[k].ravel() for k in ("W1", "W2", "W3")])
    blue = sum(_segments(t.x) for t in edges if t.line.color == training.BLUE)
    assert blue == int((w > 0).sum())
    hover = next(t for t in fig.data if t.text is not None and str(t.text[0]).startswith("W1[0,0]"))
    assert hover.text[0] == f"W1[0,0] = {params['W1'][0, 0]:.3f}"


def test_network_figure_colours_neurons_by_bias(moons_run):
    params = moons_run.params
    fig = network.network_figure(params, moons_run.layout.sizes, ("x1", "x2"))
    neurons = [t for t in fig.data if t.customdata is not None]
    assert len(neurons) == moons_run.layout.n_layers
    np.testing.assert_allclose(neurons[0].marker.color, params["b1"])


def test_network_figure_leaves_room_for_long_feature_and_output_names():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,)))
    short = network.network_figure(r.params, r.layout.sizes, ("x1", "x2"), ("P(y=1)",))
    long = network.network_figure(r.params, r.layout.sizes, ("sepal length (cm)", "x2"), ("P(species=virginica)",))
    labelled = [t for t in long.data if t.text is not None and t.mode == "markers+text"]
    assert [list(t.text) for t in labelled] == [["sepal length (cm)", "x2"], ["P(species=virginica)"]]
    assert all(t.cliponaxis is False for t in labelled)  # drawn into the margin rather than cut at the axis
    # margins grow with the longest name: about 8 pixels per character at the 14-pixel label font
    assert long.layout.margin.l - short.layout.margin.l == int(0.6 * 14 * 17) - int(0.6 * 14 * 2)
    assert long.layout.margin.r - short.layout.margin.r == int(0.6 * 14 * 20) - int(0.6 * 14 * 6)


def test_network_of_a_wide_layer_draws_its_first_and_last_eight_neurons_and_says_how_many_more():
    r = pv.Run(pv.TrainConfig(hidden_layers=(40,)))
    spec = network.network_spec(r.params, r.layout.sizes, ("x1", "x2"), ("P(y=1)",), height=460)
    edges = [t for t in spec["data"] if t["mode"] == "lines" and t["x"][0] is not None]
    assert sum(_segments(t["x"]) for t in edges) == 2 * 16 + 16 * 1
    hidden = next(t for t in spec["data"] if t.get("customdata") and t["customdata"][0].startswith("b1"))
    assert hidden["customdata"][7].startswith("b1[7] ") and hidden["customdata"][8].startswith("b1[32] ")
    assert [(a["x"], a["y"], a["text"]) for a in spec["layout"]["annotations"]] == [(1.0, 0.0, "24<br>more")]
    hover = next(t for t in spec["data"] if t.get("text") and str(t["text"][0]).startswith("W1[0,0]"))
    named = {text.split(" = ")[0] for text in hover["text"]}
    assert {"W1[1,39]", "W2[39,0]"} <= named and "W1[1,20]" not in named  # real indices; the middle not drawn


def test_network_of_a_huge_model_is_small_and_its_input_labels_apart():
    sizes = (2, 256, 256, 256, 256, 256, 256, 1)
    rng = np.random.default_rng(0)
    params = {}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:]), start=1):
        params[f"W{i}"], params[f"b{i}"] = rng.normal(size=(a, b)), rng.normal(size=b)
    spec = network.network_spec(params, sizes, ("x1", "x2"), ("P(y=1)",), height=460)
    edges = [t for t in spec["data"] if t["mode"] == "lines" and t["x"][0] is not None]
    assert sum(_segments(t["x"]) for t in edges) == 2 * 16 + 5 * 16 * 16 + 16
    inputs = next(t for t in spec["data"] if t.get("text") == ["x1", "x2"])
    pixels_apart = abs(inputs["y"][0] - inputs["y"][1]) * (460 - network.PLOT_MARGIN) / 2.4
    assert pixels_apart >= training.TICK_FONT  # was 1 pixel: the labels drawn over each other
    assert inputs["marker"]["size"] < 22  # smaller neurons in a tall column, so they don't overlap


def test_zero_weights_are_grey_edges():
    r = pv.Run(pv.TrainConfig(hidden_layers=(3,), init="zeros"))
    fig = network.network_figure(r.params, r.layout.sizes, ("x1", "x2"))
    edges = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    assert {t.line.color for t in edges} == {"#9e9e9e"}


# ---- the fast path the app uses ------------------------------------------------------------------------------

def _decode(value):
    if isinstance(value, dict) and "bdata" in value:
        import base64
        dtype = {"f4": np.float32, "f8": np.float64, "i4": np.int32, "i2": np.int16, "u2": np.uint16, "i1": np.int8,
                 "u1": np.uint8}[value["dtype"]]
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype)
        return arr.reshape(tuple(int(n) for n in value["shape"].split(","))) if "shape" in value else arr
    return value


def test_encoded_spec_sends_the_same_numbers_as_the_plotly_figure(moons_run):
    import json

    spec = training.model_spec(moons_run, resolution=12)
    sent = json.loads(json.dumps(training.encoded(spec)))
    full = training.model_figure(moons_run, resolution=12)
    assert [t["type"] for t in sent["data"]] == [t.type for t in full.data]
    np.testing.assert_array_equal(_decode(sent["data"][0]["z"]), np.asarray(full.data[0].z, dtype=np.float32))
    assert _decode(sent["data"][0]["z"]).shape == (12, 12)
    np.testing.assert_array_equal(_decode(sent["data"][2]["x"]), np.asarray(full.data[2].x, dtype=np.float32))
    assert len(_decode(sent["data"][2]["x"])) == int((moons_run.data.y_train == 0).sum())
    assert sent["layout"]["template"] == {} and sent["layout"]["title"]["text"] == "The model now"
    steps = training.loss_spec(moons_run.history)["data"][0]["x"]
    np.testing.assert_array_equal(_decode(training.encoded(training.loss_spec(moons_run.history))
                                          ["data"][0]["x"]), steps)


def test_model_spec_can_leave_out_legend_and_colour_bar_without_moving_the_plot(moons_run):
    full = training.model_spec(moons_run, resolution=10)
    bare = training.model_spec(moons_run, resolution=10, legend=False, colorbar=False)
    assert full["layout"]["showlegend"] and not bare["layout"]["showlegend"]
    assert full["data"][0].get("showscale", True) and bare["data"][0]["showscale"] is False
    assert bare["layout"]["margin"]["r"] == full["layout"]["margin"]["r"]  # same plot area either way


def test_loss_curves_at_step_zero_show_the_starting_losses_as_points():
    r = pv.Run(pv.TrainConfig(dataset="moons", n_samples=60))
    spec = training.loss_spec(r.history)
    xaxis = spec["layout"]["xaxis"]
    assert (xaxis["range"], xaxis["dtick"]) == ([0.0, 1.0], 1)  # not −1..1 in fractional steps
    assert training.loss_spec(r.history, log_y=False)["layout"]["yaxis"]["rangemode"] == "tozero"
    train, test = spec["data"][:2]
    assert train["mode"] == test["mode"] == "lines+markers"
    assert float(train["y"][0]) == pytest.approx(r.history["train_loss"].iloc[0], rel=1e-6)
    assert training.loss_spec(r.step(5).history)["data"][0]["mode"] == "lines"


def test_a_number_coded_binary_target_is_named_with_its_column_and_value():
    raw = pv.load_csv(b"hours,passed\n" + b"1,0\n9,1\n" * 6)
    d = pv.Run(pv.TrainConfig(dataset="csv"), data=raw).data
    assert training.positive_label(d) == "P(passed = 1)"  # not "P(1)"
    moons = pv.Run(pv.TrainConfig(dataset="moons")).data
    assert (training.positive_label(moons), training.positive_label(moons, target=True)) == ("P(class 1)", "P(y = 1)")


def test_every_studio_axis_is_laid_out_once_without_measuring_labels(moons_run):
    # automargin lays a redraw out twice, and plotly's default tick-label overflow check measures every label on
    # every redraw: either one, on any axis, is a tenth of the studio's drawing time ten times a second
    r = moons_run
    xs, ys, Z = np.linspace(-1, 1, 5), np.linspace(-1, 1, 4), np.ones((4, 5))
    specs = [training.loss_spec(r.history), training.trajectory_spec(r.trajectory), training.model_spec(r),
             training.optimizer_spec(r.trajectory, r.history, r.layout.n_layers),
             training.landscape_spec(xs, ys, Z, "W1[0,0]", "b1[0]", {})]
    for spec in specs:
        axes = {k: v for k, v in spec["layout"].items() if k.startswith(("xaxis", "yaxis"))}
        assert axes, spec["layout"]["title"]
        for name, ax in axes.items():
            assert ax.get("automargin") is False and ax.get("ticklabeloverflow") == "allow", (name, ax)


def test_model_chart_without_its_legend_sends_no_legend_only_traces(moons_run):
    with_key = training.model_spec(moons_run, resolution=8)["data"]
    without = training.model_spec(moons_run, resolution=8, legend=False)["data"]
    assert [t["name"] for t in with_key if training._is_ghost(t)] == ["train ●", "test ▲"]
    assert [t["name"] for t in without] == [t["name"] for t in with_key if not training._is_ghost(t)]
