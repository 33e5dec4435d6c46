"""The studio page under Streamlit's AppTest: one .run() is one rerun of app.py (run_every timers do not tick
here, so these tests drive training with Step, and with Play for exactly one frame)."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import paramviz as pv
from paramviz.charts import training as charts
from paramviz.config import DATASET_NAMES, OPTIMIZER_NAMES, REGULARIZER_NAMES
from paramviz.lessons import LESSONS
from paramviz.ui import livechart, state, widgets
from paramviz.ui.studio import FOCUS_TAB, FRAME_S, lesson_speed
from paramviz.ui.urls import parse_layers, studio_url

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def no_other_sessions_playing():
    """The server-wide record of playing sessions is shared by every AppTest in this process: start empty."""
    state._frames.clear()
    yield
    state._frames.clear()


def open_studio(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def live_charts(at: AppTest) -> dict[str, dict]:
    """The studio's charts by key, each the payload the page sends the browser: the figure (with its overlay of
    still traces) and the caption."""
    return {c.proto.id.rsplit("-", 1)[-1]: livechart.unpacked(c.proto.bytes) for c in at.get("bidi_component")
            if c.proto.component_name == "paramviz_live_chart"}


def the_run(at: AppTest) -> pv.Run:
    return at.session_state["run"]


def check_lesson_shown(at: AppTest, lesson) -> None:
    """The lesson's title heads the page, and what to watch sits in the sidebar right under the lesson picker,
    not above the buttons, where it pushed the charts below a projector's fold."""
    assert at.main.markdown[0].value == f"### :material/school: {lesson.title}"
    sidebar = list(at.sidebar.children.values())
    picker = next(i for i, node in enumerate(sidebar) if getattr(node, "key", None) == "lesson_pick")
    assert [i.value for i in at.sidebar.info] == [sidebar[picker + 1].value] == [lesson.watch]
    assert not at.main.info


def hot_config(cfg: pv.TrainConfig) -> pv.TrainConfig:
    return cfg.replace(record_every=1)


# ---- every lesson and a spread of settings run without an exception ----------------------------------------

def test_every_lesson_loads_its_config_focus_and_watch_text():
    at = open_studio()
    for key, lesson in LESSONS.items():
        at.selectbox(key="lesson_pick").select(key).run()
        no_trouble(at)
        r = the_run(at)
        assert hot_config(r.cfg) == lesson.config.replace(record_every=1), key
        assert r.step_count == 0
        check_lesson_shown(at, lesson)
        assert at.session_state["speed"] == lesson_speed(lesson.steps)
        if lesson.focus in FOCUS_TAB:
            assert at.session_state["chart"] == FOCUS_TAB[lesson.focus]
        at.button(key="step").click().run()
        no_trouble(at)
        assert metric(at, "Step") == "1"
        for shadow in at.session_state["shadows"].values():  # compared optimizers move in lockstep
            assert shadow.step_count == 1
        assert set(at.session_state["shadows"]) == set(lesson.compare) - {lesson.config.optimizer}


def test_lesson_with_compare_draws_both_paths_on_the_landscape():
    at = open_studio()
    at.selectbox(key="lesson_pick").select("momentum-vs-sgd").run()
    for _ in range(3):
        at.button(key="step").click().run()
    no_trouble(at)
    spec = live_charts(at)["chart_land"]["figure"]
    assert [t["name"] for t in spec["data"] if t.get("mode") == "lines+markers"] == ["momentum (this run)", "sgd"]


def test_landscape_caption_says_whether_it_is_the_whole_surface_or_a_slice():
    line = live_charts(open_studio({"lesson": "momentum-vs-sgd"}))["chart_land"]["caption"]
    assert line == "This model has just W1[0,0] and b1[0]: the whole loss surface."
    assert "every other parameter is held" in live_charts(open_studio({"chart": "Loss landscape"}))["chart_land"][
        "caption"]


def test_landscape_contours_lie_under_the_paths_while_playing_and_in_the_plot_when_paused():
    at = open_studio({"chart": "Loss landscape"})
    paused = live_charts(at)["chart_land"]["figure"]
    assert paused["data"][0]["type"] == "contour" and paused["data"][0]["showscale"]  # hover reads the loss
    assert "overlay" not in paused
    at.button(key="play").click().run()
    no_trouble(at)
    playing = live_charts(at)["chart_land"]["figure"]
    assert [t["type"] for t in playing["overlay"]] == ["contour"] and playing["below"]
    assert not playing["overlay"][0]["showscale"]  # no colour bar to make the two layers' plot areas differ
    assert [t["name"] for t in playing["data"] if t.get("mode") == "lines+markers"] == ["adam (this run)"]
    assert playing["layout"]["margin"] == paused["layout"]["margin"]  # the plot does not move on Pause


