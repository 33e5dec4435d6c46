"""The studio's sidebar: every hyperparameter as a control that teaches what it does, bound to the URL.

`sidebar_ui()` draws the controls and returns plain values (a TrainConfig and the speed); `apply_config()`
puts a config back into the controls (lessons, config upload). Each control's key is its config field's
name, which is also its URL query parameter (see paramviz.ui.urls).
"""

from __future__ import annotations

import io
import json
import random
import re
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

import paramviz as pv
from paramviz.config import (
    ACTIVATION_NAMES,
    DATASET_NAMES,
    FIELDS,
    INIT_NAMES,
    MAX_HIDDEN_LAYERS,
    MAX_POLY_DEGREE,
    MAX_SAMPLES,
    MAX_WIDTH,
    OPTIMIZER_NAMES,
    REGULARIZER_NAMES,
    SCHEDULE_NAMES,
    Choice,
    Num,
)
from paramviz.datasets import split_sizes
from paramviz.optim import default_eps
from paramviz.ui import urls
from paramviz.ui.urls import APPLIES_WHEN, FULL_BATCH, FULL_BATCH_LABEL, fmt_batch, fmt_layers, fmt_number

DEFAULTS = pv.TrainConfig()
BIND = "query-params"


def _one_two_five(lo_exp: int, hi_exp: int) -> list[float]:
    """1, 2, 5 per decade: 1e-5, 2e-5, 5e-5, ..., 10**hi_exp (log-spaced, round numbers)."""
    out = [float(f"{m}e{e}") for e in range(lo_exp, hi_exp) for m in (1, 2, 5)]
    return out + [float(f"1e{hi_exp}")]


LEARNING_RATES = _one_two_five(-5, 1)  # 1e-5 … 10
REG_STRENGTHS = [0.0, *_one_two_five(-5, 1)]  # 0, 1e-5 … 10
WEIGHT_DECAYS = [0.0, *_one_two_five(-5, 0)]
BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, FULL_BATCH]
BETA2S = [0.9, 0.99, 0.995, 0.999, 0.9999]
RHOS = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
EPSILONS = [float(f"1e{e}") for e in range(-10, 0)]  # 1e-10 … 1e-1, a power of ten per notch
WIDTHS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 128, 256]
SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
DEFAULT_SPEED = 200  # steps per frame: ten frames a second then show 2,000 steps a second
# The sliders' and number boxes' ranges (within the config's own, FIELDS); the log sliders take any allowed value.
RANGES: dict[str, tuple[float, float]] = {
    "n_samples": (10, MAX_SAMPLES), "noise": (0.0, 3.0), "n_classes": (3, 8), "test_fraction": (0.05, 0.9),
    "seed": (0, 2**32 - 1), "poly_degree": (1, MAX_POLY_DEGREE), "init_seed": (0, 2**32 - 1),
    "momentum": (0.0, 0.99), "beta1": (0.0, 0.99), "schedule_gamma": (0.05, 1.0), "schedule_epochs": (1, 1_000_000),
    "l1_ratio": (0.0, 1.0),
}

