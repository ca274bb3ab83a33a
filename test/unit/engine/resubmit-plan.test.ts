// `heppy check --resubmit`'s plan from plan.json: the bad chunks run, and the merges above them
// (and bad or missing merges); good chunks with an ok marker for their key are adopted; the
// store is the build's when it is there, else an in-memory one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMarker } from '../../../src/chunkdir/marker.js';
import { initHash } from '../../../src/fingerprint/hash.js';
import type { PlanFile } from '../../../src/chunkdir/plan-file.js';
import { planFromFile, planStore } from '../../../src/engine/resubmit-plan.js';
import { MemoryStore } from '../../../src/engine/store.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-resubmit-plan-'));
test.before(async () => { await initHash(); });

/** zz: three chunks under two level-1 merges under the final one; ww: one chunk, its merge. */
function planIn(outdir: string): PlanFile {
  const chunk = (id: string, component: string) => ({ id, kind: 'chunk' as const, component, key: `key-${id}`, files: [`/d/${id}.root`], tree: 'Events', fineSplit: null });
  return { version: 1, digest: 'd', heppyVersion: '0.1.0', outdir, cacheDir: join(outdir, 'no-cache'), bundle: 'b', options: {}, maxEvents: null,
    createdAt: '', nodes: [
      chunk('zz_Chunk0', 'zz'), chunk('zz_Chunk1', 'zz'), chunk('zz_Chunk2', 'zz'), chunk('ww_Chunk0', 'ww'),
      { id: 'hadd:zz/L1-0', kind: 'hadd', component: 'zz', deps: ['zz_Chunk0', 'zz_Chunk1'], level: 1, dir: '.heppy/merge/zz/L1-0', chunks: 2 },
      { id: 'hadd:zz/L1-1', kind: 'hadd', component: 'zz', deps: ['zz_Chunk2'], level: 1, dir: '.heppy/merge/zz/L1-1', chunks: 1 },
      { id: 'hadd:zz', kind: 'hadd', component: 'zz', deps: ['hadd:zz/L1-0', 'hadd:zz/L1-1'], level: 0, dir: 'zz', chunks: 3 },
      // An older plan's merge: no level, dir or chunks.
      { id: 'hadd:ww', kind: 'hadd', component: 'ww', deps: ['ww_Chunk0'] },
    ] };
}

function okMarker(dir: string, key: string, kind: 'chunk' | 'hadd' = 'chunk'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'out.root'), 'r');
  if (kind === 'chunk') {
    writeMarker(dir, { kind, status: 'ok', key, attempt: 1, exitCode: 0, eventsProcessed: 5, expectedEvents: 5, userStop: false, outputs: [{ path: 'out.root', size: 1 }] });
  } else {
    writeMarker(dir, { kind, status: 'ok', key, component: 'zz', chunks: [], nfiles: 1, ngoodfiles: 1, outputs: [{ path: 'out.root', size: 1 }],
      sources: [], chunksDir: null, warnings: [] });
  }
}

test('the graph and nodes of the recorded plan, in its order, with the trees of its components', () => {
  const o = mkdtempSync(join(root, 'o-'));
  const p = planIn(o);
  const plan = planFromFile(p, new Set(), new Set(), new MemoryStore(o));
  assert.equal(plan.graph.order, p.nodes.map((n) => n.id));
  assert.equal([...plan.tree], [['zz', 'Events'], ['ww', 'Events']]);
  assert.equal(plan.dropped, []);
  const c1 = plan.graph.nodes.get('zz_Chunk1')!;
  assert.equal(c1, { kind: 'chunk', id: 'zz_Chunk1', deps: [],
    plan: { name: 'zz_Chunk1', component: 'zz', index: 1, files: ['/d/zz_Chunk1.root'], fineSplit: null, split: true } });
  assert.equal(plan.graph.nodes.get('hadd:ww'), { kind: 'hadd', id: 'hadd:ww', component: 'ww', deps: ['ww_Chunk0'], level: 0, dir: 'ww', chunks: 1 });
  assert.is(plan.nodes.get('hadd:zz/L1-1')!.dir, join(o, '.heppy/merge/zz/L1-1'));
  assert.is(plan.nodes.get('zz_Chunk2')!.key, 'key-zz_Chunk2');
  assert.is(plan.nodes.get('hadd:zz')!.key, null);
  // Parts the store does not know: empty parts, not a failure.
  assert.equal(plan.nodes.get('zz_Chunk0')!.parts(), { parts: {}, files: {} });
});