SPREAD = [  # each dataset, each optimizer, each regularizer, 0 and 3 hidden layers
    (dataset, OPTIMIZER_NAMES[i % len(OPTIMIZER_NAMES)], REGULARIZER_NAMES[i % len(REGULARIZER_NAMES)], 3 * (i % 2))
    for i, dataset in enumerate(d for d in DATASET_NAMES if d != "csv")
]


def test_a_spread_of_settings_runs_and_trains():
    at = open_studio()
    for dataset, optimizer, regularizer, layers in SPREAD:
        at.selectbox(key="dataset").select(dataset)
        at.selectbox(key="optimizer").select(optimizer)
        at.selectbox(key="regularizer").select(regularizer)
        at.slider(key="n_layers").set_value(layers)
        at.run()
        no_trouble(at)
        if regularizer != "none":
            at.select_slider(key="reg_strength").set_value(0.001).run()
        at.button(key="step").click().run()
        no_trouble(at)
        r = the_run(at)
        assert (r.cfg.dataset, r.cfg.optimizer, r.cfg.regularizer) == (dataset, optimizer, regularizer)
        assert len(r.cfg.hidden_layers) == layers
        assert r.step_count == 1
        assert list(live_charts(at)) == ["chart_model", "chart_loss"]  # only the picked chart
    assert {o for _, o, _, _ in SPREAD} == set(OPTIMIZER_NAMES)
    assert {g for _, _, g, _ in SPREAD} == set(REGULARIZER_NAMES)


def test_csv_dataset_without_a_file_asks_for_one():
    at = open_studio({"dataset": "csv"})
    assert not at.exception
    assert any("CSV" in i.value for i in at.info)


def test_every_chart_draws_without_an_exception():
    for tab, key in zip(FOCUS_TAB.values(), ("chart_model", "chart_traj", "chart_land", "chart_opt", "chart_net")):
        at = open_studio({"chart": tab, "hidden_layers": "4,3"})
        at.button(key="step").click().run()
        no_trouble(at)
        drawn = live_charts(at)
        assert list(drawn) == [key, "chart_loss"], (tab, list(drawn))
        assert all(chart["figure"]["data"] for chart in drawn.values())


def test_live_charts_use_only_the_trace_types_of_the_served_plotly_bundle():
    # plotly.js silently draws nothing for a trace type it does not know: a chart outside the partial bundle's
    # types would be blank in the browser. Every tab, every dataset on the model tab, and big data (WebGL points).
    cases = [{"chart": tab, "hidden_layers": "4,3"} for tab in FOCUS_TAB.values()]
    cases += [{"dataset": d} for d in DATASET_NAMES if d != "csv"]
    cases += [{"dataset": "moons", "n_samples": "3000"}, {"dataset": "sine", "n_samples": "3000"}]
    seen = set()
    for query in cases:
        at = open_studio(query)
        at.button(key="step").click().run()
        no_trouble(at)
        for key, chart in live_charts(at).items():
            types = {t.get("type", "scatter") for t in chart["figure"]["data"] + chart["figure"].get("overlay", [])}
            assert types <= livechart.TRACE_TYPES, (query, key, types)
            seen |= types
    assert seen == livechart.TRACE_TYPES  # each type the bundle carries is needed


def test_the_served_plotly_bundle_registers_those_trace_types():
    bundle = Path(livechart.__file__).parent / "plotlyjs"
    entry = (bundle / "recipe" / "entry.js").read_text()
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)) - {"core"}
    assert registered | {"scatter"} == livechart.TRACE_TYPES  # core brings scatter
    head = (bundle / "plotly.min.js").read_text()[:300]
    assert re.match(r"/\*! plotly\.js v\d+\.\d+\.\d+ partial bundle for paramviz \(scatter, scattergl, heatmap, "
                    r"contour\)", head), head


def test_model_chart_keeps_the_data_points_on_the_overlay_and_its_key_in_the_caption():
    at = open_studio({"dataset": "moons"})
    chart = live_charts(at)["chart_model"]
    r = the_run(at)
    # the boundary moves; no legend-only traces, as the key is the caption
    assert [t["type"] for t in chart["figure"]["data"]] == ["heatmap", "contour"]
    assert [t["name"] for t in chart["figure"]["overlay"]] == ["train", "train", "test", "test"]  # one per class
    overlay = chart["figure"]["overlay"]
    n_points = sum(len(np.frombuffer(base64.b64decode(t["x"]["bdata"]), np.float32)) for t in overlay)
    assert n_points == len(r.data.y_train) + len(r.data.y_test)
    assert chart["caption"].startswith("● train points, ▲ test points")