HELP = {
    "dataset": "The data the model learns from. A hyperparameter is set by you before training; the weights "
               "and biases are then learned from these points.",
    "n_samples": "How many points are drawn. More data makes each epoch longer but the test loss more reliable "
                 "and overfitting harder.",
    "noise": "How much random scatter is added to the points. Noise the model fits is what overfitting means.",
    "test_fraction": "The share of points held out as the test set: the model never trains on them, so the test "
                     "loss measures how well it generalises.",
    "seed": "The random seed that draws the data and shuffles the minibatches: the same seed gives the same run.",
    "n_classes": "How many clouds (classes) the blobs data has; the output layer gets one neuron per class.",
    "scale_inputs": "Standardise each input feature to mean 0 and standard deviation 1 (statistics from the "
                    "training set). Unscaled inputs make the loss surface a narrow valley that is slow to descend.",
    "n_layers": "How many hidden layers sit between input and output. Zero hidden layers is a linear "
                "(or logistic) model; each extra layer lets the model bend its output more.",
    "neurons": "How many neurons each hidden layer has. Each neuron adds a weight per input and one bias, all "
               "learned by the optimizer. Moving this slider gives every hidden layer this one width.",
    "layer_widths": "Each hidden layer's width, input side first, separated by commas: 8, 4 narrows from 8 "
                    "neurons to 4. Type uneven widths here; 'none' is a linear model.",
    "activation": "The non-linear function each hidden neuron applies to its weighted sum. Without one, any "
                  "number of layers is still a linear model.",
    "poly_degree": "Polynomial features: the inputs are expanded to all products up to this degree before the "
                   "first layer. A high degree on little data overfits.",
    "init": "How the initial weights are drawn before step 0 (biases start at 0). All-zero weights leave every "
            "hidden neuron identical.",
    "init_seed": "The seed that draws the initial weights. Empty: the data seed is used. 'New weights' draws "
                 "a new one.",
    "optimizer": "The rule that turns the gradient into a step. SGD steps straight downhill; momentum and Adam "
                 "also remember earlier gradients.",
    "learning_rate": "How far each step moves the weights along the optimizer's direction. Too small: slow "
                     "progress; too large: the loss oscillates or diverges.",
    "batch_size": "How many training points each step's gradient is averaged over. Small batches give cheap, "
                  "noisy steps; the full batch gives exact, expensive ones.",
    "momentum": "How much of the previous step's direction is kept (0 = plain SGD). Momentum speeds up travel "
                "along a valley and damps zig-zags across it.",
    "beta1": "Adam's memory for the average gradient (first moment): higher values smooth the direction over "
             "more steps.",
    "beta2": "Adam's memory for the average squared gradient (second moment), which sets each parameter's own "
             "step size.",
    "rho": "RMSProp's memory for the average squared gradient: each parameter's step is divided by the root of "
           "this average.",
    "eps": "ε is added to the root of the squared-gradient average before dividing by it, so the adaptive step "
           "stays finite where that average is tiny; a large ε outweighs the average and makes Adam behave more "
           "like SGD with momentum.",
    "weight_decay": "AdamW shrinks every weight toward 0 by this fraction of the learning rate each step, "
                    "separately from the gradient (biases are not decayed).",
    "schedule": "How the learning rate changes over epochs: constant, cut by γ in steps, decayed by γ every "
                "epoch, or a cosine curve down to 0.",
    "schedule_gamma": "The factor γ the learning rate is multiplied by (every 'epochs' epochs for step, every "
                      "epoch for exponential).",
    "schedule_epochs": "For step: how many epochs between cuts. For cosine: how many epochs until the learning "
                       "rate reaches 0.",
    "regularizer": "A penalty on large weights added to the loss (biases are never penalised). L1 pushes "
                   "weights to exactly 0; L2 shrinks them all.",
    "reg_strength": "λ, how much the penalty counts against the data loss. Larger λ: simpler model, less "
                    "overfitting, but eventually underfitting.",
    "l1_ratio": "The L1 share of the elastic-net penalty: 1 is pure L1, 0 is pure L2.",
    "proximal": "Apply L1 by soft-thresholding after each step (proximal gradient): weights land exactly on 0 "
                "instead of jittering around it.",
    "speed": "How many optimizer steps run between two screen refreshes (about ten per second). Lower it to "
             "watch single steps. From 50 up, a refresh that comes late takes more steps, so training keeps "
             "this pace on a slow computer too.",
    "csv": "A CSV file of numeric columns: features and one target column. Text or whole-number targets are "
           "classes, other numbers are regression.",
}

# What the student sees each setting called: the controls' labels, and the words messages use for a field.
LABELS = {
    "dataset": "Dataset", "n_samples": "Number of samples", "noise": "Noise", "n_classes": "Classes",
    "test_fraction": "Test share", "seed": "Data seed", "scale_inputs": "Standardise inputs",
    "hidden_layers": "Hidden layers", "activation": "Activation", "poly_degree": "Polynomial degree",
    "init": "Initialisation", "init_seed": "Weight seed", "optimizer": "Optimizer", "learning_rate": "Learning rate",
    "batch_size": "Batch size", "momentum": "Momentum μ", "beta1": "β1", "beta2": "β2", "rho": "ρ", "eps": "ε",
    "weight_decay": "Weight decay", "schedule": "Learning-rate schedule", "schedule_gamma": "γ",
    "schedule_epochs": "Epochs", "regularizer": "Regularizer", "reg_strength": "Strength λ", "l1_ratio": "L1 ratio",
    "proximal": "Proximal L1 step", "speed": "Steps per frame",
}


