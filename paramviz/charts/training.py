"""The studio's live charts: loss curves, parameter trajectories, the model, the loss landscape and the
optimizer's inside. Each function takes engine data and returns a plotly Figure; none touches streamlit.

Long series are thinned before plotting (min and max per bucket, so spikes survive) and sent as float32,
so a frame stays small enough to redraw ten times a second.
"""

from __future__ import annotations

import base64
import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from paramviz import Run

# TensorFlow Playground's colours: orange for negative / class 0, blue for positive / class 1.
ORANGE, BLUE = "#f59322", "#0877bd"
CLASS_COLORS = (ORANGE, BLUE, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                "#7f7f7f")
LAYER_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
TRAIN_COLOR, TEST_COLOR, PENALTY_COLOR = "#1f77b4", "#ff7f0e", "#9467bd"
# Diverging (orange negative, blue positive) and sequential (transparent to blue) scales: with transparency
# they sit on Streamlit's light or dark background alike. The diverging ends stay well short of opaque, so a
# point in the full class colour stands out even where the model is sure of that class.
DIVERGING = [[0, "rgba(245,147,34,0.6)"], [0.5, "rgba(160,160,160,0.08)"], [1, "rgba(8,119,189,0.6)"]]
# The data points' outline: dark on a light page, light on a dark one, so a point has an edge on any
# background, its own class's region included.
RIM = {False: "#1b1b1b", True: "#f2f2f2"}
SEQUENTIAL = [[0, "rgba(8,119,189,0)"], [0.15, "rgba(8,119,189,0.35)"], [1, "rgba(8,119,189,1)"]]
FONT, TICK_FONT = 16, 14
MAX_POINTS = 2000  # per line
# Line traces are SVG ("scatter"), not WebGL ("scattergl"): after thinning no trace has more than a few thousand
# points, and in a browser without a GPU (a school laptop, headless Chromium) every WebGL redraw re-creates its
# context, which cost more main-thread time than drawing the same lines as SVG paths. One constant to flip.
LINES = "scatter"
# Points over all lines of the trajectory chart together: about 50 per line for the reference model's 105
# parameters. Twice as many looked the same on a 400-pixel chart and cost plotly.js a third more every frame.
TRAJECTORY_POINTS = 5_000
# Lines the trajectory chart draws at most. More are a tangle no one can follow, and a 6×256 model's 330,000
# took half a minute to build and 40 MB to send; beyond it, an even sample from each layer's weights and biases.
TRAJECTORY_LINES = 240
# Multi-class boundaries are the edges between the classes' cells: at 48×48 they show as stairs. Twice as fine
# costs plotly.js no measurable time (a heatmap is drawn as one image) and the model a millisecond.
MULTICLASS_RESOLUTION = 96


# ---- thinning --------------------------------------------------------------------------------------------

