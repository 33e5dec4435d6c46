"""The overfitting lab's figures: capacity curve, regularization path, learning curve, early stopping and the
bias–variance split. Each function takes the DataFrames of paramviz.lab and returns a plotly Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from paramviz.lab import BiasVariance, EarlyStopping, weight_columns

TRAIN_COLOR, TEST_COLOR, BEST_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"
BIAS_COLOR, VARIANCE_COLOR, NOISE_COLOR = "#9467bd", "#d62728", "#7f7f7f"
# The figures have no background of their own: Streamlit draws them on a white or a near-black page. Marks
# are mid-tone colours that read on both, never black or white (text takes the theme's colour).
TRUE_COLOR, STOP_COLOR, DIVERGED_COLOR = "#2ca02c", "#d62728", "#d62728"
DIVERGED_MARKER = {"symbol": "x", "size": 14, "color": DIVERGED_COLOR}
# Gradient descent with too large a step grows the loss geometrically, to 1e300 before it overflows: a loss this
# many times the lowest one is counted as diverged. An overfit polynomial's test loss can be 1000× the best one's.
BLOWUP = 1e6
FONT, TICK_FONT = 16, 14
WEIGHT_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#7f7f7f")

CAPACITY_LABELS = {"poly_degree": "polynomial degree", "hidden_width": "neurons per hidden layer",
                   "hidden_depth": "hidden layers"}
REGULARIZER_TITLES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elasticnet": "elastic net"}


def styled(fig: go.Figure, height: int = 480, **extra) -> go.Figure:
    """The lab's common look: large fonts for a projector, the legend in one row above the plot."""
    layout = {"height": height, "font": {"size": FONT}, "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": TICK_FONT}},
              "hovermode": "closest"}
    fig.update_layout({**layout, **extra})
    fig.update_xaxes(tickfont={"size": TICK_FONT}, automargin=True)
    fig.update_yaxes(tickfont={"size": TICK_FONT}, automargin=True)
    return fig


def log_axis(*series, margin: float = 1.6) -> dict:
    """A log axis fitted to the finite positive values of `series`, labelled at 1, 2, 5 × 10^k in plain numbers
    (0.05, not 5×10⁻²); only at 10^k when that would be more than a dozen labels."""
    v = np.concatenate([np.asarray(s, dtype=float).ravel() for s in series])
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {"type": "log"}
    lo, hi = v.min() / margin, v.max() * margin
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    ticks = [m * 10.0**k for k in decades for m in (1, 2, 5) if lo <= m * 10.0**k <= hi]
    if len(ticks) > 12:
        ticks = [10.0**k for k in decades if lo <= 10.0**k <= hi]
    if len(ticks) < 2:  # a narrow range: label the values themselves
        ticks = sorted({float(f"{t:.3g}") for t in (v.min(), v.max())} | set(ticks))
    return {"type": "log", "range": [np.log10(lo), np.log10(hi)], "tickvals": ticks,
            "ticktext": [f"{t:g}" for t in ticks]}


def _band(x, lo, hi, color: str, name: str) -> list[go.Scatter]:
    """A shaded range between lo and hi (drawn only where they differ, e.g. over several data seeds)."""
    fill = _rgba(color, 0.15)
    return [go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False,
                       legendgroup=name),
            go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=fill,
                       hoverinfo="skip", showlegend=False, legendgroup=name, name=f"{name} range")]


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _varies(lo: pd.Series, hi: pd.Series) -> bool:
    return bool(np.any(np.abs(hi.to_numpy() - lo.to_numpy()) > 0))


def diverged(*tables: pd.DataFrame, column: str = "final_test_loss") -> list[pd.Series]:
    """Per table, which models diverged: their weights became infinite or NaN, or their loss blew up to more than
    BLOWUP × the lowest loss of the tables (finite, but on its way to infinity: not a result)."""
    flags = [t["diverged"].astype(bool) for t in tables]
    losses = [t[column].astype(float) for t in tables]
    trained = np.concatenate([loss[~flag].to_numpy() for loss, flag in zip(losses, flags)])
    trained = trained[np.isfinite(trained) & (trained > 0)]
    limit = BLOWUP * trained.min() if len(trained) else np.inf
    return [flag | ~(loss <= limit) for loss, flag in zip(losses, flags)]


