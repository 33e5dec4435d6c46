"""A Plotly chart for the studio's live view that updates in place.

`st.plotly_chart` rebuilds a chart from scratch whenever its data changes, which is every frame while training
plays, and that rebuild was most of the browser's work. `live_chart` keeps one plot on the page and sends each
new figure to `Plotly.react` (livechart.js), which changes only what changed. plotly.js is a partial bundle with
only the trace types these charts draw (plotlyjs/, built by plotlyjs/recipe), served by Streamlit from this
package's directory and loaded once per page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components
from streamlit import config

from paramviz.charts.training import encoded

_PLOTLY_DIR = Path(__file__).parent / "plotlyjs"
# What plotlyjs/plotly.min.js can draw (plotlyjs/recipe/entry.js): a live chart with any other trace type fails.
TRACE_TYPES = frozenset({"scatter", "scattergl", "heatmap", "contour"})
_LOADER = (Path(__file__).parent / "plotly_loader.js").read_text()
_JS = _LOADER + "\n" + (Path(__file__).parent / "livechart.js").read_text()
# isolate_styles=False: plotly.js puts its stylesheet (hover labels, legends) in the page's <head>, which a
# shadow root would keep out.
_chart = st.components.v2.component("paramviz_live_chart", js=_JS, isolate_styles=False)


def plotly_js_url() -> str:
    """Where the browser fetches plotly.min.js: Streamlit's component file route, registered on first use."""
    served = components.declare_component("plotly_js", path=str(_PLOTLY_DIR))
    base = config.get_option("server.baseUrlPath").strip("/")
    return f"{'/' + base if base else ''}/component/{served.name}/plotly.min.js"


def live_chart(spec: dict, key: str, chart_config: dict | None = None,
               still: Callable[[dict], bool] | None = None, caption: str = "", below: bool = False) -> None:
    """Draw a chart spec from paramviz.charts under `key`; the same key next frame updates the same plot.

    Traces for which `still` is true (say, the data points over a moving decision boundary) go on an overlay
    that is redrawn only when they change; that is only a saving, a still trace that does change is redrawn.
    The overlay lies over the moving traces, or with `below` under them (a loss landscape's contours under the
    optimizer's path); either way the mouse reads the moving traces. `caption` is a line of plain text under
    the chart."""
    figure = encoded(spec)
    if still is not None:
        moving = [t for t in figure["data"] if not still(t)]
        figure = {**figure, "data": moving, "overlay": [t for t in figure["data"] if still(t)], "below": below}
    payload = {"figure": figure, "src": plotly_js_url(), "config": chart_config or {}, "caption": caption}
    _chart(key=key, data=json.dumps(payload, separators=(",", ":")).encode(), height="content")


def preload_plotly() -> None:
    """Request plotly.js from the page's first element. Streamlit shows the page's elements together, so this
    runs when the page appears, a few tenths of a second before the live charts have mounted and would ask for
    it (first chart 0.25 s sooner in alternating page loads on a 2-core machine). The live charts call the
    same loader (plotly_loader.js) and share its promise. Our own constant script (no user text). Draws
    nothing."""
    load = f"loadPlotly({json.dumps(plotly_js_url())}).catch(() => {{}});"
    st.html(f"<script>\n(() => {{\n{_LOADER}\n{load}\n}})();\n</script>", unsafe_allow_javascript=True)
