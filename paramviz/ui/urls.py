"""Shareable studio links: a TrainConfig as the query string the studio's widgets read back.

Each studio control is bound to the URL (`bind="query-params"`) under its config field's name, so
`?dataset=spiral&learning_rate=0.03` opens the studio with those values. Streamlit writes a bound widget's
value exactly as the widget formats it, so the formatting functions here are the ones the widgets use.
Pure Python (no streamlit), so the lab and search pages can build links without drawing anything.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from paramviz.config import MAX_SAMPLES, TrainConfig
from paramviz.optim import default_eps

STUDIO_PATH = "/"  # the studio is the app's default page, which Streamlit serves at the root URL
FULL_BATCH = MAX_SAMPLES  # batch_size this large means "the whole training set" (Run clips it to n_train)
FULL_BATCH_LABEL = "full batch"
NO_HIDDEN_LAYERS = "none"

# Settings that only matter for some choices: the widget is shown, and the value put in the URL, only then.
APPLIES_WHEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "n_classes": ("dataset", ("blobs",)),
    "momentum": ("optimizer", ("momentum", "nesterov")),
    "beta1": ("optimizer", ("adam", "adamw")),
    "beta2": ("optimizer", ("adam", "adamw")),
    "rho": ("optimizer", ("rmsprop",)),
    "eps": ("optimizer", ("adagrad", "rmsprop", "adam", "adamw")),  # the optimizers that divide by √v + ε
    "weight_decay": ("optimizer", ("adamw",)),
    "schedule_gamma": ("schedule", ("step", "exponential")),
    "schedule_epochs": ("schedule", ("step", "cosine")),
    "reg_strength": ("regularizer", ("l1", "l2", "elasticnet")),
    "l1_ratio": ("regularizer", ("elasticnet",)),
    "proximal": ("regularizer", ("l1", "elasticnet")),
}
# Bookkeeping, not hyperparameters: they never change what is learned, and the studio chooses them itself.
NOT_IN_URL = frozenset({"record_every", "max_history"})
LESSON_PARAM = "lesson"  # ?lesson=<key> opens the studio with that lesson's box, focus chart and stop point


def applies(field: str, cfg: TrainConfig) -> bool:
    """True when `field` has an effect under cfg (e.g. momentum only for the momentum optimizers)."""
    if field not in APPLIES_WHEN:
        return True
    switch, values = APPLIES_WHEN[field]
    return getattr(cfg, switch) in values


def counted(n: int, one: str, many: str = "") -> str:
    """'1 weight', '88 weights': a count and its noun, singular or plural."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def fmt_number(x: float) -> str:
    """The shortest text that reads back as exactly x: 0.01 → "0.01", 1e-05 → "1e-05", 3.0 → "3"."""
    x = float(x)
    short = f"{x:g}"
    if float(short) == x:
        return short
    return repr(x)


def fmt_batch(b: int) -> str:
    return FULL_BATCH_LABEL if b >= FULL_BATCH else str(int(b))


def fmt_layers(layers: tuple[int, ...], sep: str = ",") -> str:
    """(8, 8) → "8,8" (in a URL; the layer widths field shows them with sep=", "); () → "none"."""
    return sep.join(str(int(w)) for w in layers) if layers else NO_HIDDEN_LAYERS


def parse_layers(text: str) -> tuple[int, ...]:
    """ "8,8" → (8, 8); "none" or "" → (). Raises ValueError (naming hidden_layers) for anything else."""
    text = text.strip()
    if text in ("", NO_HIDDEN_LAYERS, "0"):
        return ()
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise ValueError(f"hidden_layers must be widths separated by commas, e.g. 8,8; got {text!r}") from None
    return TrainConfig(hidden_layers=widths).hidden_layers  # validates count and widths


def encode_value(field: str, value: Any) -> str:
    """One config value as the studio widget writes it into the URL."""
    if field == "hidden_layers":
        return fmt_layers(tuple(value))
    if field == "batch_size":
        return fmt_batch(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return fmt_number(value)
    return str(value)


def config_params(cfg: TrainConfig, defaults: TrainConfig | None = None) -> dict[str, str]:
    """The query parameters for cfg: every field that applies and differs from the studio's defaults."""
    defaults = (defaults or TrainConfig()).to_dict()
    defaults["eps"] = default_eps(cfg.optimizer)  # unset ε is the optimizer's own default, as the slider shows
    params = {}
    for field, value in cfg.to_dict().items():
        if field in NOT_IN_URL or not applies(field, cfg) or value is None:
            continue
        text = encode_value(field, value)
        if defaults[field] is None or text != encode_value(field, defaults[field]):
            params[field] = text
    return params


def studio_url(cfg: TrainConfig, *, lesson: str | None = None, **extra: Any) -> str:
    """Relative URL that opens the studio with exactly cfg's hyperparameters, e.g.
    "/?dataset=spiral&learning_rate=0.03" (the studio is the default page, served at the app's root).
    `lesson` adds the lesson whose box, focus chart and stop point the studio shows; `extra` adds studio
    settings such as speed=50 (steps per frame).

    >>> studio_url(TrainConfig(dataset="spiral", learning_rate=0.03))
    '/?dataset=spiral&learning_rate=0.03'
    """
    query = studio_query(cfg, lesson=lesson, **extra)
    return f"{STUDIO_PATH}?{query}" if query else STUDIO_PATH


def studio_query(cfg: TrainConfig, *, lesson: str | None = None, **extra: Any) -> str:
    """The query string alone ("lesson=xor-needs-hidden-layer&dataset=xor&..."), for building absolute links."""
    params = {LESSON_PARAM: lesson} if lesson else {}
    params.update(config_params(cfg))
    params.update({k: encode_value(k, v) for k, v in extra.items()})
    return urlencode(params, safe=",")
