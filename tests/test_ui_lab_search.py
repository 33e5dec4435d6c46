"""The Overfitting lab and Hyperparameter search pages, run headless through app.py with Streamlit's AppTest:
every view renders without an exception, settings come from the URL, a search fills the table, bad input is a
friendly error naming the field, and Cancel stops a running search while keeping the finished trials."""

import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from paramviz import lab
from paramviz.ui.lab import FEW_POINTS, compared_with_best
from paramviz.ui.urls import STUDIO_PATH, studio_url

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


def open_page(url_path: str, **query) -> AppTest:
    """app.py run once, then switched to a page by its url_path. The pages are callables (st.Page(fn)), which
    AppTest.switch_page (file paths only) cannot name, so the page's hash is looked up in what st.navigation
    registered on the first run."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path)
    at.query_params = {k: str(v) for k, v in query.items()}
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def links(at: AppTest) -> dict[str, str]:
    return {b.proto.label: b.proto.url for b in at.get("link_button")}


def kinds_in_order(node) -> list[str]:
    """The page's elements, depth first in the order they are drawn: "warning", "plotly_chart", ..."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child.type)
        out += kinds_in_order(child)
    return out


# ---- the lab -----------------------------------------------------------------------------------------------

LAB_VIEWS = {  # view -> (small settings for speed, a metric the view shows)
    "Capacity": ({"lab_cap_steps": 500}, "best polynomial degree"),
    "Regularization path": ({"lab_reg_steps": 500}, "L1: most weights exactly 0"),
    "Learning curve": ({"lab_lc_steps": 250, "lab_lc_seeds": 2}, "gap with 6 points"),
    "Early stopping": ({"lab_es_steps": 500}, "lowest test loss"),
    "Bias-variance": ({"lab_bv_steps": 250, "lab_bv_resamples": 5, "lab_bv_max": 5}, "expected test error"),
}


@pytest.mark.parametrize("view", list(LAB_VIEWS))
def test_each_lab_view_renders_its_chart_and_numbers_from_the_url(view):
    settings, metric = LAB_VIEWS[view]
    at = open_page("lab", lab_view=view, **settings)
    assert_clean(at)
    assert at.title[0].value == "Overfitting lab"
    assert len(at.get("plotly_chart")) >= 1
    assert metric in metrics(at)


def test_capacity_view_links_its_best_degree_to_the_studio():
    at = open_page("lab", lab_view="Capacity")
    best = metrics(at)["best polynomial degree"]
    assert best == "3"  # 20 noisy points of sin(πx): degree 3 wins, 15 fits the noise
    assert at.selectbox(key="lab_cap_open").value == 3
    url = links(at)["Open polynomial degree 3 in the studio ↗"]
    assert url == studio_url(lab.with_capacity(FEW_POINTS, "poly_degree", 3))
    assert "poly_degree=3" in url and "dataset=sine" in url


def test_capacity_view_opens_any_chosen_degree():
    at = open_page("lab", lab_view="Capacity", lab_cap_steps=250)
    at.selectbox(key="lab_cap_open").set_value(12).run()
    assert_clean(at)
    assert "poly_degree=12" in links(at)["Open polynomial degree 12 in the studio ↗"]


def test_capacity_view_over_hidden_width():
    at = open_page("lab", lab_view="Capacity", lab_cap_knob="hidden width", lab_cap_steps=250)
    assert_clean(at)
    assert "best neurons per hidden layer" in metrics(at)


def test_capacity_view_says_when_the_largest_model_is_the_best():
    at = open_page("lab", lab_view="Capacity", lab_cap_knob="hidden layers")
    m = {x.label: x for x in at.metric}
    assert m["best hidden layers"].value == "4"  # 20 points of sin(πx), 2000 steps: the deepest tanh net wins
    assert m["test loss at hidden layers 4"].delta == "the best: no overfitting yet"


def test_capacity_metric_compares_the_largest_model_with_the_best():
    best = pd.Series({"final_test_loss": 0.2, "best": True})

    def delta(loss, diverged=False):
        return compared_with_best(pd.Series({"final_test_loss": loss, "best": False}), best, diverged)["delta"]
    assert delta(0.6) == "3.0× the best"
    assert delta(0.21) == "1.05× the best"  # not "1.0×", which reads as no difference
    assert delta(1e300, diverged=True) == "diverged"
    assert compared_with_best(best, best, False)["delta"] == "the best: no overfitting yet"


