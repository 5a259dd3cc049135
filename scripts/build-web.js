#!/usr/bin/env node
// Builds the web UI (web/) into dist/web/: one bundled, minified ES module per page, one
// stylesheet, file names with content hashes (served as immutable), and the pages' HTML
// pointing at them. Nothing is fetched from outside the cluster at run time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const web = path.join(root, 'web');
const out = path.join(root, 'dist', 'web');
const PAGES = ['dashboard', 'weather'];

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      ...Object.fromEntries(PAGES.map((p) => [p, path.join(web, 'src', `${p}.ts`)])),
      style: path.join(web, 'styles.css'),
    },
    outdir: path.join(out, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'shared-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: 'linked',
    target: 'es2020',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const names = {};
  const preloads = {};
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (!info.entryPoint || file.endsWith('.map')) continue;
    // web/src/dashboard.ts → dashboard.js; web/styles.css → style.css (the entry's key).
    const entry = file.endsWith('.css')
      ? 'style.css'
      : path.basename(info.entryPoint).replace(/\.ts$/, '.js');
    names[entry] = `/storage/assets/${path.basename(file)}`;
    // Shared chunks are fetched with the page's script, not after it has been parsed.
    preloads[entry] = (info.imports ?? []).map((i) => `/storage/assets/${path.basename(i.path)}`);
  }
  for (const page of PAGES) {
    const html = fs
      .readFileSync(path.join(web, `${page}.html`), 'utf8')
      .replace(/\{\{([\w.-]+)\}\}/g, (_, name) => {
        if (!names[name])
          throw new Error(`web/${page}.html names {{${name}}}, which the build does not make`);
        return names[name];
      });
    const links = preloads[`${page}.js`]
      .map((href) => `    <link rel="modulepreload" href="${href}" />\n`)
      .join('');
    fs.writeFileSync(path.join(out, `${page}.html`), html.replace('  </head>', `${links}  </head>`));
  }
  report(result.metafile);
}

/** What each page loads on first view: its script, the chunks it imports, the stylesheet. */
function report(metafile) {
  const outputs = metafile.outputs;
  const sizeOf = (file, seen = new Set()) => {
    if (seen.has(file)) return 0;
    seen.add(file);
    return outputs[file].bytes + (outputs[file].imports ?? []).reduce((n, i) => n + sizeOf(i.path, seen), 0);
  };
  const css = Object.keys(outputs).find((f) => f.endsWith('.css'));
  for (const page of PAGES) {
    const js = Object.keys(outputs).find((f) => outputs[f].entryPoint?.endsWith(`${page}.ts`));
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      `web: ${page} — script ${kb(sizeOf(js))}, stylesheet ${kb(outputs[css].bytes)} (minified, before compression)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
