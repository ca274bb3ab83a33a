// The demo end to end, on a small copy of its sample data: `heppy build` runs every chunk, merges
// each component; merged trees, histograms and counters equal the sums over the chunks; the
// second build has nothing to do; the physics makes sense (the ggH m4l peak sits at 125 GeV).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared.js';
import { makeData, scaledPlan } from '../../examples/make-data.js';
import { openRootFile } from '../../src/root/read/index.js';
import { readStat } from '../../src/stats/sidecar.js';
import { Counter } from '../../src/stats/counter.js';

const work = mkdtempSync(join(tmpdir(), 'heppy-demo-'));
const plan = scaledPlan(0.004); // 100 events per data file, 80 per MC file: 4,000 events
const outdir = join(work, 'Out');

function heppy(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: work, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const chunksOf = (comp: string): string[] =>
  readdirSync(outdir).filter((d) => d.startsWith(`${comp}_Chunk`)).sort().map((d) => join(outdir, d));

async function treeEntries(file: string, tree: string): Promise<number> {
  const f = await openRootFile(file);
  try { return (await f.tree(tree)).entries; } finally { f.close(); }
}

async function histContents(file: string, name: string): Promise<Float64Array> {
  const f = await openRootFile(file);
  try {
    const h = await f.hist(name);
    if (h === null) throw new Error(`${file}: ${name} is not a histogram`);
    return h.contents;
  } finally { f.close(); }
}

function counter(dir: string): Counter {
  const r = readStat(join(dir, 'cutflow.json'));
  if (!r.ok || !(r.value instanceof Counter)) throw new Error(`${dir}: no cutflow counter`);
  return r.value;
}

test('sample data: deterministic, idempotent', async () => {
  const data = join(work, 'examples', 'data');
  assert.is(await makeData(data, plan, { log: () => undefined }), 4000);
  assert.is(await makeData(data, plan, { log: () => undefined }), 0); // manifest matches: nothing written
  const other = join(work, 'again');
  await makeData(other, plan.slice(2, 3), { log: () => undefined });
  assert.equal(readFileSync(join(other, 'ggH_125', 'ggH_125_3.root')).length, readFileSync(join(data, 'ggH_125', 'ggH_125_3.root')).length);
  const f = await openRootFile(join(data, 'ggH_125', 'ggH_125_0.root'));
  const t = await f.tree('events');
  assert.is(t.entries, 80);
  assert.ok(['NMuon', 'Muon_Px', 'Muon_Charge', 'NElectron', 'Electron_E', 'MET_px', 'EventWeight'].every((b) => t.branches.some((x) => x.name === b)));
  f.close();
});

test('heppy build runs the demo; merged outputs are the sums over the chunks', async () => {
  mkdirSync(join(work, 'examples'), { recursive: true });
  cpSync(join(repoRoot, 'heppyfile.ts'), join(work, 'heppyfile.ts'));
  cpSync(join(repoRoot, 'examples', 'analyzers'), join(work, 'examples', 'analyzers'), { recursive: true });
  const r = heppy('build', '-j', '2', '--outdir', outdir, '--cache-dir', join(work, 'cache'));
  assert.is(r.code, 0, r.out);
  const expected: Record<string, number> = { data_period_A: 5, data_period_B: 10, ggH_125: 10, ZZ: 5 };
  let processed = 0;
  for (const c of plan) {
    const chunks = chunksOf(c.name);
    assert.is(chunks.length, expected[c.name], c.name);
    for (const d of chunks) {
      const m = /number of events processed: (\d+)\n$/.exec(readFileSync(join(d, 'log.txt'), 'utf8'));
      assert.ok(m, `${d}/log.txt ends with the processed line`);
      processed += Number(m![1]);
    }
    const merged = join(outdir, c.name);
    // counters: every level is the sum over the chunks, and All events = the component's events
    const sel = counter(join(merged, 'LeptonSelector_1'));
    assert.is(sel.count('All events'), c.files * c.eventsPerFile);
    const zz = counter(join(merged, 'ZZSelector_1'));
    const sums = zz.levels.map(([l]) => chunks.reduce((s, d) => s + counter(join(d, 'ZZSelector_1')).count(l), 0));
    assert.equal(zz.levels.map(([, n]) => n), sums);
    // tree entries and histogram contents
    let entries = 0;
    const m4l = new Float64Array(152);
    for (const d of chunks) {
      entries += await treeEntries(join(d, 'ZZSelector_1', 'tree.root'), 'candidates');
      const h = await histContents(join(d, 'ZZSelector_1', 'histograms.root'), 'm4l');
      h.forEach((v, i) => (m4l[i]! += v));
    }
    assert.is(await treeEntries(join(merged, 'ZZSelector_1', 'tree.root'), 'candidates'), entries);
    assert.is(entries, zz.levels[zz.levels.length - 1]![1]);
    const merged4l = await histContents(join(merged, 'ZZSelector_1', 'histograms.root'), 'm4l');
    merged4l.forEach((v, i) => assert.ok(Math.abs(v - m4l[i]!) <= 1e-9 * Math.max(1, Math.abs(v)), `${c.name} m4l bin ${i}`));
    assert.ok(existsSync(join(merged, 'processing.yaml')));
  }
  assert.is(processed, 4000);
  // physics: the ggH candidates peak at 125 GeV
  const avg = readFileSync(join(outdir, 'ggH_125', 'ZZSelector_1', 'm4l.txt'), 'utf8');
  const mean = Number(/:\s+([\d.]+) \+-/.exec(avg)![1]);
  assert.ok(mean > 123 && mean < 127, avg);
});

test('a second build is a no-op', () => {
  const r = heppy('build', '-j', '2', '--outdir', outdir, '--cache-dir', join(work, 'cache'));
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /0 run, 34 up to date, 0 failed/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
