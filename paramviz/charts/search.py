"""Hyperparameter-search figures: a heatmap for two-dimensional grids, parallel coordinates for any search, and
grid vs random search at the same budget. Each takes a sweep's results table and returns a plotly Figure.

A trial whose loss blew up (diverged, or finite but BLOWUP times worse than the best) is drawn at the edge of
the scale and marked, so one exploding learning rate never flattens the colours of all the others."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from paramviz.charts.lab import BEST_COLOR, FONT, TICK_FONT, log_axis, styled

LOG_FIELDS = frozenset({"learning_rate", "reg_strength", "weight_decay", "eps"})  # drawn on log axes
METRIC_LABELS = {"final_test_loss": "test loss", "final_train_loss": "train loss", "best_test_loss": "best test loss",
                 "final_test_accuracy": "test accuracy", "final_test_r2": "test R²"}
GRID_COLOR, RANDOM_COLOR = "#1f77b4", "#d62728"
BLOWUP_COLOR = "#808080"  # mid grey: reads on a white page and on Streamlit's dark one (black vanishes there)
BLOWUP = 30.0  # a loss this many times the best one is drawn at the top of the scale, as "blew up"
R2_FLOOR = -1.0  # R² below this (worse than predicting a constant, by far) is drawn at the floor


def best_trial(table: pd.DataFrame, metric: str = "final_test_loss") -> int | None:
    """Row position of the best trial (lowest loss, or highest accuracy / R²) among those that did not diverge."""
    values = scores(table, metric)
    if values.notna().sum() == 0:
        return None
    return int(np.nanargmax(values.to_numpy()) if higher_is_better(metric) else np.nanargmin(values.to_numpy()))


def higher_is_better(metric: str) -> bool:
    return metric.endswith(("accuracy", "r2"))


def scores(table: pd.DataFrame, metric: str) -> pd.Series:
    """The metric per trial, NaN where the trial diverged or the value is not finite."""
    m = pd.to_numeric(table[metric], errors="coerce").astype(float).where(~table["diverged"].astype(bool))
    return m.where(np.isfinite(m))


def capped(values: pd.Series | np.ndarray, metric: str, level: float | None = None
           ) -> tuple[np.ndarray, float, np.ndarray]:
    """(values clipped to the drawable range, the clip level, which trials blew up or diverged). The level is
    BLOWUP × the best loss (or R2_FLOOR) when something blew up, else the worst value; NaN is drawn there."""
    v = np.asarray(values, dtype=float)
    if level is None:
        level = clip_level(v, metric)
    bad = ~np.isfinite(v) | ((v < level) if higher_is_better(metric) else (v > level))
    return np.where(bad, level, v), float(level), bad


def clip_level(values: np.ndarray, metric: str) -> float:
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if not len(finite):
        return 0.0 if higher_is_better(metric) else 1.0
    if higher_is_better(metric):
        return float(R2_FLOOR if (finite < R2_FLOOR).any() or len(finite) < len(v) else finite.min())
    top = BLOWUP * finite.min() if finite.min() > 0 else finite.max()
    return float(top if (finite > top).any() or len(finite) < len(v) else finite.max())


def _log_scale(metric: str, values: np.ndarray) -> bool:
    return not higher_is_better(metric) and bool(np.all(values > 0))


def fmt_value(v) -> str:
    """A table cell as a short label: 0.001 → "0.001", (8, 8) → "8,8", True → "true"."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(map(str, v)) or "none"
    if isinstance(v, (float, np.floating)):
        return f"{v:.3g}"
    return str(v)


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def _log_ticks(values) -> dict:
    """Colorbar / axis ticks for log₁₀ values, labelled with the values themselves (0.05, not −1.3)."""
    ax = log_axis(values, margin=1.0)
    if "tickvals" not in ax:
        return {}
    return {"tickvals": np.log10(ax["tickvals"]).tolist(), "ticktext": ax["ticktext"]}


