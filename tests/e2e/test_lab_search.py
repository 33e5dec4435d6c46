"""The Overfitting lab and the Hyperparameter search in a real browser: every lab view draws its charts, a URL
opens a view with its settings, a click on the capacity curve picks a model, a small search fills the results
table and Cancel stops a long one. Screenshots go to tests/e2e/artifacts/; with PARAMVIZ_WRITE_DOCS=1 the
README's docs/lab.png and docs/search.png are rewritten too (so a plain test run leaves the tree clean)."""

import os
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
WRITE_DOCS = os.environ.get("PARAMVIZ_WRITE_DOCS") == "1"
LONG = 180_000  # ms: the machine may be busy with other test runs
LAB_VIEWS = ("Capacity", "Regularization path", "Learning curve", "Early stopping", "Bias-variance")


def charts_drawn(page, count: int = 1) -> None:
    """Wait until `count` Plotly charts have drawn their SVG and no element is still a loading skeleton."""
    page.wait_for_function(
        """(n) => document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length >= n
                 && !document.querySelector('[data-testid="stSkeleton"]')""", arg=count, timeout=LONG)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.fixture
def tall_page(browser, request):
    """A page as tall as the screenshot should be (Streamlit scrolls inside the app, so a full-page screenshot
    only shows the viewport); the height is the fixture's indirect parameter, default 1250."""
    context = browser.new_context(viewport={"width": 1600, "height": getattr(request, "param", 1250)})
    context.set_default_timeout(LONG)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def test_lab_draws_every_view(page, streamlit_server, wait_ready, artifacts_dir):
    page.set_default_timeout(LONG)
    page.goto(f"{streamlit_server}/lab")
    wait_ready(page, timeout=LONG)
    charts_drawn(page)
    assert page.get_by_role("heading", name="Overfitting lab").is_visible()
    for view in LAB_VIEWS:
        page.get_by_role("tab", name=view).click()
        wait_ready(page, timeout=LONG)
        charts_drawn(page, 2 if view == "Bias-variance" else 1)
        no_exception(page)
        assert page.locator('[data-testid="stMetric"]').count() >= 2
        page.screenshot(path=str(artifacts_dir / f"lab_{view.lower().replace(' ', '_')}.png"), full_page=True)


def test_lab_url_opens_a_view_with_its_settings(page, streamlit_server, wait_ready, artifacts_dir):
    page.set_default_timeout(LONG)
    page.goto(f"{streamlit_server}/lab?lab_view=Early+stopping&lab_es_degree=9&lab_es_patience=5")
    wait_ready(page, timeout=LONG)
    charts_drawn(page)
    assert page.get_by_role("tab", name="Early stopping").get_attribute("aria-selected") == "true"
    thumbs = page.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()
    assert "9" in thumbs and "5" in thumbs
    no_exception(page)


def test_capacity_view_for_the_docs(tall_page, streamlit_server, wait_ready, artifacts_dir):
    tall_page.goto(f"{streamlit_server}/lab")
    wait_ready(tall_page, timeout=LONG)
    charts_drawn(tall_page)
    link = tall_page.get_by_role("link", name="Open polynomial degree 3 in the studio ↗")
    assert "poly_degree=3" in link.get_attribute("href")
    tall_page.screenshot(path=str(DOCS / "lab.png" if WRITE_DOCS else artifacts_dir / "docs_lab.png"))


def test_clicking_a_point_on_the_capacity_curve_picks_that_model(tall_page, streamlit_server, wait_ready,
                                                               artifacts_dir):
    page = tall_page
    page.goto(f"{streamlit_server}/lab")
    wait_ready(page, timeout=LONG)
    charts_drawn(page)
    test_loss_points = page.locator('[data-testid="stPlotlyChart"] .scatterlayer .trace').nth(1).locator("path.point")
    assert test_loss_points.count() == 15
    box = test_loss_points.nth(11).bounding_box()  # degree 12
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("link", name="Open polynomial degree 12 in the studio ↗").wait_for(timeout=LONG)
    wait_ready(page, timeout=LONG)
    href = page.get_by_role("link", name="Open polynomial degree 12 in the studio ↗").get_attribute("href")
    assert "poly_degree=12" in href
    page.screenshot(path=str(artifacts_dir / "lab_capacity_clicked.png"))


