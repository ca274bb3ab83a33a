// The engine without processes: a plan of two chunks and their merge run by runPlan through an
// injected fake executor (it writes each chunk's result and marker as run-chunk would) with the
// in-memory store; then the planner's decisions (decide.ts) on what is on disk and recorded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOutputs, writeMarker } from '../../../src/chunkdir/marker.js';
import { writeChunkSpec, type ChunkSpec } from '../../../src/chunkdir/spec.js';
import { decideChunk, decideMerge } from '../../../src/engine/decide.js';
import type { BuildPlan, PlannedNode } from '../../../src/engine/plan.js';
import { runPlan } from '../../../src/engine/run.js';
import { mergeFailure } from '../../../src/engine/run-merge.js';
import { MemoryStore } from '../../../src/engine/store.js';
import type { Executor, ExecutorEvent, JobSpec, JournalEntry } from '../../../src/exec/executor.js';
import { initHash } from '../../../src/fingerprint/hash.js';
import { buildGraph } from '../../../src/graph/dag.js';
import type { BuildEvent } from '../../../src/report/events.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-engine-'));
const outdir = join(root, 'Out');

/** Runs each submitted attempt at once: result file, chunk.json, marker last — or a failure. */
class FakeExecutor implements Executor {
  readonly kind = 'local' as const;
  readonly capacity = 4;
  readonly submitted: JobSpec[] = [];
  private events: ExecutorEvent[] = [];
  constructor(private readonly failing = new Set<string>(), private readonly failKind: 'analysis' | 'infrastructure' = 'analysis') {}
  async submit(jobs: JobSpec[]): Promise<void> {
    for (const j of jobs) {
      this.submitted.push(j);
      const spec = j.spec as ChunkSpec;
      mkdirSync(j.chunkDir, { recursive: true });
      if (this.failing.has(j.nodeId)) {
        this.events.push({ type: 'ended', end: { nodeId: j.nodeId, attempt: j.attempt, status: 'failed', failure: { kind: this.failKind, reason: 'boom' } } });
        continue;
      }
      writeFileSync(join(j.chunkDir, 'result.yaml'), `chunk: ${j.name}\n`);
      writeChunkSpec(j.chunkDir, spec);
      writeMarker(j.chunkDir, { kind: 'chunk', status: 'ok', key: spec.key, attempt: j.attempt, exitCode: 0, eventsProcessed: 10, expectedEvents: 10,
        userStop: false, outputs: listOutputs(j.chunkDir) });
      this.events.push({ type: 'ended', end: { nodeId: j.nodeId, attempt: j.attempt, status: 'succeeded', eventsProcessed: 10 } });
    }
  }
  async adopt(_e: JournalEntry[]): Promise<JournalEntry[]> { return []; }
  async next(): Promise<ExecutorEvent[]> { const e = this.events; this.events = []; return e; }
  async cancelAll(): Promise<void> {}
  async close(): Promise<void> {}
}

function plan(keys: Record<string, string>, upToDate: Set<string> = new Set()): BuildPlan {
  const chunks = ['X_Chunk0', 'X_Chunk1'].map((name, index) => ({ name, component: 'X', index, files: [`/in${index}.root`], fineSplit: null, split: true }));
  const graph = buildGraph(chunks);
  const nodes = new Map<string, PlannedNode>();
  for (const c of chunks) nodes.set(c.name, { id: c.name, kind: 'chunk', component: 'X', dir: join(outdir, c.name), key: keys[c.name]!,
    parts: () => ({ parts: { k: keys[c.name]! }, files: {} }), upToDate: upToDate.has(c.name), why: upToDate.has(c.name) ? [] : ['never built'] });
  nodes.set('hadd:X', { id: 'hadd:X', kind: 'hadd', component: 'X', dir: join(outdir, 'X'), key: null, parts: () => null, upToDate: false, why: ['2 chunks to run'] });
  return { graph, nodes, tree: new Map([['X', 'events']]), dropped: [] };
}

