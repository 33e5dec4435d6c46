// Loads plotly.js once per page. The page's preload script (livechart.py preload_plotly) and every live chart
// (livechart.js) include this same function and share its promise, window.__paramvizPlotly.
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__paramvizPlotly) {
    window.__paramvizPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__paramvizPlotly = null;  // a later chart tries again
        reject(new Error("plotly.js could not be loaded"));
      };
      document.head.appendChild(script);
    });
  }
  return window.__paramvizPlotly;
}