def _trained(values: pd.Series, failed: pd.Series) -> pd.Series:
    """The values of the models that did not diverge; NaN (a gap in the line) where one did."""
    return values.where(~failed)


def _ceiling(*series) -> float:
    """Where diverged models are marked: a little above the highest loss of the models that trained, so a loss
    of 1e300 never stretches the axis (1 when every model diverged)."""
    v = np.concatenate([np.asarray(s, dtype=float).ravel() for s in series])
    v = v[np.isfinite(v) & (v > 0)]
    return float(2 * v.max()) if len(v) else 1.0


def _loss_axis(losses: list, top: float, any_diverged: bool, margin: float = 1.6) -> dict:
    """A log loss axis fitted to the models that trained; if some diverged, it reaches up to their crosses at
    `top`, a row labelled "diverged" (it is not a loss)."""
    if not any_diverged:
        return log_axis(*losses, margin=margin)
    axis = log_axis(*losses, [top], margin=margin)
    ticks = [(v, t) for v, t in zip(axis["tickvals"], axis["ticktext"]) if v < top / 1.25]
    return {**axis, "tickvals": [v for v, _ in ticks] + [top], "ticktext": [t for _, t in ticks] + ["diverged"]}


def _diverged_trace(x, y, hover: str, **kw) -> go.Scatter:
    return go.Scatter(x=x, y=y, mode="markers", name="diverged", legendgroup="diverged", marker=DIVERGED_MARKER,
                      hovertemplate=hover + "<extra></extra>", **kw)


# ---- capacity curve ------------------------------------------------------------------------------------------

def capacity_figure(curve: pd.DataFrame, param: str = "poly_degree") -> go.Figure:
    """Train and test loss against capacity (log y), the best model starred; click a point to pick a model.
    A model that diverged has no loss to show: it is a cross at the top of the chart."""
    x, failed = curve[param], diverged(curve)[0]
    fig = go.Figure()
    if {"test_loss_lo", "test_loss_hi"} <= set(curve) and _varies(curve["test_loss_lo"], curve["test_loss_hi"]):
        for part, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
            fig.add_traces(_band(x, _trained(curve[f"{part}_loss_lo"], failed),
                                 _trained(curve[f"{part}_loss_hi"], failed), color, f"{part} loss"))
    label = CAPACITY_LABELS.get(param, param)
    hover = f"{label} %{{x}}<br>%{{fullData.name}} %{{y:.4g}}<extra></extra>"
    losses = {}
    for column, name, color in (("final_train_loss", "train loss", TRAIN_COLOR),
                                ("final_test_loss", "test loss", TEST_COLOR)):
        losses[column] = _trained(curve[column], failed)
        fig.add_trace(go.Scatter(x=x, y=losses[column], mode="lines+markers", name=name, legendgroup=name,
                                 line={"color": color, "width": 3}, marker={"size": 10}, customdata=x,
                                 hovertemplate=hover))
    best = curve[curve["best"]]
    if len(best):
        fig.add_trace(go.Scatter(x=best[param], y=best["final_test_loss"], mode="markers", name="best test loss",
                                 marker={"symbol": "star", "size": 24, "color": BEST_COLOR,
                                         "line": {"width": 1, "color": "white"}},
                                 customdata=best[param], hovertemplate=hover))
        _underfit_overfit_labels(fig, curve, param, best[param].iloc[0])
    top = _ceiling(*losses.values())
    if failed.any():
        fig.add_trace(_diverged_trace(x[failed], np.full(failed.sum(), top), f"{label} %{{x}}: diverged",
                                      customdata=x[failed]))
    fig.update_xaxes(title_text=label, **_capacity_axis(x, param))
    fig.update_yaxes(title_text="loss after training (log scale)",
                     **_loss_axis(list(losses.values()), top, failed.any()))
    return styled(fig, clickmode="event+select")