const retry = { retries: 1, retryAll: false, backoffBaseMs: 0, backoffMaxMs: 0 };

test('runPlan: chunks through the executor, then their merge; records in the store; a failed chunk skips its merge', async () => {
  await initHash();
  const store = new MemoryStore(outdir);
  const ex = new FakeExecutor();
  const events: BuildEvent[] = [];
  const s = await runPlan({ plan: plan({ X_Chunk0: 'k0', X_Chunk1: 'k1' }), store, executor: ex, outdir, bundle: '/b.mjs', heppyVersion: '0.1.0',
    options: {}, maxEvents: null, retry, keepGoing: true, emit: (e) => events.push(e), cache: null });
  assert.is(s.run, 3);
  assert.is(s.failed, 0);
  assert.equal(ex.submitted.map((j) => [j.nodeId, j.attempt, (j.spec as ChunkSpec).key, (j.spec as ChunkSpec).bundle]), [['X_Chunk0', 1, 'k0', '/b.mjs'], ['X_Chunk1', 1, 'k1', '/b.mjs']]);
  assert.equal([...store.allTasks().values()].map((r) => [r.nodeId, r.status, r.key.length > 0]).sort(), [['X_Chunk0', 'ok', true], ['X_Chunk1', 'ok', true], ['hadd:X', 'ok', true]]);
  assert.is(readFileSync(join(outdir, 'X', 'result.yaml'), 'utf8'), 'chunk: X_Chunk0\n');
  const m = JSON.parse(readFileSync(join(outdir, 'X', 'heppy-status.json'), 'utf8')) as { kind: string; key: string; chunks: string[] };
  assert.equal([m.kind, m.chunks, m.key], ['hadd', ['X_Chunk0', 'X_Chunk1'], store.getTask('hadd:X')!.key]);

  // A chunk that fails (analysis: not retried by default) fails alone; its merge is not run.
  const store2 = new MemoryStore(join(root, 'Out2'));
  const ex2 = new FakeExecutor(new Set(['X_Chunk1']));
  const s2 = await runPlan({ plan: plan({ X_Chunk0: 'k0', X_Chunk1: 'k1' }), store: store2, executor: ex2, outdir, bundle: '/b.mjs', heppyVersion: '0.1.0',
    options: {}, maxEvents: null, retry, keepGoing: true, emit: () => undefined, cache: null });
  assert.is(s2.failed, 1);
  assert.equal(ex2.submitted.filter((j) => j.nodeId === 'X_Chunk1').length, 1, 'an analysis failure is not retried');
  assert.is(store2.getTask('X_Chunk1')!.status, 'failed');
  assert.is(store2.getTask('hadd:X'), undefined);
});

