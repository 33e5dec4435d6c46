"""The training studio in a real browser: Play/Pause, Step, Reset, a shareable URL, a bad CSV, screenshots.

Buttons are pressed with a dispatched click: while playing, the page redraws every frame and a mouse click
would wait for the button to hold still.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import wait_for_app

from paramviz import TrainConfig
from paramviz.charts.training import PATH_MARKERS
from paramviz.lessons import LESSONS
from paramviz.ui.livechart import TRACE_TYPES
from paramviz.ui.studio import CHART_MIN_WIDTH, TABS
from paramviz.ui.urls import studio_url

REPO = Path(__file__).resolve().parents[2]
REFERENCE = TrainConfig(regularizer="l2", reg_strength=1e-3)  # moons, 200 samples, 2-8-8-1 tanh, Adam

STEP_JS = """() => {
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    if (label && label.textContent.trim() === 'Step')
      return m.querySelector('[data-testid="stMetricValue"]').textContent.trim();
  }
  return null;
}"""
# The loss chart's train-loss trace: its last x is the last step drawn.
LOSS_X_JS = """() => {
  for (const gd of document.querySelectorAll('.js-plotly-plot:not(.pv-live-chart-overlay)')) {
    const t = (gd._fullData || []).find(t => t.name === 'train' && t.mode.startsWith('lines'));
    if (t) { const x = Array.from(t.x); return x[x.length - 1]; }
  }
  return null;
}"""
# The data points sit on the model chart's overlay (drawn once, not every frame).
TRAIN_POINTS_JS = """() => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const t = (gd._fullData || []).find(t => t.name === 'train' && t.mode === 'markers' && t.x && t.x.length > 3);
    if (t) return [Array.from(t.x).slice(0, 20), Array.from(t.y).slice(0, 20)];
  }
  return null;
}"""


IN_VIEW_JS = """(el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  const cut = [el, ...el.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1
                                                     && getComputedStyle(e).textOverflow === 'ellipsis');
  return r.right <= window.innerWidth && el.contains(hit) && !cut;
}"""


def step(page) -> int:
    value = page.evaluate(STEP_JS)
    return int(value.replace(",", "")) if value else -1


def button(page, label: str):
    return page.locator('[data-testid="stButton"] button').filter(has_text=re.compile(rf"{label}\s*$"))


def press(page, label: str) -> None:
    button(page, label).first.dispatch_event("click")


def wait_until(predicate, timeout: float = 60.0, every: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


def open_studio(page, base: str, path: str = "/") -> None:
    page.goto(base + path)
    wait_for_app(page)
    page.wait_for_selector('.js-plotly-plot:not(.pv-live-chart-overlay) .main-svg', timeout=60_000)
    # The charts load plotly.js themselves and can be drawn before Streamlit's own metric and widget code
    # has arrived (a cold browser cache shows those as placeholders for a moment).
    wait_until(lambda: step(page) >= 0)
    assert page.get_by_text("Page not found").count() == 0


def test_play_advances_step_and_charts_and_pause_stops_them(page, streamlit_server, artifacts_dir):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_studio(page, streamlit_server, studio_url(REFERENCE))
    assert step(page) == 0
    press(page, "Play")
    wait_until(lambda: step(page) >= 400)
    wait_until(lambda: (page.evaluate(LOSS_X_JS) or 0) >= 200)  # the loss chart follows
    page.screenshot(path=str(artifacts_dir / "studio_playing.png"))
    press(page, "Pause")
    button(page, "Play").first.wait_for(timeout=30_000)
    wait_for_app(page)
    time.sleep(0.5)  # the frame that was on its way when Pause was pressed may still land: Pause stops the next
    paused = step(page)
    time.sleep(1.0)
    assert step(page) == paused  # nothing moves while paused
    wait_until(lambda: page.evaluate(LOSS_X_JS) == paused, 10)  # the loss chart draws the last frame too
    assert page.locator('[data-testid="stException"]').count() == 0
    # A classroom may be offline: plotly.js, the favicon and everything else come from the app's own server.
    assert any(url.endswith("/plotly.min.js") for url in requested)
    assert [url for url in requested if not url.startswith((streamlit_server, "blob:", "data:"))] == []
    # ... and it is paramviz's partial bundle, carrying the trace types the live charts draw.
    assert set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)")) == TRACE_TYPES


def test_step_then_reset(page, streamlit_server):
    open_studio(page, streamlit_server)
    press(page, "Step")
    wait_until(lambda: step(page) == 1)
    press(page, "Step")
    wait_until(lambda: step(page) == 2)
    press(page, "Reset")
    wait_until(lambda: step(page) == 0)
    wait_for_app(page)
    assert page.evaluate(LOSS_X_JS) == 0


def test_url_round_trip_reproduces_controls_and_data(page, browser, streamlit_server):
    open_studio(page, streamlit_server)
    dataset = page.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset")
    dataset.locator("input").click()
    page.keyboard.type("circles")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.locator('[data-testid="stSlider"]').filter(has_text="Noise").get_by_role("slider").press("ArrowRight")
    wait_for_app(page)
    page.locator('[data-testid="stSlider"]').filter(has_text="Learning rate").get_by_role("slider").press("ArrowRight")
    wait_for_app(page)
    page.locator('[data-testid="stNumberInput"]').filter(has_text="Data seed").locator("input").fill("7")
    page.keyboard.press("Enter")
    wait_for_app(page)
    query = wait_until(lambda: parse_qs(urlsplit(page.url).query) if "seed" in page.url else None, 20)
    assert query["dataset"] == ["circles"] and query["noise"] == ["0.25"]
    assert query["learning_rate"] == ["0.02"] and query["seed"] == ["7"]
    points = wait_until(lambda: page.evaluate(TRAIN_POINTS_JS))

    other = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    try:
        open_studio(other, "", page.url)
        dataset_box = other.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").locator("input")
        assert dataset_box.input_value() == "circles"
        assert wait_until(lambda: other.evaluate(TRAIN_POINTS_JS)) == points  # same seed: the same points
        lr = other.locator('[data-testid="stSlider"]').filter(has_text="Learning rate")
        assert "0.02" in lr.inner_text()
        assert "0.25" in other.locator('[data-testid="stSlider"]').filter(has_text="Noise").inner_text()
    finally:
        other.context.close()


def _csv(rows: int) -> bytes:
    lines = ["a,b,c,target"] + [f"{i % 7},{(i * 3) % 11},{i % 5},{(i % 7) * 2 - (i % 5)}" for i in range(rows)]
    return "\n".join(lines).encode()


def test_csv_upload_trains_and_a_bad_file_shows_an_error_keeping_the_data(page, streamlit_server):
    page.goto(streamlit_server + "/?dataset=csv")  # no chart until there is data
    wait_for_app(page)
    page.get_by_text("Upload a CSV file").first.wait_for(timeout=30_000)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    upload.set_input_files(files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": _csv(60)}])
    wait_for_app(page)
    page.get_by_text("good.csv: 60 rows, 3 inputs, target target (regression)").wait_for(timeout=30_000)
    page.wait_for_selector('.js-plotly-plot:not(.pv-live-chart-overlay) .main-svg', timeout=60_000)
    press(page, "Step")
    wait_until(lambda: step(page) == 1)

    upload.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv",
                                   "buffer": b"a,b,label\n1,2,x\n3,oops,y\n"}])
    wait_for_app(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Could not use that file")
    alert.first.wait_for(timeout=30_000)
    assert "rows" in alert.first.inner_text() and "previous data stays" in alert.first.inner_text()
    assert page.get_by_text("good.csv: 60 rows").count() == 1  # still training on the good file
    assert step(page) == 1
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("width, height", [(1280, 720), (1024, 768)])
def test_on_a_projector_every_button_tab_and_number_is_in_view(browser, streamlit_server, width, height):
    """With the sidebar open, the transport buttons, the five chart tabs and the six numbers (a learning-rate
    schedule adds the rate in force to the five) wrap rather than being cut off."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    try:
        open_studio(page, streamlit_server, studio_url(REFERENCE.replace(schedule="step")))
        controls = [button(page, label).first for label in ("Play", "Step", "Reset", "New weights")]
        controls += [page.get_by_role("radio", name=tab, exact=True) for tab in
                     ("The model", "Weights & biases", "Loss landscape", "Inside the optimizer", "Network")]
        values = page.locator('[data-testid="stMetricValue"]')
        assert values.count() == 6
        controls += [values.nth(k) for k in range(6)]
        for control in controls:
            # in view: what the page shows at the control's centre is the control (not whatever a clipped or
            # scrolled-away control lies under), and no label is cut short with an ellipsis
            assert control.evaluate(IN_VIEW_JS), control.inner_text()
        # the tabs in one row and the title on one line: each extra line pushed the charts 35 px further down
        tops = {round(page.get_by_role("radio", name=tab, exact=True).bounding_box()["y"]) for tab in TABS}
        assert len(tops) == 1, tops
        title = page.locator('[data-testid="stMainBlockContainer"] h3').first
        assert title.evaluate("(h) => h.querySelector('span').getClientRects().length") == 1  # a box per line
        page.get_by_role("radio", name="Network", exact=True).click()  # reachable with one click
        wait_for_app(page)
        wait_until(lambda: "chart=Network" in page.url)
    finally:
        page.context.close()


