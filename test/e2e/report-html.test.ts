// `heppy report` on the demo, opened in headless Chromium (Debian's chromium, driven by
// playwright-core): no console error, no network request, every histogram drawn (SVG with content),
// the yields table's numbers equal `heppy yields --json`, a failed chunk shown with its failure
// kind and log. The screenshot (report.png) and report.html are kept in the test's temp dir.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { demoRig, type DemoRig } from './demo-rig.js';

const CHROMIUM = process.env.HEPPY_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let rig: DemoRig | null = null;

interface YieldCell { count: number; yield: number | null; error: number | null }
interface YieldsJson {
  tables: Array<{ analyzer: string; counter: string; rows: Array<{ level: string; cells: Record<string, YieldCell>; mcSum: YieldCell | null; data: YieldCell | null }> }>;
}

test('report of the demo in headless Chromium', async () => {
  if (!existsSync(CHROMIUM)) {
    // .ci/run installs Debian's chromium when it is missing; only where that failed does this skip.
    console.log(`SKIP: ${CHROMIUM} not found (apt-get install chromium failed or was not run); the report is not opened in a browser`);
    return;
  }
  rig = await demoRig('heppy-report-');
  // One input of data_period_B (one chunk per file) cut short: that chunk fails (input), its merge is not run.
  const bad = join(rig.work, 'examples', 'data', 'data_period_B', 'data_period_B_3.root');
  truncateSync(bad, Math.floor(statSync(bad).size / 2));
  const b = rig.heppy('build', '-j', '2', '--report');
  assert.is(b.code, 1, b.out);
  const html = join(rig.outdir, 'report.html');
  assert.ok(existsSync(html), b.out);
  assert.match(b.out, `heppy: report ${html}`);
  const y = rig.heppy('yields', '--json');
  assert.is(y.code, 0, y.out);
  const yields = JSON.parse(y.stdout) as YieldsJson;

  // @ts-ignore playwright-core ships its own types; resolved at run time
  const { chromium } = (await import('playwright-core')) as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) requests.push(r.url()); });
    await page.goto('file://' + html);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    await page.screenshot({ path: join(rig.work, 'report.png'), fullPage: true });
    console.log(`report screenshot: ${join(rig.work, 'report.png')}`);
    assert.equal(errors, []);
    assert.equal(requests, []);

    // every histogram: 3 TH1 (MC stacked + data), the TH2 once per merged component (data_period_B is not merged)
    const plots = await page.$$eval('.plot', (ps) => ps.map((p) => ({ id: p.getAttribute('data-plot'), n: p.querySelectorAll('.canvas svg path, .canvas svg rect, .canvas svg image').length })));
    const ids = plots.map((p) => p.id).sort();
    assert.equal(ids, [...['m4l', 'mZ1', 'mZ2'].map((h) => `ZZSelector_1/histograms.root/${h}`), ...Array(3).fill('ZZSelector_1/histograms.root/mZ1_mZ2')].sort());
    for (const p of plots) assert.ok(p.n >= 10, `${p.id}: ${p.n} SVG elements`);
    assert.is(Number(await page.getAttribute('body', 'data-drawn')), plots.length);

    // the yields table equals heppy yields --json, number for number
    const cells = await page.$$eval('td[data-yield], td[data-count]', (tds) => tds.map((td) => ({
      table: td.getAttribute('data-table'), level: td.getAttribute('data-level'), column: td.getAttribute('data-column'),
      count: td.getAttribute('data-count'), yield: td.getAttribute('data-yield'), error: td.getAttribute('data-error') })));
    let expected = 0;
    for (const t of yields.tables) {
      for (const r of t.rows) {
        const cols: Array<[string, YieldCell | null | undefined]> = [...Object.entries(r.cells), ['@mc', r.mcSum], ['@data', r.data]];
        for (const [col, v] of cols) {
          if (!v) continue;
          expected++;
          const c = cells.find((x) => x.table === `${t.analyzer}/${t.counter}` && x.level === r.level && x.column === col);
          assert.ok(c, `${t.analyzer}/${t.counter} ${r.level} ${col} is in the page`);
          assert.is(Number(c!.count), v.count);
          assert.is(c!.yield === null ? null : Number(c!.yield), v.yield);
          assert.is(c!.error === null ? null : Number(c!.error), v.error);
        }
      }
    }
    assert.is(cells.length, expected);
    assert.is(expected, 7 * 5); // 7 levels × (data_period_A, ggH_125, ZZ, MC sum, data): data_period_B is not merged

    // the failed chunk: its failure kind and the end of its log
    const failed = await page.$eval('details[data-node="data_period_B_Chunk3"]', (d) => d.textContent ?? '');
    assert.match(failed, 'FAILED');
    assert.match(failed, 'input failure');
    assert.match(failed, 'data_period_B_3.root');
    // timeline: a bar per chunk run and merge of the build
    assert.is(await page.$$eval('#timeline-svg rect', (r) => r.length), 30 + 3);
  } finally {
    await browser.close();
  }
});

test.after(() => {
  // keep report.png and report.html (CI artifacts); the rest goes
  if (!rig) return;
  for (const e of readdirSync(rig.work)) if (e !== 'report.png' && e !== 'Outdir') rmSync(join(rig.work, e), { recursive: true, force: true });
  for (const e of readdirSync(rig.outdir)) if (e !== 'report.html') rmSync(join(rig.outdir, e), { recursive: true, force: true });
});
test.run();
