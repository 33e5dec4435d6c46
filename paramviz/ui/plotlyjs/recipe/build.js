// Builds ../plotly.min.js the way plotly.js builds its own dist bundles (its esbuild-config.js), from entry.js.
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const path = require('path');
const { version } = require('plotly.js/package.json');

esbuild.build({
    entryPoints: [path.join(__dirname, 'entry.js')],
    outfile: path.join(__dirname, '..', 'plotly.min.js'),
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    banner: { js: `/*! plotly.js v${version} partial bundle for paramviz (scatter, scattergl, heatmap, contour). ` +
                  'Copyright 2012-2026, Plotly, Inc. MIT license: see LICENSE next to this file. */' },
    logLevel: 'info',
}).catch(() => process.exit(1));