@pytest.mark.parametrize("width, stacked", [(1024, True), (1280, False), (1600, False)])
def test_the_two_charts_sit_side_by_side_where_they_fit_and_one_under_the_other_where_not(
        browser, streamlit_server, width, stacked):
    """With the sidebar open: on a 1024-pixel screen side by side charts would be about 270 pixels wide, too
    narrow to read, so the loss chart goes under the picked chart."""
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    try:
        open_studio(page, streamlit_server, studio_url(REFERENCE))
        boxes = [page.locator(f".st-key-pv-chart-{k} .js-plotly-plot").first.bounding_box()
                 for k in ("picked", "loss")]
        picked, loss = boxes
        assert (loss["y"] >= picked["y"] + picked["height"]) == stacked, boxes
        assert (abs(loss["x"] - picked["x"]) < 1) == stacked, boxes
        assert min(picked["width"], loss["width"]) >= CHART_MIN_WIDTH, boxes
        if not stacked:
            assert picked["width"] > loss["width"]  # the picked chart has the larger share
    finally:
        page.context.close()


# Where each live chart's plot area (under its title and legend) starts, in pixels from the window's top.
PLOT_TOPS_JS = """() => ['picked', 'loss'].map((k) => {
  const plot = document.querySelector(`.st-key-pv-chart-${k} .pv-live-chart:not(.pv-live-chart-overlay) .nsewdrag`);
  return plot ? plot.getBoundingClientRect().top : null;
})"""