def _decades(values) -> dict:
    """A log axis labelled at each power of ten in plain numbers (0.001, not 1m or 10⁻³)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {"type": "log"}
    ticks = [10.0**k for k in range(int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max()))) + 1)]
    return {"type": "log", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


# ---- heatmap -------------------------------------------------------------------------------------------------

def results_heatmap(table: pd.DataFrame, x: str, y: str, metric: str = "final_test_loss") -> go.Figure:
    """The metric over a two-dimensional grid (mean over repeated cells). Cells that diverged or blew up are
    labelled so and coloured as the worst; the best cell is outlined."""
    ok = table.assign(_m=scores(table, metric))
    xs, ys = _levels(table[x]), _levels(table[y])
    z = np.full((len(ys), len(xs)), np.nan)
    for (xv, yv), cell in ok.groupby([ok[x].map(fmt_value), ok[y].map(fmt_value)]):
        z[ys.index(yv), xs.index(xv)] = cell["_m"].mean()
    shown, level, bad = capped(z.ravel(), metric)
    shown, bad = shown.reshape(z.shape), bad.reshape(z.shape)
    log = _log_scale(metric, shown)
    text = np.where(np.isnan(z), "diverged", np.where(bad, "blew up", np.vectorize(lambda v: f"{v:.3g}")(shown)))
    fig = go.Figure(go.Heatmap(
        x=xs, y=ys, z=np.log10(shown) if log else shown, text=text, texttemplate="%{text}",
        textfont={"size": TICK_FONT}, colorscale="Viridis" if higher_is_better(metric) else "Viridis_r",
        colorbar={"title": {"text": _label(metric)}, **(_log_ticks(shown) if log else {})},
        hovertemplate=f"{x} %{{x}}<br>{y} %{{y}}<br>{_label(metric)} %{{text}}<extra></extra>"))
    if np.isfinite(z).any():
        flat = np.nanargmax(z) if higher_is_better(metric) else np.nanargmin(z)
        i, j = np.unravel_index(flat, z.shape)
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5, xref="x", yref="y",
                      line={"color": BEST_COLOR, "width": 5})
    fig.update_xaxes(title_text=x, type="category")
    fig.update_yaxes(title_text=y, type="category")
    return styled(fig, height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10})


def _levels(series: pd.Series) -> list[str]:
    """Distinct values in sorted order, as labels."""
    values = list(dict.fromkeys(series.tolist()))
    try:
        values = sorted(values)
    except TypeError:
        pass
    return list(dict.fromkeys(fmt_value(v) for v in values))


# ---- parallel coordinates --------------------------------------------------------------------------------------

def parallel_coordinates(table: pd.DataFrame, dims: list[str], metric: str = "final_test_loss") -> go.Figure:
    """One vertical axis per searched dimension plus the metric; each trial is a line coloured by the metric.
    Choices (optimizer, activation, ...) are encoded as positions with their names as tick labels; learning
    rates and λ are drawn on log axes; trials that blew up sit at the top of the metric's axis."""
    values, _, _ = capped(scores(table, metric), metric)
    log = _log_scale(metric, values)
    shown = np.log10(values) if log else values
    dimensions = [_dimension(table[d], d) for d in dims]
    dimensions.append({"label": _label(metric) + (" (log scale)" if log else ""), "values": shown,
                       **(_log_ticks(values) if log else {})})
    fig = go.Figure(go.Parcoords(
        line={"color": shown, "colorscale": "Viridis" if higher_is_better(metric) else "Viridis_r",
              "showscale": False},
        dimensions=dimensions, labelfont={"size": FONT}, tickfont={"size": TICK_FONT}))
    return styled(fig, height=440, margin={"l": 70, "r": 70, "t": 80, "b": 30})


def _dimension(series: pd.Series, name: str) -> dict:
    if not is_numeric(series):
        levels = _levels(series)
        codes = series.map(fmt_value).map({v: i for i, v in enumerate(levels)}).to_numpy(dtype=float)
        return {"label": name, "values": codes, "tickvals": list(range(len(levels))), "ticktext": levels,
                "range": [-0.2, len(levels) - 0.8] if len(levels) > 1 else [-1, 1]}
    v = series.to_numpy(dtype=float)
    if name in LOG_FIELDS and (v > 0).all():
        ax = _decades(v)
        ticks = np.log10(ax["tickvals"])
        return {"label": f"{name} (log)", "values": np.log10(v), "tickvals": ticks.tolist(),
                "ticktext": ax["ticktext"], "range": [ticks.min(), ticks.max()] if len(ticks) > 1 else None}
    return {"label": name, "values": v}


# ---- grid vs random search --------------------------------------------------------------------------------------