def test_overlay_digest_stays_while_the_points_stay_and_changes_with_new_data():
    at = open_studio({"dataset": "moons"})
    before = live_charts(at)["chart_model"]["figure"]
    at.button(key="step").click().run()
    stepped = live_charts(at)["chart_model"]["figure"]
    assert stepped["data"] != before["data"]  # the boundary moved ...
    assert stepped["still"] == before["still"]  # ... the points did not: the browser keeps their layer as drawn
    at.slider(key="noise").set_value(0.35).run()
    assert live_charts(at)["chart_model"]["figure"]["still"] != before["still"]  # new data: drawn again


def test_payload_carries_raw_bytes_8_aligned_and_reads_back_as_the_base64_spec():
    r = pv.Run(pv.TrainConfig(regularizer="l2", reg_strength=1e-3)).step(300)
    spec = charts.optimizer_spec(r.trajectory, r.history, r.layout.n_layers)
    blobs: list[bytes] = []
    payload = {"figure": charts.encoded(spec, blobs), "caption": "c"}
    data = livechart.packed(payload, blobs)
    n = int.from_bytes(data[:4], "little")
    table = json.loads(data[4:4 + n])["blobs"]
    start = -(-(4 + n) // 8) * 8
    assert len(table) == len(blobs) > 0 and all((start + at) % 8 == 0 for at, _ in table)
    assert [data[start + at:start + at + size] for at, size in table] == blobs
    assert livechart.unpacked(data) == json.loads(json.dumps({"figure": charts.encoded(spec), "caption": "c"}))
    # raw bytes are 3/4 of their base64: the whole payload a fifth smaller here; the counts one byte each
    assert len(data) < 0.8 * len(json.dumps({"figure": charts.encoded(spec), "caption": "c"}))
    heat = next(t for t in spec["data"] if t["type"] == "heatmap")
    sent = next(t for t in livechart.unpacked(data)["figure"]["data"] if t["type"] == "heatmap")
    assert sent["z"]["dtype"] == "u1" and sent["z"]["shape"] == ",".join(map(str, heat["z"].shape))
    np.testing.assert_array_equal(np.frombuffer(base64.b64decode(sent["z"]["bdata"]), np.uint8).reshape(
        heat["z"].shape), heat["z"])


def test_trajectory_and_network_charts_say_what_their_marks_mean_under_a_title_that_fits():
    for chart, key, words in (("Weights & biases", "chart_traj", "dotted lines biases"),
                              ("Network", "chart_net", "colour is its bias")):
        payload = live_charts(open_studio({"chart": chart}))[key]
        assert words in payload["caption"]
        # a title of a few words: a 380-pixel chart (the row's narrowest, CHART_MIN_WIDTH) shows it whole
        assert len(payload["figure"]["layout"]["title"]["text"]) <= 30


@pytest.mark.parametrize("query, count", [
    ({"lesson": "lr-too-high"}, "2 trainable parameters: 1 weight, 1 bias"),
    ({}, "105 trainable parameters: 88 weights, 17 biases"),
])
def test_the_parameter_count_reads_as_english(query, count):
    at = open_studio(query)
    r = the_run(at)
    assert (r.n_weights + r.n_biases, r.n_weights) == tuple(int(n) for n in re.findall(r"\d+", count)[:2])
    assert any(c.value.startswith(f"**{count}**") for c in at.caption)


# ---- transport ---------------------------------------------------------------------------------------------

def test_step_advances_the_step_metric_by_one_step_or_one_epoch():
    at = open_studio()
    assert metric(at, "Step") == "0"
    at.button(key="step").click().run()
    assert metric(at, "Step") == "1"
    at.button_group(key="step_unit").set_value("1 epoch").run()
    at.button(key="step").click().run()
    r = the_run(at)
    assert r.step_count == r.steps_per_epoch  # to the end of the first epoch
    assert metric(at, "Step") == str(r.steps_per_epoch)


def test_the_epoch_metric_counts_passes_over_the_data_across_a_batch_size_change():
    at = open_studio()  # 140 training points in batches of 32: 5 steps an epoch
    at.button_group(key="step_unit").set_value("1 epoch").run()
    at.button(key="step").click().run()
    assert metric(at, "Epoch") == "1.0"
    at.select_slider(key="batch_size").set_value(64).run()  # training goes on: 3 steps an epoch now
    assert the_run(at).step_count == 5
    at.button(key="step").click().run()
    assert the_run(at).step_count == 8
    assert metric(at, "Epoch") == "2.0"  # not 8 / 3 = 2.7
    assert the_run(at).history["epoch"].iloc[-1] == 2.0


def test_each_step_pressed_is_recorded_whatever_the_speed_and_a_new_speed_sets_the_pace():
    at = open_studio({"speed": "200"})  # playing at 200 steps a frame records every 10th step
    assert the_run(at).cfg.record_every == 10
    for _ in range(12):
        at.button(key="step").click().run()
    no_trouble(at)
    assert the_run(at).history["step"].tolist() == list(range(13))
    assert the_run(at).trajectory["step"].tolist() == list(range(13))
    at.select_slider(key="speed").set_value(5).run()  # watching slowly: every step, without a notice
    assert the_run(at).cfg.record_every == 1 and the_run(at).step_count == 12
    assert "Changed" not in at.session_state["notice"]


def test_the_step_delta_is_the_progress_since_last_drawn_and_absent_when_there_is_none():
    def step_delta(at):
        return next(m for m in at.metric if m.label == "Step").delta or None  # AppTest reads no delta as ""

    at = open_studio({"speed": "50"})
    assert step_delta(at) is None  # step 0: no "+0"
    at.button(key="play").click().run()
    assert step_delta(at) == "+50"
    at.button(key="pause").click().run()
    assert step_delta(at) is None  # paused: nothing moved since
    at.button(key="step").click().run()
    assert step_delta(at) == "+1"
    at.button(key="reset").click().run()
    assert step_delta(at) is None  # not "-51"


def test_the_loss_and_accuracy_deltas_are_absent_at_step_0_and_the_change_since_step_0_after():
    def deltas(at):
        return {m.label: m.delta or None for m in at.metric if m.label in ("Train loss", "Test loss",
                                                                           "Test accuracy")}

    at = open_studio({"speed": "50"})
    assert deltas(at) == {"Train loss": None, "Test loss": None, "Test accuracy": None}  # no "0", no "+0.0%"
    at.button(key="step").click().run()
    h = the_run(at).history
    assert deltas(at)["Train loss"] == f"{h.train_loss.iloc[-1] - h.train_loss.iloc[0]:.4g}"
    assert deltas(at)["Test accuracy"] == f"{h.test_accuracy.iloc[-1] - h.test_accuracy.iloc[0]:+.1%}"


def test_the_learning_rate_metric_shows_only_when_a_schedule_changes_it():
    labels = [m.label for m in open_studio().metric]
    assert labels == ["Step", "Epoch", "Train loss", "Test loss", "Test accuracy"]
    at = open_studio({"schedule": "step", "schedule_epochs": "1", "schedule_gamma": "0.5"})
    at.button_group(key="step_unit").set_value("1 epoch").run()
    at.button(key="step").click().run()
    assert next(m for m in at.metric if m.label == "Learning rate").value == "0.005"  # 0.01 halved after an epoch


def test_play_runs_one_frame_of_speed_steps_and_pause_stops():
    at = open_studio({"speed": "50"})
    at.button(key="play").click().run()
    assert at.session_state["playing"] is True
    assert the_run(at).step_count == 50
    at.button(key="pause").click().run()  # the pausing rerun trains no further
    assert at.session_state["playing"] is False
    assert the_run(at).step_count == 50


def test_training_holds_the_session_lock_so_two_reruns_never_step_one_run_at_once(monkeypatch):
    """A click while playing can start a rerun before the previous frame has stopped: each one steps the Run
    only while holding the session's lock."""
    at = open_studio({"speed": "50"})
    lock, held = at.session_state["lock"], []
    step = pv.Run.step

    def probed_step(self, n=1):
        def probe():  # another thread: can it take the lock now?
            got = lock.acquire(blocking=False)
            if got:
                lock.release()
            held.append(not got)
        t = threading.Thread(target=probe)
        t.start()
        t.join()
        return step(self, n)

    monkeypatch.setattr(pv.Run, "step", probed_step)
    at.button(key="play").click().run()
    at.button(key="step").click().run()
    assert held and all(held), held


def test_reset_returns_to_step_zero_with_the_same_weights():
    at = open_studio()
    start = the_run(at).theta
    for _ in range(4):
        at.button(key="step").click().run()
    assert not np.array_equal(the_run(at).theta, start)
    at.button(key="reset").click().run()
    no_trouble(at)
    assert metric(at, "Step") == "0"
    np.testing.assert_array_equal(the_run(at).theta, start)


def test_new_weights_draws_a_new_initialisation():
    at = open_studio()
    start = the_run(at).theta
    at.button(key="new_weights").click().run()
    no_trouble(at)
    assert the_run(at).cfg.init_seed is not None
    assert not np.array_equal(the_run(at).theta, start)
    assert "new initial weights" in at.session_state["notice"]


def test_mid_run_learning_rate_change_keeps_the_weights():
    at = open_studio()
    for _ in range(3):
        at.button(key="step").click().run()
    before, theta = the_run(at), the_run(at).theta
    at.select_slider(key="learning_rate").set_value(0.1).run()
    no_trouble(at)
    after = the_run(at)
    assert after is before and after.step_count == 3
    assert after.cfg.learning_rate == 0.1
    np.testing.assert_array_equal(after.theta, theta)
    assert "training continues from the current weights" in at.session_state["notice"]


def test_architecture_change_starts_a_new_run_and_says_so():
    at = open_studio()
    for _ in range(3):
        at.button(key="step").click().run()
    before = the_run(at)
    at.slider(key="n_layers").set_value(1).run()
    no_trouble(at)
    after = the_run(at)
    assert after is not before and after.step_count == 0
    assert after.cfg.hidden_layers == (8,)
    assert at.session_state["notice"] == "New run: the architecture changed."
    assert any("architecture changed" in t.value for t in at.toast)


def test_divergence_warns_with_the_step_and_stops_playing():
    at = open_studio({"dataset": "linear", "hidden_layers": "none", "optimizer": "sgd", "learning_rate": "10",
                      "batch_size": "full batch", "speed": "500"})
    at.button(key="play").click().run()
    assert not at.exception
    r = the_run(at)
    assert r.diverged and at.session_state["playing"] is False
    warning = next(w.value for w in at.warning)
    assert f"diverged at step {r.diverged_at}:** the loss" in warning and "lower the learning rate" in warning
    assert f"shown: step {r.step_count}, the last finite one" in warning and r.step_count == r.diverged_at - 1


# ---- URLs ---------------------------------------------------------------------------------------------------

def test_studio_url_opens_the_studio_with_exactly_that_config():
    cfg = pv.TrainConfig(dataset="spiral", n_samples=300, noise=0.1, test_fraction=0.25, seed=9,
                         hidden_layers=(6, 4), activation="relu", poly_degree=2, init="he", init_seed=5,
                         optimizer="momentum", momentum=0.8, learning_rate=0.0037, batch_size=100_000,
                         schedule="step", schedule_gamma=0.7, schedule_epochs=20, regularizer="elasticnet",
                         reg_strength=0.002, l1_ratio=0.3, proximal=True)
    url = studio_url(cfg, speed=20)
    assert urlsplit(url).path == "/"
    at = open_studio(dict(parse_qsl(urlsplit(url).query)))
    no_trouble(at)
    assert hot_config(the_run(at).cfg) == cfg
    assert at.session_state["speed"] == 20
    assert the_run(at).cfg.record_every == state.record_every_for(20)


def test_bad_query_params_fall_back_to_defaults():
    at = open_studio({"learning_rate": "fast", "hidden_layers": "99,x", "optimizer": "warp", "n_samples": "-5",
                      "noise": "banana", "batch_size": "0", "speed": "7", "chart": "nope", "init_seed": "-1",
                      "seed": "abc", "test_fraction": "2", "log_y": "maybe", "proximal": "yes", "dataset": "",
                      "momentum": "1.5", "reg_strength": "-3"})
    no_trouble(at)
    assert hot_config(the_run(at).cfg) == pv.TrainConfig()
    assert at.session_state["speed"] == widgets.DEFAULT_SPEED


def test_out_of_grid_learning_rate_from_url_is_kept_exactly():
    at = open_studio({"learning_rate": "0.0123"})
    assert the_run(at).cfg.learning_rate == 0.0123
    assert 0.0123 in at.select_slider(key="learning_rate").options or "0.0123" in at.select_slider(
        key="learning_rate").options


# ---- config files --------------------------------------------------------------------------------------------

def test_config_json_round_trips_and_a_bad_one_names_the_field():
    cfg = pv.TrainConfig(dataset="xor", hidden_layers=(4,), learning_rate=0.2)
    assert widgets.config_from_json(json.dumps(cfg.to_dict())) == cfg
    with pytest.raises(ValueError, match="learning_rate"):
        widgets.config_from_json(json.dumps({**cfg.to_dict(), "learning_rate": -1}))
    with pytest.raises(ValueError, match="not valid JSON"):
        widgets.config_from_json("{oops")


def test_hidden_layers_text_parses_and_rejects():
    assert parse_layers("8,4") == (8, 4) and parse_layers("none") == ()
    with pytest.raises(ValueError, match="hidden_layers"):
        parse_layers("8,x")


def test_fast_speeds_catch_up_a_late_frame_and_slow_speeds_stay_exact():
    at = open_studio({"speed": "100"})
    at.button(key="play").click().run()
    assert the_run(at).step_count == 100  # the first frame after Play: exactly the speed
    at.session_state["last_frame_at"] = start = time.monotonic() - 0.25  # the next frame comes 2.5 frames late
    at.run()
    late = (time.monotonic() - start) / FRAME_S  # 2.5 frames, plus the rerun itself
    assert 350 <= the_run(at).step_count <= 100 + round(100 * late)
    at.session_state["last_frame_at"] = time.monotonic() - 60  # a stall is made up for five frames at most
    before = the_run(at).step_count
    at.run()
    assert the_run(at).step_count - before == 500

    slow = open_studio({"speed": "20"})
    slow.button(key="play").click().run()
    slow.session_state["last_frame_at"] = time.monotonic() - 1.0
    slow.run()
    assert the_run(slow).step_count == 40  # watching single steps: never more than the speed per frame


def test_catching_up_never_runs_past_a_lesson_stop():
    at = open_studio()
    at.selectbox(key="lesson_pick").select("overfit-polynomial").run()
    stop = at.session_state["stop_at"]
    at.button(key="play").click().run()
    while at.session_state["playing"]:
        at.session_state["last_frame_at"] = time.monotonic() - 60
        at.run()
    assert the_run(at).step_count == stop


# ---- ε: a control for the adaptive optimizers, in the URL, hot mid-run --------------------------------------

EPS_DEFAULTS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8, "adamw": 1e-8}


