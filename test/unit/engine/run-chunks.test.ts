// ChunkRuns: a run's chunk nodes. prepare() gives a local worker the spec in its message and a
// batch job a chunk.json in its directory (a result of another key moved out first); confirm()
// records a success from what a local worker reported or from the marker a batch job wrote, and
// refuses a missing marker, a failed one or another key; restoreAll() takes chunks whose key the
// output cache holds out of the tasks; firstAttempt() continues the attempt numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { CHUNK_SPEC_FILE, LOG_FILE } from '../../../src/chunkdir/layout.js';
import { writeMarker, type ChunkMarker } from '../../../src/chunkdir/marker.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { initHash } from '../../../src/fingerprint/hash.js';
import { keepInCache } from '../../../src/engine/restore.js';
import { ChunkRuns, type ChunkRunInputs } from '../../../src/engine/run-chunks.js';
import type { ExecutorKind } from '../../../src/exec/executor.js';
import type { SchedTask } from '../../../src/exec/scheduler.js';
import { KEYS, ranChunk, rig, specOf, tmpOutdir, type Rig } from './run-rig.js';

const made: string[] = [];
test.before(async () => { await initHash(); });
function start(executor: ExecutorKind, cache: OutputCache | null = null): Rig & { c: ChunkRuns; inputs: ChunkRunInputs } {
  const r = rig('run-chunks', cache);
  made.push(r.outdir);
  const inputs: ChunkRunInputs = { outdir: r.outdir, bundle: join(r.outdir, 'bundle.mjs'), options: { sel: 'tight' }, maxEvents: 500, executor, markers: new Map() };
  return { ...r, c: new ChunkRuns(r.s, inputs), inputs };
}

test('prepare (local): the job carries the whole spec (files, tree, options, key, attempt) and the cache to keep into; nothing written', async () => {
  const base = tmpOutdir('run-chunks-cache');
  made.push(base);
  const cache = OutputCache.open(join(base, 'cache'));
  const { c, s, outdir } = start('local', cache);
  const job = await c.prepare('X_Chunk1', 3);
  assert.ok(job.ok);
  if (!job.ok) return;
  assert.equal(job.value, { nodeId: 'X_Chunk1', name: 'X_Chunk1', chunkDir: join(outdir, 'X_Chunk1'), attempt: 3, keepIn: cache.root,
    spec: { name: 'X_Chunk1', component: 'X', files: ['/data/in1.root'], tree: 'events', fineSplit: null, maxEvents: 500, options: { sel: 'tight' },
      bundle: join(outdir, 'bundle.mjs'), key: KEYS.X_Chunk1, attempt: 3 } });
  assert.ok(s.prepared.has('X_Chunk1') && s.started.has('X_Chunk1'));
  assert.not.ok(existsSync(join(outdir, 'X_Chunk1')), 'a local worker writes chunk.json into its result');
});

test('prepare (batch): chunk.json written into the directory; the result of another key is moved out first', async () => {
  const { c, outdir } = start('slurm');
  const job = await c.prepare('X_Chunk0', 1);
  assert.equal(job, { ok: true, value: { nodeId: 'X_Chunk0', name: 'X_Chunk0', chunkDir: join(outdir, 'X_Chunk0'), attempt: 1 } });
  const written = JSON.parse(readFileSync(join(outdir, 'X_Chunk0', CHUNK_SPEC_FILE), 'utf8')) as ChunkSpec;
  assert.equal([written.key, written.attempt, written.maxEvents, written.files], [KEYS.X_Chunk0, 1, 500, ['/data/in0.root']]);
  // X_Chunk1 holds the result of another key (an earlier option): it leaves, only this attempt's chunk.json stays.
  const dir1 = join(outdir, 'X_Chunk1');
  ranChunk(dir1, { ...specOf(outdir, 'X_Chunk1'), key: 'ffffffffffffffff' }, 'old result\n');
  const job1 = await c.prepare('X_Chunk1', 2);
  assert.ok(job1.ok);
  assert.not.ok(existsSync(join(dir1, 'result.yaml')));
  assert.not.ok(existsSync(join(dir1, 'heppy-status.json')));
  assert.is((JSON.parse(readFileSync(join(dir1, CHUNK_SPEC_FILE), 'utf8')) as ChunkSpec).attempt, 2);
});

test('prepare (batch): a directory that cannot be written fails the attempt as infrastructure, naming the directory', async () => {
  const { c, outdir } = start('slurm');
  writeFileSync(join(outdir, 'X_Chunk0'), 'a file where the chunk directory goes');
  const job = await c.prepare('X_Chunk0', 1);
  assert.ok(!job.ok && job.error.kind === 'infrastructure' && job.error.reason.startsWith(`${join(outdir, 'X_Chunk0')}: X_Chunk0: cannot write chunk.json: `), JSON.stringify(job));
});

