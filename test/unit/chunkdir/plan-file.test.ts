// Outdir/.heppy/plan.json: the one reader (which refuses a malformed plan, naming what is wrong)
// and the one writer, and the helpers that walk a plan's merge tree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  plannedChunksOf, plannedDir, plannedSpec, readPlanFile, writePlanFile,
  type PlanFile, type PlannedChunk, type PlannedMerge,
} from '../../../src/chunkdir/plan-file.js';

const chunk = (id: string, component = 'zz'): PlannedChunk =>
  ({ id, kind: 'chunk', component, key: `k-${id}`, files: [`/data/${id}.root`], tree: 'events', fineSplit: null });

function plan(nodes: PlanFile['nodes']): PlanFile {
  return { version: 1, digest: 'd1', heppyVersion: '0.1.0', outdir: '/o', cacheDir: '/c', bundle: 'b.mjs',
    options: { lumi: '10', fast: true }, maxEvents: 100, createdAt: '2026-01-01T00:00:00Z', nodes };
}

// A two-level tree: zz's final merge over two intermediate nodes over three chunks.
const tree = plan([
  chunk('zz_Chunk0'), chunk('zz_Chunk1'), chunk('zz_Chunk2'),
  { id: 'hadd:zz/L1-0', kind: 'hadd', component: 'zz', deps: ['zz_Chunk0', 'zz_Chunk1'], level: 1, dir: '.heppy/merge/zz/L1-0', chunks: 2 },
  { id: 'hadd:zz/L1-1', kind: 'hadd', component: 'zz', deps: ['zz_Chunk2'], level: 1, dir: '.heppy/merge/zz/L1-1', chunks: 1 },
  { id: 'hadd:zz', kind: 'hadd', component: 'zz', deps: ['hadd:zz/L1-0', 'hadd:zz/L1-1'], level: 0, chunks: 3 },
]);

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-plan-file-'));
  try { f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('plannedDir: a chunk under its id, a merge under its dir, an older merge (no dir) under its component', () => {
  assert.is(plannedDir('/o', chunk('zz_Chunk3')), '/o/zz_Chunk3');
  assert.is(plannedDir('/o', tree.nodes[3]!), '/o/.heppy/merge/zz/L1-0');
  const old: PlannedMerge = { id: 'hadd:ww', kind: 'hadd', component: 'ww', deps: [] };
  assert.is(plannedDir('/o', old), '/o/ww');
});

test('plannedChunksOf: the chunks under a merge, in order, through the intermediate merges', () => {
  assert.equal(plannedChunksOf(tree, 'hadd:zz'), ['zz_Chunk0', 'zz_Chunk1', 'zz_Chunk2']);
  assert.equal(plannedChunksOf(tree, 'hadd:zz/L1-1'), ['zz_Chunk2']);
  // A chunk (or an id the plan does not know) stands for itself.
  assert.equal(plannedChunksOf(tree, 'zz_Chunk1'), ['zz_Chunk1']);
  assert.equal(plannedChunksOf(tree, 'nowhere'), ['nowhere']);
});

test("plannedSpec: the chunk's own fields with the plan's bundle, options and maxEvents", () => {
  const n = tree.nodes[1] as PlannedChunk;
  assert.equal(plannedSpec(tree, n, 4), {
    name: 'zz_Chunk1', component: 'zz', files: ['/data/zz_Chunk1.root'], tree: 'events', fineSplit: null,
    maxEvents: 100, options: { lumi: '10', fast: true }, bundle: 'b.mjs', key: 'k-zz_Chunk1', attempt: 4,
  });
});

test('write then read: the same plan, one line of JSON, no temporary left beside it', () => withDir((o) => {
  writePlanFile(o, tree);
  const back = readPlanFile(o);
  assert.equal(back, { ok: true, value: tree });
  const text = readFileSync(join(o, '.heppy', 'plan.json'), 'utf8');
  assert.ok(text.endsWith('}\n'));
  assert.is(text.split('\n').length, 2);
  assert.equal(readdirSync(join(o, '.heppy')), ['plan.json']);
  // Rewriting replaces it.
  writePlanFile(o, plan([]));
  assert.equal(readPlanFile(o), { ok: true, value: plan([]) });
}));

test('no recorded plan (no .heppy, or the Outdir is a file) is null, not a failure', () => withDir((o) => {
  assert.equal(readPlanFile(o), { ok: true, value: null });
  const file = join(o, 'f');
  writeFileSync(file, 'x');
  assert.equal(readPlanFile(file), { ok: true, value: null });
}));

function readRaw(o: string, text: string): string {
  mkdirSync(join(o, '.heppy'), { recursive: true });
  writeFileSync(join(o, '.heppy', 'plan.json'), text);
  const r = readPlanFile(o);
  if (r.ok) throw new Error(`expected a failure, read ${JSON.stringify(r.value)}`);
  assert.is(r.error.file, join(o, '.heppy', 'plan.json'));
  return r.error.reason;
}

test('unreadable JSON: a failure naming the file', () => withDir((o) => {
  assert.match(readRaw(o, '{"version": 1,'), /^cannot read the recorded plan: /);
}));

test('a malformed plan is refused with what is wrong', () => withDir((o) => {
  const good = tree as unknown as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>): string => readRaw(o, JSON.stringify({ ...good, ...patch }));
  const node = (n: Record<string, unknown>): string => bad({ nodes: [n] });
  assert.is(readRaw(o, '[]'), 'invalid recorded plan: not an object');
  assert.is(readRaw(o, 'null'), 'invalid recorded plan: not an object');
  assert.is(bad({ version: 2 }), 'invalid recorded plan: unknown version 2');
  assert.is(bad({ version: undefined }), 'invalid recorded plan: unknown version undefined');
  assert.is(bad({ digest: 3 }), "invalid recorded plan: 'digest' must be a string");
  assert.is(bad({ cacheDir: null }), "invalid recorded plan: 'cacheDir' must be a string");
  assert.is(bad({ options: null }), "invalid recorded plan: 'options' must be an object");
  assert.is(bad({ maxEvents: 1.5 }), "invalid recorded plan: 'maxEvents' must be null or an integer");
  assert.is(bad({ nodes: {} }), "invalid recorded plan: 'nodes' must be a list");
  assert.is(bad({ nodes: [3] }), 'invalid recorded plan: a node is not an object');
  assert.is(node({ kind: 'chunk', component: 'zz' }), 'invalid recorded plan: a node has no id or component');
  assert.is(node({ id: 'c', kind: 'chunk', component: 'zz', key: 'k', tree: 't' }), 'invalid recorded plan: chunk c: key, tree or files missing');
  assert.is(node({ id: 'm', kind: 'hadd', component: 'zz', deps: [1] }), 'invalid recorded plan: merge m: deps missing');
  assert.is(node({ id: 'm', kind: 'hadd', component: 'zz', deps: [], level: -1 }), 'invalid recorded plan: merge m: bad level');
  assert.is(node({ id: 'm', kind: 'hadd', component: 'zz', deps: [], dir: '' }), 'invalid recorded plan: merge m: bad dir');
  // A dir that climbs out of the Outdir is refused: merges write there.
  assert.is(node({ id: 'm', kind: 'hadd', component: 'zz', deps: [], dir: '.heppy/../../x' }), 'invalid recorded plan: merge m: bad dir');
  assert.is(node({ id: 'm', kind: 'hadd', component: 'zz', deps: [], chunks: '2' }), 'invalid recorded plan: merge m: bad chunks');
  assert.is(node({ id: 'x', kind: 'copy', component: 'zz' }), 'invalid recorded plan: node x: unknown kind "copy"');
}));

test('an older plan (merges without level, dir, chunks; maxEvents null) is read as it is', () => withDir((o) => {
  const old = plan([chunk('ww_Chunk0', 'ww'), { id: 'hadd:ww', kind: 'hadd', component: 'ww', deps: ['ww_Chunk0'] }]);
  old.maxEvents = null;
  writePlanFile(o, old);
  assert.equal(readPlanFile(o), { ok: true, value: old });
}));

test.run();