def minmax_index(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Row indices that keep, per column, the first and last row and each bucket's min and max.

    values: (n,) or (n, k). Returns (m,) or (m, k) sorted indices, m ≤ max_points + 2, so a spike (one
    step where the loss jumps) is never thinned away.
    """
    v = np.asarray(values, dtype=np.float64)
    flat = v.ndim == 1
    v = v[:, None] if flat else v
    n, k = v.shape
    if n <= max_points:
        idx = np.repeat(np.arange(n)[:, None], k, axis=1)
        return idx[:, 0] if flat else idx
    buckets = max(1, (max_points - 2) // 2)
    size = -(-n // buckets)
    padded = np.concatenate([v, np.repeat(v[-1:], buckets * size - n, axis=0)]).reshape(buckets, size, k)
    filled = np.where(np.isnan(padded), np.inf, padded)
    lo = filled.argmin(axis=1) + np.arange(buckets)[:, None] * size
    hi = np.where(np.isnan(padded), -np.inf, padded).argmax(axis=1) + np.arange(buckets)[:, None] * size
    idx = np.concatenate([np.zeros((1, k), int), np.minimum(lo, n - 1), np.minimum(hi, n - 1),
                          np.full((1, k), n - 1)])
    idx.sort(axis=0)
    return idx[:, 0] if flat else idx


def thin_rows(df: pd.DataFrame, columns: list[str], max_points: int = MAX_POINTS) -> pd.DataFrame:
    """The rows of df that keep every listed column's first, last, minima and maxima (shared rows, so
    curves drawn from it line up step by step)."""
    if len(df) <= max_points:
        return df
    per_col = max(4, max_points // max(1, len(columns)))
    idx = np.unique(minmax_index(df[columns].to_numpy(), per_col))
    return df.iloc[idx]


def log_ticks(values: np.ndarray, most: int = 8) -> dict:
    """Tick marks for a log axis at round values (1, 2, 5 per decade over a narrow range, every k-th decade
    over a wide one; at most `most` of them), with plain labels ("0.05", "0.1", "0.2") instead of plotly's
    crowded minor digits."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {}
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    decades = hi - lo
    mantissas = (1, 2, 3, 5, 7) if decades <= 1 else (1, 2, 5) if decades <= 3 else (1,)
    every = max(1, -(-decades // most)) if mantissas == (1,) else 1
    ticks = [m * 10.0**e for e in range(lo, hi + 1, every) for m in mantissas]
    ticks = [t for t in ticks if v.min() / 1.5 <= t <= v.max() * 1.5] or [10.0**lo]
    if v.max() < 3 * v.min():  # a narrow range: evenly spaced round values
        step = float(f"{(v.max() - v.min()) / 4:.1g}") or float(f"{v.max() / 4:.1g}")  # one value: round too
        ticks = [float(f"{t:.6g}") for t in np.arange(np.floor(v.min() / step) * step, v.max() + step, step)
                 if t > 0]
    return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def _f32(a) -> np.ndarray:
    """float32 halves what is sent to the browser; float64 only when a value is beyond float32's range
    (a diverging loss), so nothing turns into inf on the way."""
    arr = np.asarray(a.to_numpy() if isinstance(a, pd.Series) else a, dtype=np.float64)
    finite = arr[np.isfinite(arr)]
    return arr if finite.size and np.abs(finite).max() > 1e38 else arr.astype(np.float32)


# ---- building figures fast ---------------------------------------------------------------------------------
# Figures are assembled as plain dicts and wrapped once without plotly's per-property validation: the same
# figure, built in about a tenth of the time, which matters at ten frames a second.

def figure_from(spec_fn):
    """The plotly-Figure version of a spec builder: same arguments, returns go.Figure(spec)."""
    @functools.wraps(spec_fn)
    def build(*args, **kwargs) -> go.Figure:
        return go.Figure(spec_fn(*args, **kwargs), _validate=False)
    build.__name__ = build.__qualname__ = spec_fn.__name__.replace("_spec", "_figure")
    return build


def encoded(obj, blobs: list[bytes] | None = None):
    """A spec ready for JSON and plotly.js: numpy arrays → typed-array specs ({dtype, bdata, shape}), numpy
    scalars → Python numbers, everything else as it is. Encoded once, without plotly's per-property checks.
    Whole numbers go in the smallest type that holds them (a histogram's counts in one byte each, not eight).
    With a `blobs` list, an array's bytes are appended to it and its bdata is their index there, for a binary
    transport (paramviz.ui.livechart); otherwise bdata is the bytes in base64, as plotly.js reads them."""
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "fiub" and obj.size:
        arr = obj.astype(np.float64) if obj.dtype.kind == "b" else obj
        arr = _smallest_int(arr) if arr.dtype.kind in "iu" else arr
        code = _TYPED.get(arr.dtype)
        if code is None:
            return arr.tolist()
        raw = np.ascontiguousarray(arr).tobytes()
        if blobs is None:
            spec = {"dtype": code, "bdata": base64.b64encode(raw).decode("ascii")}
        else:
            spec = {"dtype": code, "bdata": len(blobs)}
            blobs.append(raw)
        if arr.ndim > 1:
            spec["shape"] = ",".join(map(str, arr.shape))
        return spec
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, dict):
        return {k: encoded(v, blobs) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [encoded(v, blobs) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


_TYPED = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int32): "i4", np.dtype(np.int16): "i2",
          np.dtype(np.uint16): "u2", np.dtype(np.int8): "i1", np.dtype(np.uint8): "u1"}


def _smallest_int(arr: np.ndarray) -> np.ndarray:
    lo, hi = int(arr.min()), int(arr.max())
    for dtype in (np.uint8, np.int16, np.uint16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return arr.astype(dtype, copy=False)
    return arr.astype(np.float64)  # beyond 32 bits: exact up to 2**53


def axis(title: str | None = None, **extra) -> dict:
    # Fixed margins, not automargin: automargin makes plotly lay each redraw out twice. Tick labels may overflow
    # the chart's box: plotly's default measures every label's box on every redraw to hide those that do, a
    # tenth of the studio's drawing time.
    ax = {"tickfont": {"size": TICK_FONT}, "automargin": False, "ticklabeloverflow": "allow"}
    if title is not None:
        ax["title"] = {"text": title, "font": {"size": FONT}}
    return {**ax, **extra}


def step_axis(steps, title: str | None = "step", **extra) -> dict:
    """An axis over optimizer steps: from the first step, whole numbers only. At step 0 plotly would span
    −1..1 in fractional steps."""
    steps = np.asarray(steps, dtype=np.float64)
    steps = steps[np.isfinite(steps)]
    first, last = (float(steps.min()), float(steps.max())) if steps.size else (0.0, 1.0)
    ax = axis(title, **extra)
    if last - first < 10:  # few steps: plotly would tick halves (and pad a lone step to either side)
        ax.update(range=[first, max(last, first + 1)], dtick=1)
    return ax


def base_layout(title: str, height: int = 420, legend: bool = True, right: int = 20, **extra) -> dict:
    """Big fonts for a projector; no background or font colour, so Streamlit's light/dark theme applies."""
    layout = {
        "title": {"text": title, "font": {"size": FONT + 2}, "x": 0, "xanchor": "left", "y": 0.98,
                  "yanchor": "top"},
        "font": {"size": FONT}, "height": height, "margin": {"l": 78, "r": right, "t": 96 if legend else 64, "b": 58},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "xanchor": "left", "yanchor": "bottom",
                   "font": {"size": TICK_FONT}, "traceorder": "normal"},
        "showlegend": legend, "hoverlabel": {"font": {"size": TICK_FONT}}, "uirevision": "keep",
        "xaxis": axis(), "yaxis": axis(),
        # No plotly template: the app's theme styles the chart, and copying plotly's default template costs
        # more than building the figure itself.
        "template": {},
    }
    return {**layout, **extra}


def vline(x: float, text: str, color: str = "#d62728", yref: str = "paper", xref: str = "x") -> tuple[dict, dict]:
    """A dashed vertical line across the plot and its label: (shape, annotation)."""
    shape = {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": xref, "yref": yref,
             "line": {"color": color, "width": 2, "dash": "dash"}}
    note = {"x": x, "y": 1, "xref": xref, "yref": yref, "text": text, "showarrow": False, "xanchor": "right",
            "yanchor": "top", "font": {"color": color, "size": TICK_FONT}}
    return shape, note


def _divergence(layout: dict, diverged_at: int | None, xref: str = "x", yref: str = "paper") -> None:
    if diverged_at is not None:
        shape, note = vline(diverged_at, f"diverged at step {diverged_at} ", xref=xref, yref=yref)
        layout.setdefault("shapes", []).append(shape)
        layout.setdefault("annotations", []).append(note)


def _ghost(name: str, marker: dict) -> dict:
    """A legend entry with nothing drawn."""
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name, "marker": marker}


def _is_ghost(trace: dict) -> bool:
    x = trace.get("x")
    return isinstance(x, list) and x == [None]


# ---- 1. loss curves ----------------------------------------------------------------------------------------