test('confirm (reported by a local worker): recorded with the reported files and events; its marker kept for the trace; a cache warning passed on', async () => {
  const { c, s, store, events, inputs } = start('local');
  s.started.set('X_Chunk0', Date.now());
  const files = [{ path: 'result.yaml', size: 18, mtimeMs: 1000 }, { path: 'heppy-status.json', size: 200, mtimeMs: 1001 }];
  const marker = { kind: 'chunk', status: 'ok', key: KEYS.X_Chunk0 } as ChunkMarker;
  const r = await c.confirm('X_Chunk0', 2, 640, { key: KEYS.X_Chunk0!, files, marker, cacheWarning: 'cache full' });
  assert.equal(r, { ok: true, value: { eventsProcessed: 640 } });
  await store.flush();
  const rec = store.getTask('X_Chunk0')!;
  assert.equal([rec.status, rec.key, rec.attempts, rec.eventsProcessed, rec.outputs, rec.resultDigest.length > 0], ['ok', KEYS.X_Chunk0, 2, 640, files, true]);
  assert.is(inputs.markers!.get('X_Chunk0'), marker);
  assert.equal(events, [{ type: 'warning', message: 'X_Chunk0: cache full' }]);
  const other = await c.confirm('X_Chunk1', 1, 5, { key: 'ffffffffffffffff', files });
  assert.ok(!other.ok && other.error.kind === 'infrastructure' && other.error.reason.endsWith(`marker key ffffffffffffffff is not this build's key ${KEYS.X_Chunk1}`));
  assert.is(store.getTask('X_Chunk1'), undefined);
});

test('confirm (batch): from the marker: ok recorded with its stat-ed outputs; no marker, a failed marker, another key refused', async () => {
  const { c, store, outdir } = start('slurm');
  const dir0 = join(outdir, 'X_Chunk0');
  ranChunk(dir0, specOf(outdir, 'X_Chunk0', 4), 'chunk: X_Chunk0\n', 777);
  const r = await c.confirm('X_Chunk0', 4, 0);
  assert.equal(r, { ok: true, value: { eventsProcessed: 777 } });
  await store.flush();
  const rec = store.getTask('X_Chunk0')!;
  // The run's own files (chunk.json) are not results; the marker is, last.
  assert.equal(rec.outputs.map((o) => [o.path, o.size]), [['result.yaml', 16], ['heppy-status.json', readFileSync(join(dir0, 'heppy-status.json')).length]]);
  assert.equal([rec.attempts, rec.eventsProcessed], [4, 777]);

  const dir1 = join(outdir, 'X_Chunk1');
  mkdirSync(dir1);
  const none = await c.confirm('X_Chunk1', 1, 0);
  assert.ok(!none.ok && none.error.reason.endsWith('the run ended without writing its marker heppy-status.json'), JSON.stringify(none));
  writeFileSync(join(dir1, LOG_FILE), 'boom\n');
  writeMarker(dir1, { kind: 'chunk', status: 'failed', key: KEYS.X_Chunk1!, attempt: 1, exitCode: 1, eventsProcessed: null, expectedEvents: 10, userStop: false, outputs: [],
    failure: { kind: 'analysis', reason: 'KeyError: muons' } });
  assert.equal(await c.confirm('X_Chunk1', 1, 0), { ok: false, error: { kind: 'analysis', reason: 'KeyError: muons' } });
  writeMarker(dir1, { kind: 'chunk', status: 'ok', key: '0000000000000000', attempt: 1, exitCode: 0, eventsProcessed: 10, expectedEvents: 10, userStop: false, outputs: [] });
  const other = await c.confirm('X_Chunk1', 1, 0);
  assert.ok(!other.ok && other.error.reason.endsWith(`marker key 0000000000000000 is not this build's key ${KEYS.X_Chunk1}`));
  assert.is(store.getTask('X_Chunk1'), undefined, 'nothing recorded for a refused end');
});

