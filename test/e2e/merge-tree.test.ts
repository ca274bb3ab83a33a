// The incremental merge tree (issue 11): a 200-chunk component merged with fan-in 16 is 13 level-1
// nodes under .heppy/merge/ and the component's final merge; one changed input re-runs exactly its
// chunk, its level-1 node and the final merge; the result equals a flat merge's (--merge-fan-in
// 1000): tree entries in chunk order and branch sums, histogram cells, counters, processing.yaml.
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

const relDiff = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

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
    assert.equal(Array.from(tree.hx.contents), Array.from(ref.hx.contents)); // unit weights: exact
    assert.equal(Array.from(tree.hx.sumw2), Array.from(ref.hx.sumw2));
    assert.is(tree.hx.entries, ref.hx.entries);
    assert.is(tree.hx.tsumw, ref.hx.tsumw);
    assert.equal(tree.cutflow, ref.cutflow);            // counts: exact
    assert.is(tree.processing, ref.processing);
    assert.equal(tree.chunks, ref.chunks);
    assert.is(tree.chunks.length, N);
    // Sums of non-integer values in another association: equal to 1e-12 relative (the last bits may
    // differ; the count of cells that differ at all is printed, not asserted).
    let differ = 0;
    for (let i = 0; i < tree.hw.contents.length; i++) {
      assert.ok(relDiff(tree.hw.contents[i]!, ref.hw.contents[i]!) <= 1e-12, `hw cell ${i}: ${tree.hw.contents[i]} vs ${ref.hw.contents[i]}`);
      if (tree.hw.contents[i] !== ref.hw.contents[i]) differ++;
    }
    for (const k of ['tsumwx', 'tsumwx2'] as const) {
      assert.ok(relDiff(tree.hx[k], ref.hx[k]) <= 1e-12, `hx ${k}: ${tree.hx[k]} vs ${ref.hx[k]}`);
      if (tree.hx[k] !== ref.hx[k]) differ++;
    }
    for (const k of ['sumw', 'sumwx', 'sumwx2'] as const) {
      assert.ok(relDiff(tree.average[k], ref.average[k]) <= 1e-12, `average ${k}: ${tree.average[k]} vs ${ref.average[k]}`);
      if (tree.average[k] !== ref.average[k]) differ++;
    }
    process.stdout.write(`merge tree vs flat: ${differ} floating-point sums differ in their last bits (within 1e-12 relative)\n`);

    // A missing intermediate merge is the build's business: check stays clean, the build restores it
    // from the output cache (same result digest: the final merge's key is unchanged, its cache entry
    // restored too, which records today's chunk markers as its sources).
    rmSync(join(p.dir, 'Outdir', '.heppy', 'merge', 'T', 'L1-5'), { recursive: true });
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);
    const status = heppy(p, ['status', '--merge-fan-in', String(FAN_IN)]);
    assert.match(status.stdout, /to run\s+hadd:T\/L1-5: output missing/);
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

test('Config.mergeFanIn 4, 40 chunks: 10 + 3 + 1 merges; a deleted chunk: check names it, check --resubmit re-runs it and the merges above it, then the build has nothing to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-merge-tree-'));
  try {
    mkdirSync(join(dir, 'data', 'T'), { recursive: true });
    for (let i = 0; i < 40; i++) await writeInput(join(dir, 'data', 'T', `f${String(i).padStart(2, '0')}.root`), 5, i);
    const file = join(dir, 'heppyfile.ts');
    writeFileSync(file, `import { Analyzer, Config, Component, Sequence, type Event } from 'heppy';
class P extends Analyzer {
  static branches = ['x'];
  override beginLoop(): void { this.counter('c').register('all'); }
  override process(_e: Event): void { this.counter('c').inc('all'); }
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
