"""The training studio: set hyperparameters, press Play, and watch the weights and biases learn.

`page()` wires it: the sidebar returns a TrainConfig, the session's Run follows it, and a fragment that
reruns ten times a second while playing steps the Run and redraws the numbers and charts.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import streamlit as st

import paramviz as pv
from paramviz.charts import network as network_charts
from paramviz.charts import training as charts
from paramviz.config import DATASET_NAMES, OPTIMIZER_NAMES, field_names
from paramviz.ui import state, widgets
from paramviz.ui.livechart import live_chart, preload_plotly
from paramviz.ui.urls import LESSON_PARAM, config_params, counted, studio_query

try:
    from paramviz.lessons import LESSONS
except ImportError:  # the lessons module is optional for the studio to work
    LESSONS = {}

FRAME_S = 0.1  # seconds between frames while playing
CATCH_UP_FROM = 50  # steps per frame from which a late frame takes proportionally more steps ...
MAX_CATCH_UP = 5.0  # ... up to this many frames' worth: a browser drawing 4-5 frames a second sends many 0.3 s
# apart, and a cap of 3 lost 4% of the pace the speed promises (steps per frame × ten frames a second)
TABS = ("The model", "Weights & biases", "Loss landscape", "Inside the optimizer", "Network")
FOCUS_TAB = {"model": TABS[0], "trajectories": TABS[1], "landscape": TABS[2], "optimizer": TABS[3], "network": TABS[4]}
CHART_HEIGHT = 460
NO_LESSON = "none"
OPTION_WIDTH = 190  # pixels: one of the picked chart's options (a landscape axis); a row of them wraps
PLAY_WIDTH = 110  # pixels: Play and Pause take the same room, so the row does not jump when they swap
CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}  # each chart takes its box's width (livechart.js)
# The chart row (charts_ui) wraps rather than squeeze its two charts: each is at least CHART_MIN_WIDTH pixels
# wide, and the picked chart takes the larger share. The notice beside the buttons (transport_ui) takes what
# room they leave, wrapping its words, and goes under them only where less than NOTICE_MIN_WIDTH is left: sized
# to its words it went under them on a 1280-pixel projector, a line further from the charts. Streamlit gives a
# keyed container the class st-key-<key>; in a horizontal container the flex item is the layout wrapper around
# it. The page starts just under Streamlit's header (60 px tall) rather than at its own 96 px: on a 720-pixel
# projector those 32 px are the top of the charts. On a narrow screen (a 1024-pixel projector with the sidebar
# open: 564 px for the page) the title takes a smaller font and the chart tabs less padding, so that each keeps
# to one line instead of two: 70 px more of the charts above the fold. Our own constant stylesheet.
CHART_MIN_WIDTH = 380
NOTICE_MIN_WIDTH = 240
NARROW_SCREEN = 1180  # pixels of window width
STUDIO_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 4rem; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-pv-chart-picked, > .st-key-pv-chart-loss) {{
  flex: 1 1 0%; min-width: min({CHART_MIN_WIDTH}px, 100%);
}}
[data-testid="stLayoutWrapper"]:has(> .st-key-pv-chart-picked) {{ flex-grow: 1.2; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-pv-notice) {{
  flex: 1 1 0%; min-width: min({NOTICE_MIN_WIDTH}px, 100%);
}}
@media (max-width: {NARROW_SCREEN}px) {{
  [data-testid="stMainBlockContainer"] h3 {{ font-size: 1.45rem; }}
  .st-key-chart button {{ padding-left: 10px; padding-right: 10px; }}
}}
</style>"""


def page() -> None:
    try:
        state.init()
        with state.session_lock():
            widgets.load_layers_from_url()
            studio()
    except Exception as e:  # the last line of defence: a message, never a traceback
        st.session_state["playing"] = False
        st.error(f"Something went wrong in the studio ({type(e).__name__}: {e}). Press Reset, or change a "
                 "setting; your other settings are kept.")