def test_eps_slider_shows_only_for_optimizers_that_use_it_at_their_default():
    for name in OPTIMIZER_NAMES:
        at = open_studio({"optimizer": name})
        no_trouble(at)
        shown = [s for s in at.select_slider if s.key == "eps"]
        assert bool(shown) == (name in EPS_DEFAULTS), name
        if shown:
            assert shown[0].value == EPS_DEFAULTS[name]
            assert "SGD with momentum" in shown[0].help
        assert the_run(at).cfg.eps is None


def test_eps_from_a_link_is_used_and_changing_it_mid_run_keeps_the_weights():
    cfg = pv.TrainConfig(optimizer="rmsprop", eps=3e-7)  # off the slider's grid: kept exactly
    at = open_studio(dict(parse_qsl(urlsplit(studio_url(cfg)).query)))
    no_trouble(at)
    assert hot_config(the_run(at).cfg) == cfg
    assert at.select_slider(key="eps").value == 3e-7
    for _ in range(3):
        at.button(key="step").click().run()
    before, theta = the_run(at), the_run(at).theta
    at.select_slider(key="eps").set_value(1e-3).run()
    no_trouble(at)
    assert the_run(at) is before and before.step_count == 3 and before.cfg.eps == 1e-3
    np.testing.assert_array_equal(before.theta, theta)
    assert at.session_state["notice"] == ("Changed ε at step 3: training continues from the current weights.")


