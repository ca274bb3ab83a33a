// The store's failure records of an Outdir's planned chunks: only failed records of the planned key;
// nothing without a plan or a store (the Outdir alone is judged then).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlanFile, type PlanFile } from '../../../src/chunkdir/plan-file.js';
import { recordedFailures, recordedLine } from '../../../src/check/recorded-failures.js';
import { Store, type TaskRecord } from '../../../src/store/store.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-recorded-failures-'));

function rec(nodeId: string, key: string, failed: boolean, attempts = 1): TaskRecord {
  return { nodeId, kind: 'chunk', status: failed ? 'failed' : 'ok', key, keyParts: { parts: {}, files: {} }, resultDigest: 'r', outputs: [], attempts,
    eventsProcessed: 0, finishedAt: 0, durationMs: 1,
    ...(failed ? { reason: 'x', failure: { kind: 'interrupted', reason: 'Slurm job 7_2 was cancelled while pending (scancel)' }, log: '/logs/A.out' } : {}) };
}

function plan(outdir: string, cacheDir: string): PlanFile {
  const chunk = (id: string) => ({ id, kind: 'chunk' as const, component: 'A', key: `key-${id}`, files: [`/d/${id}.root`], tree: 'Events', fineSplit: null });
  return { version: 1, digest: 'd', heppyVersion: '0.1.0', outdir, cacheDir, bundle: 'b', options: {}, maxEvents: null, createdAt: '',
    nodes: [chunk('A_Chunk0'), chunk('A_Chunk1'), chunk('A_Chunk2'), { id: 'hadd:A', kind: 'hadd', component: 'A', deps: ['A_Chunk0', 'A_Chunk1', 'A_Chunk2'] }] };
}

test('failed records of the planned key, by chunk; ok records and records of another key are not', async () => {
  const outdir = join(root, 'Out'), cacheDir = join(root, 'cache');
  writePlanFile(outdir, plan(outdir, cacheDir));
  const s = Store.open(cacheDir, outdir);
  await s.putTask(rec('A_Chunk0', 'key-A_Chunk0', true, 3));
  await s.putTask(rec('A_Chunk1', 'key-A_Chunk1', false));
  await s.putTask(rec('A_Chunk2', 'an-older-key', true));
  await s.close();
  const got = await recordedFailures(outdir);
  assert.equal([...got.keys()], ['A_Chunk0']);
  const r = got.get('A_Chunk0')!;
  assert.equal(r, { failure: { kind: 'interrupted', reason: 'Slurm job 7_2 was cancelled while pending (scancel)' }, attempts: 3, log: '/logs/A.out' });
  assert.is(recordedLine(r), 'run failed (attempt 3): interrupted: Slurm job 7_2 was cancelled while pending (scancel)');
});

test('no plan, or a plan whose store is not there: nothing, and no store is created', async () => {
  assert.is((await recordedFailures(join(root, 'NoPlan'))).size, 0);
  const outdir = join(root, 'Out2'), cacheDir = join(root, 'gone');
  writePlanFile(outdir, plan(outdir, cacheDir));
  assert.is((await recordedFailures(outdir)).size, 0);
  assert.not.ok((await import('node:fs')).existsSync(cacheDir));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
