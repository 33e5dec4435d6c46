"""A Plotly chart for the studio's live view that updates in place.

`st.plotly_chart` rebuilds a chart from scratch whenever its data changes, which is every frame while training
plays, and that rebuild was most of the browser's work. `live_chart` keeps one plot on the page and sends each
new figure to `Plotly.react` (livechart.js), which changes only what changed. plotly.js is a partial bundle with
only the trace types these charts draw (plotlyjs/, built by plotlyjs/recipe), served by Streamlit from this
package's directory and loaded once per page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
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
    blobs: list[bytes] = []
    traces = spec["data"]
    overlay = [t for t in traces if still(t)] if still is not None else []
    figure = {**spec, "data": [t for t in traces if not (still and still(t))]}
    if still is not None:
        # first, so that the same still traces give the same blob numbers, and the same key, every frame
        figure |= {"overlay": encoded(overlay, blobs), "below": below}
        figure["still"] = _digest(figure["overlay"], blobs, spec["layout"])
    figure = encoded(figure, blobs)
    payload = {"figure": figure, "src": plotly_js_url(), "config": chart_config or {}, "caption": caption}
    _chart(key=key, data=packed(payload, blobs), height="content")


def _digest(overlay: list, blobs: list[bytes], layout: dict) -> str:
    """What the overlay draws (its traces and bytes, and the layout it shares with the chart), in a few bytes
    that livechart.js compares frame to frame: the same digest, the overlay is not drawn again."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([overlay, encoded(layout)], separators=(",", ":"), sort_keys=True).encode())
    for blob in blobs:
        h.update(blob)
    return h.hexdigest()


def packed(payload: dict, blobs: list[bytes]) -> bytes:
    """The payload as livechart.js reads it: the length of its JSON (4 bytes, little-endian), the JSON, and
    then each typed array's raw bytes, every one starting at a multiple of 8 (where a Float64Array may start).
    The JSON's "blobs" lists [offset, length] of each; a typed array's bdata is its index there. Raw bytes
    rather than base64 in the JSON: a quarter less of each array to send to every student's browser, ten times
    a second, and nothing for the browser to decode."""
    table, offset = [], 0
    for blob in blobs:
        table.append([offset, len(blob)])
        offset += _aligned(len(blob))
    head = json.dumps({**payload, "blobs": table}, separators=(",", ":")).encode()
    start = _aligned(4 + len(head))
    out = bytearray(start + offset)
    out[:4] = struct.pack("<I", len(head))
    out[4:4 + len(head)] = head
    for (at, n), blob in zip(table, blobs):
        out[start + at:start + at + n] = blob
    return bytes(out)


def _aligned(n: int) -> int:
    """n rounded up to a multiple of 8."""
    return -(-n // 8) * 8


def unpacked(data: bytes) -> dict:
    """`packed` read back, each typed array's bdata in base64 again, as plotly.js also takes it: the payload a
    test or a notebook can read as JSON."""
    (n,) = struct.unpack_from("<I", data)
    payload = json.loads(data[4:4 + n])
    start = _aligned(4 + n)
    blobs = [base64.b64encode(data[start + at:start + at + size]).decode("ascii") for at, size in
             payload.pop("blobs")]

    def put_back(obj):
        if isinstance(obj, dict):
            if "dtype" in obj and isinstance(obj.get("bdata"), int):
                return {**obj, "bdata": blobs[obj["bdata"]]}
            return {k: put_back(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [put_back(v) for v in obj]
        return obj
    return put_back(payload)


def preload_plotly() -> None:
    """Request plotly.js from the page's first element. Streamlit shows the page's elements together, so this
    runs when the page appears, a few tenths of a second before the live charts have mounted and would ask for
    it (first chart 0.25 s sooner in alternating page loads on a 2-core machine). The live charts call the
    same loader (plotly_loader.js) and share its promise. Our own constant script (no user text). Draws
    nothing."""
    load = f"loadPlotly({json.dumps(plotly_js_url())}).catch(() => {{}});"
    st.html(f"<script>\n(() => {{\n{_LOADER}\n{load}\n}})();\n</script>", unsafe_allow_javascript=True)