test('decisions: fresh from the record; adopted from a newer marker for the same key; the recorded run with a changed output runs again', async () => {
  await initHash();
  const store = new MemoryStore(outdir);
  await runPlan({ plan: plan({ X_Chunk0: 'k0', X_Chunk1: 'k1' }), store, executor: new FakeExecutor(), outdir, bundle: '/b.mjs', heppyVersion: '0.1.0',
    options: {}, maxEvents: null, retry, keepGoing: true, emit: () => undefined, cache: null });
  const dir = join(outdir, 'X_Chunk0');
  const rec = store.allTasks().get('X_Chunk0');
  const inputs = (changed: string | null) => ({ id: 'X_Chunk0', dir, key: 'k0', parts: () => ({ parts: {}, files: {} }), rec, changed: () => changed,
    partsOf: () => undefined, force: false });
  assert.equal(decideChunk(inputs(null)), { upToDate: true, why: [] });
  // The recorded run, an output edited by hand: not adopted (same marker), runs again.
  assert.equal(decideChunk(inputs('output changed: result.yaml')), { upToDate: false, why: ['output changed: result.yaml'] });
  // Another key: why names it; the marker (key k0) is not adopted for it.
  assert.equal(decideChunk({ ...inputs(null), key: 'k9' }).why, ['key changed']);
  // A newer run of the same key (run by hand): adopted.
  await new Promise((r) => setTimeout(r, 20));
  const ran = JSON.parse(readFileSync(join(dir, 'chunk.json'), 'utf8')) as { attempt: number };
  writeMarker(dir, { kind: 'chunk', status: 'ok', key: 'k0', attempt: ran.attempt, exitCode: 0, eventsProcessed: 10, expectedEvents: 10, userStop: false, outputs: listOutputs(dir) });
  const d = decideChunk(inputs('output changed: heppy-status.json'));
  assert.ok(d.upToDate && d.adopted?.key === 'k0', JSON.stringify(d));
  // Merges: key unknown while chunks run; adopted from an ok hadd marker of the same key.
  assert.equal(decideMerge({ id: 'hadd:X', dir: join(outdir, 'X'), key: null, parts: null, pending: 2, rec: undefined, changed: () => null, partsOf: () => undefined, force: false }).why, ['2 chunks to run']);
  const hk = store.getTask('hadd:X')!.key;
  const m = decideMerge({ id: 'hadd:X', dir: join(outdir, 'X'), key: hk, parts: () => ({ parts: {}, files: {} }), pending: 0, rec: undefined, changed: () => null, partsOf: () => undefined, force: false });
  assert.ok(m.upToDate && m.adopted?.kind === 'hadd', JSON.stringify(m));
});

test('attempt numbers continue across runs (builds, resubmissions): last recorded attempt + 1; retries counted per run', async () => {
  await initHash();
  const out = join(root, 'OutAttempts');
  const store = new MemoryStore(out);
  const keys = { X_Chunk0: 'k0', X_Chunk1: 'k1' };
  const run = async (ex: FakeExecutor, st = store) => {
    const p = plan(keys);
    for (const n of p.nodes.values()) n.dir = join(out, n.kind === 'chunk' ? n.id : n.component);
    return runPlan({ plan: p, store: st, executor: ex, outdir: out, bundle: '/b.mjs', heppyVersion: '0.1.0', options: {}, maxEvents: null, retry,
      keepGoing: true, emit: () => undefined, cache: null });
  };
  const attemptsOf = (ex: FakeExecutor) => ex.submitted.filter((j) => j.nodeId === 'X_Chunk1').map((j) => j.attempt);
  // Run 1: X_Chunk1 fails (analysis, not retried): attempt 1.
  const ex1 = new FakeExecutor(new Set(['X_Chunk1']));
  await run(ex1);
  assert.equal(attemptsOf(ex1), [1]);
  assert.is(store.getTask('X_Chunk1')!.attempts, 1);
  // Run 2: infrastructure failures, retried once (--retries 1 counts from this run's first attempt): attempts 2 and 3.
  const ex2 = new FakeExecutor(new Set(['X_Chunk1']), 'infrastructure');
  const s2 = await run(ex2);
  assert.equal(attemptsOf(ex2), [2, 3]);
  assert.equal(s2.failures.map((f) => [f.id, f.attempts]), [['X_Chunk1', 2]]);
  assert.is(store.getTask('X_Chunk1')!.attempts, 3);
  // Run 3 succeeds with attempt 4: the marker and chunk.json name it.
  const ex3 = new FakeExecutor();
  await run(ex3);
  assert.equal(attemptsOf(ex3), [4]);
  assert.is(store.getTask('X_Chunk1')!.attempts, 4);
  const marker = JSON.parse(readFileSync(join(out, 'X_Chunk1', 'heppy-status.json'), 'utf8')) as { attempt: number };
  assert.is(marker.attempt, 4);
  // Without the store's record (a resubmission with an in-memory store), the directory's last attempt counts: 5.
  writeMarker(join(out, 'X_Chunk1'), { kind: 'chunk', status: 'failed', key: 'k1', attempt: 4, exitCode: 1, eventsProcessed: null, expectedEvents: 10,
    userStop: false, outputs: [] });
  const ex4 = new FakeExecutor();
  await run(ex4, new MemoryStore(out));
  assert.equal(attemptsOf(ex4), [5]);
});