def test_bad_eps_in_the_url_falls_back_to_the_optimizers_default():
    for bad in ("tiny", "0", "-1e-8", "5", "nan", ""):
        at = open_studio({"optimizer": "adagrad", "eps": bad})
        no_trouble(at)
        assert the_run(at).cfg.eps is None, bad
        assert at.select_slider(key="eps").value == 1e-10, bad
    at = open_studio({"optimizer": "sgd", "eps": "0.001"})  # plain SGD has no ε
    assert the_run(at).cfg.eps is None


def test_eps_at_its_default_follows_the_optimizer_and_a_chosen_one_stays():
    at = open_studio()
    at.selectbox(key="optimizer").select("adagrad").run()
    assert at.select_slider(key="eps").value == 1e-10 and the_run(at).cfg.eps is None
    at.select_slider(key="eps").set_value(1e-3).run()
    at.selectbox(key="optimizer").select("rmsprop").run()
    no_trouble(at)
    assert at.select_slider(key="eps").value == 1e-3 and the_run(at).cfg.eps == 1e-3


def _load_config_script():
    """A page with the studio's sidebar and one button that loads a config, as a config.json upload does."""
    import streamlit as st

    import paramviz as pv
    from paramviz.ui import widgets

    cfg = pv.TrainConfig(optimizer="adamw", eps=1e-5, hidden_layers=(6, 3), learning_rate=0.02)
    st.button("load", key="load", on_click=widgets.apply_config, args=(cfg,))
    widgets.load_layers_from_url()
    st.session_state["cfg"] = widgets.sidebar_ui().cfg


