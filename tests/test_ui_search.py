"""The Hyperparameter search page, run headless through app.py with Streamlit's AppTest: a regularizer search
trains with a λ it shows, and a value outside the engine's range is an error before Run."""

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
