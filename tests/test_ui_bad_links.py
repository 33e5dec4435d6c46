"""Settings the studio can't use, from the controls or from a link: messages name them in the controls' words, and
a link with them opens a working studio and one notice says what was left out and why."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_studio import TIMEOUT, no_other_sessions_playing, open_studio  # noqa: F401 (an autouse fixture)

import paramviz as pv
from paramviz.ui import widgets


def _sidebar_script():
    """The studio's sidebar alone, keeping what it returns."""
    import streamlit as st

    from paramviz.ui import widgets

    widgets.load_layers_from_url()
    st.session_state["controls"] = widgets.sidebar_ui()


def open_sidebar(query: dict[str, str]) -> AppTest:
    at = AppTest.from_function(_sidebar_script, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def sidebar_labels(at: AppTest) -> dict[str, str]:
    """Each keyed control's label, by key."""
    kinds = ("selectbox", "slider", "select_slider", "number_input", "checkbox", "text_input")
    return {w.key: w.label for kind in kinds for w in getattr(at, kind) if w.key}


# ---- settings that can't be used together --------------------------------------------------------------------

def test_a_link_whose_split_leaves_too_few_training_points_opens_the_default_setup_and_says_why():
    at = open_studio({"n_samples": "10", "test_fraction": "0.9", "speed": "20"})
    assert not at.exception and not at.error
    assert at.session_state["run"].cfg.replace(record_every=1) == pv.TrainConfig()
    assert [b.key for b in at.button][:2] == ["play", "step"]  # a working studio, not a message alone
    assert dict(at.query_params) == {"speed": "20"}  # the address bar no longer asks for the unusable setup
    assert open_sidebar({"n_samples": "10", "test_fraction": "0.9"}).session_state["controls"].link_notice == (
        "Ignored from the link: Number of samples “10”, Test share “0.9”, because test share 0.9 leaves fewer "
        "than 2 training samples of 10. The studio opened with its default setup.")


def test_the_studio_page_shows_what_a_link_left_out_above_a_working_studio():
    at = open_studio({"learning_rate": "abc", "dataset": "foo"})
    assert not at.exception and not at.error
    [warning] = at.warning
    assert warning.value.startswith("Ignored from the link: Dataset “foo” (must be one of ")
    assert "Learning rate “abc” (must be a number in (0, 100])" in warning.value
    assert at.session_state["run"].cfg.learning_rate == pv.TrainConfig().learning_rate


def test_an_unusable_link_with_a_bad_value_too_names_both():
    notice = open_sidebar({"n_samples": "10", "test_fraction": "0.9", "learning_rate": "x"}).session_state[
        "controls"].link_notice
    assert notice == ("Ignored from the link: Number of samples “10”, Test share “0.9”, because test share 0.9 "
                      "leaves fewer than 2 training samples of 10; Learning rate “x” (must be a number in (0, 100]). "
                      "The studio opened with its default setup.")


def test_a_split_made_with_the_controls_names_test_share_and_training_continues():
    at = open_studio({"n_samples": "10"})
    at.button(key="step").click().run()
    before = at.session_state["run"]
    at.slider(key="test_fraction").set_value(0.9).run()
    assert [e.value for e in at.error] == [
        "That setting can't be used: Test share 0.9 leaves fewer than 2 training samples of 10. Training "
        "continues with the previous one."]
    assert at.session_state["run"] is before and before.step_count == 1


# ---- values a control can't take -----------------------------------------------------------------------------

def test_bad_values_in_a_link_are_named_with_their_controls_and_allowed_values():
    at = open_sidebar({"learning_rate": "abc", "hidden_layers": "1000", "dataset": "foo"})
    controls = at.session_state["controls"]
    assert controls.cfg == pv.TrainConfig()
    assert controls.link_notice == (
        "Ignored from the link: Dataset “foo” (must be one of linear, sine, ripple, moons, circles, xor, spiral, "
        "gaussians, blobs, csv); Hidden layers “1000” (must be 0 to 6 widths from 1 to 256 separated by commas, "
        "e.g. 8,8); Learning rate “abc” (must be a number in (0, 100]). Their defaults are used.")  # sidebar order


def test_slider_values_outside_the_controls_range_are_named_with_that_range():
    notice = open_sidebar({"noise": "5", "speed": "7", "optimizer": "momentum", "momentum": "2"}).session_state[
        "controls"].link_notice
    assert notice == ("Ignored from the link: Noise “5” (must be a number in [0, 3]); Momentum μ “2” (must be a "
                      "number in [0, 0.99]); Steps per frame “7” (must be one of 1, 2, 5, 10, 20, 50, 100, 200, 500, "
                      "1000). Their defaults are used.")


def test_a_link_the_controls_take_whole_gives_no_notice_and_the_notice_shows_once():
    at = open_sidebar({"learning_rate": "0.0123", "batch_size": "full batch", "hidden_layers": "none",
                       "scale_inputs": "false", "optimizer": "sgd", "momentum": "2"})  # momentum: not for sgd
    controls = at.session_state["controls"]
    assert controls.link_notice == "" and controls.cfg.learning_rate == 0.0123
    bad = open_sidebar({"learning_rate": "abc"})
    assert bad.session_state["controls"].link_notice
    bad.run()
    assert bad.session_state["controls"].link_notice == ""


# ---- one message for a CSV without a file ----------------------------------------------------------------------

def test_csv_without_a_file_says_so_once():
    at = open_studio({"dataset": "csv"})
    assert not at.exception
    messages = [m.value for kind in ("info", "warning", "error") for m in getattr(at, kind)]
    assert len([m for m in messages if "CSV" in m]) == 1, messages
    assert at.get("file_uploader")[0].label == "Your own data (CSV)"  # the control the message points at


# ---- the controls' words in messages ----------------------------------------------------------------------------

@pytest.mark.parametrize("engine, words", [
    ("test_fraction 0.9 leaves fewer than 2 training samples of 10",
     "Test share 0.9 leaves fewer than 2 training samples of 10"),
    ("hidden_layers[0] must be a whole number in [1, 256]; got 0",
     "Width of hidden layer 1 must be a whole number in [1, 256]; got 0"),
    ("hidden_layers must be widths separated by commas, e.g. 8,8; got '8,x'",
     "Hidden layers must be widths separated by commas, e.g. 8,8; got '8,x'"),
    ("learning_rate must be a number in (0, 100]; got -1", "Learning rate must be a number in (0, 100]; got -1"),
    ("upload a CSV file (Data → Your own data) to train on it",
     "upload a CSV file (Data → Your own data) to train on it"),
])
def test_in_words_puts_the_field_an_engine_message_names_in_its_controls_words(engine, words):
    assert widgets.in_words(engine) == words


def test_label_list_names_changed_fields_as_the_sidebar_does():
    assert widgets.label_list(["batch_size", "learning_rate"]) == "Batch size, Learning rate"


def test_typed_widths_that_cant_be_used_are_named_by_layer():
    at = open_studio({})
    at.text_input(key="layer_widths").input("8, 0").run()
    assert [e.value for e in at.error] == [
        "Those widths can't be used: Width of hidden layer 2 must be a whole number in [1, 256]; got 0. The model "
        "keeps 8, 8."]


def test_every_control_is_labelled_with_its_name_in_messages():
    at = open_sidebar({"optimizer": "adamw", "schedule": "step", "regularizer": "elasticnet", "dataset": "blobs"})
    labels = sidebar_labels(at) | {"hidden_layers": sidebar_labels(at)["n_layers"]}
    shown = {field: label for field, label in labels.items() if field in widgets.LABELS}
    assert set(shown) == set(widgets.LABELS) - {"rho", "momentum"}  # the other optimizers' settings
    for field, label in shown.items():
        assert label.startswith(widgets.LABELS[field]), (field, label)