def test_a_loaded_config_sets_eps_and_uneven_layers():
    at = AppTest.from_function(_load_config_script, default_timeout=TIMEOUT).run()
    at.button(key="load").click().run()
    no_trouble(at)
    cfg = pv.TrainConfig(optimizer="adamw", eps=1e-5, hidden_layers=(6, 3), learning_rate=0.02)
    assert at.session_state["cfg"] == cfg
    assert widgets.config_from_json(json.dumps(cfg.to_dict())) == cfg  # and the JSON export carries eps
    assert at.select_slider(key="eps").value == 1e-5
    assert at.text_input(key="layer_widths").value == "6, 3"


# ---- the lesson in the URL -----------------------------------------------------------------------------------

def test_share_and_export_is_built_only_while_open():
    at = open_studio()
    assert not at.code and not at.get("download_button")
    at.session_state["share_open"] = True  # the user opens the expander
    at.run()
    no_trouble(at)
    assert query_of(at.code[0].value) == {"speed": "200"}  # the defaults, so only the speed
    assert [b.proto.label for b in at.get("download_button")] == ["History (CSV)", "Weights and biases over time (CSV)",
                                                                  "Config (JSON)"]


def test_picking_a_lesson_puts_it_in_the_url_and_the_share_link_and_unpicking_removes_it():
    at = open_studio()
    at.session_state["share_open"] = True
    at.selectbox(key="lesson_pick").select("xor-needs-hidden-layer").run()
    no_trouble(at)
    assert at.query_params["lesson"] == "xor-needs-hidden-layer"
    link = at.code[0].value
    assert query_of(link)["lesson"] == "xor-needs-hidden-layer" and query_of(link)["dataset"] == "xor"
    at.selectbox(key="lesson_pick").select("none").run()
    no_trouble(at)
    assert "lesson" not in at.query_params
    assert "lesson" not in query_of(at.code[0].value)
    assert not any("XOR" in i.value for i in at.info)
    assert at.main.markdown[0].value == "### Training studio · watch the weights and biases learn"