test("confirm (batch): the recorded and reported time is the job's own run (its marker's start to end), its time in the queue apart", async () => {
  const { c, store, outdir, s } = start('slurm');
  const dir = join(outdir, 'X_Chunk0');
  ranChunk(dir, specOf(outdir, 'X_Chunk0', 1), 'chunk: X_Chunk0\n', 5);
  const m = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as Record<string, unknown>;
  s.started.set('X_Chunk0', Date.parse('2026-11-30T10:00:00.000Z'));       // submitted
  writeFileSync(join(dir, 'heppy-status.json'), JSON.stringify({ ...m, startedAt: '2026-11-30T10:00:28.000Z', finishedAt: '2026-11-30T10:00:29.250Z' }));
  assert.ok((await c.confirm('X_Chunk0', 1, 0)).ok);
  assert.equal(s.ranIn.get('X_Chunk0'), { runMs: 1250, queueMs: 28_000 });
  assert.is(s.runTime('X_Chunk0'), 1250);
  await store.flush();
  assert.is(store.getTask('X_Chunk0')!.durationMs, 1250, 'the record: run time, not time since submission');
  // A job that started "before" its submission (another host's clock): no negative queue time.
  s.noteJobTimes('X_Chunk1', '2026-11-30T09:59:59.000Z', '2026-11-30T10:00:01.000Z');
  s.started.set('X_Chunk1', Date.parse('2026-11-30T10:00:00.000Z'));
  s.noteJobTimes('X_Chunk1', '2026-11-30T09:59:59.000Z', '2026-11-30T10:00:01.000Z');
  assert.equal(s.ranIn.get('X_Chunk1'), { runMs: 2000, queueMs: 0 });
  // Without both times (an older marker): the time since submission, as before.
  s.ranIn.delete('X_Chunk1');
  s.noteJobTimes('X_Chunk1', undefined, '2026-11-30T10:00:01.000Z');
  assert.is(s.ranIn.has('X_Chunk1'), false);
});

test('restoreAll: a chunk whose key the cache holds is restored and leaves the tasks; the others and the adopted stay', async () => {
  const base = tmpOutdir('run-chunks-cache');
  made.push(base);
  const cache = OutputCache.open(join(base, 'cache'));
  const { c, s, store, events, outdir } = start('local', cache);
  // An earlier build of X_Chunk0 with the same key, kept, then its directory removed.
  const dir0 = join(outdir, 'X_Chunk0');
  ranChunk(dir0, specOf(outdir, 'X_Chunk0'), 'chunk: X_Chunk0\n', 42);
  assert.ok((await keepInCache(cache, 'X_Chunk0', 'chunk', dir0, KEYS.X_Chunk0!)).ok);
  rmSync(dir0, { recursive: true });
  const tasks: SchedTask[] = [{ id: 'X_Chunk0', deps: [], kind: 'job' }, { id: 'X_Chunk1', deps: [], kind: 'job' }, { id: 'hadd:X', deps: ['X_Chunk0', 'X_Chunk1'], kind: 'inline' }];
  await c.restoreAll(tasks, new Set());
  assert.equal(tasks.map((t) => t.id), ['X_Chunk1', 'hadd:X']);
  assert.is(readFileSync(join(dir0, 'result.yaml'), 'utf8'), 'chunk: X_Chunk0\n');
  assert.ok(s.done.has('X_Chunk0'));
  assert.is(s.summary.restored, 1);
  await store.flush();
  const rec = store.getTask('X_Chunk0')!;
  assert.equal([rec.status, rec.attempts, typeof rec.restoredFrom], ['ok', 1, 'string'], 'no directory, no record: attempt 1');
  assert.equal(events.map((e) => e.type), ['done']);
  // Adopted (a journaled batch job of an earlier build): not restored over.
  const again = start('local', cache);
  const tasks2: SchedTask[] = [{ id: 'X_Chunk0', deps: [], kind: 'job' }];
  await again.c.restoreAll(tasks2, new Set(['X_Chunk0']));
  assert.is(tasks2.length, 1);
});

test('firstAttempt: one more than the record when the chunk has no directory; otherwise the directory\'s last attempt counts too', async () => {
  const { c, store } = start('slurm');
  assert.is(c.firstAttempt('X_Chunk0'), 1);
  await store.putTask({ nodeId: 'X_Chunk0', kind: 'chunk', status: 'failed', key: KEYS.X_Chunk0!, keyParts: { parts: {}, files: {} }, resultDigest: '', outputs: [],
    attempts: 2, eventsProcessed: 0, finishedAt: 0, durationMs: 0 });
  assert.is(c.firstAttempt('X_Chunk0'), 3);
  // X_Chunk1's directory holds attempt 6 (read from its marker and chunk.json).
  const fresh = start('slurm');
  ranChunk(join(fresh.outdir, 'X_Chunk1'), specOf(fresh.outdir, 'X_Chunk1', 6), 'r\n');
  assert.is(fresh.c.firstAttempt('X_Chunk1'), 7);
  assert.is(fresh.c.firstAttempt('X_Chunk0'), 1);
});

test.after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
test.run();