test('a failed merge: what it read is an input failure; its thread dying or a bug is infrastructure', () => {
  assert.equal(mergeFailure({ file: '/o/X_Chunk1/t.root', object: 'events', reason: 'not a ROOT file' }, '/o/X'),
    { kind: 'input', file: '/o/X_Chunk1/t.root', reason: 'events: not a ROOT file' });
  assert.equal(mergeFailure({ kind: 'infrastructure', object: 'X', reason: 'merge thread exited with code 3 before finishing' }, '/o/X'),
    { kind: 'infrastructure', reason: '/o/X: X: merge thread exited with code 3 before finishing' });
});

/** Ends the chunks in the batches given (by chunk name), one batch per next() call, 100 ms apart. */
class BatchedExecutor extends FakeExecutor {
  private held: ExecutorEvent[] = [];
  private round = 0;
  constructor(private readonly batches: string[][]) { super(); }
  override async next(): Promise<ExecutorEvent[]> {
    this.held.push(...await super.next());
    if (this.round > 0) await new Promise((res) => setTimeout(res, 100));
    const names = new Set(this.batches[this.round++] ?? []);
    const out = this.held.filter((e) => e.type === 'ended' && names.has(e.end.nodeId));
    this.held = this.held.filter((e) => !out.includes(e));
    return out;
  }
}

test('merges while local chunks run share this thread (no merge thread competes with the workers); once they have ended, the pool merges', async () => {
  await initHash();
  const threePlan = (out: string): BuildPlan => {
    const chunks = ['X', 'Y', 'Z'].map((c) => ({ name: `${c}_Chunk0`, component: c, index: 0, files: [`/${c}.root`], fineSplit: null, split: true }));
    const nodes = new Map<string, PlannedNode>();
    for (const c of chunks) {
      nodes.set(c.name, { id: c.name, kind: 'chunk', component: c.component, dir: join(out, c.name), key: `k${c.component}`,
        parts: () => ({ parts: { k: c.component }, files: {} }), upToDate: false, why: ['never built'] });
      nodes.set(`hadd:${c.component}`, { id: `hadd:${c.component}`, kind: 'hadd', component: c.component, dir: join(out, c.component), key: null,
        parts: () => null, upToDate: false, why: ['1 chunk to run'] });
    }
    return { graph: buildGraph(chunks), nodes, tree: new Map(chunks.map((c) => [c.component, 'events'])), dropped: [] };
  };
  const threads: unknown[] = [];
  const onWorker = (w: unknown): void => void threads.push(w);
  process.on('worker', onWorker);
  try {
    const run = async (name: string, batches: string[][]) => {
      const out = join(root, name);
      const s = await runPlan({ plan: threePlan(out), store: new MemoryStore(out), executor: new BatchedExecutor(batches), outdir: out, bundle: '/b.mjs',
        heppyVersion: '0.1.0', options: {}, maxEvents: null, retry, keepGoing: true, emit: () => undefined, cache: null, mergeJobs: 2 });
      assert.equal([s.run, s.failed], [6, 0]);
      for (const c of ['X', 'Y', 'Z']) assert.is(readFileSync(join(out, c, 'result.yaml'), 'utf8'), `chunk: ${c}_Chunk0\n`);
    };
    // X and Y end while Z still runs: their two merges run one after the other in this thread.
    await run('OutShare', [['X_Chunk0', 'Y_Chunk0'], ['Z_Chunk0']]);
    assert.is(threads.length, 0, 'no merge thread while a chunk runs');
    // All three end together: nothing runs on the workers, the second and third merge go to a pool thread.
    await run('OutPool', [['X_Chunk0', 'Y_Chunk0', 'Z_Chunk0']]);
    assert.is(threads.length, 1, 'one pool thread once the chunks have ended');
  } finally {
    process.off('worker', onWorker);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