def in_words(message: str) -> str:
    """An engine message about a field, with the field put in the words of its control:
    "test_fraction 0.9 leaves …" → "Test share 0.9 leaves …", "hidden_layers[1] must be …" → "Width of hidden
    layer 2 must be …". The engine names the field first; a message that names none is returned as it is."""
    layer = re.match(r"hidden_layers\[(\d+)\]", message)
    if layer:
        return f"Width of hidden layer {int(layer[1]) + 1}{message[layer.end():]}"
    field, space, rest = message.partition(" ")
    return f"{LABELS[field]}{space}{rest}" if field in LABELS else message


def label_list(fields) -> str:
    """"batch_size, learning_rate" as the student sees them: "Batch size, Learning rate"."""
    return ", ".join(LABELS.get(field, field) for field in fields)


class Controls(NamedTuple):
    """What the sidebar returns: the training config (None while it can't be built, and why, in the controls'
    words) and the speed; `link_notice` says what the opened link asked for that could not be used."""

    cfg: pv.TrainConfig | None
    speed: int
    problem: str = ""
    link_notice: str = ""


# ---- small widget helpers ----------------------------------------------------------------------------------

def _parse_number(field: str, value: Any) -> float | int | None:
    """A value from the URL or session state, checked against the field's allowed range; None if invalid."""
    if value is None:
        return None
    try:
        if field == "batch_size" and str(value) == FULL_BATCH_LABEL:
            return FULL_BATCH
        x = float(value)
        return FIELDS[field].check(field, int(x) if FIELDS[field].integer and x == int(x) else x)
    except (TypeError, ValueError):
        return None


def log_slider(label: str, field: str, grid: list, default: Any, fmt=fmt_number) -> Any:
    """A select_slider over log-spaced round values. A value from a lesson, a config file or the URL that is
    not on the grid is added to it, so every allowed value can be shown exactly."""
    wanted = _parse_number(field, st.session_state.get(field, st.query_params.get(field)))
    options = sorted(set(grid) | ({wanted} if wanted is not None else set()))
    return st.select_slider(label, options, value=default, format_func=fmt, key=field, bind=BIND,
                            help=HELP[field])


def choice(label: str, field: str, options: tuple[str, ...], default: str) -> str:
    return st.selectbox(label, options, index=options.index(default), key=field, bind=BIND, help=HELP[field])


def slider(label: str, field: str, default: float, step: float) -> float:
    lo, hi = RANGES[field]
    return st.slider(label, lo, hi, default, step, key=field, bind=BIND, help=HELP[field])


def _shown(field: str, values: dict) -> bool:
    """Whether a setting applies to the choices made above it (momentum only for the momentum optimizers)."""
    switch, choices = APPLIES_WHEN[field]
    return values.get(switch) in choices


# ---- sections ----------------------------------------------------------------------------------------------

def data_ui(values: dict) -> None:
    values["dataset"] = choice("Dataset", "dataset", DATASET_NAMES, DEFAULTS.dataset)
    if values["dataset"] == "csv":
        csv_ui()
    else:
        values["n_samples"] = st.number_input("Number of samples", *RANGES["n_samples"], DEFAULTS.n_samples, 10,
                                              key="n_samples", bind=BIND, help=HELP["n_samples"])
        values["noise"] = slider("Noise", "noise", DEFAULTS.noise, 0.05)
        if values["dataset"] == "blobs":
            values["n_classes"] = slider("Classes", "n_classes", DEFAULTS.n_classes, 1)
    values["test_fraction"] = slider("Test share (train/test split)", "test_fraction", DEFAULTS.test_fraction,
                                     0.05)
    left, right = st.columns(2, vertical_alignment="bottom")
    values["seed"] = left.number_input("Data seed", *RANGES["seed"], DEFAULTS.seed, key="seed", bind=BIND,
                                       help=HELP["seed"])
    right.button("New data", on_click=_new_seed, args=("seed",), help="Draw a new data set: a new random seed.",
                 width="stretch")
    values["scale_inputs"] = st.checkbox("Standardise inputs", DEFAULTS.scale_inputs, key="scale_inputs",
                                         bind=BIND, help=HELP["scale_inputs"])