def _capacity_axis(x: pd.Series, param: str) -> dict:
    """Degrees and depths one apart on a linear axis; widths (1, 2, 4, ... 64) on a log axis, labelled at each
    width, with its range set in log10 units as plotly's log axes are."""
    if param != "hidden_width":
        return {"type": "linear", "dtick": 1}
    lo, hi = np.log10(x.min()), np.log10(x.max())
    pad = 0.05 * (hi - lo) + 0.1
    return {"type": "log", "range": [lo - pad, hi + pad], "tickvals": list(x), "ticktext": [str(v) for v in x]}


def _underfit_overfit_labels(fig: go.Figure, curve: pd.DataFrame, param: str, best) -> None:
    """At the plot's left and right edges, in paper units: on a log axis a data x would be read as log10(x)."""
    lo, hi = curve[param].min(), curve[param].max()
    if best > lo:
        fig.add_annotation(x=0, y=1.0, xref="paper", yref="paper", text="← underfitting (high bias)",
                           showarrow=False, xanchor="left", font={"size": TICK_FONT, "color": "gray"})
    if best < hi:
        fig.add_annotation(x=1, y=1.0, xref="paper", yref="paper", text="overfitting (high variance) →",
                           showarrow=False, xanchor="right", font={"size": TICK_FONT, "color": "gray"})


# ---- regularization path -------------------------------------------------------------------------------------

def regularization_path_figure(paths: list[pd.DataFrame], labels: dict[str, str] | None = None) -> go.Figure:
    """One column per regularizer: train/test loss, every weight's final value and the number of weights that
    are exactly zero, each against reg_strength λ on a log axis. A model that diverged has no loss or weights to
    show: it is a cross at the top of the loss panel, and a gap in the other two."""
    labels = labels or {}
    titles = [REGULARIZER_TITLES.get(p["regularizer"].iloc[0], p["regularizer"].iloc[0]) for p in paths]
    fig = make_subplots(rows=3, cols=len(paths), shared_xaxes=True, row_heights=[0.32, 0.46, 0.22],
                        vertical_spacing=0.06, horizontal_spacing=0.08, subplot_titles=titles)
    failed = diverged(*paths)
    losses = [_trained(p[c], f) for p, f in zip(paths, failed) for c in ("final_train_loss", "final_test_loss")]
    top = _ceiling(*losses)
    shown = set()  # legend entries already given
    for col, (path, f) in enumerate(zip(paths, failed), start=1):
        _path_column(fig, path, f, col, labels, top, shown)
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_xaxes(title_text="regularization strength λ (log scale)", row=3)
    fig.update_yaxes(row=1, **_loss_axis(losses, top, any(f.any() for f in failed), margin=1.2))
    fig.update_yaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="final weight", row=2, col=1)
    fig.update_yaxes(title_text="weights = 0", row=3, col=1, rangemode="tozero")
    return styled(fig, height=780, margin={"l": 10, "r": 10, "t": 90, "b": 10},
                  legend={"orientation": "h", "yanchor": "bottom", "y": 1.05, "x": 0, "font": {"size": TICK_FONT}})