def best_test_step(history: pd.DataFrame) -> tuple[int, float] | None:
    """(step, loss) of the lowest test loss so far: where early stopping would stop."""
    test = history["test_loss"].to_numpy()
    if not np.isfinite(test).any():
        return None
    i = int(np.nanargmin(np.where(np.isfinite(test), test, np.nan)))
    return int(history["step"].iloc[i]), float(test[i])


LOSS_KEY = "Shaded: the generalisation gap. ★ lowest test loss so far: the early-stopping point."


def loss_spec(history: pd.DataFrame, log_y: bool = True, diverged_at: int | None = None,
              height: int = 420, key_in_legend: bool = True) -> dict:
    """Train and test loss vs step, the generalisation gap shaded between them, the penalty term when there
    is one, the best test loss marked (the early-stopping point) and divergence marked. With key_in_legend
    False the legend names only the lines, and the shading and the star are for a caption to tell (LOSS_KEY):
    a legend of five entries takes two rows in a narrow chart."""
    h = thin_rows(history, ["train_loss", "test_loss", "penalty"])
    x = h["step"].to_numpy()
    mode = "lines" if len(x) > 1 else "lines+markers"  # at step 0 a line has nothing to draw: show the start
    data = [
        {"type": "scatter", "x": x, "y": _f32(h["train_loss"]), "name": "train", "mode": mode,
         "cliponaxis": len(x) > 1, "line": {"color": TRAIN_COLOR, "width": 3}},
        {"type": "scatter", "x": x, "y": _f32(h["test_loss"]), "name": "test", "mode": mode,
         "cliponaxis": len(x) > 1,
         "line": {"color": TEST_COLOR, "width": 3}, "fill": "tonexty", "fillcolor": "rgba(255,127,14,0.18)"},
    ]
    if key_in_legend:
        data.append(_ghost("gap", {"symbol": "square", "size": 14, "color": "rgba(255,127,14,0.35)"}))
    if (history["penalty"].to_numpy() > 0).any():
        data.append({"type": LINES, "x": x, "y": _f32(h["penalty"]), "name": "penalty", "mode": "lines",
                     "line": {"color": PENALTY_COLOR, "width": 2, "dash": "dash"}})
    best = best_test_step(history)
    if best is not None and len(history) > 1:
        data.append({"type": "scatter", "x": [best[0]], "y": [best[1]], "name": "best test",
                     "mode": "markers", "showlegend": key_in_legend,
                     "marker": {"symbol": "star", "size": 20, "color": TEST_COLOR,
                                "line": {"width": 1.5, "color": "black"}},
                     "hovertemplate": "best test loss %{y:.4g}<br>at step %{x}<extra></extra>"})
    # a linear axis from 0: losses are never negative, and a lone starting loss gets round ticks
    yaxis = axis("loss", type="log", **log_ticks(h[["train_loss", "test_loss", "penalty"]].to_numpy())) if log_y \
        else axis("loss", rangemode="tozero")
    layout = base_layout("Loss: train vs test", height, xaxis=step_axis(x), yaxis=yaxis)
    _divergence(layout, diverged_at)
    return {"data": data, "layout": layout}


# ---- 2. parameter trajectories -----------------------------------------------------------------------------

def parameter_groups(names: list[str]) -> dict[tuple[int, str], list[int]]:
    """{(layer, "weights" | "biases"): column positions} from names like "W2[0,3]" and "b2[1]"."""
    groups: dict[tuple[int, str], list[int]] = {}
    for i, name in enumerate(names):
        array = name.split("[")[0]
        key = (int(array[1:]), "weights" if array[0] == "W" else "biases")
        groups.setdefault(key, []).append(i)
    return groups


def column_groups(columns: pd.Index) -> dict[tuple[int, str], np.ndarray]:
    """parameter_groups for a trajectory's columns (positions in the frame), found in a few dozen look-ups:
    the Run keeps each array's scalars together (W1[...], b1[...], W2[...], ...), so each array is a run of
    columns whose end a bisection finds. Reading all 330,000 names of a 6×256 model took a third of a second."""
    groups, i, n = {}, 0, len(columns)
    while i < n:
        name = columns[i]
        if "[" not in name:  # "step"
            i += 1
            continue
        prefix = name[:name.index("[") + 1]
        inside, past = i, n  # columns[inside] starts with prefix, columns[past] (or the end) does not
        while past - inside > 1:
            mid = (inside + past) // 2
            inside, past = (mid, past) if columns[mid].startswith(prefix) else (inside, mid)
        groups[(int(prefix[1:-1]), "weights" if prefix[0] == "W" else "biases")] = np.arange(i, past)
        i = past
    return groups


def sampled(groups: dict, most: int) -> dict:
    """At most `most` positions over all groups: every group keeps min(its size, q) of them, the same q for
    all (so each layer's weights and biases stay in the picture), evenly spaced through the group, so the
    same parameters are picked frame after frame. Groups that fit are returned whole."""
    sizes = np.array([len(v) for v in groups.values()])
    if sizes.sum() <= most:
        return groups
    q = max([k for k in range(1, most + 1) if np.minimum(sizes, k).sum() <= most], default=1)
    return {key: np.asarray(cols)[np.unique(np.linspace(0, len(cols) - 1, min(len(cols), q)).round().astype(int))]
            for key, cols in groups.items()}


