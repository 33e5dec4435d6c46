// The trace types paramviz's live charts draw (paramviz/ui/livechart.py TRACE_TYPES); the full plotly.js has
// about fifty, and compiling them all was most of a page's start-up time.
var Plotly = require('plotly.js/lib/core');  // includes scatter

Plotly.register([
    require('plotly.js/lib/scattergl'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/contour'),
]);

module.exports = Plotly;