def _new_seed(field: str) -> None:
    st.session_state[field] = random.randrange(2**31)


def csv_ui() -> None:
    """Upload a CSV and pick its target column. A bad file shows the reason and the previous data stays."""
    st.file_uploader("Your own data (CSV)", type=["csv"], key="csv_file", on_change=_load_csv, help=HELP["csv"])
    loaded = st.session_state.get("csv_data")
    if st.session_state.get("csv_error"):
        st.error(f"Could not use that file: {st.session_state['csv_error']}. The previous data stays.")
    if loaded is None:  # the page says what to do (one message, where the charts would be)
        return
    name, raw, columns = loaded
    st.selectbox("Target column", columns, index=columns.index(raw.target_name), key="csv_target",
                 on_change=_load_csv, help="The column the model predicts; every other column is an input.")
    kind = "regression" if raw.task == "regression" else f"{raw.n_classes} classes"
    st.caption(f"{name}: {len(raw.y)} rows, {len(raw.input_names)} inputs, target {raw.target_name} ({kind})")


def _load_csv() -> None:
    """Callback: parse the uploaded file with pv.load_csv; keep the previous data if it fails."""
    file = st.session_state.get("csv_file")
    if file is None:
        return
    content = file.getvalue()
    previous = st.session_state.get("csv_data")
    target = st.session_state.get("csv_target") if previous and previous[0] == file.name else None
    try:
        columns = [str(c) for c in pd.read_csv(io.BytesIO(content), nrows=0).columns]
        target = target if target in columns else None
        raw = pv.load_csv(content, target=target)
    except ValueError as e:
        st.session_state["csv_error"] = str(e)
        return
    except Exception as e:  # a file pandas cannot even open: still a message, not a traceback
        st.session_state["csv_error"] = f"the file could not be read as CSV ({type(e).__name__})"
        return
    st.session_state["csv_error"] = ""
    st.session_state["csv_data"] = (file.name, raw, columns)
    st.session_state["csv_target"] = raw.target_name


def model_ui(values: dict) -> None:
    values["hidden_layers"] = layers_ui()
    values["activation"] = choice("Activation", "activation", ACTIVATION_NAMES, DEFAULTS.activation)
    values["poly_degree"] = slider("Polynomial degree", "poly_degree", DEFAULTS.poly_degree, 1)
    values["init"] = choice("Initialisation", "init", INIT_NAMES, DEFAULTS.init)
    values["init_seed"] = st.number_input("Weight seed", *RANGES["init_seed"], None, key="init_seed", bind=BIND,
                                          placeholder="same as the data seed", help=HELP["init_seed"])


def layers_ui() -> tuple[int, ...]:
    """The hidden layers: a count and one width for the common equal case, and the widths as text, which
    can differ per layer. All three edit st.session_state["hidden_layers"], the value the URL carries."""
    ss = st.session_state
    if "hidden_layers" not in ss:
        set_layers(DEFAULTS.hidden_layers)
    n = st.slider("Hidden layers", 0, MAX_HIDDEN_LAYERS, key="n_layers", on_change=_count_changed,
                  help=HELP["n_layers"])
    if n:
        st.select_slider("Neurons per layer", sorted(set(WIDTHS) | {ss["neurons"]}), key="neurons",
                         on_change=_width_changed, help=HELP["neurons"])
    layers = ss["hidden_layers"]
    if len(set(layers)) > 1:
        st.caption(f"The layers have different widths ({fmt_layers(layers, ', ')}). Moving “Neurons per layer” "
                   "gives them all one width; edit the widths below to keep them uneven.")
    st.text_input("Layer widths", key="layer_widths", on_change=_widths_typed, placeholder="none",
                  help=HELP["layer_widths"])
    if ss.get("layers_error"):
        st.error(f"Those widths can't be used: {in_words(ss['layers_error'])}. The model keeps "
                 f"{fmt_layers(layers, ', ')}.")
    return layers


def _count_changed() -> None:
    """More layers repeat the last (output-side) width; fewer drop layers from the output side, so uneven
    widths stay uneven."""
    ss = st.session_state
    layers, n = ss["hidden_layers"], int(ss["n_layers"])
    width = layers[-1] if layers else int(ss.get("neurons", DEFAULTS.hidden_layers[0]))
    set_layers((layers + (width,) * n)[:n])