def _path_column(fig: go.Figure, path: pd.DataFrame, failed: pd.Series, col: int, labels: dict[str, str],
                 top: float, shown: set[str]) -> None:
    lam = path["reg_strength"]

    def legend(group: str) -> bool:  # each legend entry once, from whichever column draws it first
        first = group not in shown
        shown.add(group)
        return first

    for column, name, color in (("final_train_loss", "train loss", TRAIN_COLOR),
                                ("final_test_loss", "test loss", TEST_COLOR)):
        fig.add_trace(go.Scatter(x=lam, y=_trained(path[column], failed), mode="lines+markers", name=name,
                                 legendgroup=name, showlegend=legend(name), line={"color": color, "width": 3},
                                 hovertemplate="λ %{x:.3g}<br>" + name + " %{y:.4g}<extra></extra>"), row=1, col=col)
    ok = _trained(path["final_test_loss"], failed)
    if ok.notna().any():
        b = ok.idxmin()
        fig.add_trace(go.Scatter(x=[lam[b]], y=[path["final_test_loss"][b]], mode="markers", name="best test loss",
                                 legendgroup="best", showlegend=legend("best"),
                                 marker={"symbol": "star", "size": 20, "color": BEST_COLOR}), row=1, col=col)
    if failed.any():
        fig.add_trace(_diverged_trace(lam[failed], np.full(failed.sum(), top), "λ %{x:.3g}: diverged",
                                      showlegend=legend("diverged")), row=1, col=col)
    for i, w in enumerate(weight_columns(path)):
        name = labels.get(w, w)
        fig.add_trace(go.Scatter(x=lam, y=_trained(path[w], failed), mode="lines", name=name,
                                 legendgroup="weights", showlegend=False,
                                 line={"width": 2, "color": WEIGHT_COLORS[i % len(WEIGHT_COLORS)]},
                                 hovertemplate=f"{name}<br>λ %{{x:.3g}}<br>weight %{{y:.4g}}<extra></extra>"),
                      row=2, col=col)
    fig.add_hline(y=0, line={"color": "gray", "width": 1}, row=2, col=col)
    n = int(path["n_weights"].iloc[0])
    fig.add_trace(go.Scatter(x=lam, y=_trained(path["n_zero_weights"], failed), mode="lines+markers",
                             name="weights exactly 0", legendgroup="zeros", showlegend=legend("zeros"),
                             line={"color": BIAS_COLOR, "shape": "hvh"}, fill="tozeroy", marker={"size": 8},
                             hovertemplate="λ %{x:.3g}<br>%{y} of " + str(n) + " weights are exactly 0<extra></extra>"),
                  row=3, col=col)
    fig.update_yaxes(range=[0, n + 0.5], row=3, col=col)


# ---- learning curve --------------------------------------------------------------------------------------------

def learning_curve_figure(curve: pd.DataFrame) -> go.Figure:
    """Train and test loss against the number of training samples (log axes); the gap between them shaded."""
    x = curve["n_train"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=curve["train_loss"], mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=curve["test_loss"], mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(127,127,127,0.18)", name="gap (test − train)", hoverinfo="skip"))
    if _varies(curve["test_loss_lo"], curve["test_loss_hi"]):
        fig.add_traces(_band(x, curve["train_loss_lo"], curve["train_loss_hi"], TRAIN_COLOR, "train loss"))
        fig.add_traces(_band(x, curve["test_loss_lo"], curve["test_loss_hi"], TEST_COLOR, "test loss"))
    for column, name, color in (("train_loss", "train loss", TRAIN_COLOR), ("test_loss", "test loss", TEST_COLOR)):
        fig.add_trace(go.Scatter(x=x, y=curve[column], mode="lines+markers", name=name, legendgroup=name,
                                 line={"color": color, "width": 3}, marker={"size": 10},
                                 hovertemplate="%{x} training samples<br>" + name + " %{y:.4g}<extra></extra>"))
    fig.update_xaxes(title_text="training samples (log scale)", type="log", tickvals=list(x),
                     ticktext=[str(v) for v in x])
    fig.update_yaxes(title_text="loss after training (log scale)", **log_axis(curve["train_loss"], curve["test_loss"]))
    return styled(fig)


# ---- early stopping ----------------------------------------------------------------------------------------------

def early_stopping_figure(history: pd.DataFrame, stop: EarlyStopping) -> go.Figure:
    """The loss curves with the lowest test loss, the step where patience runs out, and the steps it skips."""
    fig = go.Figure()
    if stop.stopped:
        fig.add_vrect(x0=stop.stop_step, x1=stop.final_step, fillcolor="gray", opacity=0.12, line_width=0,
                      annotation_text="steps early stopping skips", annotation_position="top right",
                      annotation_font_size=TICK_FONT)
    for column, name, color in (("train_loss", "train loss", TRAIN_COLOR), ("test_loss", "test loss", TEST_COLOR)):
        fig.add_trace(go.Scatter(x=history["step"], y=history[column], mode="lines", name=name,
                                 line={"color": color, "width": 3},
                                 hovertemplate="step %{x}<br>" + name + " %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[stop.best_step], y=[stop.best_test_loss], mode="markers", name="lowest test loss",
                             marker={"symbol": "star", "size": 22, "color": BEST_COLOR}))
    if stop.stopped:
        fig.add_trace(go.Scatter(x=[stop.restored_step], y=[stop.restored_test_loss], mode="markers",
                                 name="weights early stopping keeps",
                                 marker={"symbol": "circle-open", "size": 20, "color": STOP_COLOR,
                                         "line": {"width": 3}}))
        fig.add_vline(x=stop.stop_step, line={"color": STOP_COLOR, "dash": "dash", "width": 2},
                      annotation_text=f"stop at step {stop.stop_step}", annotation_position="top right",
                      annotation_font={"size": TICK_FONT, "color": STOP_COLOR})
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="loss (log scale)", **log_axis(history["train_loss"], history["test_loss"]))
    return styled(fig)


