// A Plotly chart that stays on the page while its data changes: each new figure is drawn with Plotly.react,
// which updates the traces in place, instead of building the chart again from scratch.
// Streamlit calls the default export every time Python sends new data, with the same parentElement.

// loadPlotly(src) comes first in the module: livechart.py puts plotly_loader.js before this file.

// Streamlit's theme, read from the CSS variables it sets on the component: the charts follow light and dark.
function themed(layout, host) {
  const css = getComputedStyle(host);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const text = v("--st-text-color", "#31333f");
  const grid = v("--st-border-color", "rgba(128,128,128,0.25)");
  const out = {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    ...layout,
    font: { family: v("--st-font", "sans-serif"), color: text, ...(layout.font || {}) },
    hoverlabel: { bgcolor: v("--st-secondary-background-color", "#f0f2f6"), bordercolor: grid,
                  ...(layout.hoverlabel || {}), font: { color: text, ...((layout.hoverlabel || {}).font || {}) } },
  };
  for (const key of Object.keys(out)) {
    if (/^[xy]axis\d*$/.test(key)) {
      out[key] = { gridcolor: grid, zerolinecolor: grid, linecolor: grid, ...out[key] };
    }
  }
  return out;
}

// The overlay: traces that stay the same frame after frame (a model chart's data points) are drawn once on a
// transparent plot lying exactly over the main one, so that each frame redraws only what moves. It takes the
// main plot's axis ranges and lets the mouse through, so hovering reads the plot beneath.
function overlayLayout(layout, main) {
  const out = { ...layout, title: { text: "" }, showlegend: false, annotations: [], shapes: [],
                paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" };
  for (const key of Object.keys(out)) {
    if (/^[xy]axis\d*$/.test(key)) {
      out[key] = { ...out[key], range: main._fullLayout[key].range.slice(), autorange: false, visible: false };
    }
  }
  return out;
}

// Labels: annotations placed on the paper (the optimizer chart's panel titles) stay put while the data moves,
// yet plotly.js removes and draws every annotation again on every redraw, measuring its text: a sixth of that
// chart's redraw. They lie on a plot of their own over the main one, with its size and margins, drawn again
// only when they or the plot's size change.
function onPaper(a) {
  return a.xref === "paper" && a.yref === "paper";
}

function labelsLayout(layout, annotations, main) {
  const full = main._fullLayout;
  const hidden = { visible: false, fixedrange: true };
  return { width: full.width, height: full.height, autosize: false, margin: { ...full.margin }, font: layout.font,
           annotations, showlegend: false, xaxis: hidden, yaxis: hidden,
           paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" };
}

function labelsDiv(chart) {
  if (!chart.labels) {
    chart.labels = document.createElement("div");
    // An overlay too, for whoever looks for the chart itself (.js-plotly-plot:not(.pv-live-chart-overlay)).
    chart.labels.className = "pv-live-chart-overlay pv-live-chart-labels";
    chart.labels.style.cssText = "position:absolute;inset:0;pointer-events:none";
    chart.box.appendChild(chart.labels);
  }
  return chart.labels;
}

// A chart may take at most this share of the page's time: when drawing takes longer than a frame allows (a
// slow laptop, a big chart), frames are skipped so that the numbers and the other charts keep up. The newest
// frame is always drawn in the end, so the chart never stays behind once training pauses.
const SHARE = 0.5;

function schedule(chart) {
  if (chart.busy || chart.timer) return;
  const wait = chart.lastStart + chart.lastCost / SHARE - performance.now();
  if (wait > 0) {
    chart.timer = setTimeout(() => { chart.timer = null; schedule(chart); }, wait);
  } else {
    drawLatest(chart);
  }
}

async function drawLatest(chart) {
  chart.busy = true;
  try {
    const Plotly = await loadPlotly(chart.src);
    const figure = chart.next;
    chart.next = null;
    chart.lastStart = performance.now();
    const annotations = figure.layout.annotations || [];
    const layout = themed({ ...figure.layout, annotations: annotations.filter((a) => !onPaper(a)) }, chart.host);
    const width = chart.box.clientWidth;  // the box's width, given outright: see followWidth
    if (width > 0) Object.assign(layout, { width, autosize: false });
    // The cost is the synchronous part of the draw: awaiting its promise also counts other tasks' time.
    const drawn = Plotly.react(chart.div, figure.data, layout, chart.config);
    chart.lastCost = performance.now() - chart.lastStart;
    await drawn;
    chart.figure = figure;
    if (!chart.following) {  // a zoom or pan by the user: the overlay follows (drawLatest compares the ranges)
      chart.div.on("plotly_relayout", () => {
        if (chart.overlay && !chart.next) chart.next = chart.figure;
        schedule(chart);
      });
      chart.following = true;
    }
    const labels = annotations.filter(onPaper);
    if (labels.length || chart.labels) {
      const labelsLayoutNow = labelsLayout(layout, labels, chart.div);
      const key = JSON.stringify(labelsLayoutNow);
      if (key !== chart.labelsKey) {
        chart.labelsKey = key;
        await Plotly.react(labelsDiv(chart), [], labelsLayoutNow, { staticPlot: true });
      }
    }
    if (figure.overlay || chart.overlay) {
      // figure.still: a digest of the overlay's traces and the layout, made in Python (livechart.py)
      if (figure.still !== chart.still || placeOf(chart.div) !== chart.place) {
        chart.still = figure.still;
        await Plotly.react(overlayDiv(chart, figure.below), figure.overlay || [], overlayLayout(layout, chart.div),
                           { ...chart.config, staticPlot: true });
        chart.place = placeOf(chart.div);
      }
    }
  } catch (err) {
    console.error(err);  // the stack, for whoever opens the browser's console
    chart.div.textContent = `This chart could not be drawn: ${err.message}`;
  } finally {
    chart.busy = false;
  }
  if (chart.next) schedule(chart);
}

// Each draw gives the plot its box's width. Plotly's own `responsive` follows the window, not the box: a
// chart drawn while the page was settling (a chart picked in place of another) kept that width and spread
// over its neighbour. When the box's width changes, the chart is drawn again, through the same queue as
// every frame (a resize running beside a frame's draw broke it).
function followWidth(chart) {
  if (typeof ResizeObserver === "undefined") return;
  new ResizeObserver(() => {
    const full = chart.div._fullLayout;
    if (!full || !chart.figure || Math.abs(full.width - chart.box.clientWidth) < 1) return;
    if (!chart.next) chart.next = chart.figure;
    schedule(chart);
  }).observe(chart.box);
}

// Where the overlay must lie, exactly over (or under) the main plot: its size, its axes' ranges (a zoom), and
// the theme's font.
function placeOf(div) {
  const full = div._fullLayout;
  const ranges = Object.keys(full).filter((k) => /^[xy]axis\d*$/.test(k)).map((k) => full[k].range);
  return JSON.stringify([full.width, full.height, full.font, ranges]);
}

// Over the main plot, or `below` it: the box is a stacking context of its own, in which a z-index of -1 puts
// the overlay behind the main plot (whose backgrounds are transparent, see themed) but not behind the page.
function overlayDiv(chart, below) {
  if (!chart.overlay) {
    chart.overlay = document.createElement("div");
    chart.overlay.className = "pv-live-chart-overlay";
    chart.overlay.style.cssText = "position:absolute;inset:0;pointer-events:none";
    chart.box.appendChild(chart.overlay);
  }
  chart.overlay.style.zIndex = below ? "-1" : "auto";
  return chart.overlay;
}

// The payload as livechart.py packs it: the length of its JSON (4 bytes), the JSON, then each typed array's raw
// bytes; a typed array's bdata is its number in the JSON's "blobs" ([offset, length] after the JSON, 8-aligned),
// and becomes an ArrayBuffer of its own, which plotly.js takes as it takes base64.
function unpack(data) {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
                                        : new Uint8Array(data);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const payload = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  const start = bytes.byteOffset + Math.ceil((4 + n) / 8) * 8;
  const blobs = payload.blobs.map(([at, size]) => bytes.buffer.slice(start + at, start + at + size));
  const putBack = (obj) => {
    if (Array.isArray(obj)) {
      obj.forEach(putBack);
    } else if (obj && typeof obj === "object") {
      if (typeof obj.dtype === "string" && typeof obj.bdata === "number") obj.bdata = blobs[obj.bdata];
      else Object.values(obj).forEach(putBack);
    }
  };
  putBack(payload.figure);
  return payload;
}

export default function ({ data, parentElement }) {
  const payload = unpack(data);
  let div = parentElement.querySelector(".pv-live-chart");
  if (!div) {
    const box = document.createElement("div");
    box.style.cssText = "position:relative;isolation:isolate";
    div = document.createElement("div");
    div.className = "pv-live-chart";
    box.appendChild(div);
    parentElement.appendChild(box);
    const caption = document.createElement("div");
    caption.className = "pv-live-caption";
    caption.style.cssText = "font-size:0.875rem;opacity:0.7;min-height:1.5rem;color:var(--st-text-color)";
    parentElement.appendChild(caption);
    div.pvChart = { div, box, host: parentElement, busy: false, next: null, still: null, timer: null,
                    lastStart: 0, lastCost: 0 };
    followWidth(div.pvChart);
  }
  const chart = div.pvChart;
  chart.src = payload.src;
  chart.config = payload.config;
  chart.next = payload.figure;
  const caption = parentElement.querySelector(".pv-live-caption");
  if (caption.textContent !== payload.caption) caption.textContent = payload.caption || "";
  schedule(chart);
  return () => {
    // Called when the element leaves the page: free plotly's listeners once the div is really gone.
    setTimeout(() => {
      if (!div.isConnected && window.Plotly) {
        window.Plotly.purge(div);
        if (div.pvChart.overlay) window.Plotly.purge(div.pvChart.overlay);
        if (div.pvChart.labels) window.Plotly.purge(div.pvChart.labels);
      }
    }, 0);
  };
}
