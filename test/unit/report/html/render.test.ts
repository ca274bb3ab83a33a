import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsrootBundle, renderReport } from '../../../../src/report/html/render.js';
import type { ReportData } from '../../../../src/report/html/collect.js';

const data = (outdir: string): ReportData => ({ outdir, generatedAt: '2026-11-30T00:00:00Z', build: null, nodes: [], yields: null, yieldsProblem: '</script><script>alert(1)</script>', plots: [], trace: [] });

test('renderReport: one self-contained page: the data as JSON, the two scripts inlined, no external reference', () => {
  const html = renderReport(data('/o'), '/* jsroot */ var JSROOT = {};');
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('<title>heppy report: /o</title>'));
  assert.ok(html.includes('<script>/* jsroot */ var JSROOT = {};</script>'));
  for (const id of ['status', 'yields', 'plots', 'timeline', 'figures']) assert.ok(html.includes(`<section id="${id}">`), id);
  assert.not.match(html, /\b(src|href)="https?:/);
  const json = /<script type="application\/json" id="heppy-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.equal(JSON.parse(json.replace(/<\\\//g, '</')), data('/o'));
});

test('renderReport: text that could end the script element or the title is escaped', () => {
  const html = renderReport(data('/o/<b>&"x"'), 'a("</script>"); <!-- x');
  assert.ok(html.includes('<title>heppy report: /o/&lt;b&gt;&amp;&quot;x&quot;</title>'));
  // Only the page's own closing tags remain: 3 script elements.
  assert.is(html.split('</script>').length - 1, 3);
  assert.ok(html.includes('a("<\\/script>"); <\\!-- x'));
  assert.ok(html.includes('<\\/script><script>alert(1)<\\/script>'));
});

test('jsrootBundle: jsroot\'s hist2d build, read from node_modules', () => {
  const js = jsrootBundle();
  assert.ok(js.length > 100_000, `${js.length} bytes`);
});

test.run();
