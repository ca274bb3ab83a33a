// The incremental merge tree (issue 11): a 200-chunk component merged with fan-in 16 is 13 level-1
// nodes under .heppy/merge/ and the component's final merge; one changed input re-runs exactly its
// chunk, its level-1 node and the final merge; the result equals a flat merge's (--merge-fan-in
// 1000) bit for bit: tree entries in chunk order, histogram cells and statistics of unit and
// non-integer weights, counters, averages, processing.yaml.
// A missing intermediate is rebuilt by the build (restored from the output cache), never reported
// by heppy check as the user's problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, heppy, writeInput, type Project } from './build-rig.js';
import { openRootFile } from '../../src/root/read/index.js';
import type { Hist } from '../../src/root/hist.js';

const N = 200;
const FAN_IN = 16;

const heppyfile = `import { Analyzer, Config, Component, Sequence, fill1, type Event } from 'heppy';

class Pass extends Analyzer {
  static branches = ['x'];
  h: ReturnType<Analyzer['hist1']> | null = null;
  w: ReturnType<Analyzer['hist1']> | null = null;
  t: ReturnType<Analyzer['tree']> | null = null;
  override beginLoop(): void {
    this.counter('cutflow').register('all');
    this.counter('cutflow').register('x above 10');
    this.h = this.hist1('hx', 'x', 20, 0, 100);
    this.w = this.hist1('hw', 'weighted x', 20, 0, 100);
    this.t = this.tree('sel', [{ name: 'x', type: 'f8' }, { name: 'i', type: 'i4' }]);
  }
  override process(e: Event): boolean {
    const x = e.scalar('x');
    this.counter('cutflow').inc('all');
    if (x < 10) return false;
    this.counter('cutflow').inc('x above 10');
    this.average('x').add(x, 1);
    fill1(this.h!, x);
    fill1(this.w!, x, 0.1 + x * 1e-3);
    this.t!.fill({ x, i: e.iEv });
    return true;
  }
}

export default new Config({
  components: [Object.assign(new Component('T', { files: 'data/T/*.root' }), { splitFactor: ${N} })],
  sequence: new Sequence(new Analyzer(Pass, {})),
  tree: 'events',
});
`;

const fileName = (i: number): string => `f${String(i).padStart(3, '0')}.root`;

async function project(): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-merge-tree-'));
  mkdirSync(join(dir, 'data', 'T'), { recursive: true });
  // Non-integer values, so that sums of x depend on their association.
  for (let i = 0; i < N; i++) await writeInput(join(dir, 'data', 'T', fileName(i)), 6 + (i % 5), (i * 0.37) % 97);
  const file = join(dir, 'heppyfile.ts');
  writeFileSync(file, heppyfile);
  return { dir, heppyfile: file, setHeppyfile: () => undefined };
}

interface Merged {
  entries: number;
  xs: number[];
  is: number[];
  hx: Hist;
  hw: Hist;
  cutflow: unknown;
  average: { sumw: number; sumwx: number; sumwx2: number };
  processing: string;
  chunks: string[];
}

async function readMerged(dir: string): Promise<Merged> {
  const f = await openRootFile(join(dir, 'Pass_1', 'tree.root'));
  const t = await f.tree('sel');
  const xs = Array.from((await t.column('x')).values as Float64Array);
  const is = Array.from((await t.column('i')).values as Int32Array);
  const entries = t.entries;
  f.close();
  const h = await openRootFile(join(dir, 'Pass_1', 'histograms.root'));
  const hx = (await h.hist('hx'))!;
  const hw = (await h.hist('hw'))!;
  h.close();
  const json = (p: string): unknown => JSON.parse(readFileSync(join(dir, p), 'utf8'));
  return { entries, xs, is, hx, hw, cutflow: json('Pass_1/cutflow.json'), average: json('Pass_1/x.json') as Merged['average'],
    processing: readFileSync(join(dir, 'processing.yaml'), 'utf8'), chunks: (json('heppy-status.json') as { chunks: string[] }).chunks };
}

/** Every number of a histogram, as bit patterns (so that -0 and 0, or NaNs, would differ too). */
function histValues(h: Hist): string[] {
  const bits = (v: number): string => Buffer.from(new Float64Array([v]).buffer).toString('hex');
  return [...Array.from(h.contents).map(bits), ...Array.from(h.sumw2).map(bits),
    ...[h.entries, h.tsumw, h.tsumw2, h.tsumwx, h.tsumwx2, h.tsumwy, h.tsumwy2, h.tsumwxy].map(bits)];
}