def studio() -> None:
    with st.sidebar:
        preload_plotly()
        lesson_ui()
    st.html(STUDIO_CSS)
    controls = widgets.sidebar_ui()
    heading()
    if controls.link_notice:  # settings a shared link asked for that the controls cannot take
        st.warning(controls.link_notice, icon=":material/link_off:")
    r = follow_controls(controls)
    with st.sidebar:
        share_ui(r, controls)
    if r is None:
        return
    transport_ui(r)
    st.caption(f"**{counted(r.n_weights + r.n_biases, 'trainable parameter')}: {counted(r.n_weights, 'weight')}, "
               f"{counted(r.n_biases, 'bias', 'biases')}** · model {' → '.join(map(str, r.layout.sizes))} · "
               f"{len(r.data.y_train):,} train / {len(r.data.y_test):,} test points")
    chart, log_y = view_ui()
    live = st.container()
    # The picked chart's options (trajectory layers, landscape axes and comparisons) under the charts, though
    # drawn first, as the charts follow them: above, they pushed the charts 80 pixels further down, a sixth of
    # what a 720-pixel projector shows of them.
    view = View(chart, log_y, *chart_options(r, chart))
    playing = st.session_state["playing"]
    # Only the numbers and the two charts rerun every frame: each element in the fragment costs the server and
    # the browser time at ten frames a second, so the chart picker and its options sit outside it.
    with live:
        st.fragment(live_view, run_every=FRAME_S if playing else None)(controls.speed, view)


def follow_controls(controls: widgets.Controls) -> pv.Run | None:
    """Bring the session's Run in line with the controls; say so when a new run starts."""
    if controls.cfg is None:
        st.error(f"That setting can't be used: {controls.problem}. Training continues with the previous one.")
        return state.run()
    try:
        notice = state.sync_run(controls.cfg, controls.speed)
    except ValueError as e:
        st.info(f"To train: {e}." if "CSV" in str(e) else f"That setting can't be used: {widgets.in_words(str(e))}.")
        return state.run() if controls.cfg.dataset != "csv" else None
    if notice:
        st.session_state["notice"] = notice
        st.toast(notice)
    state.set_compare(st.session_state.get("compare", []))
    return state.run()


# ---- lessons -----------------------------------------------------------------------------------------------

def lesson_ui() -> None:
    open_lesson_from_url()
    close_lesson_if_data_changed()
    options = [NO_LESSON, *LESSONS]
    st.selectbox("Lesson", options, key="lesson_pick", on_change=load_lesson,
                 format_func=lambda k: "— pick a lesson —" if k == NO_LESSON else LESSONS[k].title,
                 help="A ready-made setup that shows one phenomenon. Loading it sets every control and tells "
                      "you what to watch; then press Play.")
    lesson_box()
    sync_lesson_param()


