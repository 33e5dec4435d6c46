"""The studio page under Streamlit's AppTest: one .run() is one rerun of app.py (run_every timers do not tick
here, so these tests drive training with Step, and with Play for exactly one frame)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import paramviz as pv
from paramviz.config import DATASET_NAMES, OPTIMIZER_NAMES, REGULARIZER_NAMES
from paramviz.lessons import LESSONS
from paramviz.ui import state, widgets
from paramviz.ui.studio import FOCUS_TAB, lesson_speed
from paramviz.ui.urls import parse_layers, studio_url

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


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
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.bytes) for c in at.get("bidi_component")
            if c.proto.component_name == "paramviz_live_chart"}


def the_run(at: AppTest) -> pv.Run:
    return at.session_state["run"]


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
        assert any(lesson.title in i.value for i in at.info)
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


def test_model_chart_keeps_the_data_points_on_the_overlay_and_its_key_in_the_caption():
    at = open_studio({"dataset": "moons"})
    chart = live_charts(at)["chart_model"]
    r = the_run(at)
    assert {t["type"] for t in chart["figure"]["data"]} == {"heatmap", "contour", "scatter"}  # legend ghosts
    assert [t["name"] for t in chart["figure"]["overlay"]] == ["train", "train", "test", "test"]  # one per class
    overlay = chart["figure"]["overlay"]
    n_points = sum(len(np.frombuffer(base64.b64decode(t["x"]["bdata"]), np.float32)) for t in overlay)
    assert n_points == len(r.data.y_train) + len(r.data.y_test)
    assert chart["caption"].startswith("● train points, ▲ test points")


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


def test_play_runs_one_frame_of_speed_steps_and_pause_stops():
    at = open_studio({"speed": "50"})
    at.button(key="play").click().run()
    assert at.session_state["playing"] is True
    assert the_run(at).step_count == 50
    at.button(key="pause").click().run()  # the pausing rerun trains no further
    assert at.session_state["playing"] is False
    assert the_run(at).step_count == 50


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
    assert f"diverged at step {r.diverged_at}" in warning and "Lower the learning rate" in warning


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