def grid_vs_random_figure(grid: pd.DataFrame, random: pd.DataFrame, important: str, unimportant: str,
                          metric: str = "final_test_loss") -> go.Figure:
    """Top: where each method put its trials on the (important, unimportant) plane, coloured by the metric.
    Bottom: the metric against the important dimension alone — grid search tested only a few distinct values
    of it, random search as many as it had trials. Each method's best trial is starred; trials that blew up
    are crosses at the top of the scale."""
    titles = [f"<b>{name}</b>: {t[important].nunique()} distinct {important} values, best {_best_text(t, metric)}"
              for name, t in (("Grid", grid), ("Random", random))]
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, row_heights=[0.5, 0.5], vertical_spacing=0.1,
                        horizontal_spacing=0.08, subplot_titles=titles)
    both, level, _ = capped(pd.concat([scores(grid, metric), scores(random, metric)]), metric)
    log = _log_scale(metric, both)
    cmin, cmax = float(both.min()), float(both.max())
    for col, (table, color) in enumerate(((grid, GRID_COLOR), (random, RANDOM_COLOR)), start=1):
        _plane(fig, table, important, unimportant, metric, col, (cmin, cmax, log), level)
        _marginal(fig, table, important, metric, col, color, level)
    x_axis = _decades(pd.concat([grid[important], random[important]])) if important in LOG_FIELDS else {}
    fig.update_xaxes(**x_axis)
    fig.update_xaxes(title_text=important + (" (log scale)" if important in LOG_FIELDS else ""), row=2)
    fig.update_yaxes(title_text=unimportant, row=1, col=1)
    fig.update_yaxes(title_text=_label(metric) + (" (log scale)" if log else ""), row=2, col=1)
    if log:
        fig.update_yaxes(row=2, **log_axis(both, margin=1.3))
    fig.update_annotations(font_size=FONT)
    return styled(fig, height=720, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                  legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0, "font": {"size": TICK_FONT}})


def _plane(fig, table, important, unimportant, metric, col, scale, level) -> None:
    cmin, cmax, log = scale
    values, _, bad = capped(scores(table, metric), metric, level)
    color = np.log10(values) if log else values
    colorbar = {"title": {"text": _label(metric)}, "len": 0.45, "y": 0.78,
                **(_log_ticks(np.r_[cmin, cmax]) if log else {})}
    fig.add_trace(go.Scatter(
        x=table[important], y=table[unimportant], mode="markers", showlegend=False,
        marker={"size": 18, "color": color, "colorscale": "Viridis" if higher_is_better(metric) else "Viridis_r",
                "cmin": np.log10(cmin) if log else cmin, "cmax": np.log10(cmax) if log else cmax,
                "showscale": col == 2, "colorbar": colorbar, "symbol": np.where(bad, "x", "circle").tolist(),
                "line": {"width": 1, "color": "white"}},
        customdata=np.where(bad, "blew up", [f"{v:.4g}" for v in values]).tolist(),
        hovertemplate=f"{important} %{{x:.3g}}<br>{unimportant} %{{y:.3g}}<br>{_label(metric)} %{{customdata}}"
                      "<extra></extra>"), row=1, col=col)


def _marginal(fig, table, important, metric, col, color, level) -> None:
    for v in table[important].unique():
        fig.add_vline(x=v, line={"color": color, "width": 1, "dash": "dot"}, opacity=0.5, row=2, col=col)
    values, _, bad = capped(scores(table, metric), metric, level)
    name = "grid search" if col == 1 else "random search"
    fig.add_trace(go.Scatter(x=table[important][~bad], y=values[~bad], mode="markers", name=name,
                             marker={"size": 13, "color": color},
                             hovertemplate=f"{important} %{{x:.3g}}<br>%{{y:.4g}}<extra></extra>"), row=2, col=col)
    if bad.any():
        fig.add_trace(go.Scatter(x=table[important][bad], y=values[bad], mode="markers", name="blew up / diverged",
                                 legendgroup="blew", showlegend=col == 1,
                                 marker={"size": 14, "color": BLOWUP_COLOR, "symbol": "x",
                                         "line": {"width": 1, "color": "white"}}, hoverinfo="skip"),
                      row=2, col=col)
    b = best_trial(table, metric)
    if b is not None:
        row = table.iloc[b]
        fig.add_trace(go.Scatter(x=[row[important]], y=[row[metric]], mode="markers", name="best trial",
                                 legendgroup="best", showlegend=col == 1,
                                 marker={"symbol": "star", "size": 24, "color": BEST_COLOR,
                                         "line": {"width": 1, "color": "white"}}), row=2, col=col)


def _best_text(table: pd.DataFrame, metric: str) -> str:
    b = best_trial(table, metric)
    return "— (all diverged)" if b is None else f"{table.iloc[b][metric]:.3g}"