def lesson_speed(steps: int) -> int:
    """Steps per frame that play the lesson's steps in about ten seconds."""
    fitting = [s for s in widgets.SPEEDS if s <= max(1, steps // 100)]
    return fitting[-1] if fitting else 1


def load_lesson() -> None:
    """Callback: one pick loads the lesson's config, speed, focus chart and comparison optimizers."""
    ss = st.session_state
    key = ss.get("lesson_pick", NO_LESSON)
    if key not in LESSONS:
        close_lesson()
        return
    lesson = LESSONS[key]
    widgets.apply_config(lesson.config)
    ss["speed"] = lesson_speed(lesson.steps)
    start_lesson(key)
    ss.pop("run", None)  # a lesson always starts from step 0
    ss["notice"] = f"Lesson loaded: Play runs {lesson.steps:,} steps, then pauses."


def start_lesson(key: str) -> None:
    """Everything a lesson sets besides its config and speed: its box, stop point, focus chart and comparisons."""
    ss = st.session_state
    lesson = LESSONS[key]
    ss["lesson"], ss["lesson_pick"], ss["stop_at"], ss["playing"] = key, key, lesson.steps, False
    ss["compare"] = [o for o in lesson.compare if o in OPTIMIZER_NAMES]
    if lesson.focus in FOCUS_TAB:
        ss["chart"] = FOCUS_TAB[lesson.focus]
    if lesson.landscape:
        ss["land_p1"], ss["land_p2"] = lesson.landscape


def close_lesson() -> None:
    ss = st.session_state
    ss["lesson"], ss["lesson_pick"], ss["stop_at"], ss["compare"] = None, NO_LESSON, None, []


def open_lesson_from_url() -> None:
    """Once per session, before any control is drawn: ?lesson=<key> shows that lesson. The config comes from
    the URL, as a shared link carries it; a link with the lesson alone loads the lesson's own config. A lesson
    whose data is not the URL's, or an unknown key, is ignored."""
    ss = st.session_state
    if "lesson" in ss:
        return
    ss["lesson"] = None
    key = st.query_params.get(LESSON_PARAM)
    if key not in LESSONS:
        return
    lesson = LESSONS[key]
    if not any(name in st.query_params for name in field_names()):  # the lesson alone: its own config
        widgets.apply_config(lesson.config)
        st.query_params.update(config_params(lesson.config))  # the address bar says so, as after a pick
    elif url_dataset() != lesson.config.dataset:
        return
    if "speed" not in st.query_params:
        ss["speed"] = lesson_speed(lesson.steps)
    start_lesson(key)


def url_dataset() -> str:
    """The dataset the URL opens with (the default when it names none, or one that doesn't exist)."""
    name = st.query_params.get("dataset")
    return name if name in DATASET_NAMES else widgets.DEFAULTS.dataset


def close_lesson_if_data_changed() -> None:
    """A lesson is about its data: choosing another dataset closes it (its other settings are the lesson's
    to-dos: a new learning rate, another layer, L2 instead of L1)."""
    ss = st.session_state
    lesson = LESSONS.get(ss.get("lesson"))
    if lesson is not None and ss.get("dataset", lesson.config.dataset) != lesson.config.dataset:
        close_lesson()
        st.toast(f"Lesson closed: its data is {lesson.config.dataset}.")


def sync_lesson_param() -> None:
    """The URL carries the loaded lesson, so the address bar and a reload keep it."""
    key = st.session_state.get("lesson")
    if key in LESSONS:
        if st.query_params.get(LESSON_PARAM) != key:
            st.query_params[LESSON_PARAM] = key
    elif LESSON_PARAM in st.query_params:
        del st.query_params[LESSON_PARAM]


def heading() -> None:
    """One line: a lesson's own title takes the place of the page's, so the charts start as high with a lesson
    as without."""
    lesson = LESSONS.get(st.session_state.get("lesson"))
    st.markdown(f"### :material/school: {lesson.title}" if lesson else
                "### Training studio · watch the weights and biases learn")


def lesson_box() -> None:
    """What to watch, in the sidebar right under the lesson picker. Above the buttons it took four or five
    lines and pushed both charts below the fold of a 1280 × 720 projector; here it stays in view beside them
    while they play."""
    lesson = LESSONS.get(st.session_state.get("lesson"))
    if lesson is not None:
        st.info(lesson.watch)


# ---- transport: play, step, reset, new weights ---------------------------------------------------------------

def transport_ui(r: pv.Run) -> None:
    ss = st.session_state
    # A row that wraps: on a 1280-pixel projector with the sidebar open the buttons would not fit in columns.
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    playing = ss["playing"]
    if playing:  # two buttons, not one toggle: a click that reaches the server twice still means "pause"
        row.button("Pause", icon=":material/pause:", key="pause", type="primary", on_click=set_playing,
                   args=(False,), width=PLAY_WIDTH, help="Stop after this frame.")
    else:
        row.button("Play", icon=":material/play_arrow:", key="play", type="primary", on_click=set_playing,
                   args=(True,), width=PLAY_WIDTH,
                   help="Train continuously (about ten frames a second); press Pause to stop.")
    row.button("Step", key="step", on_click=step_once,
               help="One optimizer step (one minibatch update), or one epoch (a full pass over the data).")
    row.segmented_control("Step size", ["1 step", "1 epoch"], default="1 step", key="step_unit",
                          label_visibility="collapsed",
                          help="What Step does: one optimizer step (one minibatch), or the rest of the epoch.")
    row.button("Reset", key="reset", on_click=reset,
               help="Back to step 0 with the same initial weights, the same data and the same batches.")
    row.button("New weights", key="new_weights", on_click=new_weights,
               help="Draw new random initial weights (a new weight seed) and start from step 0.")
    if ss.get("notice"):
        row.container(key="pv-notice").caption(ss["notice"])


def set_playing(playing: bool) -> None:
    r = state.run()
    st.session_state["playing"] = playing and r is not None and not r.diverged
    st.session_state.pop("last_frame_at", None)  # time spent paused is not made up for


def frame_steps(speed: int, r: pv.Run) -> int:
    """Steps for this frame: `speed`, or, at fast speeds, more when the frame comes late (a slow browser), so
    that training keeps the pace the speed setting promises, about ten frames' worth a second, on any computer.
    Slow speeds stay exact: there a student watches single steps. Never past a lesson's stop."""
    ss = st.session_state
    now, last = time.monotonic(), ss.get("last_frame_at")
    ss["last_frame_at"] = now
    # Only a session playing alone catches up: with several playing, the server's time is what is short, and
    # catching up would take it from the others.
    alone = state.others_playing(now) == 0
    n = speed
    if speed >= CATCH_UP_FROM and last is not None and alone:
        n = round(speed * min(MAX_CATCH_UP, max(1.0, (now - last) / FRAME_S)))
    stop_at = ss.get("stop_at")
    if stop_at and r.step_count < stop_at:
        n = min(n, stop_at - r.step_count)
    return n


def reset() -> None:
    state.reset()
    lesson = LESSONS.get(st.session_state.get("lesson"))
    if lesson is not None:  # replaying a lesson pauses again where its phenomenon shows
        st.session_state["stop_at"] = lesson.steps


def step_once() -> None:
    st.session_state["playing"] = False
    with state.session_lock():
        state.record_every_step()  # a student stepping watches every step, whatever the speed
        state.advance(None if st.session_state.get("step_unit") == "1 epoch" else 1)


def new_weights() -> None:
    st.session_state["init_seed"] = random.randrange(2**31)
    st.session_state["playing"] = False


# ---- the live part: numbers and charts, rerun every frame while playing ------------------------------------

def live_view(speed: int, view: View) -> None:
    with state.session_lock():  # a frame rerun on its own is not inside page()'s hold
        frame(speed, view)


def frame(speed: int, view: View) -> None:
    ss = st.session_state
    r = state.run()
    if r is None:
        return
    try:
        if ss["playing"]:
            ss["frame"] += 1
            state.advance(frame_steps(speed, r))
            stop = stop_reason(r)
            if stop:
                ss["playing"], ss["notice"] = False, stop
                st.rerun(scope="app")
        metrics_ui(r)
        if r.diverged:
            divergence_warning(r)
        charts_ui(r, view)
    except Exception as e:  # inside the fragment too: a message, never a traceback
        ss["playing"] = False
        st.error(f"Something went wrong while training ({type(e).__name__}: {e}). Press Reset or change a "
                 "setting.")


def stop_reason(r: pv.Run) -> str:
    ss = st.session_state
    if r.diverged:
        return f"Paused: the run diverged at step {r.diverged_at}."
    stop_at = ss.get("stop_at")
    if stop_at and r.step_count >= stop_at:
        ss["stop_at"] = None
        return f"Paused at step {r.step_count}, where the lesson's phenomenon shows. Press Play to go on."
    return ""


def _fmt(x: float) -> str:
    """Four significant digits; huge values (a diverging run) short enough for a metric tile."""
    if x != x:
        return "—"
    return f"{x:.1e}" if abs(x) >= 1e6 else f"{x:.4g}"


def metrics_ui(r: pv.Run) -> None:
    h = r.history
    now, start = h.iloc[-1], h.iloc[0]
    metric = "r2" if r.data.task == "regression" else "accuracy"
    label = "Test R²" if metric == "r2" else "Test accuracy"
    shown = st.session_state.get("shown_step", (None, 0))
    moved = r.step_count - shown[1] if shown[0] == st.session_state.get("run_id") else 0
    st.session_state["shown_step"] = (st.session_state.get("run_id"), r.step_count)
    # One row that wraps when the numbers do not fit (a 1024-pixel projector with the sidebar open, a zoomed
    # laptop): equal columns would cut the values short instead.
    row = st.container(horizontal=True, gap="small")
    # The delta is the progress since the numbers were last drawn: none when there is none (paused, at step 0,
    # after Reset), rather than "+0" or a step count going backwards.
    row.metric("Step", f"{r.step_count:,}", delta=f"{moved:+,}" if moved > 0 else None, delta_color="off",
               help="Optimizer steps so far (one step = one minibatch update); the delta is how many steps "
                    "were taken since the numbers were last drawn.")
    row.metric("Epoch", f"{r.epochs_done:.1f}",
               help=f"Passes over the training data; one epoch is {r.steps_per_epoch} steps.")
    trained = r.step_count > 0  # at step 0 there is no change to show, not a "0" or a green "+0.0%"
    for name, key in (("Train loss", "train_loss"), ("Test loss", "test_loss")):
        row.metric(name, _fmt(now[key]), delta=_fmt(now[key] - start[key]) if trained else None,
                   delta_color="inverse", help="Change since step 0 in the delta (down is good).")
    value, delta = now[f"test_{metric}"], now[f"test_{metric}"] - start[f"test_{metric}"]
    text = _fmt(value) if metric == "r2" else f"{value:.1%}"
    delta_text = _fmt(delta) if metric == "r2" else f"{delta:+.1%}"
    row.metric(label, text, delta=delta_text if trained else None,
               help="On the held-out test data; change since step 0 in the delta.")
    if r.cfg.schedule != "constant":  # otherwise it is the slider's value: a tile that never moves, and a row
        row.metric("Learning rate", f"{r.learning_rate:.3g}",  # of its own on a 1024-pixel projector
                   help="The learning rate in force at this epoch (the schedule applied to the slider's value).")


def divergence_warning(r: pv.Run) -> None:
    """What happened, at which step, and what to try, in two lines of a 1280-pixel projector: every line more
    pushes the charts further below the fold."""
    st.warning(f"**Training diverged at step {r.diverged_at}:** {r.divergence_cause}; shown: step {r.step_count}, the "
               "last finite one. Each update overshot the minimum further than the last: lower the learning rate (now "
               f"{r.cfg.learning_rate:g}), press Reset.", icon="⚠️")


def show(spec: dict, key: str, still=None, caption: str = "", below: bool = False) -> None:
    """Draw a chart spec (from paramviz.charts); every frame updates the same plot in place."""
    live_chart(spec, key, CHART_CONFIG, still, caption, below)


def data_points(trace: dict) -> bool:
    """The train and test points: they stay put while the model under them learns."""
    return trace.get("mode") == "markers" and trace.get("name") in ("train", "test")


@dataclass(frozen=True)
class View:
    """What the chart row shows: the picked chart and its options, and the loss axis."""
    chart: str = TABS[0]
    log_y: bool = True
    layers: tuple[int, ...] = ()
    axes: tuple[str, str] | None = None  # the loss landscape's two parameters


def view_ui() -> tuple[str, bool]:
    """The chart picker and the loss chart's log switch, in a row that wraps on a narrow screen rather than
    cutting tabs off: (picked chart, log scale)."""
    row = st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center")
    chart = row.segmented_control(
        "Chart", TABS, default=TABS[0], required=True, key="chart", bind="query-params",
        label_visibility="collapsed", wrap=True,  # in a row, tabs would otherwise scroll out of sight
        help="Which chart to show on the left; the loss curves stay on the right. A lesson opens the chart "
             "where its phenomenon shows.") or TABS[0]
    log_y = row.toggle("Log scale", value=True, key="log_y", bind="query-params",
                       help="Loss on a logarithmic axis: equal distances mean equal ratios.")
    return chart, log_y


def chart_options(r: pv.Run, chart: str) -> tuple[tuple[int, ...], tuple[str, str] | None]:
    """The picked chart's own options, in a row that wraps on a narrow screen: (trajectory layers, landscape
    axes)."""
    if chart not in (TABS[1], TABS[2]):
        return (), None
    with st.container(horizontal=True, vertical_alignment="bottom"):
        if chart == TABS[1]:
            return layers_ui(r), None
        return (), landscape_ui(r)


def layers_ui(r: pv.Run) -> tuple[int, ...]:
    layers = [f"layer {i}" for i in range(1, r.layout.n_layers + 1)]
    picked = st.multiselect("Layers shown", layers, default=layers, key="traj_layers",
                            help="Show only some layers' weights and biases.", width=OPTION_WIDTH * 2)
    return tuple(int(p.split()[1]) for p in picked)


MAX_AXIS_CHOICES = 400


def axis_choices(r: pv.Run) -> list[str]:
    """The landscape's axis choices: every parameter of a small model; of a wide one, an even sample of each
    layer's weights and biases (a list of a 6 × 256 network's 330,000 names took the page most of a minute).
    Worked out once per run."""
    ss = st.session_state
    cached = ss.get("axis_choices")
    if cached and cached[0] == ss.get("run_id"):
        return cached[1]
    names = r.param_names
    if len(names) > MAX_AXIS_CHOICES:
        picked = charts.sampled(charts.parameter_groups(names), MAX_AXIS_CHOICES)
        names = [names[i] for i in sorted(np.concatenate(list(picked.values())))]
    ss["axis_choices"] = (ss.get("run_id"), names)
    return names


def landscape_ui(r: pv.Run) -> tuple[str, str] | None:
    names = axis_choices(r)
    if len(names) == 2:  # the chart's caption says so (landscape_chart)
        p1, p2 = names
    else:
        default2 = next((n for n in names if n.startswith("b")), names[1])
        for key, default in (("land_p1", names[0]), ("land_p2", default2)):
            if st.session_state.get(key) not in names:
                st.session_state[key] = default
        p1 = st.selectbox("Horizontal", names, key="land_p1", width=OPTION_WIDTH,
                          help="The parameter along the horizontal axis; every other parameter is held at its "
                               "current value.")
        p2 = st.selectbox("Vertical", names, key="land_p2", width=OPTION_WIDTH,
                          help="The parameter along the vertical axis.")
    compare = st.multiselect("Compare optimizers", OPTIMIZER_NAMES, key="compare", width=OPTION_WIDTH * 2,
                             help="Train the same model from the same initial weights with other optimizers, "
                                  "step for step, and draw their paths too.")
    state.set_compare(compare)
    return None if p1 == p2 else (p1, p2)


def charts_ui(r: pv.Run, view: View) -> None:
    """Two charts side by side, both above the fold on a projector: the picked one (what a lesson focuses on;
    the model by default) and the loss curves, always in view. Where they would be too narrow to read (a
    1024-pixel projector with the sidebar open) the loss chart goes under the picked one, both full width.
    Only the picked chart is computed."""
    diverged_at = r.diverged_at if r.diverged else None
    row = st.container(horizontal=True, gap="medium")  # wraps below STUDIO_CSS's minimum widths
    with row.container(key="pv-chart-picked"):
        DRAWERS[view.chart](r, view, diverged_at)
    with row.container(key="pv-chart-loss"):
        show(charts.loss_spec(r.history, view.log_y, diverged_at, height=CHART_HEIGHT, key_in_legend=False),
             "chart_loss", caption=charts.LOSS_KEY)


def model_chart(r: pv.Run, view: View, diverged_at: int | None) -> None:
    # The key is drawn as a caption, and the colour bar only while paused: plotly.js redraws the chart every
    # frame, and these two decorations were a third of the model chart's redraw time.
    playing = st.session_state["playing"]
    show(charts.model_spec(r, height=CHART_HEIGHT - 30, dark=st.context.theme.type == "dark", legend=False,
                           colorbar=not playing), "chart_model", still=data_points, caption=model_key(r))


def model_key(r: pv.Run) -> str:
    """What the model chart's marks mean, in one line."""
    d = r.data
    points = "● train points, ▲ test points"
    n_inputs = d.inputs_train.shape[1]
    if n_inputs > 2:
        return ("Each test point's predicted class against its actual class." if d.task != "regression" else
                f"{points}: actual vs predicted; on the dashed line the prediction is exact.")
    if n_inputs == 1:
        return f"{points}; the green curve is the model's prediction."
    if d.task == "binary":
        return (f"{points}, coloured by class. Background: the model's {charts.positive_label(d)}; line: the "
                "boundary P = 0.5.")
    if d.task == "multiclass":
        return f"{points}, coloured by class. Background: the class the model predicts, darker = more sure."
    return f"{points}, coloured by their target. Background: the model's prediction."


def trajectories_chart(r: pv.Run, view: View, diverged_at: int | None) -> None:
    show(charts.trajectory_spec(r.trajectory, list(view.layers), diverged_at, height=CHART_HEIGHT), "chart_traj",
         caption="One line per parameter: solid lines are weights, dotted lines biases, one colour per layer.")


def landscape_chart(r: pv.Run, view: View, diverged_at: int | None) -> None:
    if view.axes is None:
        st.info("Pick two different parameters for the landscape's axes, under the charts.")
        return
    xs, ys, Z, paths = state.landscape(r, *view.axes)
    # While playing, the contours lie under the paths and are drawn again only when the grid is recomputed
    # (state.LANDSCAPE_EVERY): drawing them was most of the chart's time every frame. Paused, they are part of
    # the plot again, so that hovering reads the loss anywhere on it, with their colour bar (which, left out
    # while playing, cannot make the two layers' plot areas differ).
    playing = st.session_state["playing"]
    # Under the chart rather than beside the options: there it took a row of its own on a 1024-pixel projector.
    caption = (f"This model has just {view.axes[0]} and {view.axes[1]}: the whole loss surface." if
               r.layout.n_params == 2 else "A slice through the loss surface: every other parameter is held at its "
                                           "current value.")
    show(charts.landscape_spec(xs, ys, Z, *view.axes, paths, height=CHART_HEIGHT, colorbar=not playing),
         "chart_land", still=contours if playing else None, caption=caption, below=True)


def contours(trace: dict) -> bool:
    return trace.get("type") == "contour"


def optimizer_chart(r: pv.Run, view: View, diverged_at: int | None) -> None:
    show(charts.optimizer_spec(r.trajectory, r.history, r.layout.n_layers, diverged_at, height=CHART_HEIGHT,
                               key_in_chart=False), "chart_opt", caption=charts.OPTIMIZER_KEY)


def network_chart(r: pv.Run, view: View, diverged_at: int | None) -> None:
    d = r.data
    outputs = tuple(d.class_names or (f"class {c}" for c in range(d.n_classes))) if d.task == "multiclass" \
        else (d.target_name if d.task == "regression" else charts.positive_label(d, target=True),)
    show(network_charts.network_spec(r.params, r.layout.sizes, d.features.names, outputs, height=CHART_HEIGHT),
         "chart_net", caption="An edge's width is the size of its weight, its colour the weight's sign; a "
                              "neuron's colour is its bias. Hover an edge for its value.")


DRAWERS = dict(zip(TABS, (model_chart, trajectories_chart, landscape_chart, optimizer_chart, network_chart)))


# ---- share and export ----------------------------------------------------------------------------------------

def share_ui(r: pv.Run | None, controls: widgets.Controls) -> None:
    # Built only while open: its code block alone made every page load fetch and compile a 1.5 MB syntax
    # highlighter, and each element on the page costs the browser time on every live frame.
    box = st.expander("Share & export", key="share_open", on_change="rerun")
    if not box.open:
        return
    with box:
        if controls.cfg is not None:
            st.caption("This link opens the studio with these exact settings (the browser's address bar has "
                       "them too):")
            lesson = st.session_state.get("lesson")
            query = studio_query(controls.cfg, lesson=lesson if lesson in LESSONS else None, speed=controls.speed)
            st.code(f"{_origin()}/?{query}", language=None, wrap_lines=True)
        if r is not None:
            st.download_button("History (CSV)", lambda: r.history.to_csv(index=False), "history.csv", "text/csv",
                               on_click="ignore", width="stretch")
            st.download_button("Weights and biases over time (CSV)", lambda: r.trajectory.to_csv(index=False),
                               "trajectory.csv", "text/csv", on_click="ignore", width="stretch")
            st.download_button("Config (JSON)", json.dumps(r.cfg.to_dict(), indent=2), "config.json",
                               "application/json", on_click="ignore", width="stretch")
        st.file_uploader("Load a config (JSON)", type=["json"], key="config_file", on_change=load_config_file,
                         help="A config.json exported here: every control is set from it.")
        if st.session_state.get("config_error"):
            st.error(f"Could not load that config: {st.session_state['config_error']}. The previous settings "
                     "stay.")


def _origin() -> str:
    try:
        parts = urlsplit(st.context.url or "")
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    except Exception:
        return ""


def load_config_file() -> None:
    """Callback: set every control from an uploaded config.json; a bad file names the field and changes nothing."""
    ss = st.session_state
    file = ss.get("config_file")
    if file is None:
        return
    try:
        cfg = widgets.config_from_json(file.getvalue())
    except ValueError as e:
        ss["config_error"] = str(e)
        return
    ss["config_error"] = ""
    widgets.apply_config(cfg)
    ss["notice"] = "Config loaded from the file."