@pytest.mark.parametrize("tall_page", [1700], indirect=True)
def test_search_runs_and_shows_the_table_heatmap_and_parallel_coordinates(tall_page, streamlit_server, wait_ready,
                                                                         artifacts_dir):
    page = tall_page
    page.goto(f"{streamlit_server}/search")
    wait_ready(page, timeout=LONG)
    page.screenshot(path=str(artifacts_dir / "search_before.png"))
    page.get_by_role("button", name="Run search").click()
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=LONG)
    wait_ready(page, timeout=LONG)
    charts_drawn(page, 2)
    no_exception(page)
    assert page.get_by_text("12 trials · grid search").is_visible()
    assert page.get_by_test_id("stAlertContentSuccess").get_by_text("Best trial").is_visible()
    assert page.get_by_role("link", name="Open the best trial in the studio ↗").count() == 1
    page.screenshot(path=str(artifacts_dir / "search_results.png"), full_page=True)
    page.screenshot(path=str(DOCS / "search.png" if WRITE_DOCS else artifacts_dir / "docs_search.png"))


def test_cancel_stops_a_long_search_in_the_browser(page, streamlit_server, wait_ready, artifacts_dir):
    page.set_default_timeout(LONG)
    page.goto(f"{streamlit_server}/search?search_dims=neurons+per+hidden+layer"  # bound to the shown label
              "&search_hidden_width_values=1,2,3,4,5,6,7,8&search_steps=6000")
    wait_ready(page, timeout=LONG)
    page.get_by_role("button", name="Run search").click()
    progress = page.locator('[data-testid="stProgress"]')
    progress.wait_for(timeout=LONG)
    page.wait_for_function("""() => /[1-9] of 8 trials finished/.test(
        document.querySelector('[data-testid="stProgress"]')?.innerText || '')""", timeout=LONG)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Cancelled:").wait_for(timeout=LONG)
    wait_ready(page, timeout=LONG)
    warning = page.get_by_text("Cancelled:").inner_text()
    finished = int(warning.split("Cancelled: ")[1].split(" of ")[0])
    assert 1 <= finished < 8
    assert progress.count() == 0
    no_exception(page)
    page.screenshot(path=str(artifacts_dir / "search_cancelled.png"), full_page=True)


def test_grid_vs_random_view(page, streamlit_server, wait_ready, artifacts_dir):
    page.set_default_timeout(LONG)
    page.goto(f"{streamlit_server}/search?search_view=Grid+vs+random")
    wait_ready(page, timeout=LONG)
    charts_drawn(page)
    no_exception(page)
    assert page.get_by_text("best test loss, random search").is_visible()
    page.screenshot(path=str(artifacts_dir / "search_grid_vs_random.png"), full_page=True)


CHIPS_INSIDE = """() => { const box = document.querySelector('[data-testid="stMultiSelectTagsContainer"]');
    return [...box.querySelectorAll('[data-tag]')].every(t =>
        t.getBoundingClientRect().right <= box.getBoundingClientRect().right + 0.5); }"""
TEXT_LINES = """e => { const r = document.createRange(); r.selectNodeContents(e.querySelector('[data-heading-text]'));
    return new Set([...r.getClientRects()].map(b => Math.round(b.bottom))).size; }"""
NOT_CUT = "e => [e, ...e.querySelectorAll('*')].every(x => x.scrollWidth <= x.clientWidth + 1)"


@pytest.mark.parametrize("width, height", [(1280, 800), (1440, 900)])
def test_search_and_grid_vs_random_read_fully_on_a_laptop_screen(browser, streamlit_server, wait_ready, artifacts_dir,
                                                                width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(LONG)
    page = context.new_page()
    try:
        page.goto(f"{streamlit_server}/search")
        wait_ready(page, timeout=LONG)
        page.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]').nth(1).wait_for()
        assert page.evaluate(CHIPS_INSIDE)  # "neurons per hidden layer" wraps instead of being cut off
        page.get_by_role("button", name="Run search").click()
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=LONG)
        wait_ready(page, timeout=LONG)
        assert page.get_by_role("heading", name="12 trials · grid search").evaluate(TEXT_LINES) == 1
        page.screenshot(path=str(artifacts_dir / f"search_results_{width}.png"))
        page.goto(f"{streamlit_server}/search?search_view=Grid+vs+random")
        wait_ready(page, timeout=LONG)
        charts_drawn(page)
        values = page.locator('[data-testid="stMetricValue"]')
        assert values.count() == 3 and all(values.nth(i).evaluate(NOT_CUT) for i in range(3))
        no_exception(page)
    finally:
        context.close()
