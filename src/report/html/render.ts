// The report as one self-contained HTML file: the data as JSON, jsroot's 2D histogram bundle
// (node_modules/jsroot/build/hist2d.min.js) and the page script inlined; no network at all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData } from './collect.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page.js';

/** jsroot's UMD bundle of the TH1/TH2/THStack painters (no 3D, no I/O). */
export function jsrootBundle(): string {
  const main = createRequire(import.meta.url).resolve('jsroot'); // …/jsroot/build/jsroot.js
  return readFileSync(join(dirname(main), 'hist2d.min.js'), 'utf8');
}

/** Text safe inside <script>…</script>: no "</script" (nor "<!--") can end the element early. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function renderReport(data: ReportData, jsroot: string = jsrootBundle()): string {
  const title = `heppy report: ${data.outdir}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<title>${esc(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>heppy report</h1><div id="meta"></div></header>
<nav><a href="#status">Status</a> <a href="#yields">Yields</a> <a href="#plots">Histograms</a> <a href="#timeline">Timeline</a> <a href="#figures">Per-chunk figures</a></nav>
<section id="status"><h2>Status</h2><div id="status-body"></div></section>
<section id="yields"><h2>Yields</h2><div id="yields-body"></div></section>
<section id="plots"><h2>Histograms</h2><div id="plots-body"></div></section>
<section id="timeline"><h2>Timeline of the last build</h2><div id="timeline-body"></div></section>
<section id="figures"><h2>Per-chunk figures</h2><div id="figures-body"></div></section>
<script type="application/json" id="heppy-data">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(jsroot)}</script>
<script>${scriptSafe(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
