"""The lab's and the search page's figures: the traces a student is told to look for are there, in the right
place (the star on the argmin, the stacked bars adding up, blown-up trials at the edge of the scale)."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import paramviz as pv
from paramviz import lab
from paramviz.charts import lab as charts
from paramviz.charts import search as search_charts


def _trace(fig: go.Figure, name: str):
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace named {name!r} in {[t.name for t in fig.data]}"
    return found[0]


def _contrast(color: str, background: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 = none, 21 = black on white)."""
    def luminance(c: str) -> float:
        rgb = np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) / 255
        lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])
    hi, lo = sorted((luminance(color), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Streamlit's page backgrounds in the light and the dark theme: the lab's figures are drawn on either.
LIGHT_PAGE, DARK_PAGE = "#ffffff", "#0e1117"


def assert_readable_in_both_themes(color: str) -> None:
    color = {"black": "#000000", "white": "#ffffff"}.get(color, color)
    assert min(_contrast(color, LIGHT_PAGE), _contrast(color, DARK_PAGE)) >= 3, color


# ---- capacity ------------------------------------------------------------------------------------------------

def _capacity(test=(0.4, 0.1, 0.05, 0.2, 0.9), seeds_band=False) -> pd.DataFrame:
    test = np.array(test)
    df = pd.DataFrame({"poly_degree": np.arange(1, len(test) + 1), "final_test_loss": test, "diverged": False,
                       "final_train_loss": np.geomspace(0.4, 0.01, len(test))})
    spread = 0.5 if seeds_band else 0.0
    for c in ("train_loss", "test_loss"):
        df[f"{c}_lo"] = df[f"final_{c}"] * (1 - spread)
        df[f"{c}_hi"] = df[f"final_{c}"] * (1 + spread)
    return lab._mark_best(df, "final_test_loss")


def test_capacity_figure_stars_the_lowest_test_loss():
    fig = charts.capacity_figure(_capacity())
    star = _trace(fig, "best test loss")
    assert list(star.x) == [3] and list(star.y) == [0.05]
    assert list(_trace(fig, "test loss").y) == [0.4, 0.1, 0.05, 0.2, 0.9]
    assert fig.layout.yaxis.type == "log"


def test_capacity_figure_points_carry_their_degree_for_click_selection():
    fig = charts.capacity_figure(_capacity())
    assert list(_trace(fig, "test loss").customdata) == [1, 2, 3, 4, 5]
    assert fig.layout.clickmode == "event+select"


def test_capacity_figure_draws_seed_bands_only_when_seeds_differ():
    assert not [t for t in charts.capacity_figure(_capacity()).data if t.name and "range" in t.name]
    banded = charts.capacity_figure(_capacity(seeds_band=True))
    assert {t.name for t in banded.data if t.name and "range" in t.name} == {"train loss range", "test loss range"}


def test_capacity_figure_labels_underfitting_left_and_overfitting_right_of_the_best():
    texts = [a.text for a in charts.capacity_figure(_capacity()).layout.annotations]
    assert any("underfitting" in t for t in texts) and any("overfitting" in t for t in texts)
    at_start = [a.text for a in charts.capacity_figure(_capacity(test=(0.05, 0.1, 0.2))).layout.annotations]
    assert not any("underfitting" in t for t in at_start)


def _widths(test=(0.5, 0.3, 0.2, 0.25, 0.3, 0.4, 0.6)) -> pd.DataFrame:
    widths = [1, 2, 4, 8, 16, 32, 64][:len(test)]
    df = pd.DataFrame({"hidden_width": widths, "final_test_loss": test, "diverged": False,
                       "final_train_loss": np.geomspace(0.4, 0.01, len(test))})
    return lab._mark_best(df, "final_test_loss")


def test_capacity_figure_over_hidden_width_spans_the_widths_on_a_log_axis():
    fig = charts.capacity_figure(_widths(), "hidden_width")
    axis = fig.layout.xaxis
    assert axis.type == "log" and list(axis.tickvals) == [1, 2, 4, 8, 16, 32, 64]
    assert list(axis.ticktext) == ["1", "2", "4", "8", "16", "32", "64"]
    lo, hi = axis.range  # log10 units: just beyond log10(1) = 0 and log10(64) = 1.81, not 10^64
    assert -0.3 < lo < 0 and np.log10(64) < hi < np.log10(64) + 0.3


@pytest.mark.parametrize("param, curve", [("poly_degree", _capacity()), ("hidden_width", _widths())])
def test_underfitting_and_overfitting_labels_sit_at_the_plot_edges_on_any_axis(param, curve):
    notes = {a.text: a for a in charts.capacity_figure(curve, param).layout.annotations}
    under, over = notes["← underfitting (high bias)"], notes["overfitting (high variance) →"]
    assert (under.xref, under.x, under.xanchor) == ("paper", 0, "left")
    assert (over.xref, over.x, over.xanchor) == ("paper", 1, "right")


def test_capacity_figure_marks_diverged_models_at_the_top_without_stretching_the_axis():
    curve = _capacity(test=(0.4, 0.1, 0.05, 0.2, 1e297))
    curve.loc[4, ["final_train_loss", "diverged"]] = [3e296, True]
    fig = charts.capacity_figure(lab._mark_best(curve, "final_test_loss"))
    crosses = _trace(fig, "diverged")
    assert list(crosses.x) == [5] and list(crosses.y) == [0.8]  # 2 × the highest loss that trained (0.4)
    assert np.isnan(_trace(fig, "test loss").y[4]) and np.isnan(_trace(fig, "train loss").y[4])
    axis = fig.layout.yaxis
    assert axis.range[1] == pytest.approx(np.log10(0.8 * 1.6)) and axis.ticktext[-1] == "diverged"


def test_log_axis_labels_plain_numbers_at_1_2_5():
    ax = charts.log_axis([0.03, 0.4])
    assert ax["type"] == "log"
    assert ax["ticktext"] == ["0.02", "0.05", "0.1", "0.2", "0.5"]
    assert ax["range"][0] < np.log10(0.03) and ax["range"][1] > np.log10(0.4)


# ---- regularization path ------------------------------------------------------------------------------------------

def _path(regularizer: str, zeros: list[int]) -> pd.DataFrame:
    lam = [1e-3, 1e-2, 1e-1]
    df = pd.DataFrame({"reg_strength": lam, "regularizer": regularizer, "final_train_loss": [0.05, 0.06, 0.2],
                       "final_test_loss": [0.2, 0.1, 0.3], "diverged": False, "n_zero_weights": zeros,
                       "n_weights": 3})
    return pd.concat([df, pd.DataFrame({"W1[0,0]": [1.0, 0.5, 0.0], "W1[1,0]": [-0.5, 0.0, 0.0],
                                        "W1[2,0]": [0.2, 0.1, 0.0]})], axis=1)


def test_regularization_path_figure_has_a_column_per_regularizer_with_every_weight():
    fig = charts.regularization_path_figure([_path("l1", [0, 1, 3]), _path("l2", [0, 0, 0])],
                                            labels={"W1[0,0]": "weight of x"})
    weight_traces = [t for t in fig.data if t.legendgroup == "weights"]
    assert len(weight_traces) == 6  # three weights in each of two columns
    assert "weight of x" in {t.name for t in weight_traces}
    zeros = [t for t in fig.data if t.name == "weights exactly 0"]
    assert [list(t.y) for t in zeros] == [[0, 1, 3], [0, 0, 0]]
    assert [a.text for a in fig.layout.annotations][:2] == ["L1 (lasso)", "L2 (ridge)"]
    assert fig.layout.xaxis.type == "log"


def test_regularization_path_figure_stars_the_best_lambda():
    fig = charts.regularization_path_figure([_path("l1", [0, 1, 3])])
    star = _trace(fig, "best test loss")
    assert list(star.x) == [1e-2] and list(star.y) == [0.1]


def test_regularization_path_figure_marks_diverged_and_blown_up_models_and_leaves_them_out():
    l1, l2 = _path("l1", [0, 1, 3]), _path("l2", [0, 0, 0])
    l2.loc[2, ["final_train_loss", "final_test_loss", "diverged", "W1[0,0]"]] = [1e297, 2e297, True, 2e153]
    l1.loc[0, ["final_train_loss", "final_test_loss", "W1[0,0]"]] = [3e90, 4e90, 1e45]  # finite, exploding
    assert [list(f) for f in charts.diverged(l1, l2)] == [[True, False, False], [False, False, True]]
    fig = charts.regularization_path_figure([l1, l2])
    crosses = [t for t in fig.data if t.name == "diverged"]
    assert [list(t.x) for t in crosses] == [[1e-3], [1e-1]]
    assert [list(t.y) for t in crosses] == [[0.6], [0.6]]  # 2 × the highest loss of the models that trained
    assert [t.showlegend for t in crosses] == [True, False]
    weights = [t for t in fig.data if t.name == "W1[0,0]"]
    assert np.isnan(weights[0].y[0]) and np.isnan(weights[1].y[2]) and weights[1].y[0] == 1.0
    zeros = [t for t in fig.data if t.name == "weights exactly 0"]
    assert np.isnan(zeros[1].y[2])
    axis = fig.layout.yaxis
    assert axis.range[1] == pytest.approx(np.log10(0.6 * 1.2))  # not 1e297
    assert axis.ticktext[-1] == "diverged" and axis.tickvals[-1] == 0.6


def test_regularization_path_figure_when_every_model_diverged_has_only_crosses():
    path = _path("l1", [0, 0, 0]).assign(diverged=True, final_test_loss=1e300, final_train_loss=1e299)
    fig = charts.regularization_path_figure([path])
    assert list(_trace(fig, "diverged").x) == [1e-3, 1e-2, 1e-1]
    assert not [t for t in fig.data if t.name == "best test loss"]
    assert list(fig.layout.yaxis.ticktext) == ["diverged"]


# ---- learning curve, early stopping --------------------------------------------------------------------------------

def test_learning_curve_figure_shades_the_gap_between_train_and_test():
    curve = pd.DataFrame({"n_train": [10, 40, 160], "train_loss": [0.01, 0.05, 0.08], "test_loss": [0.5, 0.12, 0.1]})
    for c in ("train_loss", "test_loss"):
        curve[f"{c}_lo"], curve[f"{c}_hi"] = curve[c], curve[c]
    fig = charts.learning_curve_figure(curve)
    gap = _trace(fig, "gap (test − train)")
    assert gap.fill == "tonexty" and list(gap.y) == [0.5, 0.12, 0.1]
    assert fig.layout.xaxis.type == "log" and list(fig.layout.xaxis.tickvals) == [10, 40, 160]


def test_early_stopping_figure_marks_the_best_step_and_the_stop():
    history = pd.DataFrame({"step": [0, 10, 20, 30, 40, 50], "train_loss": [1, 0.5, 0.3, 0.2, 0.15, 0.1],
                            "test_loss": [1, 0.6, 0.4, 0.5, 0.6, 0.7]})
    stop = lab.early_stopping(history, patience=2)
    fig = charts.early_stopping_figure(history, stop)
    star = _trace(fig, "lowest test loss")
    assert list(star.x) == [20] and list(star.y) == [0.4]
    kept = _trace(fig, "weights early stopping keeps")
    assert list(kept.x) == [20]
    shapes = {(s.type, s.x0) for s in fig.layout.shapes}
    assert ("line", 40) in shapes  # the stop
    assert ("rect", 40) in shapes  # the skipped steps, from the stop to the end


def test_early_stopping_marks_read_on_light_and_dark_pages():
    history = pd.DataFrame({"step": [0, 10, 20, 30], "train_loss": [1, 0.5, 0.3, 0.2], "test_loss": [1, 0.4, 0.5, 0.6]})
    fig = charts.early_stopping_figure(history, lab.early_stopping(history, patience=2))
    assert_readable_in_both_themes(_trace(fig, "weights early stopping keeps").marker.color)
    stop = next(s for s in fig.layout.shapes if s.type == "line")
    assert stop.line.dash == "dash"
    assert_readable_in_both_themes(stop.line.color)
    label = next(a for a in fig.layout.annotations if a.text.startswith("stop at step"))
    assert_readable_in_both_themes(label.font.color)


# ---- bias–variance ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bv():
    cfg = pv.TrainConfig(dataset="sine", n_samples=20, noise=0.3, test_fraction=0.25, hidden_layers=(),
                         optimizer="adam", learning_rate=0.1, batch_size=100_000)
    return lab.bias_variance(cfg, n_resamples=6, steps=200, values=(1, 3, 12), n_grid=41)


def test_bias_variance_fits_figure_overlays_every_resample_and_the_truth(bv):
    fig = charts.bias_variance_fits_figure(bv, "poly_degree", 3, (np.array([0.1]), np.array([0.2])))
    assert len([t for t in fig.data if t.legendgroup == "fits"]) == 6
    truth = _trace(fig, "true function f(x)")
    np.testing.assert_allclose(truth.y, np.sin(np.pi * np.asarray(truth.x)), atol=1e-12)
    mean = _trace(fig, "average fit")
    expected = bv.pointwise[bv.pointwise["poly_degree"] == 3]["mean_prediction"]
    np.testing.assert_allclose(mean.y, expected)


def test_the_true_function_and_diverged_crosses_read_on_light_and_dark_pages(bv):
    truth = _trace(charts.bias_variance_fits_figure(bv, "poly_degree", 3), "true function f(x)")
    assert truth.line.dash == "dash"
    assert_readable_in_both_themes(truth.line.color)
    assert_readable_in_both_themes(charts.DIVERGED_MARKER["color"])


def test_bias_variance_bars_stack_to_the_expected_error_and_flag_bars_off_the_scale(bv):
    total = bv.summary["expected_error"].to_numpy()
    clip = 0.5 * (total[0] + total[2]) / total.min()  # a level between degree 1's total and degree 12's
    fig = charts.bias_variance_bars_figure(bv.summary, clip=clip)
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert {t.name for t in bars} == {"noise σ²", "bias²", "variance"} and fig.layout.barmode == "stack"
    stacked = np.sum([np.asarray(t.y) for t in bars], axis=0)
    np.testing.assert_allclose(stacked, total, rtol=1e-12)
    labels = fig.layout.annotations
    top = fig.layout.yaxis.range[1]
    assert total[0] < top < total[2]
    assert labels[0].text == f"{total[0]:.3g}" and labels[0].y == total[0] and labels[0].yanchor == "bottom"
    # no box and no colour of its own: the theme's text colour, on the page, above the bar
    assert labels[0].bgcolor is None and labels[0].font.color is None
    # degree 12's variance runs off the clipped scale: its total is written up the bar, inside its top end,
    # in white on the bar's colour, so that neighbouring tall bars' labels cannot overlap
    assert labels[2].text == f"{total[2]:.3g} →" and labels[2].textangle == -90
    assert (labels[2].y, labels[2].yanchor, labels[2].font.color) == (top, "top", "white")
    assert min(_contrast("#ffffff", c) for c in (charts.VARIANCE_COLOR, charts.BIAS_COLOR, charts.NOISE_COLOR)) >= 3.5


# ---- search -------------------------------------------------------------------------------------------------

def _table() -> pd.DataFrame:
    lr = [0.001, 0.01, 0.1, 1.0] * 2
    opt = ["sgd"] * 4 + ["adam"] * 4
    loss = [0.5, 0.3, 0.1, 1e90, 0.4, 0.2, 0.05, np.nan]
    return pd.DataFrame({"trial": range(8), "learning_rate": lr, "optimizer": opt, "final_test_loss": loss,
                         "diverged": [False] * 7 + [True]})


def test_best_trial_ignores_diverged_trials_and_higher_is_better_for_accuracy():
    t = _table()
    assert search_charts.best_trial(t) == 6
    t["final_test_accuracy"] = [0.5, 0.6, 0.7, 0.2, 0.55, 0.65, 0.8, 0.99]
    assert search_charts.best_trial(t, "final_test_accuracy") == 6  # trial 7's 0.99 diverged


def test_heatmap_outlines_the_best_cell_and_names_blown_up_and_diverged_cells():
    fig = search_charts.results_heatmap(_table(), "learning_rate", "optimizer")
    heat = fig.data[0]
    assert list(heat.x) == ["0.001", "0.01", "0.1", "1"] and list(heat.y) == ["adam", "sgd"]
    text = np.asarray(heat.text)
    assert text[0, 3] == "diverged" and text[1, 3] == "blew up" and text[0, 2] == "0.05"
    rect = fig.layout.shapes[0]
    assert (rect.x0, rect.y0) == (1.5, -0.5)  # column 2 (lr 0.1), row 0 (adam)
    assert np.nanmax(np.asarray(heat.z, dtype=float)) == pytest.approx(np.log10(search_charts.BLOWUP * 0.05))


def test_parallel_coordinates_encodes_choices_with_tick_labels_and_rates_on_log_axes():
    fig = search_charts.parallel_coordinates(_table(), ["learning_rate", "optimizer"])
    lr, opt, metric = fig.data[0].dimensions
    assert lr.label == "learning_rate (log)" and list(lr.values) == pytest.approx(np.log10(_table()["learning_rate"]))
    assert list(opt.ticktext) == ["adam", "sgd"] and list(opt.values) == [1, 1, 1, 1, 0, 0, 0, 0]
    assert metric.label == "test loss (log scale)"
    assert max(metric.values) == pytest.approx(np.log10(search_charts.BLOWUP * 0.05))  # 1e90 and NaN capped


def test_grid_vs_random_figure_counts_distinct_values_and_stars_each_best():
    grid = pd.DataFrame({"learning_rate": [0.01, 0.01, 0.1, 0.1], "l1_ratio": [0, 1, 0, 1],
                         "final_test_loss": [0.3, 0.31, 0.2, 0.21], "diverged": False})
    rand = pd.DataFrame({"learning_rate": [0.02, 0.05, 0.2, 0.5], "l1_ratio": [0.3, 0.7, 0.1, 0.9],
                         "final_test_loss": [0.25, 0.15, 0.1, np.nan], "diverged": [False, False, False, True]})
    fig = search_charts.grid_vs_random_figure(grid, rand, "learning_rate", "l1_ratio")
    titles = [a.text for a in fig.layout.annotations][:2]
    assert "2 distinct learning_rate values, best 0.2" in titles[0]
    assert "4 distinct learning_rate values, best 0.1" in titles[1]
    stars = [t for t in fig.data if t.name == "best trial"]
    assert [list(t.x) for t in stars] == [[0.1], [0.2]]
    crosses = _trace(fig, "blew up / diverged")
    assert list(crosses.x) == [0.5]
