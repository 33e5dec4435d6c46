"""The network diagram: neurons as circles, weights as edges (colour = sign, width = size), biases on the
neurons — the way TensorFlow Playground draws it. Pure plotly, no streamlit."""

from __future__ import annotations

import numpy as np

from paramviz.charts.training import BLUE, ORANGE, TICK_FONT, base_layout, figure_from

WIDTH_LEVELS = 4  # edges are drawn in this many widths per sign (one trace each, so the figure stays small)
# Neurons drawn per layer at most: a wider layer shows its first and last eight, with "240 more" between them.
# A 6×256 model has 330,000 weights; drawing each took over a minute and filled the chart with one colour.
MAX_NEURONS = 16
GAP_SLOTS = 2  # neuron places the "… more" label takes in a layer cut short
PLOT_MARGIN = 154  # pixels of the figure's height above and below the plot (base_layout's margins)


def shown_neurons(n: int, most: int = MAX_NEURONS) -> np.ndarray:
    """The neurons of a layer of n that are drawn: all of them, or the first and last most/2."""
    if n <= most:
        return np.arange(n)
    return np.r_[np.arange(most // 2), np.arange(n - (most - most // 2), n)]


def _slots(n: int) -> np.ndarray:
    """Each drawn neuron's place in its column: 0, 1, 2, ...; a layer cut short skips GAP_SLOTS in the middle."""
    k = len(shown_neurons(n))
    return np.arange(k) + np.where(np.arange(k) >= MAX_NEURONS // 2, GAP_SLOTS, 0) * (n > k)


def node_positions(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Per layer, the (m, 2) x/y positions of its drawn neurons (shown_neurons): layers left to right, neurons
    centred."""
    tallest = max(int(_slots(n)[-1]) + 1 if n else 0 for n in sizes)
    out = []
    for layer, n in enumerate(sizes):
        slots = _slots(n)
        y = (slots - (slots[-1] if n else 0) / 2) * (1.0 if tallest <= 1 else 2.0 / (tallest - 1))
        out.append(np.c_[np.full(len(slots), float(layer)), -y])
    return out


def edge_segments(params: dict[str, np.ndarray], pos: list[np.ndarray]):
    """Every drawn weight as an edge: (x0, y0, x1, y1, value, name) arrays, one row per weight between two
    drawn neurons, in W1, W2, ... order."""
    rows = []
    layer = 1
    while f"W{layer}" in params:
        W = params[f"W{layer}"]
        rows_in, cols_out = shown_neurons(W.shape[0]), shown_neurons(W.shape[1])
        i, j = np.meshgrid(np.arange(len(rows_in)), np.arange(len(cols_out)), indexing="ij")
        a, b = pos[layer - 1][i.ravel()], pos[layer][j.ravel()]
        p, q = rows_in[i.ravel()], cols_out[j.ravel()]
        names = [f"W{layer}[{r},{c}]" for r, c in zip(p, q)]
        rows.append((a[:, 0], a[:, 1], b[:, 0], b[:, 1], W[p, q], names))
        layer += 1
    if not rows:
        return tuple(np.empty(0) for _ in range(5)) + ([],)
    cols = list(zip(*rows))
    return tuple(np.concatenate(c) for c in cols[:5]) + ([n for part in cols[5] for n in part],)


def _joined(x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
    """Segments as one line trace: x0, x1, NaN, x0, x1, NaN, ..."""
    nan = np.full_like(x0, np.nan)
    return np.c_[x0, x1, nan].ravel(), np.c_[y0, y1, nan].ravel()


def network_spec(params: dict[str, np.ndarray], sizes: tuple[int, ...], input_names: tuple[str, ...],
                 output_names: tuple[str, ...] = (), height: int = 480) -> dict:
    """Edges coloured by the weight's sign (blue +, orange −, grey 0) with width and opacity by its size;
    neurons coloured by their bias (same colours), inputs grey and labelled with their feature names."""
    pos = node_positions(sizes)
    x0, y0, x1, y1, w, names = edge_segments(params, pos)
    # widths on the scale of every weight, drawn or not
    biggest = max((float(np.max(np.abs(W))) for k, W in params.items() if k.startswith("W") and W.size),
                  default=1.0)
    biggest = biggest if biggest > 0 else 1.0
    level = np.minimum((np.abs(w) / biggest * WIDTH_LEVELS).astype(int), WIDTH_LEVELS - 1)
    data = []
    for color, group, label in ((BLUE, w > 0, "positive weight"), (ORANGE, w < 0, "negative weight"),
                                ("#9e9e9e", w == 0, "zero weight")):
        for lv in range(WIDTH_LEVELS):
            pick = group & (level == lv)
            if pick.any():
                ex, ey = _joined(x0[pick], y0[pick], x1[pick], y1[pick])
                data.append({"type": "scatter", "x": ex, "y": ey, "mode": "lines", "hoverinfo": "skip",
                             "name": label, "showlegend": False, "opacity": 0.35 + 0.65 * lv / (WIDTH_LEVELS - 1),
                             "line": {"color": color, "width": 0.8 + 2.8 * lv}})
    if len(w):  # invisible markers at the edge midpoints carry the hover text
        data.append({"type": "scatter", "x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "mode": "markers",
                     "showlegend": False, "marker": {"size": 8, "opacity": 0},
                     "text": [f"{n} = {v:.3f}" for n, v in zip(names, w)], "hovertemplate": "%{text}<extra></extra>"})
    data += _neurons(params, pos, sizes, input_names, output_names, _marker_size(sizes, height))
    data += [{"type": "scatter", "x": [None], "y": [None], "mode": "lines", "name": f"{label} weight / bias",
              "line": {"color": color, "width": 5}} for color, label in ((BLUE, "positive"), (ORANGE, "negative"))]
    arch = " → ".join(map(str, sizes))  # the whole model, drawn or not
    layout = base_layout(f"The network {arch}", height,
                         xaxis={"visible": False, "range": [-0.7, len(sizes) - 0.3]},
                         yaxis={"visible": False, "range": [-1.2, 1.2]})
    # The feature and output names are drawn beside their neurons, outside the plot if need be (cliponaxis off),
    # in margins as wide as the longest name.
    layout["margin"] = {**layout["margin"], "l": _label_room(input_names), "r": _label_room(output_names)}
    layout["annotations"] = _more_labels(sizes)
    return {"data": data, "layout": layout}


def _label_room(names: tuple[str, ...]) -> int:
    """Pixels beside a column of neurons for its longest label, about a character's width per character."""
    return 20 + int(0.6 * TICK_FONT * max(map(len, names), default=0))


def _marker_size(sizes: tuple[int, ...], height: int) -> float:
    """A neuron's diameter in pixels: 22, or less where a tall column would make its neurons overlap."""
    tallest = max(int(_slots(n)[-1]) + 1 for n in sizes)
    spacing = (height - PLOT_MARGIN) / 2.4 * 2.0 / max(tallest - 1, 1)  # the y axis spans 2.4
    return float(np.clip(0.8 * spacing, 8, 22))


def _more_labels(sizes: tuple[int, ...]) -> list[dict]:
    """"240 more" in the gap of each layer cut short: annotations, whose box keeps the label readable over
    the edges that cross the gap (grey, on a light or dark page alike)."""
    return [{"x": float(layer), "y": 0.0, "xref": "x", "yref": "y", "text": f"{n - MAX_NEURONS}<br>more",
             "showarrow": False, "font": {"size": TICK_FONT - 2, "color": "white"},
             "bgcolor": "rgba(110,110,110,0.9)", "borderpad": 2,
             "hovertext": f"{n - MAX_NEURONS} more neurons in this layer, not drawn"}
            for layer, n in enumerate(sizes) if n > MAX_NEURONS]


def _neurons(params, pos, sizes, input_names, output_names, size: float = 22) -> list[dict]:
    inputs, shown_inputs = pos[0], shown_neurons(sizes[0])
    data = [{"type": "scatter", "x": inputs[:, 0], "y": inputs[:, 1], "mode": "markers+text", "showlegend": False,
             "text": [input_names[i] for i in shown_inputs if i < len(input_names)], "textposition": "middle left",
             "textfont": {"size": TICK_FONT}, "cliponaxis": False,
             "marker": {"size": size, "color": "#9e9e9e", "line": {"width": 1.5, "color": "#555"}},
             "hovertemplate": "input %{text}<extra></extra>"}]
    biases = [params[f"b{layer}"] for layer in range(1, len(sizes))]
    scale = max((float(np.max(np.abs(b))) for b in biases if b.size), default=1.0) or 1.0
    for layer, b in enumerate(biases, start=1):
        p = pos[layer]
        last = layer == len(sizes) - 1
        shown = shown_neurons(len(b))
        labels = [f"b{layer}[{j}] = {b[j]:.3f}" for j in shown]
        text = [output_names[j] for j in shown if j < len(output_names)] if last and output_names else None
        data.append({
            "type": "scatter", "x": p[:, 0], "y": p[:, 1], "mode": "markers+text" if text else "markers",
            "showlegend": False, "text": text, "textposition": "middle right", "textfont": {"size": TICK_FONT},
            "cliponaxis": False,
            "customdata": labels, "hovertemplate": "%{customdata}<extra></extra>",
            "marker": {"size": size * 26 / 22 if last else size, "color": b[shown], "cmin": -scale, "cmax": scale,
                       "colorscale": [[0, ORANGE], [0.5, "#f2f2f2"], [1, BLUE]],
                       "line": {"width": 1.5, "color": "#555"}}})
    return data


network_figure = figure_from(network_spec)