test('200 chunks, fan-in 16: 13 + 1 merge nodes; one changed input re-runs its chunk, its level-1 node and the final merge; equal to a flat merge', async () => {
  const p = await project();
  try {
    const first = build(p, ['--merge-fan-in', String(FAN_IN)]);
    assert.is(first.code, 0, first.stderr + first.stdout.slice(-2000));
    const merges = first.ran.filter((id) => id.startsWith('hadd:'));
    assert.is(merges.length, 14, merges.join(' '));
    assert.ok(merges.includes('hadd:T') && merges.includes('hadd:T/L1-0') && merges.includes('hadd:T/L1-12'));
    assert.is(first.ran.length, N + 14);
    // Intermediate merges live under .heppy/, the component's merge where it always was.
    assert.equal(readdirSync(join(p.dir, 'Outdir', '.heppy', 'merge', 'T')).sort(), Array.from({ length: 13 }, (_, i) => `L1-${i}`).sort());
    assert.is(readdirSync(join(p.dir, 'Outdir')).filter((d) => !d.startsWith('.') && !d.startsWith('T_Chunk')).join(','), 'T');
    const plan = JSON.parse(readFileSync(join(p.dir, 'Outdir', '.heppy', 'plan.json'), 'utf8')) as { nodes: Array<{ id: string; kind: string; deps?: string[]; level?: number }> };
    const top = plan.nodes.find((n) => n.id === 'hadd:T')!;
    assert.is(top.deps!.length, 13);
    assert.equal(plan.nodes.find((n) => n.id === 'hadd:T/L1-3')!.deps, Array.from({ length: 16 }, (_, i) => `T_Chunk${48 + i}`));

    // heppy check: clean (the final merge holds all 200 chunks); a no-op build runs nothing.
    const check = heppy(p, ['check', 'Outdir']);
    assert.is(check.code, 0, check.stdout + check.stderr);
    const noop = build(p, ['--merge-fan-in', String(FAN_IN)]);
    assert.is(noop.code, 0);
    assert.equal(noop.ran, []);

    // One input changed (chunk 57 → level-1 node 3): exactly three nodes run.
    await writeInput(join(p.dir, 'data', 'T', fileName(57)), 9, 40.25);
    const again = build(p, ['--merge-fan-in', String(FAN_IN)]);
    assert.is(again.code, 0, again.stderr);
    assert.equal(again.ran, ['T_Chunk57', 'hadd:T', 'hadd:T/L1-3']);
    const summary = again.events.find((e) => e.type === 'summary') as { summary?: { run?: number } } | undefined;
    if (summary?.summary?.run !== undefined) assert.is(summary.summary.run, 3);
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);

    // The same chunks merged flat (one merge node over 200 chunks; the chunks come from the cache).
    const flat = build(p, ['--merge-fan-in', '1000', '--outdir', 'Flat']);
    assert.is(flat.code, 0, flat.stderr);
    assert.ok(!existsSync(join(p.dir, 'Flat', '.heppy', 'merge')));
    assert.equal(flat.ran.filter((id) => id.startsWith('hadd:')), ['hadd:T']);
    const tree = await readMerged(join(p.dir, 'Outdir', 'T'));
    const ref = await readMerged(join(p.dir, 'Flat', 'T'));
    assert.is(tree.entries, ref.entries);
    assert.ok(tree.entries > 1000);
    assert.equal(tree.xs, ref.xs);                      // entries in chunk order, values bit for bit
    assert.equal(tree.is, ref.is);
    assert.is(tree.xs.reduce((s, x) => s + x, 0), ref.xs.reduce((s, x) => s + x, 0));
    // Histograms (unit and non-integer weights: every cell, fSumw2, statistic), counters and averages
    // bit for bit: the final merge adds them from the chunks in chunk order, as the flat merge does.
    for (const h of ['hx', 'hw'] as const) {
      assert.equal(histValues(tree[h]), histValues(ref[h]), h);
      assert.ok(tree[h].tsumw > 0);
    }
    assert.ok(tree.hw.contents.some((v) => !Number.isInteger(v)));
    assert.equal(tree.cutflow, ref.cutflow);
    assert.equal(tree.average, ref.average);
    assert.ok(!Number.isInteger(tree.average.sumwx));
    assert.is(tree.processing, ref.processing);
    assert.equal(tree.chunks, ref.chunks);
    assert.is(tree.chunks.length, N);

    // A missing intermediate merge is the build's business: check stays clean, the build restores it
    // from the output cache (same result digest: the final merge's key is unchanged, its cache entry
    // restored too, which records today's chunk markers as its sources).
    rmSync(join(p.dir, 'Outdir', '.heppy', 'merge', 'T', 'L1-5'), { recursive: true });
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);
    const status = heppy(p, ['status', '--merge-fan-in', String(FAN_IN)]);
    // The build restores both (the status header's counts and each line say so).
    assert.match(status.stdout, /to restore\s+hadd:T\/L1-5: output missing/);
    assert.match(status.stdout, /to restore\s+hadd:T: 1 merge restored from cache first/);
    const restored = build(p, ['--merge-fan-in', String(FAN_IN)]);
    assert.is(restored.code, 0, restored.stderr);
    assert.equal(restored.ran, ['hadd:T', 'hadd:T/L1-5']);
    assert.equal(restored.events.filter((e) => e.type === 'done' && e.restored !== undefined).map((e) => e.id).sort(), ['hadd:T', 'hadd:T/L1-5']);
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);
    assert.ok(existsSync(join(p.dir, 'Outdir', '.heppy', 'merge', 'T', 'L1-5', 'Pass_1', 'tree.root')));
    // Without the cache it is merged again, and so is the final merge above it.
    rmSync(join(p.dir, 'Outdir', '.heppy', 'merge', 'T', 'L1-5'), { recursive: true });
    const remerged = build(p, ['--merge-fan-in', String(FAN_IN), '--no-cache']);
    assert.is(remerged.code, 0, remerged.stderr);
    assert.equal(remerged.ran, ['hadd:T', 'hadd:T/L1-5']);
    const after = await readMerged(join(p.dir, 'Outdir', 'T'));
    assert.equal(after.xs, tree.xs);
    assert.equal(Array.from(after.hx.contents), Array.from(tree.hx.contents));
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test('Config.mergeFanIn 4, 40 chunks: 10 + 3 + 1 merges, sums equal to a flat merge\'s; a deleted chunk: check names it, check --resubmit re-runs it and the merges above it, then the build has nothing to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-merge-tree-'));
  try {
    mkdirSync(join(dir, 'data', 'T'), { recursive: true });
    for (let i = 0; i < 40; i++) await writeInput(join(dir, 'data', 'T', `f${String(i).padStart(2, '0')}.root`), 5, (i * 1.37) % 31);
    const file = join(dir, 'heppyfile.ts');
    writeFileSync(file, `import { Analyzer, Config, Component, Sequence, fill1, type Event } from 'heppy';
class P extends Analyzer {
  static branches = ['x'];
  w: ReturnType<Analyzer['hist1']> | null = null;
  override beginLoop(): void { this.counter('c').register('all'); this.w = this.hist1('hw', 'weighted x', 10, 0, 40); }
  override process(e: Event): void {
    const x = e.scalar('x');
    this.counter('c').inc('all');
    this.average('x').add(x, 0.3 + x * 1e-2);
    fill1(this.w!, x, 0.1 + x * 1e-3);
  }
}
export default new Config({
  components: [Object.assign(new Component('T', { files: 'data/T/*.root' }), { splitFactor: 40 })],
  sequence: new Sequence(new Analyzer(P, {})),
  mergeFanIn: 4,
});
`);
    const p: Project = { dir, heppyfile: file, setHeppyfile: () => undefined };
    const first = build(p);
    assert.is(first.code, 0, first.stderr);
    assert.is(first.ran.filter((id) => id.startsWith('hadd:')).length, 14);
    assert.ok(first.ran.includes('hadd:T/L2-2') && first.ran.includes('hadd:T/L1-9'));
    // Three levels, and still a flat merge's sums bit for bit (weighted cells, statistics, average).
    const flat = build(p, ['--merge-fan-in', '1000', '--outdir', 'Flat']);
    assert.is(flat.code, 0, flat.stderr);
    const hist = async (d: string): Promise<string[]> => {
      const f = await openRootFile(join(dir, d, 'T', 'P_1', 'histograms.root'));
      try { return histValues((await f.hist('hw'))!); } finally { f.close(); }
    };
    assert.equal(await hist('Outdir'), await hist('Flat'));
    assert.is(readFileSync(join(dir, 'Outdir', 'T', 'P_1', 'x.json'), 'utf8'), readFileSync(join(dir, 'Flat', 'T', 'P_1', 'x.json'), 'utf8'));
    assert.is(readFileSync(join(dir, 'Outdir', 'T', 'P_1', 'x.txt'), 'utf8'), readFileSync(join(dir, 'Flat', 'T', 'P_1', 'x.txt'), 'utf8'));
    rmSync(join(dir, 'Outdir', 'T_Chunk17'), { recursive: true });
    const check = heppy(p, ['check', 'Outdir']);
    assert.is(check.code, 1);
    assert.match(check.stdout, /T_Chunk17/);
    assert.not.match(check.stdout, /\.heppy/);
    const resubmit = heppy(p, ['check', '--resubmit', 'Outdir']);
    assert.is(resubmit.code, 0, resubmit.stdout + resubmit.stderr);
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);
    const again = build(p);
    assert.is(again.code, 0, again.stderr);
    assert.equal(again.ran, []);
    const cutflow = JSON.parse(readFileSync(join(dir, 'Outdir', 'T', 'P_1', 'c.json'), 'utf8')) as { levels: Array<[string, number]> };
    assert.equal(cutflow.levels, [['all', 200]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