def plot_tops(page) -> list[float]:
    return wait_until(lambda: (tops := page.evaluate(PLOT_TOPS_JS)) and None not in tops and tops)


@pytest.mark.parametrize("width, height, charts, in_view", [(1280, 720, 2, 240), (1024, 768, 1, 250)])
def test_with_any_lesson_loaded_the_charts_start_above_a_projectors_fold(
        browser, streamlit_server, width, height, charts, in_view):
    """With the sidebar open and any lesson loaded, at least `in_view` pixels of the plot areas show without
    scrolling: of both charts side by side at 1280 x 720, of the picked chart at 1024 x 768 (the loss chart goes
    under it there). What to watch sits whole in view in the sidebar, under a picker that shows the lesson's
    whole title. With the lesson's text above the buttons, the landscape lessons' plots started some 650 px down
    at 1280 x 720 and 840 at 1024 x 768; with the landscape's options above the charts, 540 and 580."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    try:
        for key, lesson in LESSONS.items():
            open_studio(page, streamlit_server, f"/?lesson={key}")
            tops = plot_tops(page)[:charts]
            assert max(tops) <= height - in_view, (key, tops)
            note = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
            assert note.count() == 1 and note.inner_text().startswith(lesson.watch.split("**")[0].strip()), key
            box = note.bounding_box()
            assert box["y"] + box["height"] <= height, (key, box)
            picker = page.get_by_role("combobox", name="Lesson")
            assert picker.input_value() == lesson.title
            assert picker.evaluate("(el) => el.scrollWidth <= el.clientWidth"), key  # not cut short
    finally:
        page.context.close()


def test_a_lesson_picked_in_the_sidebar_says_so_beside_the_buttons(browser, streamlit_server):
    """At 1280 x 720 the notice that the lesson loaded wraps beside the buttons instead of taking a line of its
    own under them (another 40 px between the buttons and the charts)."""
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    try:
        open_studio(page, streamlit_server)
        page.get_by_role("combobox", name="Lesson").click()
        page.get_by_role("option", name=LESSONS["lr-too-high"].title, exact=True).click()
        wait_for_app(page)
        notice = page.get_by_text("Lesson loaded: Play runs 600 steps, then pauses.")
        notice.wait_for(timeout=30_000)
        play, said = button(page, "Play").first.bounding_box(), notice.bounding_box()
        assert said["y"] < play["y"] + play["height"] and said["x"] > play["x"] + play["width"], (play, said)
        assert max(plot_tops(page)) <= 720 - 120
    finally:
        page.context.close()


AXES_FOLLOW_JS = """() => [...document.querySelectorAll('.pv-live-chart')].flatMap((d) => d._fullData
    .filter((t) => t.type === 'scatter' && t.x && t.x.length > 1)
    .map((t) => [d._fullLayout.title.text, t.name, Math.max(...Array.from(t.x)),
                 d._fullLayout['xaxis' + t.xaxis.slice(1)].range[1]]))"""


def test_step_axes_started_at_step_0_follow_the_training(page, streamlit_server):
    """The gradient panels start empty, on a step axis of 0..1; once playing, every step axis of both charts
    must reach the latest step (a range given at step 0 once stuck there while the lines ran off it)."""
    open_studio(page, streamlit_server, studio_url(REFERENCE) + "&chart=Inside+the+optimizer")
    press(page, "Play")
    wait_until(lambda: step(page) >= 400)
    press(page, "Pause")
    button(page, "Play").first.wait_for(timeout=30_000)
    wait_for_app(page)
    time.sleep(1.0)  # the last frame drawn
    lines = page.evaluate(AXES_FOLLOW_JS)
    assert {name for _, name, _, _ in lines} >= {"‖g‖", "‖Δθ‖ / ‖θ‖", "train", "test"}
    for chart, name, last_x, axis_end in lines:
        assert axis_end >= last_x, (chart, name, last_x, axis_end)


PANEL_TITLES_JS = """() => {
  const labels = document.querySelector('.st-key-pv-chart-picked .pv-live-chart-labels');
  const main = labels.parentElement.querySelector('.pv-live-chart');
  const texts = (gd) => [...gd.querySelectorAll('.annotation-text')].map((t) => t.textContent);
  const size = (gd) => [gd._fullLayout.width, gd._fullLayout.height, JSON.stringify(gd._fullLayout.margin)];
  const text = labels.querySelector('.annotation-text').getBoundingClientRect();
  const plot = main.querySelector('.main-svg').getBoundingClientRect();
  if (!window.__pvDraws) {
    window.__pvDraws = {main: 0, labels: 0};
    main.on('plotly_afterplot', () => window.__pvDraws.main++);
    labels.on('plotly_afterplot', () => window.__pvDraws.labels++);
  }
  return {inLabels: texts(labels), inMain: texts(main), sameSize: JSON.stringify(size(main)) === JSON.stringify(
          size(labels)), textInPlot: text.top >= plot.top && text.bottom <= plot.bottom, draws: window.__pvDraws};
}"""


def test_panel_titles_lie_on_a_layer_drawn_once_while_the_panels_redraw(page, streamlit_server):
    """The optimizer chart's panel titles (annotations on the paper) are drawn on a layer of their own over the
    chart, the chart's size, and not again with every frame (plotly.js measured every title on every redraw)."""
    open_studio(page, streamlit_server, studio_url(REFERENCE) + "&chart=Inside+the+optimizer")
    page.wait_for_selector(".pv-live-chart-labels .annotation-text", timeout=30_000)
    first = page.evaluate(PANEL_TITLES_JS)
    assert {"layer 1 weights", "layer 2 weights", "layer 3 weights", "gradient norm ‖g‖"} <= set(first["inLabels"])
    assert not set(first["inLabels"]) & set(first["inMain"]), first
    assert first["sameSize"] and first["textInPlot"], first
    press(page, "Play")
    start = step(page)
    wait_until(lambda: step(page) >= start + 500 and page.evaluate(PANEL_TITLES_JS)["draws"]["main"] >= 5)
    press(page, "Pause")
    after = page.evaluate(PANEL_TITLES_JS)
    assert after["draws"]["labels"] == 0, after["draws"]  # the panels redrew, their titles stayed as drawn
    assert after["inLabels"] == first["inLabels"] and after["sameSize"], after
    # the histograms' counts arrive as raw bytes, one per count: every column of layer 1 holds its 16 weights
    sums = page.evaluate("""() => {
      const heat = document.querySelector('.st-key-pv-chart-picked .pv-live-chart')._fullData[0];
      return heat.z[0].map((_, j) => heat.z.reduce((sum, row) => sum + row[j], 0));
    }""")
    assert len(sums) > 10 and set(sums) == {16}, sums