def test_regularization_view_shows_l1_zeros_and_none_for_l2():
    at = open_page("lab", lab_view="Regularization path")
    m = metrics(at)
    assert m["L2: most weights exactly 0"] == "0 of 9"
    assert int(m["L1: most weights exactly 0"].split(" of ")[0]) > 0


def test_regularization_view_turns_divergence_into_a_lesson():
    at = open_page("lab", lab_view="Regularization path", lab_reg_degree=15, lab_reg_lr=1.0, lab_reg_steps=250)
    assert_clean(at)
    assert at.warning[0].value.startswith("Every model diverged: a learning rate of 1 is too large")
    assert len(at.get("plotly_chart")) == 1
    order = kinds_in_order(at.main)
    assert order.index("warning") < order.index("plotly_chart")  # under the sliders, not below a tall chart
    assert metrics(at)["L1: most weights exactly 0"] == "—"  # not "0 of 15" from weights that blew up


def test_regularization_view_warns_above_the_chart_when_some_models_diverge():
    at = open_page("lab", lab_view="Regularization path", lab_reg_degree=12, lab_reg_lr=0.2, lab_reg_steps=500)
    assert_clean(at)
    # after 500 steps most losses are finite but near 1e300: they count as diverged, as the chart draws them
    assert at.warning[0].value.startswith("Some models diverged (L1 at 12 of 13 values of λ; L2 at every λ): "
                                          "a learning rate of 0.2 is too large for them.")
    order = kinds_in_order(at.main)
    assert order.index("warning") < order.index("plotly_chart")
    m = metrics(at)
    assert m["L1: best λ"] == "1" and "L2: best λ" not in m  # no "best" among models that blew up
    assert m["L2: most weights exactly 0"] == "—"


def test_bias_variance_view_shows_the_split_adding_up():
    at = open_page("lab", lab_view="Bias-variance", lab_bv_steps=250, lab_bv_resamples=5, lab_bv_max=5)
    m = {x.label: x for x in at.metric}
    parts = [float(m[k].value) for k in ("bias² (degree 3)", "variance", "noise σ²")]
    assert sum(parts) == pytest.approx(float(m["expected test error"].value), rel=0.01)


def test_degree_shown_never_exceeds_the_highest_degree():
    at = open_page("lab", lab_view="Bias-variance", lab_bv_steps=250, lab_bv_resamples=5, lab_bv_max=5,
                   lab_bv_degree=12)
    assert_clean(at)
    shown = at.slider(key="lab_bv_degree")
    assert (shown.max, shown.value) == (5, 3)  # a link asking for degree 12 of 5 shows the default degree
    assert "bias² (degree 3)" in metrics(at)
    at.slider(key="lab_bv_degree").set_value(5).run()
    at.slider(key="lab_bv_max").set_value(4).run()
    assert at.slider(key="lab_bv_degree").value == 4 and "bias² (degree 4)" in metrics(at)
    at.slider(key="lab_bv_max").set_value(8).run()  # a wider range keeps the degree shown
    assert at.slider(key="lab_bv_degree").max == 8 and "bias² (degree 4)" in metrics(at)
    assert_clean(at)


def test_early_stopping_view_shows_a_diverging_model_without_a_traceback():
    at = open_page("lab", lab_view="Early stopping", lab_es_n=10, lab_es_steps=250, lab_es_degree=15, lab_es_lr=1.0)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and "lowest test loss" in metrics(at)


# ---- the search ----------------------------------------------------------------------------------------------

def job(at: AppTest):
    return at.session_state["search_job"] if "search_job" in at.session_state else None


def run_search(at: AppTest, timeout: float = TIMEOUT) -> AppTest:
    """Press Run search, then rerun (as the page's polling fragment does) until the job has been collected."""
    at.button(key="search_run").click().run()
    deadline = time.monotonic() + timeout
    while job(at) is not None:
        assert time.monotonic() < deadline, "the search did not finish"
        time.sleep(0.2)
        at.run()
    return at