def query_of(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_a_lesson_link_shows_the_lesson_with_the_config_from_the_url():
    lesson = LESSONS["lr-too-high"]
    cfg = lesson.config.replace(learning_rate=0.5)  # the student lowered the learning rate, then shared
    at = open_studio(query_of(studio_url(cfg, lesson="lr-too-high")))
    no_trouble(at)
    assert hot_config(the_run(at).cfg) == cfg  # the URL's learning rate, not the lesson's 1.5
    check_lesson_shown(at, lesson)
    assert at.session_state["chart"] == FOCUS_TAB[lesson.focus] == "Loss landscape"
    assert at.session_state["stop_at"] == lesson.steps == 600
    assert at.session_state["speed"] == lesson_speed(600)
    assert at.selectbox(key="lesson_pick").value == "lr-too-high"
    assert at.query_params["lesson"] == "lr-too-high"


def test_a_link_with_only_the_lesson_loads_the_lessons_own_config():
    at = open_studio({"lesson": "xor-needs-hidden-layer"})
    no_trouble(at)
    assert hot_config(the_run(at).cfg) == hot_config(LESSONS["xor-needs-hidden-layer"].config)
    assert at.query_params["dataset"] == "xor" and at.query_params["hidden_layers"] == "none"


def test_a_bad_lesson_param_is_ignored_and_dropped():
    for bad in ("nope", "", "LR-TOO-HIGH"):
        at = open_studio({"lesson": bad, "learning_rate": "0.5"})
        no_trouble(at)
        assert at.session_state["lesson"] is None and "lesson" not in at.query_params, bad
        assert the_run(at).cfg.learning_rate == 0.5
        assert not at.info
    at = open_studio({"lesson": "xor-needs-hidden-layer", "dataset": "spiral"})  # not the lesson's data
    assert at.session_state["lesson"] is None and the_run(at).cfg.dataset == "spiral"


def test_another_dataset_closes_the_lesson_but_following_its_advice_keeps_it():
    at = open_studio()
    at.selectbox(key="lesson_pick").select("xor-needs-hidden-layer").run()
    at.slider(key="n_layers").set_value(1).run()  # what the lesson says to do next
    no_trouble(at)
    assert at.session_state["lesson"] == "xor-needs-hidden-layer" and at.query_params["lesson"]
    at.selectbox(key="dataset").select("moons").run()
    no_trouble(at)
    assert at.session_state["lesson"] is None and at.selectbox(key="lesson_pick").value == "none"
    assert "lesson" not in at.query_params and at.session_state["stop_at"] is None
    assert "Lesson closed: its data is xor." in [t.value for t in at.toast]


# ---- uneven layer widths -------------------------------------------------------------------------------------

def test_uneven_widths_from_a_link_survive_the_layer_count_slider():
    at = open_studio({"hidden_layers": "8,4"})
    assert the_run(at).cfg.hidden_layers == (8, 4)
    assert at.text_input(key="layer_widths").value == "8, 4"
    at.slider(key="n_layers").set_value(3).run()  # a new layer repeats the last width
    no_trouble(at)
    assert the_run(at).cfg.hidden_layers == (8, 4, 4) and at.query_params["hidden_layers"] == "8,4,4"
    at.slider(key="n_layers").set_value(1).run()  # fewer layers drop the output side
    assert the_run(at).cfg.hidden_layers == (8,) and at.text_input(key="layer_widths").value == "8"


def test_typed_widths_set_uneven_layers_and_bad_text_keeps_the_model():
    at = open_studio()
    at.text_input(key="layer_widths").input("16, 8, 2").run()
    no_trouble(at)
    assert the_run(at).cfg.hidden_layers == (16, 8, 2) and at.query_params["hidden_layers"] == "16,8,2"
    assert at.slider(key="n_layers").value == 3
    at.text_input(key="layer_widths").input("16, x").run()
    assert the_run(at).cfg.hidden_layers == (16, 8, 2)
    assert [e.value for e in at.error] == [
        "Those widths can't be used: Hidden layers must be widths separated by commas, e.g. 8,8; got '16, x'. "
        "The model keeps 16, 8, 2."]
    at.text_input(key="layer_widths").input("none").run()
    no_trouble(at)
    assert the_run(at).cfg.hidden_layers == () and at.slider(key="n_layers").value == 0


def test_the_neurons_slider_says_it_makes_uneven_layers_equal_and_does():
    at = open_studio({"hidden_layers": "8,4"})
    assert any("Moving “Neurons per layer” gives them all one width" in c.value for c in at.caption)
    at.select_slider(key="neurons").set_value(16).run()
    no_trouble(at)
    assert the_run(at).cfg.hidden_layers == (16, 16) and at.text_input(key="layer_widths").value == "16, 16"
    assert not any("Neurons per layer" in c.value for c in at.caption)


def test_plotly_js_is_preloaded_at_the_top_of_the_sidebar_from_the_apps_own_server():
    at = open_studio()
    first = next(iter(at.sidebar.children.values()))  # the sidebar is drawn first: the download starts early
    src = "/component/paramviz.ui.livechart.plotly_js/plotly.min.js"
    assert type(first).__name__ == "Html" and first.proto.unsafe_allow_javascript
    assert f"loadPlotly({json.dumps(src)})" in first.proto.body  # the live charts' own loader, started early
    assert livechart._LOADER in first.proto.body and livechart._JS.startswith(livechart._LOADER)
    assert all(chart["src"] == src for chart in live_charts(at).values())
    served = Path(livechart.__file__).parent / "plotlyjs" / "plotly.min.js"  # what that route serves
    assert livechart._PLOTLY_DIR / "plotly.min.js" == served


def test_no_catching_up_while_another_session_plays():
    other, at = open_studio({"speed": "100"}), open_studio({"speed": "100"})
    other.button(key="play").click().run()  # another browser's session plays on the same server
    at.button(key="play").click().run()
    at.session_state["last_frame_at"] = time.monotonic() - 0.25
    other.run()
    at.run()
    assert the_run(at).step_count == 200  # two frames of exactly the speed: the server's time is shared


def test_the_landscape_grid_is_coarser_for_costlier_models():
    sizes = [state.grid_size(p) for p in (2, 105, 1185, 10_000, 330_000)]
    assert sizes == [61, 31, 21, 9, 9]  # a line, the classroom model, 2-32-32-1, wider, 6 × 256


def test_a_wide_network_offers_an_even_sample_of_its_parameters_as_landscape_axes():
    at = open_studio({"hidden_layers": "64,64,64", "chart": "Loss landscape"})
    no_trouble(at)
    r = the_run(at)
    options = at.selectbox(key="land_p1").options
    assert r.layout.n_params > 8000 and 300 <= len(options) <= 400
    assert set(options) <= set(r.param_names)
    for layer in range(1, 5):  # every layer's weights and biases are there to pick
        assert any(o.startswith(f"W{layer}[") for o in options) and any(o.startswith(f"b{layer}[") for o in options)
    small = open_studio({"chart": "Loss landscape"})
    assert small.selectbox(key="land_p1").options == the_run(small).param_names  # all 105


def test_the_landscape_with_one_parameter_on_both_axes_asks_for_two_in_the_charts_place():
    at = open_studio({"chart": "Loss landscape"})
    at.selectbox(key="land_p2").set_value(at.selectbox(key="land_p1").value).run()
    no_trouble(at)
    assert [i.value for i in at.info] == ["Pick two different parameters for the landscape's axes, under the charts."]
    assert at.selectbox(key="land_p2").set_value("b1[0]").run().info.len == 0


def test_the_loss_chart_tells_its_shading_and_star_in_its_caption():
    payload = live_charts(open_studio({"regularizer": "l2", "reg_strength": "0.001"}))["chart_loss"]
    assert payload["caption"] == charts.LOSS_KEY
    assert [t["name"] for t in payload["figure"]["data"] if t.get("showlegend", True)] == ["train", "test", "penalty"]


def test_inside_the_optimizer_tells_its_shading_and_dotted_line_in_its_caption():
    payload = live_charts(open_studio({"chart": "Inside the optimizer"}))["chart_opt"]
    assert payload["caption"] == charts.OPTIMIZER_KEY
    assert "1e-3 rule of thumb" not in [a["text"] for a in payload["figure"]["layout"]["annotations"]]