def test_a_chart_and_its_overlay_follow_their_box_when_it_changes_width(page, streamlit_server):
    """A chart first drawn while the page was settling kept that width and spread over the loss chart: each
    live chart follows its own box, not only the window."""
    open_studio(page, streamlit_server, studio_url(REFERENCE))
    widths = """() => {
        const box = document.querySelector('.st-key-pv-chart-picked .pv-live-chart').parentElement;
        const svgs = [...box.querySelectorAll('.main-svg')];
        return [box.clientWidth, ...svgs.map(s => Math.round(s.getBoundingClientRect().width))];
    }"""
    first = page.evaluate(widths)
    assert len(first) >= 3 and len(set(first)) == 1, first  # the box, the plot and the data points' overlay
    page.evaluate("() => { document.querySelector('.st-key-pv-chart-picked .pv-live-chart').parentElement"
                  ".style.width = '300px'; }")
    wait_until(lambda: set(page.evaluate(widths)) == {300})


LANDSCAPE_LAYERS_JS = """() => {
  const under = document.querySelector('.st-key-pv-chart-picked .pv-live-chart-overlay');
  const main = under.parentElement.querySelector('.pv-live-chart');
  const area = (gd) => [gd._fullLayout._size, gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range];
  const r = main.querySelector('.nsewdrag').getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return {same: JSON.stringify(area(main)) === JSON.stringify(area(under)), z: getComputedStyle(under).zIndex,
          contours: under.querySelectorAll('.contour').length, inMain: main.querySelectorAll('.contour').length,
          markers: main.querySelectorAll('.scatterlayer .trace:first-child path.point').length,
          mouseOnMain: main.contains(hit)};
}"""