def search_page(**query) -> AppTest:
    return open_page("search", **query)


def test_small_grid_search_fills_the_table_with_one_row_per_trial():
    at = search_page(search_steps=20)
    assert_clean(at)
    run_search(at)
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == 12  # 4 learning rates × 3 widths
    assert table["★"].tolist().count("★") == 1
    assert table["studio"].str.startswith(STUDIO_PATH).all() and table["studio"].str.contains("learning_rate=").any()
    assert "Best trial" in at.success[0].value
    assert len(at.get("plotly_chart")) == 2  # heatmap (a 2-D grid) and parallel coordinates


def test_random_search_trains_the_requested_number_of_trials():
    at = search_page(search_steps=20, search_method="random", search_trials=5)
    run_search(at)
    assert_clean(at)
    assert len(at.dataframe[0].value) == 5
    assert len(at.get("plotly_chart")) == 1  # no heatmap for a random search


def test_search_over_choices_and_depth():
    at = search_page(search_steps=20)
    at.multiselect(key="search_dims").set_value(["optimizer", "hidden_depth"]).run()
    at.text_input(key="search_hidden_depth_values").input("0, 2").run()
    run_search(at)
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == 6 and set(table["optimizer"]) == {"sgd", "momentum", "adam"}


@pytest.mark.parametrize("text, message", [
    ("abc", "learning_rate: 'abc' is not a list of numbers"),
    ("", "learning_rate: give at least one value"),
    ("0.1, -1", "learning_rate must be numbers above 0"),
])
def test_bad_grid_values_are_an_error_naming_the_field(text, message):
    at = search_page()
    at.text_input(key="search_learning_rate_values").input(text).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert at.button(key="search_run").disabled


def test_too_many_trials_is_an_error_naming_trials():
    at = search_page()
    at.text_input(key="search_learning_rate_values").input(", ".join(str(0.001 * k) for k in range(1, 41))).run()
    at.text_input(key="search_hidden_width_values").input(", ".join(str(k) for k in range(1, 21))).run()
    assert any(e.value.startswith("trials: this search has 800 trials") for e in at.error)
    assert at.button(key="search_run").disabled


def test_bad_base_model_is_an_error_naming_hidden_layers():
    at = search_page()
    at.text_input(key="search_layers").input("8,x").run()
    assert any("hidden_layers" in e.value for e in at.error)


def test_cancel_stops_a_running_search_and_keeps_the_finished_trials():
    at = search_page(search_steps=4000)
    at.multiselect(key="search_dims").set_value(["hidden_width"]).run()
    at.text_input(key="search_hidden_width_values").input("1, 2, 3, 4, 5, 6, 7, 8").run()  # eight groups
    at.button(key="search_run").click().run()
    deadline = time.monotonic() + TIMEOUT
    while job(at).progress[1] < 1:  # wait for the first trial to finish
        assert time.monotonic() < deadline
        time.sleep(0.1)
    at.run()
    at.button(key="search_cancel").click().run()
    while job(at) is not None:
        assert time.monotonic() < deadline, "cancel did not stop the search"
        time.sleep(0.1)
        at.run()
    assert_clean(at)
    assert at.warning[0].value.startswith("Cancelled:")
    rows = len(at.dataframe[0].value)
    assert 1 <= rows < 8


def test_results_survive_a_visit_to_another_page():
    at = search_page(search_steps=20)
    run_search(at)
    search_hash = at._page_hash
    at._page_hash = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == "lab")
    at.query_params = {"lab_view": "Early stopping", "lab_es_steps": "250"}
    at.run()
    at._page_hash, at.query_params = search_hash, {}
    at.run()
    assert len(at.dataframe[0].value) == 12


def test_grid_vs_random_view_reports_both_searches():
    at = search_page(search_view="Grid vs random", search_gvr_steps=100)
    assert_clean(at)
    m = {x.label: x for x in at.metric}
    assert {"best test loss, grid search", "best test loss, random search", "random search beats the grid"} <= set(m)
    assert m["best test loss, grid search"].delta == "3 distinct learning rates"
    assert m["best test loss, random search"].delta == "9 distinct learning rates"