# ---- bias–variance -----------------------------------------------------------------------------------------------

def bias_variance_fits_figure(bv: BiasVariance, param: str, value: int,
                              train_points: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """Every resample's fitted curve (thin), their mean (bold) and the true function (dashed) for one model."""
    fits = bv.fits[bv.fits[param] == value]
    point = bv.pointwise[bv.pointwise[param] == value]
    fig = go.Figure()
    for r, one in fits.groupby("resample"):
        fig.add_trace(go.Scatter(x=one["x"], y=one["prediction"], mode="lines", name="one resample's fit",
                                 legendgroup="fits", showlegend=r == 0, line={"color": _rgba(VARIANCE_COLOR, 0.3),
                                                                               "width": 1.5}, hoverinfo="skip"))
    if train_points is not None:
        fig.add_trace(go.Scatter(x=train_points[0], y=train_points[1], mode="markers", name="one training set",
                                 marker={"color": TRAIN_COLOR, "size": 9, "line": {"width": 1, "color": "white"}}))
    fig.add_trace(go.Scatter(x=point["x"], y=point["mean_prediction"], mode="lines", name="average fit",
                             line={"color": BIAS_COLOR, "width": 4}))
    fig.add_trace(go.Scatter(x=point["x"], y=point["f"], mode="lines", name="true function f(x)",
                             line={"color": TRUE_COLOR, "width": 3.5, "dash": "dash"}))
    f = point["f"].to_numpy()
    pad = max(1.0, 0.6 * (f.max() - f.min()))
    fig.update_yaxes(title_text="prediction", range=[f.min() - pad, f.max() + pad])
    fig.update_xaxes(title_text="x")
    return styled(fig)


def bias_variance_bars_figure(summary: pd.DataFrame, param: str = "poly_degree", clip: float = 6.0) -> go.Figure:
    """Expected test error split into stacked bias², variance and noise for each capacity value. Bars taller
    than `clip` × the smallest total run off the top of the chart; every bar is labelled with its total."""
    x = summary[param].astype(str)
    total = summary["expected_error"].to_numpy()
    level = float(min(total.max(), clip * total.min()))
    fig = go.Figure()
    for column, name, color in (("noise", "noise σ²", NOISE_COLOR), ("bias2", "bias²", BIAS_COLOR),
                                ("variance", "variance", VARIANCE_COLOR)):
        fig.add_trace(go.Bar(x=x, y=summary[column], name=name, marker={"color": color},
                             hovertemplate=f"{CAPACITY_LABELS.get(param, param)} %{{x}}<br>{name} %{{y:.4g}}"
                                           "<extra></extra>"))
    top = level * 1.15
    for i, t in enumerate(total):  # x by position: a category axis reads a label like "3" as the 4th category
        fig.add_annotation(x=i, showarrow=False, **_total_label(t, level, top))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=CAPACITY_LABELS.get(param, param), type="category")
    fig.update_yaxes(title_text="expected squared test error", range=[0, top])
    return styled(fig)


def _total_label(total: float, level: float, top: float) -> dict:
    """A bar's total just above it, in the theme's text colour. A bar that runs off the top is labelled inside,
    upright along the bar in white (it reads on every bar colour, in light and dark themes), so that labels of
    neighbouring tall bars never overlap; the "→" then points up."""
    if total <= level:
        return {"y": total, "text": f"{total:.3g}", "yanchor": "bottom", "yshift": 2, "font": {"size": TICK_FONT}}
    return {"y": top, "text": f"{total:.3g} →", "textangle": -90, "yanchor": "top", "yshift": -4,
            "font": {"size": TICK_FONT, "color": "white"}}