def test_landscape_contours_are_drawn_under_the_moving_path_while_playing(page, streamlit_server):
    """While playing, the contours lie on a layer beneath the path, with the same plot area and axis ranges,
    and the mouse still reaches the plot; a long path carries at most PATH_MARKERS markers."""
    open_studio(page, streamlit_server, studio_url(REFERENCE, speed=50) + "&chart=Loss+landscape")
    press(page, "Play")
    wait_until(lambda: step(page) >= 600)  # a path of more points than PATH_MARKERS
    layers = wait_until(lambda: (lambda v: v if v["contours"] else None)(page.evaluate(LANDSCAPE_LAYERS_JS)))
    press(page, "Pause")
    assert layers["same"] and layers["z"] == "-1" and layers["inMain"] == 0 and layers["mouseOnMain"], layers
    assert 0 < layers["markers"] <= PATH_MARKERS, layers
    button(page, "Play").first.wait_for(timeout=30_000)
    wait_until(lambda: page.evaluate(LANDSCAPE_LAYERS_JS)["inMain"] > 0)  # paused: back in the plot, for hover


def test_config_json_downloaded_from_share_and_export_loads_back(page, streamlit_server, tmp_path):
    open_studio(page, streamlit_server, "/?optimizer=rmsprop&learning_rate=0.02")
    page.get_by_text("Share & export", exact=True).click()  # built only when opened
    wait_for_app(page)
    link = page.locator('[data-testid="stSidebar"] [data-testid="stCode"]')
    link.wait_for(timeout=30_000)
    assert "optimizer=rmsprop" in link.inner_text() and "learning_rate=0.02" in link.inner_text()
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"] button').filter(has_text="Config (JSON)").click()
    saved = tmp_path / "config.json"
    download.value.save_as(saved)
    assert '"optimizer": "rmsprop"' in saved.read_text()

    optimizer = page.locator('[data-testid="stSelectbox"]').filter(has_text="Optimizer")
    optimizer.locator("input").click()
    page.keyboard.type("sgd")
    page.keyboard.press("Enter")
    wait_for_app(page)
    wait_until(lambda: "optimizer=sgd" in page.url)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Load a config")
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(saved))
    wait_for_app(page)
    wait_until(lambda: "optimizer=rmsprop" in page.url)  # every control set from the file
    assert optimizer.locator("input").input_value() == "rmsprop"
    assert "0.02" in page.locator('[data-testid="stSlider"]').filter(has_text="Learning rate").inner_text()

    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": b'{"learning_rate": -1}'}])
    wait_for_app(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Could not load that config")
    alert.first.wait_for(timeout=30_000)
    assert "learning_rate" in alert.first.inner_text()
    assert "optimizer=rmsprop" in page.url  # the previous settings stay
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_mid_training(browser, streamlit_server, artifacts_dir, scheme):
    """Screenshots to look at (light and dark). With PARAMVIZ_DOCS_SCREENSHOT=1 the light one also replaces
    the README's docs/studio.png (not by default: a test run should not change tracked files)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_studio(page, streamlit_server, studio_url(REFERENCE, speed=20))
        press(page, "Play")
        wait_until(lambda: step(page) >= 600)
        press(page, "Pause")
        button(page, "Play").first.wait_for(timeout=30_000)
        wait_for_app(page)
        time.sleep(1.5)  # let the last frame's charts finish drawing
        page.screenshot(path=str(artifacts_dir / f"studio_{scheme}.png"))
        if scheme == "light" and os.environ.get("PARAMVIZ_DOCS_SCREENSHOT") == "1":
            (REPO / "docs").mkdir(exist_ok=True)
            page.screenshot(path=str(REPO / "docs" / "studio.png"))
        for tab in ("Weights & biases", "Loss landscape", "Inside the optimizer", "Network"):
            page.get_by_role("radio", name=tab, exact=True).click()
            wait_for_app(page)
            time.sleep(1.0)
            page.screenshot(path=str(artifacts_dir / f"studio_{scheme}_{tab.split()[-1].lower()}.png"))
    finally:
        context.close()


RANGES_JS = """() => {
  const overlay = document.querySelector('.pv-live-chart-overlay');
  const main = overlay.parentElement.querySelector('.pv-live-chart');
  return [main, overlay].map((gd) => [gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range]);
}"""


def test_model_chart_data_points_follow_a_zoom(page, streamlit_server):
    """The data points are drawn on an overlay over the model chart; a zoom by the user (here while paused, so
    no new frame redraws the chart) must move the points with it."""
    open_studio(page, streamlit_server, studio_url(REFERENCE))
    page.wait_for_selector(".pv-live-chart-overlay .main-svg", timeout=30_000)
    main, overlay = page.evaluate(RANGES_JS)
    assert main == overlay
    box = page.locator(".pv-live-chart .nsewdrag").first.bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + box["width"] * 0.3, y0 + box["height"] * 0.3, steps=8)  # drag a zoom box
    page.mouse.up()
    zoomed = wait_until(lambda: (r := page.evaluate(RANGES_JS))[0] != main and r, 20)
    assert zoomed[0][0][1] - zoomed[0][0][0] < 0.5 * (main[0][1] - main[0][0])  # the chart zoomed in ...
    assert wait_until(lambda: (r := page.evaluate(RANGES_JS))[1] == r[0], 20)  # ... and the points followed
