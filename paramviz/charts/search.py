"""Hyperparameter-search figures: a heatmap for two-dimensional grids, parallel coordinates for any search, and
grid vs random search at the same budget. Each takes a sweep's results table and returns a plotly Figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from paramviz.charts.lab import BEST_COLOR, FONT, TICK_FONT, styled

LOG_FIELDS = frozenset({"learning_rate", "reg_strength", "weight_decay", "eps"})  # drawn on log axes
METRIC_LABELS = {"final_test_loss": "test loss", "final_train_loss": "train loss", "best_test_loss": "best test loss",
                 "final_test_accuracy": "test accuracy", "final_test_r2": "test R²"}
GRID_COLOR, RANDOM_COLOR = "#1f77b4", "#d62728"


def best_trial(table: pd.DataFrame, metric: str = "final_test_loss") -> int | None:
    """Row position of the best trial (lowest loss, or highest accuracy / R²) among those that did not diverge."""
    values = pd.to_numeric(table[metric], errors="coerce").where(~table["diverged"].astype(bool))
    values = values.where(np.isfinite(values))
    if values.notna().sum() == 0:
        return None
    return int(np.nanargmax(values.to_numpy()) if _higher_is_better(metric) else np.nanargmin(values.to_numpy()))


def _higher_is_better(metric: str) -> bool:
    return metric.endswith(("accuracy", "r2"))


def fmt_value(v) -> str:
    """A table cell as a short label: 0.001 → "0.001", (8, 8) → "8,8", True → "true"."""
    if isinstance(v, bool) or isinstance(v, np.bool_):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(map(str, v)) or "none"
    if isinstance(v, (float, np.floating)):
        return f"{v:.3g}"
    return str(v)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


# ---- heatmap -------------------------------------------------------------------------------------------------

def results_heatmap(table: pd.DataFrame, x: str, y: str, metric: str = "final_test_loss") -> go.Figure:
    """The metric over a two-dimensional grid (mean over repeated cells); diverged cells are left blank and
    the best cell is outlined."""
    ok = table.assign(_m=pd.to_numeric(table[metric], errors="coerce").where(~table["diverged"].astype(bool)))
    xs, ys = _levels(table[x]), _levels(table[y])
    z = np.full((len(ys), len(xs)), np.nan)
    for (xv, yv), cell in ok.groupby([ok[x].map(fmt_value), ok[y].map(fmt_value)]):
        z[ys.index(yv), xs.index(xv)] = cell["_m"].mean()
    log = not _higher_is_better(metric) and np.nanmin(z, initial=np.inf) > 0
    shown = np.log10(z) if log else z
    text = np.where(np.isnan(z), "diverged", np.vectorize(lambda v: f"{v:.3g}")(np.nan_to_num(z)))
    fig = go.Figure(go.Heatmap(
        x=xs, y=ys, z=shown, text=text, texttemplate="%{text}", textfont={"size": TICK_FONT},
        colorscale="Viridis" if _higher_is_better(metric) else "Viridis_r", hoverongaps=False,
        colorbar={"title": {"text": METRIC_LABELS.get(metric, metric) + (" (log₁₀)" if log else "")}},
        hovertemplate=f"{x} %{{x}}<br>{y} %{{y}}<br>{METRIC_LABELS.get(metric, metric)} %{{text}}<extra></extra>"))
    if np.isfinite(z).any():
        flat = np.nanargmax(z) if _higher_is_better(metric) else np.nanargmin(z)
        i, j = np.unravel_index(flat, z.shape)
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5, xref="x", yref="y",
                      line={"color": BEST_COLOR, "width": 5})
    fig.update_xaxes(title_text=x, type="category")
    fig.update_yaxes(title_text=y, type="category")
    return styled(fig, height=460)


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
    rates and λ are drawn on log axes."""
    values = pd.to_numeric(table[metric], errors="coerce").where(~table["diverged"].astype(bool))
    finite = values[np.isfinite(values)]
    worst = (finite.min() if _higher_is_better(metric) else finite.max()) if len(finite) else 0.0
    color = values.fillna(worst).where(np.isfinite(values), worst).to_numpy(dtype=float)
    log = not _higher_is_better(metric) and len(finite) and finite.min() > 0
    shown = np.log10(color) if log else color
    dimensions = [_dimension(table[d], d) for d in dims]
    dimensions.append({"label": METRIC_LABELS.get(metric, metric) + (" (log₁₀)" if log else ""),
                       "values": shown})
    fig = go.Figure(go.Parcoords(
        line={"color": shown, "colorscale": "Viridis" if _higher_is_better(metric) else "Viridis_r",
              "showscale": True, "colorbar": {"title": {"text": METRIC_LABELS.get(metric, metric)}}},
        dimensions=dimensions, labelfont={"size": FONT}, tickfont={"size": TICK_FONT}))
    return styled(fig, height=440, margin={"l": 60, "r": 40, "t": 80, "b": 30})


