"""The Hyperparameter search page, run headless through app.py with Streamlit's AppTest: a regularizer search
trains with a λ it shows, a value outside the engine's range is an error before Run, and the grid vs random text
says the numbers on the screen."""

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_charts_lab import _contrast

import paramviz as pv
from paramviz.charts import search as charts
from paramviz.ui.search import GVR_BASE, UNIMPORTANT

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


def search_page(**query) -> AppTest:
    """app.py run once, then switched to the search page by its url_path (the pages are callables, which
    AppTest.switch_page cannot name)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == "search")
    at.query_params = {k: str(v) for k, v in query.items()}
    return at.run()


def run_search(at: AppTest) -> AppTest:
    """Press Run search, then rerun (as the page's polling fragment does) until the job has been collected."""
    at.button(key="search_run").click().run()
    deadline = time.monotonic() + TIMEOUT
    while "search_job" in at.session_state and at.session_state["search_job"] is not None:
        assert time.monotonic() < deadline, "the search did not finish"
        time.sleep(0.2)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# ---- a search over the regularizer ---------------------------------------------------------------------------

def test_regularizer_search_without_lambda_trains_l1_and_l2_with_the_lambda_it_shows():
    at = search_page()
    at.multiselect(key="search_dims").set_value(["regularizer"]).run()
    assert "No λ dimension: l1, l2 train with λ = 0.01 (the results' reg_strength column)." in [
        c.value for c in at.caption]
    run_search(at)
    table = at.dataframe[0].value.set_index("regularizer")
    assert table["reg_strength"].to_dict() == {"none": 0.0, "l1": 0.01, "l2": 0.01}
    loss = table["final_test_loss"]
    assert abs(loss["l1"] - loss["none"]) > 1e-3 and abs(loss["l2"] - loss["none"]) > 1e-3
    studio = table.loc["l2", "studio"]
    assert "regularizer=l2" in studio and "reg_strength=0.01" in studio


def test_base_model_summary_names_its_regularizer_and_lambda():
    at = search_page(search_reg="l2")
    assert any(c.value.startswith("Base: ") and c.value.endswith("· l2 λ 0.01") for c in at.caption)


# ---- values outside the engine's range are an error before Run -----------------------------------------------

@pytest.mark.parametrize("dim, text, message", [
    ("batch_size", "0, 8", "batch_size must be a whole number in [1, 100000]; got 0"),
    ("poly_degree", "1, 20", "poly_degree must be a whole number in [1, 15]; got 20"),
    ("hidden_width", "8, 1000", "hidden_width must be a whole number in [1, 256]; got 1000"),
    ("hidden_depth", "1, 7", "hidden_depth must be a whole number in [0, 6]; got 7"),
    ("learning_rate", "0.1, 200", "learning_rate must be a number in (0, 100]; got 200.0"),
])
def test_grid_value_outside_the_engines_range_is_an_error_before_run(dim, text, message):
    at = search_page()
    at.multiselect(key="search_dims").set_value([dim]).run()
    at.text_input(key=f"search_{dim}_values").input(text).run()
    assert not at.exception
    assert message in errors(at)
    assert at.button(key="search_run").disabled


def test_random_range_outside_the_engines_range_is_an_error_before_run():
    at = search_page(search_method="random")
    at.number_input(key="search_hidden_width_low").set_value(0).run()
    assert "hidden_width must be a whole number in [1, 256]; got 0." in errors(at)
    assert at.button(key="search_run").disabled
    at.number_input(key="search_hidden_width_low").set_value(1).run()
    assert not errors(at) and not at.button(key="search_run").disabled


# ---- results ---------------------------------------------------------------------------------------------------

def test_results_heading_is_short_and_the_steps_and_time_go_below_it():
    at = run_search(search_page(search_steps=20))
    assert at.subheader[0].value == "12 trials · grid search"
    assert any(re.fullmatch(r"20 steps each · trained in \d+\.\d s", c.value) for c in at.caption)


# ---- grid vs random --------------------------------------------------------------------------------------------

def test_grid_vs_random_text_and_metrics_say_the_chosen_budget():
    at = search_page(search_view="Grid vs random", search_gvr_budget=25, search_gvr_steps=100)
    assert not at.exception
    intro = next(m.value for m in at.markdown if m.value.startswith("**Grid vs random search"))
    assert "a 5×5 grid tries just **5 different values**" in intro
    assert "its other 20 trials repeat them. Drawn at random, the same 25 trials try **25 different values**" in intro
    m = {x.label: x for x in at.metric}
    assert m["best test loss, grid search"].delta == "5 distinct learning rates"
    assert m["best test loss, random search"].delta == "25 distinct learning rates"
    assert re.fullmatch(r"\d+ of 20", m["random search beats the grid"].value)


def _seed_spread(table: pd.DataFrame, lr: float) -> float:
    """log(max / min) of the test loss across initial seeds at one learning rate."""
    loss = table.loc[np.isclose(table["learning_rate"], lr), "final_test_loss"]
    return float(np.log(loss.max() / loss.min()))


@pytest.mark.parametrize("steps", [100, 1000])
def test_init_seed_matters_mostly_at_small_learning_rates_as_the_note_says(steps):
    assert "they matter mostly when the learning rate is too small" in UNIMPORTANT["init_seed"][0]
    table = pv.sweep(GVR_BASE, {"learning_rate": [1e-4, 0.1], "init_seed": list(range(0, 1000, 100))}, steps=steps)
    assert _seed_spread(table, 1e-4) > 1.0  # the loss varies by a factor of e or more across seeds
    assert _seed_spread(table, 1e-4) > 3 * _seed_spread(table, 0.1)


def test_blown_up_crosses_read_on_light_and_dark_backgrounds():
    grid = pd.DataFrame({"learning_rate": [0.01, 1.0], "l1_ratio": [0, 1], "final_test_loss": [0.3, np.nan],
                         "diverged": [False, True]})
    fig = charts.grid_vs_random_figure(grid, grid, "learning_rate", "l1_ratio")
    crosses = next(t for t in fig.data if t.name == "blew up / diverged")
    for page in ("#ffffff", "#0e1117"):  # Streamlit's light and dark backgrounds
        assert _contrast(crosses.marker.color, page) >= 3.0