def _width_changed() -> None:
    set_layers((int(st.session_state["neurons"]),) * int(st.session_state["n_layers"]))


def _widths_typed() -> None:
    """Callback: take the typed widths; text that isn't a valid list keeps the layers and says why."""
    ss = st.session_state
    try:
        layers = urls.parse_layers(ss["layer_widths"])
    except ValueError as e:
        ss["layers_error"] = str(e)
        return
    set_layers(layers)


def training_ui(values: dict) -> None:
    values["optimizer"] = choice("Optimizer", "optimizer", OPTIMIZER_NAMES, DEFAULTS.optimizer)
    values["learning_rate"] = log_slider("Learning rate (log scale)", "learning_rate", LEARNING_RATES,
                                         DEFAULTS.learning_rate)
    if _shown("momentum", values):
        values["momentum"] = slider("Momentum μ", "momentum", DEFAULTS.momentum, 0.01)
    if _shown("beta1", values):
        values["beta1"] = slider("β1 (first moment)", "beta1", DEFAULTS.beta1, 0.01)
        values["beta2"] = log_slider("β2 (second moment)", "beta2", BETA2S, DEFAULTS.beta2)
    if _shown("rho", values):
        values["rho"] = log_slider("ρ (RMSProp memory)", "rho", RHOS, DEFAULTS.rho)
    if _shown("eps", values):
        values["eps"] = eps_ui(values["optimizer"])
    if _shown("weight_decay", values):
        values["weight_decay"] = log_slider("Weight decay (log scale)", "weight_decay", WEIGHT_DECAYS,
                                            DEFAULTS.weight_decay)
    values["batch_size"] = log_slider("Batch size", "batch_size", BATCH_SIZES, DEFAULTS.batch_size, fmt_batch)
    values["schedule"] = choice("Learning-rate schedule", "schedule", SCHEDULE_NAMES, DEFAULTS.schedule)
    if _shown("schedule_gamma", values):
        values["schedule_gamma"] = slider("γ (decay factor)", "schedule_gamma", DEFAULTS.schedule_gamma, 0.05)
    if _shown("schedule_epochs", values):
        values["schedule_epochs"] = st.number_input("Epochs", *RANGES["schedule_epochs"], DEFAULTS.schedule_epochs,
                                                    key="schedule_epochs", bind=BIND, help=HELP["schedule_epochs"])


def eps_ui(optimizer: str) -> float | None:
    """ε on a log scale, starting at the optimizer's own default; None (the config's "use the default") while it
    is there. An ε left at one optimizer's default follows the next optimizer's default (AdaGrad's differs)."""
    ss = st.session_state
    default = default_eps(optimizer)
    previous = ss.get("eps_for")
    if previous not in (None, optimizer) and ss.get("eps") == default_eps(previous) != default:
        ss["eps"] = default
    ss["eps_for"] = optimizer
    eps = log_slider("ε, epsilon (log scale)", "eps", EPSILONS + [default], default)
    return None if eps == default else eps


def regularization_ui(values: dict) -> None:
    values["regularizer"] = choice("Regularizer", "regularizer", REGULARIZER_NAMES, DEFAULTS.regularizer)
    if _shown("reg_strength", values):
        values["reg_strength"] = log_slider("Strength λ (log scale)", "reg_strength", REG_STRENGTHS,
                                            DEFAULTS.reg_strength)
    if _shown("l1_ratio", values):
        values["l1_ratio"] = slider("L1 ratio", "l1_ratio", DEFAULTS.l1_ratio, 0.05)
    if _shown("proximal", values):
        values["proximal"] = st.checkbox("Proximal L1 step", DEFAULTS.proximal, key="proximal", bind=BIND,
                                         help=HELP["proximal"])


def speed_ui() -> int:
    return st.select_slider("Steps per frame", SPEEDS, value=DEFAULT_SPEED, key="speed", bind=BIND,
                            help=HELP["speed"])


