// RunState: what one run keeps while it runs. Records are readable at once (before the store
// commits), in the order this run > adopted > store; what the run kept in the output cache is
// counted for its size ledger (not the marker, not restores, not failures); a keep that fails is a
// warning naming the node; infra() makes the build's own failures infrastructure failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { infra } from '../../../src/engine/run-state.js';
import type { TaskRecord } from '../../../src/store/records.js';
import { KEYS, ranChunk, rig, specOf, tmpOutdir } from './run-rig.js';

const made: string[] = [];
const track = <T extends { outdir: string }>(r: T): T => { made.push(r.outdir); return r; };

function okRecord(nodeId: string, outputs: Array<{ path: string; size: number }>, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { nodeId, kind: 'chunk', status: 'ok', key: KEYS[nodeId] ?? 'k', keyParts: { parts: {}, files: {} }, resultDigest: 'd', attempts: 1, eventsProcessed: 10,
    finishedAt: 0, durationMs: 0, outputs: outputs.map((o) => ({ ...o, mtimeMs: 0 })) as TaskRecord['outputs'], ...extra };
}

test('record: readable before the store commits, then in the store; the cache ledger counts the outputs kept, without the marker', async () => {
  const added: number[] = [];
  const cache = { noteAdded: (b: number) => void added.push(b) } as unknown as OutputCache;
  const { s, store } = track(rig('run-state', cache));
  s.record(okRecord('X_Chunk0', [{ path: 'result.yaml', size: 120 }, { path: 'Sum_1/t.root', size: 4000 }, { path: 'heppy-status.json', size: 300 }]));
  assert.is(s.written.get('X_Chunk0')!.outputs.length, 3);
  assert.equal(added, [4120], 'the marker is not kept in the cache');
  // A restore (already in the cache) and a failure add nothing to the ledger.
  s.record(okRecord('X_Chunk1', [{ path: 'result.yaml', size: 50 }], { restoredFrom: '2026-01-01T00:00:00Z' }));
  s.record(okRecord('X_Chunk1', [], { status: 'failed', reason: 'boom' }));
  assert.equal(added, [4120]);
  await store.flush();
  assert.is(store.getTask('X_Chunk0')!.outputs[1]!.size, 4000);
  assert.is(store.getTask('X_Chunk1')!.status, 'failed', 'the latest record of a node wins');
});

test('recordOf: this run\'s record first, then the adopted one, then the store\'s', async () => {
  const { s, store } = track(rig('run-state'));
  assert.is(s.recordOf('X_Chunk0'), undefined);
  await store.putTask(okRecord('X_Chunk0', [], { attempts: 1 }));
  assert.is(s.recordOf('X_Chunk0')!.attempts, 1);
  s.node('X_Chunk0').adopted = okRecord('X_Chunk0', [], { attempts: 2 });
  assert.is(s.recordOf('X_Chunk0')!.attempts, 2);
  s.written.set('X_Chunk0', okRecord('X_Chunk0', [], { attempts: 3 }));
  assert.is(s.recordOf('X_Chunk0')!.attempts, 3);
});

test('elapsed: since the node started, or since the run began when it never started', () => {
  const { s } = track(rig('run-state'));
  s.started.set('X_Chunk0', Date.now() - 60_000);
  assert.ok(s.elapsed('X_Chunk0') >= 60_000);
  assert.ok(s.elapsed('X_Chunk1') < 60_000 && s.elapsed('X_Chunk1') >= 0);
});

test('keep: a chunk kept in the output cache under its key; a directory without a marker is a warning naming the node', async () => {
  const base = tmpOutdir('run-state-cache');
  made.push(base);
  const cache = OutputCache.open(join(base, 'cache'));
  const { s, outdir, events } = track(rig('run-state', cache));
  const dir = join(outdir, 'X_Chunk0');
  ranChunk(dir, specOf(outdir, 'X_Chunk0'), 'chunk: X_Chunk0\n');
  await s.keep('X_Chunk0', 'chunk', dir, KEYS.X_Chunk0!);
  const e = cache.entry(KEYS.X_Chunk0!);
  assert.ok(e !== null, 'kept');
  assert.equal(events, []);
  await s.keep('X_Chunk1', 'chunk', join(outdir, 'X_Chunk1'), KEYS.X_Chunk1!);
  assert.is(cache.entry(KEYS.X_Chunk1!), null);
  assert.is(events.length, 1);
  const w = events[0]!;
  assert.ok(w.type === 'warning' && w.message.startsWith('X_Chunk1: '), JSON.stringify(w));
  // Without a cache nothing is kept and nothing is said.
  const bare = track(rig('run-state'));
  await bare.s.keep('X_Chunk0', 'chunk', dir, KEYS.X_Chunk0!);
  assert.equal(bare.events, []);
});

test('infra: the build\'s own failure as an infrastructure failure, file, object and reason in one line', () => {
  assert.equal(infra({ file: '/o/X_Chunk0', object: 'X_Chunk0', reason: 'cannot write chunk.json: EACCES' }),
    { kind: 'infrastructure', reason: '/o/X_Chunk0: X_Chunk0: cannot write chunk.json: EACCES' });
  assert.equal(infra({ object: 'hadd:X', reason: 'chunk X_Chunk1 has no successful record' }), { kind: 'infrastructure', reason: 'hadd:X: chunk X_Chunk1 has no successful record' });
});

test.after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
test.run();