test('a bad chunk runs, and every merge above it; merges whose directory is missing run too', () => {
  const o = mkdtempSync(join(root, 'o-'));
  const p = planIn(o);
  for (const d of ['zz', 'ww', '.heppy/merge/zz/L1-0', '.heppy/merge/zz/L1-1']) mkdirSync(join(o, d), { recursive: true });
  const plan = planFromFile(p, new Set([join(o, 'zz_Chunk2')]), new Set(), new MemoryStore(o));
  const runs = (id: string): boolean => !plan.nodes.get(id)!.upToDate;
  assert.equal(p.nodes.map((n) => [n.id, runs(n.id)]), [
    ['zz_Chunk0', false], ['zz_Chunk1', false], ['zz_Chunk2', true], ['ww_Chunk0', false],
    ['hadd:zz/L1-0', false], ['hadd:zz/L1-1', true], ['hadd:zz', true], ['hadd:ww', false],
  ]);
  assert.equal(plan.nodes.get('zz_Chunk2')!.why, ['bad (heppy check)']);
  assert.equal(plan.nodes.get('hadd:zz')!.why, ['its chunks were run again']);
  assert.equal(plan.nodes.get('zz_Chunk0')!.why, []);
  // A bad merge alone: it runs (and the one above it), its chunks do not.
  const plan2 = planFromFile(p, new Set(), new Set([join(o, '.heppy/merge/zz/L1-0')]), new MemoryStore(o));
  assert.equal(p.nodes.filter((n) => !plan2.nodes.get(n.id)!.upToDate).map((n) => n.id), ['hadd:zz/L1-0', 'hadd:zz']);
  // No merged directories at all: every merge runs.
  const o2 = mkdtempSync(join(root, 'o-'));
  const plan3 = planFromFile(planIn(o2), new Set(), new Set(), new MemoryStore(o2));
  assert.equal(planIn(o2).nodes.filter((n) => !plan3.nodes.get(n.id)!.upToDate).map((n) => n.id), ['hadd:zz/L1-0', 'hadd:zz/L1-1', 'hadd:zz', 'hadd:ww']);
});

test('good chunks and merges the store does not know are adopted from their ok markers, for their key only', () => {
  const o = mkdtempSync(join(root, 'o-'));
  const p = planIn(o);
  okMarker(join(o, 'zz_Chunk0'), 'key-zz_Chunk0');
  okMarker(join(o, 'zz_Chunk1'), 'another key');
  okMarker(join(o, 'ww_Chunk0'), 'key-ww_Chunk0');
  okMarker(join(o, 'ww'), 'merge-key', 'hadd');
  const plan = planFromFile(p, new Set([join(o, 'ww_Chunk0')]), new Set(), new MemoryStore(o));
  const a = plan.nodes.get('zz_Chunk0')!.adopted!;
  assert.equal([a.nodeId, a.kind, a.status, a.key, a.outputs.map((x) => x.path)], ['zz_Chunk0', 'chunk', 'ok', 'key-zz_Chunk0', ['out.root', 'heppy-status.json']]);
  assert.is(plan.nodes.get('zz_Chunk1')!.adopted, undefined, 'a marker for another key');
  assert.is(plan.nodes.get('zz_Chunk2')!.adopted, undefined, 'no marker');
  assert.is(plan.nodes.get('ww_Chunk0')!.adopted, undefined, 'a chunk to run is not adopted');
  assert.is(plan.nodes.get('hadd:ww')!.adopted, undefined, 'a merge that runs is not adopted');
  // The intact merge of a good chunk: adopted under its marker's key.
  const plan2 = planFromFile(p, new Set(), new Set(), new MemoryStore(o));
  assert.is(plan2.nodes.get('hadd:ww')!.upToDate, true);
  assert.is(plan2.nodes.get('hadd:ww')!.adopted!.key, 'merge-key');
});

test('planStore: no store where the plan names it: an in-memory one, nothing noted', () => {
  const o = mkdtempSync(join(root, 'o-'));
  const notes: string[] = [];
  const s = planStore(planIn(o), (l) => notes.push(l));
  assert.ok(s instanceof MemoryStore);
  assert.is((s as MemoryStore).outdir, o);
  assert.equal(notes, []);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