def _dimension(series: pd.Series, name: str) -> dict:
    if not _is_numeric(series):
        levels = _levels(series)
        codes = series.map(fmt_value).map({v: i for i, v in enumerate(levels)}).to_numpy(dtype=float)
        return {"label": name, "values": codes, "tickvals": list(range(len(levels))), "ticktext": levels,
                "range": [-0.2, len(levels) - 0.8] if len(levels) > 1 else [-1, 1]}
    v = series.to_numpy(dtype=float)
    if name in LOG_FIELDS and (v > 0).all():
        lo, hi = math.floor(np.log10(v.min())), math.ceil(np.log10(v.max()))
        ticks = list(range(lo, hi + 1))
        return {"label": f"{name} (log)", "values": np.log10(v), "tickvals": ticks,
                "ticktext": [f"{10.0**t:g}" for t in ticks], "range": [lo, hi] if hi > lo else [lo - 1, lo + 1]}
    return {"label": name, "values": v}


# ---- grid vs random search --------------------------------------------------------------------------------------

def grid_vs_random_figure(grid: pd.DataFrame, random: pd.DataFrame, important: str, unimportant: str,
                          metric: str = "final_test_loss") -> go.Figure:
    """Top: where each method put its trials on the (important, unimportant) plane, coloured by the metric.
    Bottom: the metric against the important dimension alone — grid search tested only a few distinct values
    of it, random search as many as it had trials. Each method's best trial is starred."""
    titles = [f"{name}: {_distinct(t[important])} distinct {important} values, best {_best_text(t, metric)}"
              for name, t in (("Grid", grid), ("Random", random))]
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.08,
                        horizontal_spacing=0.07, subplot_titles=titles)
    values = pd.concat([_metric(grid, metric), _metric(random, metric)])
    finite = values[np.isfinite(values)]
    cmin, cmax = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    for col, (table, color) in enumerate(((grid, GRID_COLOR), (random, RANDOM_COLOR)), start=1):
        m = _metric(table, metric)
        fig.add_trace(go.Scatter(
            x=table[important], y=table[unimportant], mode="markers", showlegend=False,
            marker={"size": 16, "color": m.fillna(cmax), "colorscale": "Viridis_r", "cmin": cmin, "cmax": cmax,
                    "showscale": col == 2, "line": {"width": 1, "color": "white"},
                    "colorbar": {"title": {"text": METRIC_LABELS.get(metric, metric)}, "len": 0.55, "y": 0.75}},
            hovertemplate=f"{important} %{{x:.3g}}<br>{unimportant} %{{y:.3g}}<br>"
                          f"{METRIC_LABELS.get(metric, metric)} %{{marker.color:.4g}}<extra></extra>"), row=1, col=col)
        for v in table[important].unique():
            fig.add_vline(x=v, line={"color": color, "width": 1, "dash": "dot"}, opacity=0.5, row=2, col=col)
        order = table.sort_values(important)
        fig.add_trace(go.Scatter(x=order[important], y=_metric(order, metric), mode="markers",
                                 marker={"size": 12, "color": color}, name=("grid" if col == 1 else "random") +
                                 " search", hovertemplate=f"{important} %{{x:.3g}}<br>%{{y:.4g}}<extra></extra>"),
                      row=2, col=col)
        b = best_trial(table, metric)
        if b is not None:
            row = table.iloc[b]
            fig.add_trace(go.Scatter(x=[row[important]], y=[row[metric]], mode="markers", name="best trial",
                                     showlegend=col == 1, marker={"symbol": "star", "size": 22, "color": BEST_COLOR}),
                          row=2, col=col)
    log_x = important in LOG_FIELDS
    fig.update_xaxes(type="log" if log_x else "linear")
    fig.update_xaxes(title_text=important + (" (log scale)" if log_x else ""), row=2)
    fig.update_yaxes(title_text=unimportant, row=1, col=1)
    fig.update_yaxes(title_text=METRIC_LABELS.get(metric, metric), row=2, col=1)
    if unimportant in LOG_FIELDS:
        fig.update_yaxes(type="log", row=1)
    if not _higher_is_better(metric) and len(finite) and cmin > 0:
        fig.update_yaxes(type="log", row=2)
    fig.update_annotations(font_size=FONT)
    return styled(fig, height=700)


def _metric(table: pd.DataFrame, metric: str) -> pd.Series:
    m = pd.to_numeric(table[metric], errors="coerce").where(~table["diverged"].astype(bool))
    return m.where(np.isfinite(m))


def _distinct(series: pd.Series) -> int:
    return series.nunique()


def _best_text(table: pd.DataFrame, metric: str) -> str:
    b = best_trial(table, metric)
    return "— (all diverged)" if b is None else f"{table.iloc[b][metric]:.3g}"