def _separated(steps: np.ndarray, values: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many lines as one trace: (m, k) columns joined with NaN between them (plotly breaks lines at NaN)."""
    m, k = idx.shape
    x = np.full((m + 1, k), np.nan)
    y = np.full((m + 1, k), np.nan)
    x[:m] = steps[idx]
    y[:m] = np.take_along_axis(values, idx, axis=0)
    return x.T.ravel(), y.T.ravel()


STYLE = {"weights": "solid", "biases": "dot"}  # trajectory lines: weights solid, biases dotted


def trajectory_spec(trajectory: pd.DataFrame, layers: list[int] | None = None, diverged_at: int | None = None,
                    height: int = 460) -> dict:
    """Every weight and bias vs step: one line trace per (layer, weights/biases), coloured by layer, weights
    solid and biases dotted. `layers` limits the chart to those layers (1 = first). A big model draws a
    sample of TRAJECTORY_LINES parameters, from every layer, and its title says how many of how many."""
    groups = column_groups(trajectory.columns)
    if layers is not None:
        groups = {key: cols for key, cols in groups.items() if key[0] in layers}
    total = sum(len(c) for c in groups.values())
    groups = sampled(groups, TRAJECTORY_LINES)
    shown = sum(len(c) for c in groups.values())
    per_param = int(np.clip(TRAJECTORY_POINTS // max(shown, 1), 40, MAX_POINTS))
    steps = trajectory["step"].to_numpy(dtype=np.float64)
    # one point per line at step 0: markers, or nothing would be drawn
    mode, data = "lines" if len(trajectory) > 1 else "markers", []
    # The legend has one entry per layer (its colour; clicking it hides the layer's weights and biases): one entry
    # per layer and kind took five rows for a 4-layer model in a narrow chart. The line styles are told in the
    # chart's caption (the studio's), not by two more entries: each trace, even one with nothing to draw, costs
    # plotly.js a millisecond every frame.
    for (layer, kind), cols in groups.items():
        block = trajectory.iloc[:, cols].to_numpy(dtype=np.float64)
        x, y = _separated(steps, block, minmax_index(block, per_param))
        color = LAYER_COLORS[(layer - 1) % len(LAYER_COLORS)]
        data.append({
            "type": LINES, "x": _f32(x), "y": _f32(y), "mode": mode, "hoverinfo": "skip", "cliponaxis": mode == "lines",
            "name": f"layer {layer}" if kind == "weights" else f"layer {layer} biases", "opacity": 0.85,
            "legendgroup": f"layer {layer}", "showlegend": kind == "weights",
            "line": {"color": color, "width": 1.6 if kind == "weights" else 2.4, "dash": STYLE[kind]},
            "marker": {"color": color, "size": 7 if kind == "weights" else 9,
                       "symbol": "circle" if kind == "weights" else "diamond"}})
    title = "Every weight and bias" if shown == total else \
        f"A sample: {shown:,} of {total:,} weights and biases"
    layout = base_layout(title, height, xaxis=step_axis(steps),
                         yaxis=axis("value", zeroline=True, zerolinewidth=2))
    _divergence(layout, diverged_at)
    return {"data": data, "layout": layout}


# ---- 3. the model ------------------------------------------------------------------------------------------

def input_box(inputs: np.ndarray, margin: float = 0.15) -> list[tuple[float, float]]:
    """Per input, the (low, high) range of the data plus a margin on each side."""
    lo, hi = np.nanmin(inputs, axis=0), np.nanmax(inputs, axis=0)
    pad = np.maximum((hi - lo) * margin, 1e-3)
    return list(zip((lo - pad).tolist(), (hi + pad).tolist()))


def _points(inputs, y, name, symbol, test=False, class_names=(), dark=False) -> list[dict]:
    """Data points, one trace per class: a single colour per trace is much cheaper for plotly.js to redraw
    every frame than a colour per point."""
    traces = []
    for c in np.unique(y):
        pick = y == c
        label = class_names[c] if len(class_names) > c else str(c)
        traces.append({
            "type": "scatter", "x": _f32(inputs[pick, 0]), "y": _f32(inputs[pick, 1]), "mode": "markers",
            "name": name, "showlegend": False, "hovertemplate": f"{name}, class {label}<extra></extra>",
            "marker": {"size": 10 if test else 9, "color": CLASS_COLORS[int(c) % len(CLASS_COLORS)],
                       "symbol": symbol, "line": {"width": 1.5, "color": RIM[dark]}}})
    return traces


def model_spec(run: Run, resolution: int = 48, height: int = 460, dark: bool = False, legend: bool = True,
               colorbar: bool = True) -> dict:
    """What the model computes now, drawn over the data: a fitted curve (1 input), a decision boundary or
    prediction heatmap (2 inputs), or predicted vs actual (more inputs). legend/colorbar=False leave out those
    decorations (they are a large part of plotly.js's redraw time; the app drops them while playing)."""
    n_inputs = run.data.inputs_train.shape[1]
    if n_inputs == 1:
        data, layout = _curve(run)
    elif n_inputs == 2:
        data, layout = _plane(run, resolution, dark)
    else:
        data, layout = _predicted_vs_actual(run)
    has_scale = any(t.get("type") == "heatmap" and t.get("showscale", True) for t in data)
    if not colorbar:
        for t in data:
            t["showscale"] = False
    if not legend:  # the legend's own entries would cost plotly.js their time every frame with nothing to show
        data = [t for t in data if not _is_ghost(t)]
    return {"data": data, "layout": base_layout("The model now", height, legend=legend, right=96 if has_scale
                                                else 20, **layout)}


def _scatter(x, y, name, color, symbol="circle", **extra) -> dict:
    return {"type": "scatter" if len(x) <= 2000 else "scattergl", "x": _f32(x), "y": _f32(y), "mode": "markers",
            "name": name,
            "marker": {"size": 10, "color": color, "symbol": symbol, "line": {"width": 1, "color": "black"}},
            **extra}


def _curve(run: Run) -> tuple[list[dict], dict]:
    d = run.data
    (lo, hi), = input_box(np.concatenate([d.inputs_train, d.inputs_test]), 0.05)
    xs = np.linspace(lo, hi, 300)
    out = run.predict(xs[:, None])
    data = [_scatter(d.inputs_train[:, 0], d.y_train, "train", TRAIN_COLOR),
            _scatter(d.inputs_test[:, 0], d.y_test, "test", TEST_COLOR, "triangle-up")]
    if d.task == "regression":
        y_all = np.concatenate([d.y_train, d.y_test])
        span = float(np.ptp(y_all)) or 1.0
        ylo, yhi = float(y_all.min()) - 0.3 * span, float(y_all.max()) + 0.3 * span
        data.append({"type": "scatter", "x": _f32(xs), "y": _f32(np.clip(out, ylo - span, yhi + span)),
                     "mode": "lines", "name": "model", "line": {"color": "#2ca02c", "width": 4}})
        yaxis = axis(d.target_name, range=[ylo, yhi])
    else:
        prob = out if out.ndim == 1 else out[:, 1]
        data.append({"type": "scatter", "x": _f32(xs), "y": _f32(prob), "mode": "lines", "name": positive_label(d),
                     "line": {"color": "#2ca02c", "width": 4}})
        yaxis = axis(f"class / {positive_label(d, target=True)}", range=[-0.1, 1.1])
    return data, {"xaxis": axis(d.input_names[0]), "yaxis": yaxis}


def plane_grid(run: Run, resolution: int = 48) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's output over a resolution² grid spanning the data: (xs, ys, out) with out[i, j] at
    (xs[j], ys[i]); out has a trailing class axis for multi-class."""
    d = run.data
    box = input_box(np.concatenate([d.inputs_train, d.inputs_test]))
    xs, ys = (np.linspace(lo, hi, resolution) for lo, hi in box)
    gx, gy = np.meshgrid(xs, ys)
    out = run.predict(np.c_[gx.ravel(), gy.ravel()])
    return xs, ys, out.reshape(resolution, resolution, *out.shape[1:])


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _plane(run: Run, resolution: int, dark: bool = False) -> tuple[list[dict], dict]:
    d = run.data
    if d.task == "multiclass":  # one heatmap per class, which can't be smoothed across: a finer grid instead
        resolution = max(resolution, MULTICLASS_RESOLUTION)
    xs, ys, out = plane_grid(run, resolution)
    grid = {**_evenly("x", xs), **_evenly("y", ys)}  # plotly.js draws an evenly spaced heatmap as one image
    colorbar = {"thickness": 14, "tickfont": {"size": TICK_FONT}}
    if d.task == "binary":
        p1 = positive_label(d)
        data = [
            {"type": "heatmap", **grid, "z": _f32(out), "zmin": 0, "zmax": 1,
             "zsmooth": "fast", "name": p1,
             "colorscale": DIVERGING,
             "colorbar": {**colorbar, "title": {"text": p1, "side": "right"}},
             "hovertemplate": f"{p1} = %{{z:.2f}}<extra></extra>"},
            {"type": "contour", "x": _f32(xs), "y": _f32(ys), "z": _f32(out), "showscale": False,
             "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
             "line": {"width": 3, "color": "#f2f2f2" if dark else "#333333"}, "hoverinfo": "skip",
             "name": "boundary"},
        ]
    elif d.task == "multiclass":
        winner, confidence = out.argmax(axis=-1), out.max(axis=-1)
        k = out.shape[-1]
        data = [{"type": "heatmap", **grid,
                 "z": _f32(np.where(winner == c, confidence, np.nan)), "zmin": 1.0 / k, "zmax": 1,
                 "colorscale": [[0, _rgba(CLASS_COLORS[c], 0.05)], [1, _rgba(CLASS_COLORS[c], 0.85)]],
                 "showscale": False, "hovertemplate": f"class {_class_name(d, c)}: P = %{{z:.2f}}<extra></extra>"}
                for c in range(k)]
    else:
        lim = float(np.max(np.abs(np.concatenate([d.y_train, d.y_test])))) or 1.0
        data = [{"type": "heatmap", **grid, "z": _f32(out), "colorscale": DIVERGING,
                 "zmin": -lim, "zmax": lim, "zsmooth": "fast",
                 "colorbar": {**colorbar, "title": {"text": "prediction", "side": "right"}},
                 "hovertemplate": "prediction %{z:.3g}<extra></extra>"}]
        for inputs, y, name, symbol in ((d.inputs_train, d.y_train, "train", "circle"),
                                        (d.inputs_test, d.y_test, "test", "triangle-up")):
            data.append(_scatter(inputs[:, 0], inputs[:, 1], name, _f32(y), symbol, showlegend=False))
            data[-1]["marker"].update({"colorscale": [[0, ORANGE], [0.5, "#e0e0e0"], [1, BLUE]], "cmin": -lim,
                                       "cmax": lim, "size": 9})
    if d.task != "regression":
        data += _points(d.inputs_train, d.y_train, "train", "circle", class_names=d.class_names, dark=dark)
        data += _points(d.inputs_test, d.y_test, "test", "triangle-up", test=True, class_names=d.class_names,
                        dark=dark)
    data += [_ghost("train ●", {"size": 11, "color": "#888", "symbol": "circle"}),
             _ghost("test ▲", {"size": 11, "color": "#888", "symbol": "triangle-up",
                               "line": {"width": 1.5, "color": RIM[dark]}})]
    layout = {"xaxis": axis(d.input_names[0], range=[float(xs[0]), float(xs[-1])], showgrid=False),
              "yaxis": axis(d.input_names[1], range=[float(ys[0]), float(ys[-1])], showgrid=False)}
    return data, layout


def positive_label(d, target: bool = False) -> str:
    """What a binary model's output is the probability of: "P(dog)" when the classes have names, "P(passed = 1)"
    for a number-coded target (a CSV's 0/1 column), else "P(class 1)" (or, with target=True, "P(y = 1)")."""
    names = d.class_names
    if len(names) > 1 and not names[1].lstrip("-").replace(".", "", 1).isdigit():
        return f"P({names[1]})"
    positive = names[1] if len(names) > 1 else "1"
    return f"P({d.target_name} = {positive})" if target or len(names) > 1 else "P(class 1)"


def _class_name(d, c: int) -> str:
    return d.class_names[c] if d.class_names else str(c)


def _predicted_vs_actual(run: Run) -> tuple[list[dict], dict]:
    d = run.data
    if d.task == "regression":
        all_y = np.concatenate([d.y_train, d.y_test])
        lo, hi = float(all_y.min()), float(all_y.max())
        data = [{"type": "scatter", "x": [lo, hi], "y": [lo, hi], "mode": "lines", "name": "predicted = actual",
                 "line": {"color": "#888", "dash": "dash", "width": 2}},
                _scatter(d.y_train, run.predict(d.inputs_train), "train", TRAIN_COLOR),
                _scatter(d.y_test, run.predict(d.inputs_test), "test", TEST_COLOR, "triangle-up")]
        return data, {"xaxis": axis(f"actual {d.target_name}"), "yaxis": axis(f"predicted {d.target_name}")}
    prob = run.predict(d.inputs_test)
    pred = (prob > 0.5).astype(int) if prob.ndim == 1 else prob.argmax(axis=1)
    k = d.n_classes
    counts = np.zeros((k, k), int)
    np.add.at(counts, (d.y_test, pred), 1)
    labels = [_class_name(d, c) for c in range(k)]
    data = [{"type": "heatmap", "z": counts, "x": labels, "y": labels, "colorscale": SEQUENTIAL, "text": counts,
             "texttemplate": "%{text}", "textfont": {"size": FONT}, "showscale": False,
             "hovertemplate": "actual %{y}, predicted %{x}: %{z}<extra></extra>"}]
    return data, {"xaxis": axis("predicted class (test data)", type="category"),
                  "yaxis": axis("actual class", type="category", autorange="reversed")}


# ---- 4. loss landscape -------------------------------------------------------------------------------------

def landscape_window(paths: list[tuple[np.ndarray, np.ndarray]], current: tuple[float, float],
                     min_span: float = 1.0, max_zoom: float = 10.0) -> tuple[tuple[float, float], float]:
    """(center, half-width) of a square window that holds every path with a margin. A path that runs away
    (divergence) is let leave the window once it is max_zoom times the size of where it started: the view
    stays on the valley it overshoots instead of zooming out to a featureless 1e150."""
    xs = np.concatenate([p[0] for p in paths] + [[current[0]]])
    ys = np.concatenate([p[1] for p in paths] + [[current[1]]])
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    center = (float((xs.min() + xs.max()) / 2), float((ys.min() + ys.max()) / 2))
    half = max(1.3 * max(float(np.ptp(xs)), float(np.ptp(ys))) / 2, min_span)
    start = (float(xs[0]), float(ys[0]))
    cap = max_zoom * max(min_span, abs(start[0]), abs(start[1]))
    return (start, cap) if half > cap else (center, half)


# One colour per optimizer (the run's own and up to six compared), each with a dark rim: bright enough for the
# dark end of the colour scale, distinct from each other and from the yellow end.
PATH_COLORS = ("#ff2d55", "#ffffff", "#00e5ff", "#ffd60a", "#34c759", "#ff9f0a", "#d36bff")
PATH_RIM = "rgba(0, 0, 0, 0.7)"


PATH_MARKERS = 100


def landscape_spec(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, p1: str, p2: str,
                     paths: dict[str, tuple[np.ndarray, np.ndarray]], height: int = 520,
                     colorbar: bool = True) -> dict:
    """Contours of the training objective over two parameters (log scale), with each optimizer's path
    from the start (hollow circle) to now (filled circle). The first path is the run's own. colorbar=False
    leaves the colour bar out; its room stays, so the plot does not move when it comes back."""
    finite = np.isfinite(Z)
    top = float(Z[finite].max()) if finite.any() else 1.0
    logZ = np.log10(np.clip(np.where(finite, Z, top), 1e-12, None))
    data = [{"type": "contour", "x": _f32(xs), "y": _f32(ys), "z": _f32(logZ), "colorscale": "Viridis",
             "reversescale": True, "ncontours": 24, "line": {"width": 0.5, "color": "rgba(255,255,255,0.4)"},
             "showscale": colorbar,
             "colorbar": {"title": {"text": "log₁₀ loss", "side": "right"}, "thickness": 14,
                          "tickfont": {"size": TICK_FONT}},
             "hovertemplate": f"{p1} = %{{x:.3g}}<br>{p2} = %{{y:.3g}}<br>log₁₀ loss %{{z:.2f}}<extra></extra>"}]
    for i, (name, (px, py)) in enumerate(paths.items()):
        color = PATH_COLORS[i % len(PATH_COLORS)]
        k = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
        if not len(k):
            continue
        keep = k[np.unique(minmax_index(np.c_[px[k], py[k]], 1000))]
        data.append({"type": LINES, "x": _f32(px[keep]), "y": _f32(py[keep]), "mode": "lines+markers",
                     "name": name, "line": {"color": color, "width": 3},
                     # a dark rim: the light path colours stay visible on the yellow end of the colour scale
                     # and in the legend on a white page. A marker at every step of a short path (how far each
                     # step goes); on a long one, at every k-th of them, at most PATH_MARKERS: a thousand
                     # markers merged into a band and were most of the chart's drawing time.
                     "marker": {"size": 6, "color": color, "line": {"width": 1, "color": PATH_RIM},
                                "maxdisplayed": PATH_MARKERS}})
        data.append({"type": "scatter", "x": [px[k[0]], px[k[-1]]], "y": [py[k[0]], py[k[-1]]],
                     "mode": "markers", "showlegend": False, "hoverinfo": "skip",
                     "marker": {"size": [14, 18], "color": ["rgba(0,0,0,0)", color],
                                "line": {"width": 3, "color": [color, "black"]}}})
    layout = base_layout(f"Loss landscape over {p1} and {p2}", height, right=96,
                         xaxis=axis(p1, range=[float(xs[0]), float(xs[-1])], showgrid=False),
                         yaxis=axis(p2, range=[float(ys[0]), float(ys[-1])], showgrid=False))
    return {"data": data, "layout": layout}


# ---- 5. inside the optimizer -------------------------------------------------------------------------------

def weight_histograms(trajectory: pd.DataFrame, layer: int, bins: int = 30,
                      max_columns: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For one layer's weights: (steps, bin centres, counts[bin, time]) — the distribution over time, at up to
    `max_columns` evenly spaced steps, each column the latest recorded step at or before its own. Evenly spaced,
    plotly.js draws the heatmap as one small image instead of cell by cell: half the chart's drawing time. When
    every weight has the same value (zero init), that value is the middle bin's centre, in a window ±0.1 wide."""
    cols = column_groups(trajectory.columns).get((layer, "weights"), np.arange(0))
    recorded = trajectory["step"].to_numpy(dtype=np.float64)
    steps = np.linspace(recorded[0], recorded[-1], min(len(recorded), max_columns))
    rows = np.maximum(np.searchsorted(recorded, steps, side="right") - 1, 0)
    W = trajectory.iloc[rows, cols].to_numpy(dtype=np.float64)
    lo, hi = np.nanmin(W), np.nanmax(W)
    if not hi - lo > 1e-12 * max(1.0, abs(lo)):  # one value: bins around it, not a window a nano wide
        width = 0.2 * max(1.0, abs(lo)) / bins
        lo = lo - (bins // 2 + 0.5) * width
        hi = lo + bins * width
    edges = np.linspace(lo, hi, bins + 1)
    which = np.clip(((W - lo) / (hi - lo) * bins).astype(int), 0, bins - 1)
    flat = (np.arange(len(rows))[:, None] * bins + which).ravel()
    counts = np.bincount(flat, minlength=len(rows) * bins).reshape(len(rows), bins)
    return steps, (edges[:-1] + edges[1:]) / 2, counts.T


def histogram_layers(n_layers: int, most: int = 4) -> list[int]:
    """The layers that get a weight-histogram panel: all of them, or for a deep model `most` spread from the
    first to the last (1, 3, 5, 7 of 7), so each panel is tall enough to read."""
    return np.unique(np.linspace(1, n_layers, min(n_layers, most)).round().astype(int)).tolist()


def _ax(i: int) -> str:
    """Axis name suffix: 1 → "", 2 → "2" (plotly calls the first axes xaxis/yaxis, then xaxis2/yaxis2...)."""
    return "" if i == 1 else str(i)


def _column(n: int, first: int = 1, x_domain: tuple[float, float] = (0.0, 1.0), gap: float = 0.08,
            titles: list[str] = ()) -> tuple[dict, list[dict]]:
    """n panels stacked in one column: y axes numbered first..first+n-1 and the panel titles as annotations. The
    panels share one step axis, x{first}, drawn under the bottom one: one axis instead of n matched ones is a fifth
    less drawing time for Inside the optimizer, every frame."""
    height = (1 - gap * (n - 1)) / n
    x = f"x{_ax(first)}"
    axes, notes = {}, []
    for i in range(n):
        top, k = 1 - i * (height + gap), _ax(first + i)
        axes[f"yaxis{k}"] = axis(domain=[max(top - height, 0.0), top], anchor=x)
        if i < len(titles):
            notes.append({"text": titles[i], "x": x_domain[0], "xref": "paper", "y": top, "yref": "paper",
                          "xanchor": "left", "yanchor": "bottom", "align": "left", "showarrow": False,
                          "font": {"size": TICK_FONT}})
    # at most four step labels, upright: a panel can be 130 pixels wide, and plotly would turn more of them on
    # their side, into the axis title
    axes[f"xaxis{_ax(first)}"] = axis("step", anchor=f"y{_ax(first + n - 1)}", domain=list(x_domain), nticks=4,
                                     tickangle=0)
    return axes, notes


def _weights_panels(trajectory: pd.DataFrame, n_layers: int, first: int, x_domain) -> tuple[list, dict, list]:
    data, layers = [], histogram_layers(n_layers)
    for i, layer in enumerate(layers):
        steps, centres, counts = weight_histograms(trajectory, layer)
        k = _ax(first + i)
        data.append({"type": "heatmap", **_evenly("x", steps), **_evenly("y", centres), "z": counts,
                     "colorscale": SEQUENTIAL, "showscale": False, "xaxis": f"x{_ax(first)}", "yaxis": f"y{k}",
                     "name": f"layer {layer} weights",
                     "hovertemplate": "step ≈ %{x:.0f}<br>value ≈ %{y:.3g}<br>%{z} weights<extra></extra>"})
    axes, notes = _column(len(layers), first, x_domain, titles=[f"layer {i} weights" for i in layers])
    for i in range(len(layers)):
        axes[f"yaxis{_ax(first + i)}"]["nticks"] = 3  # a panel can be 60 pixels tall
    _whole_steps(axes, steps)
    return data, axes, notes


def _evenly(name: str, values: np.ndarray) -> dict:
    """Evenly spaced heatmap coordinates as plotly.js takes them without checking them: a start and a spacing
    (x0 and dx for name "x")."""
    if len(values) < 2:
        return {name: values}
    return {f"{name}0": float(values[0]), f"d{name}": float(values[1] - values[0])}


def _whole_steps(axes: dict, steps: np.ndarray) -> None:
    """A column's step axes over a few steps: whole steps (one tick at a lone step 0), not −0.5, 0, 0.5. Each
    panel's axis, since the labelled one is the bottom panel's. Once there are steps, autorange is said outright:
    a live chart keeps a range given in an earlier frame (the empty panel's 0..1) on axes that match each other."""
    if len(steps) == 0:  # nothing to draw yet: the first step's room, not plotly's −1..6
        ticks = {"range": [0, 1], "dtick": 1}
    elif len(steps) == 1:
        ticks = {"tickvals": [int(steps[0])], "autorange": True}
    elif steps[-1] - steps[0] < 10:
        ticks = {"dtick": 1, "autorange": True}
    else:
        ticks = {"autorange": True}
    for name, ax in axes.items():
        if name.startswith("xaxis"):
            ax.update(ticks)


HEALTHY_RATIO = 1e-3  # update/weight ratio per step: a common rule of thumb for a healthy step size


def _gradient_panels(history: pd.DataFrame, first: int, x_domain) -> tuple[list, dict, list]:
    h = thin_rows(history.iloc[1:], ["grad_norm", "update_ratio"])
    x = h["step"].to_numpy()
    k1, k2 = _ax(first), _ax(first + 1)
    data = [{"type": LINES, "x": x, "y": _f32(h["grad_norm"]), "mode": "lines", "name": "‖g‖",
             "line": {"color": "#d62728", "width": 2}, "xaxis": f"x{k1}", "yaxis": f"y{k1}"},
            {"type": LINES, "x": x, "y": _f32(h["update_ratio"]), "mode": "lines", "name": "‖Δθ‖ / ‖θ‖",
             "line": {"color": "#2ca02c", "width": 2}, "xaxis": f"x{k1}", "yaxis": f"y{k2}"}]
    axes, notes = _column(2, first, x_domain, gap=0.16, titles=[
        "gradient norm ‖g‖", "update / weight ratio<br>‖Δθ‖/‖θ‖"])  # two lines: fits a narrow panel
    _whole_steps(axes, x)
    if not len(x):  # at step 0 no gradient has been computed yet: say so rather than show empty panels
        # the ratio panel's note under the middle, where the rule of thumb's line and label are
        notes += [{"text": "after the first step", "xref": f"x{k1} domain", "x": 0.5, "yref": f"y{k} domain",
                   "y": y, "showarrow": False, "font": {"color": "#888", "size": TICK_FONT}}
                  for k, y in ((k1, 0.5), (k2, 0.2))]
    axes[f"yaxis{k1}"].update(type="log", **log_ticks(h["grad_norm"].to_numpy()))
    axes[f"yaxis{k2}"].update(type="log", **log_ticks(np.r_[h["update_ratio"].to_numpy(), HEALTHY_RATIO]))
    if not len(x):  # no data to range over: a decade either side of the rule of thumb, so it shows from step 0
        around = HEALTHY_RATIO * np.array([0.1, 1, 10])
        axes[f"yaxis{k2}"].update(range=np.log10(around[[0, -1]]).tolist(), tickvals=around.tolist(),
                                  ticktext=[f"{t:g}" for t in around])
        axes[f"yaxis{k1}"]["showticklabels"] = False  # plotly's 0.1..10k for no data at all
    return data, axes, notes


def _healthy_ratio(xk: str, yk: str) -> tuple[dict, dict]:
    """A dotted line at the update/weight ratio HEALTHY_RATIO across the panel of axes x{xk}, y{yk}, and its label:
    (shape, annotation)."""
    line = {"type": "line", "xref": f"x{xk} domain", "x0": 0, "x1": 1, "yref": f"y{yk}", "y0": HEALTHY_RATIO,
            "y1": HEALTHY_RATIO, "line": {"color": "#888", "dash": "dot", "width": 2}}
    # an annotation on a log axis is placed by the exponent
    note = {"text": "1e-3 rule of thumb", "xref": f"x{xk} domain", "x": 1, "xanchor": "right", "yref": f"y{yk}",
            "y": float(np.log10(HEALTHY_RATIO)), "yanchor": "bottom", "showarrow": False,
            "font": {"color": "#888", "size": TICK_FONT - 2}}
    return line, note


def weights_over_time_spec(trajectory: pd.DataFrame, n_layers: int, height: int = 480) -> dict:
    """Per layer, a heatmap of how many weights have each value at each step (deeper blue: more weights)."""
    data, axes, notes = _weights_panels(trajectory, n_layers, 1, (0.0, 1.0))
    layout = base_layout("Weight distribution per layer over time", height, legend=False, annotations=notes,
                         **axes)
    return {"data": data, "layout": layout}


def gradients_spec(history: pd.DataFrame, diverged_at: int | None = None, height: int = 480) -> dict:
    """Gradient norm ‖g‖ and the update/weight ratio ‖Δθ‖/‖θ‖ per step (log scale)."""
    data, axes, notes = _gradient_panels(history, 1, (0.0, 1.0))
    line, note = _healthy_ratio("", "2")
    layout = base_layout("Gradients and step sizes", height, legend=False, annotations=[*notes, note],
                         shapes=[line], **axes)
    _divergence(layout, diverged_at)
    return {"data": data, "layout": layout}


OPTIMIZER_KEY = ("Deeper blue: more weights at that value. Dotted: an update/weight ratio of "
                 f"{HEALTHY_RATIO:g} per step, a rule of thumb for a healthy step size.")


def optimizer_spec(trajectory: pd.DataFrame, history: pd.DataFrame, n_layers: int, diverged_at: int | None = None,
                   height: int = 460, key_in_chart: bool = True) -> dict:
    """Inside the optimizer, in one chart: each layer's weight distribution over time (left) and the gradient
    norm and update/weight ratio per step (right). With key_in_chart False the rule of thumb's line has no label
    in the plot, for a caption to tell (OPTIMIZER_KEY): in the plot, the ratio's own line ran through it."""
    w_data, w_axes, w_notes = _weights_panels(trajectory, n_layers, 1, (0.0, 0.44))
    panels = len(w_data)
    g_data, g_axes, g_notes = _gradient_panels(history, panels + 1, (0.58, 1.0))
    line, note = _healthy_ratio(_ax(panels + 1), _ax(panels + 2))
    title = "Inside the optimizer" if panels == n_layers else f"Inside the optimizer ({panels} of {n_layers} layers)"
    layout = base_layout(title, height, legend=False, annotations=w_notes + g_notes + ([note] if key_in_chart else []),
                         shapes=[line], **w_axes, **g_axes)
    _divergence(layout, diverged_at, xref=f"x{_ax(panels + 1)}")
    return {"data": w_data + g_data, "layout": layout}


# ---- the same charts as plotly Figures -------------------------------------------------------------------------
loss_figure = figure_from(loss_spec)
trajectory_figure = figure_from(trajectory_spec)
model_figure = figure_from(model_spec)
landscape_figure = figure_from(landscape_spec)
weights_over_time_figure = figure_from(weights_over_time_spec)
gradients_figure = figure_from(gradients_spec)
optimizer_figure = figure_from(optimizer_spec)