def sidebar_ui() -> Controls:
    """Draw every control in the sidebar; return the config they describe (or the reason it is invalid). The
    first time, check what the opened link asked for: a value a control can't take is left out, and settings
    that can't be used together are all left out, and the notice says which and why."""
    ss = st.session_state
    if "link" not in ss:  # once per session, before the controls take the link's values
        ss["link"] = link_params()
        drop_link_if_unusable(ss["link"])
    values: dict[str, Any] = {}
    with st.sidebar:
        with st.expander("Data", expanded=True):
            data_ui(values)
        with st.expander("Model", expanded=True):
            model_ui(values)
        with st.expander("Training", expanded=True):
            training_ui(values)
        with st.expander("Regularization", expanded=True):
            regularization_ui(values)
        with st.expander("Speed", expanded=True):
            speed = speed_ui()
    sync_layers_param(values["hidden_layers"])
    try:
        cfg, problem = pv.TrainConfig(**values), ""
        check_split(cfg)
    except ValueError as e:
        cfg, problem = None, in_words(str(e))
    notice = ""
    if ss["link"] is not None:  # the first run with the link's values: say what the controls did not take
        notice = ss.pop("link_notice", "") or link_notice(ss["link"], values | {"speed": speed})
        ss["link"] = None
    return Controls(cfg, speed, problem, notice)


def check_split(cfg: pv.TrainConfig) -> None:
    """The engine's own check that the train/test split leaves enough training points, for the data the run will
    have, so a setting that fails it names its control (a ValueError) before a Run does."""
    n = len(csv_rows.y) if cfg.dataset == "csv" and (csv_rows := csv_raw()) is not None else cfg.n_samples
    split_sizes(n, cfg.test_fraction)


def csv_raw() -> pv.RawData | None:
    """The uploaded CSV's data, or None before a file is loaded."""
    loaded = st.session_state.get("csv_data")
    return loaded[1] if loaded else None


# ---- what a link asked for ---------------------------------------------------------------------------------

def link_params() -> dict[str, str]:
    """The settings in the URL the studio was opened with (before any control has taken them)."""
    return {field: st.query_params[field] for field in LABELS if field in st.query_params}


def drop_link_if_unusable(link: dict[str, str]) -> None:
    """Settings in the link that are each allowed but can't be used together (10 samples with a test share of
    0.9) are all left out: taken out of the URL before any control reads it, and the page starts again with
    the default setup and a notice that says why."""
    setup = {field: text for field, text in link.items() if field != "speed"}
    try:
        check_split(pv.TrainConfig(**{field: value for field, text in setup.items()
                                      if (value := _link_value(field, text)) is not None}))
        return
    except ValueError as e:
        problem = in_words(str(e))
    asked = ", ".join(f"{LABELS[field]} {_quoted(text)}" for field, text in setup.items()
                      if _link_value(field, text) is not None)
    unusable = "".join(f"; {_not_allowed(field, text)}" for field, text in setup.items()
                       if _link_value(field, text) is None)
    st.session_state["link_notice"] = (f"Ignored from the link: {asked}, because {_lower(problem)}{unusable}. The "
                                       "studio opened with its default setup.")
    for field in setup:
        del st.query_params[field]
    link.clear()
    set_layers(DEFAULTS.hidden_layers)
    st.rerun()


def _lower(words: str) -> str:
    """A message's first word in lower case where it joins a sentence ("Test share" → "test share"), not "ε"."""
    return words[:1].lower() + words[1:]


def _link_value(field: str, text: str) -> Any:
    """The link's text for field as the value it asks for; None when no control would take it."""
    try:
        if field == "hidden_layers":
            return urls.parse_layers(text)
    except ValueError:
        return None
    if field in ("scale_inputs", "proximal"):
        return {"true": True, "false": False}.get(text.strip().lower())
    if isinstance(FIELDS[field], Choice):
        return text if text in FIELDS[field].options else None
    return _parse_number(field, text)


def link_notice(link: dict[str, str], values: dict[str, Any]) -> str:
    """What the controls could not take from the link, in their words, or "" when they took it all. `values`
    are what the controls show (a setting that does not apply, like momentum for adam, is not among them)."""
    ignored = [_not_allowed(field, text) for field, text in link.items() if field in values and not _took(field, text)]
    return f"Ignored from the link: {'; '.join(ignored)}. Their defaults are used." if ignored else ""


def _not_allowed(field: str, text: str) -> str:
    return f"{LABELS[field]} {_quoted(text)} (must be {allowed(field)})"


def _quoted(text: str) -> str:
    return f"“{text if len(text) <= 24 else text[:23] + '…'}”"


def _took(field: str, text: str) -> bool:
    """Whether the control shows the link's value for field (a control drops a value it can't take)."""
    value = st.session_state.get(field)
    try:
        if field == "hidden_layers":
            return urls.parse_layers(text) == value
        if isinstance(value, bool):
            return text.strip().lower() == urls.encode_value(field, value)
        if isinstance(value, str):
            return text == value
        if field == "batch_size" and text == FULL_BATCH_LABEL:
            return value == FULL_BATCH
        return value is not None and float(text) == value
    except ValueError:
        return False


def allowed(field: str) -> str:
    """The values a control takes, as a message says it: "a number in [0, 3]", "one of sgd, momentum, …"."""
    if field == "hidden_layers":
        return f"0 to {MAX_HIDDEN_LAYERS} widths from 1 to {MAX_WIDTH} separated by commas, e.g. 8,8"
    if field == "speed":
        return f"one of {', '.join(map(str, SPEEDS))}"
    if field in ("scale_inputs", "proximal"):
        return "true or false"
    rule = FIELDS[field]
    if isinstance(rule, Choice):
        return f"one of {', '.join(rule.options)}"
    if field in RANGES:
        rule = Num(*RANGES[field], integer=rule.integer)
    return rule.describe()


# ---- hidden_layers in the URL (a list: no single widget holds it) -------------------------------------------

def load_layers_from_url() -> None:
    """Once per session, before the sliders exist: take hidden_layers from the URL (bad value: default)."""
    if "hidden_layers" in st.session_state:
        return
    text = st.query_params.get("hidden_layers")
    try:
        layers = urls.parse_layers(text) if text is not None else DEFAULTS.hidden_layers
    except ValueError:
        layers = DEFAULTS.hidden_layers
    set_layers(layers)


def set_layers(layers: tuple[int, ...]) -> None:
    """Set the hidden layers and every control that shows them (call before they are drawn, or from a callback)."""
    ss = st.session_state
    ss["hidden_layers"] = tuple(layers)
    ss["n_layers"] = len(layers)
    ss["neurons"] = max(layers, default=ss.get("neurons", DEFAULTS.hidden_layers[0]))
    ss["layer_widths"] = fmt_layers(layers, ", ")
    ss["layers_error"] = ""


def sync_layers_param(layers: tuple[int, ...]) -> None:
    text = fmt_layers(layers)
    current = st.query_params.get("hidden_layers")
    if tuple(layers) == DEFAULTS.hidden_layers:
        if current is not None:
            del st.query_params["hidden_layers"]
    elif current != text:
        st.query_params["hidden_layers"] = text


# ---- putting a config back into the controls ---------------------------------------------------------------

WIDGET_FIELDS = ("dataset", "n_samples", "noise", "n_classes", "test_fraction", "seed", "scale_inputs",
                 "activation", "poly_degree", "init", "init_seed", "optimizer", "learning_rate", "batch_size",
                 "momentum", "beta1", "beta2", "rho", "weight_decay", "schedule", "schedule_gamma",
                 "schedule_epochs", "regularizer", "reg_strength", "l1_ratio", "proximal")


def apply_config(cfg: pv.TrainConfig) -> None:
    """Set every control to cfg's value (call from a callback, before the widgets are drawn)."""
    for field in WIDGET_FIELDS:
        value = getattr(cfg, field)
        if field == "batch_size" and value >= FULL_BATCH:
            value = FULL_BATCH
        st.session_state[field] = value
    set_layers(cfg.hidden_layers)
    st.session_state["eps"] = default_eps(cfg.optimizer) if cfg.eps is None else cfg.eps
    st.session_state["eps_for"] = cfg.optimizer


def config_from_json(text: str | bytes) -> pv.TrainConfig:
    """A TrainConfig from a JSON export (cfg.to_dict()). Raises ValueError naming the bad field."""
    try:
        d = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"the file is not valid JSON ({e})") from None
    if isinstance(d, dict) and "hidden_layers" in d and isinstance(d["hidden_layers"], list):
        d = {**d, "hidden_layers": tuple(d["hidden_layers"])}
    return pv.TrainConfig.from_dict(d)
