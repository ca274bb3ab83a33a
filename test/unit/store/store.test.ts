import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type TaskRecord } from '../../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-store-'));

function rec(nodeId: string, key: string): TaskRecord {
  return {
    nodeId, kind: 'chunk', status: 'ok', key, keyParts: { parts: { code: 'c' }, files: {} }, resultDigest: 'r',
    outputs: [{ path: 'log.txt', size: 10, mtimeMs: 1 }], attempts: 1, eventsProcessed: 5, finishedAt: 0, durationMs: 1,
  };
}

test('task records are scoped by Outdir and survive reopening', async () => {
  const a = Store.open(join(dir, 'cache'), join(dir, 'outA'));
  const b = Store.open(join(dir, 'cache'), join(dir, 'outB'));
  await a.putTask(rec('c_Chunk0', 'k0'));
  await a.putTask(rec('c_Chunk1', 'k1'));
  await b.putTask(rec('c_Chunk0', 'kb'));
  assert.equal(a.getTask('c_Chunk0')?.key, 'k0');
  assert.equal(b.getTask('c_Chunk0')?.key, 'kb');
  assert.equal([...a.allTasks().keys()].sort(), ['c_Chunk0', 'c_Chunk1']);
  await a.close();
  const a2 = Store.open(join(dir, 'cache'), join(dir, 'outA'));
  assert.equal(a2.allTasks().size, 2);
  assert.equal(await a2.clearOutdir(), 2);
  assert.equal(a2.allTasks().size, 0);
  assert.equal(b.allTasks().size, 1);
  await a2.close();
  await b.close();
});

test('journal: put, list per node and all, delete', async () => {
  const s = Store.open(join(dir, 'cache'), join(dir, 'outJ'));
  for (const [n, a] of [['x_Chunk0', 1], ['x_Chunk0', 2], ['x_Chunk1', 1]] as const) {
    await s.putJob({ nodeId: n, attempt: a, jobId: `${n}-${a}`, key: 'k', submittedAt: 1, executor: 'slurm' });
  }
  assert.equal(s.listJobs().map((j) => j.jobId), ['x_Chunk0-1', 'x_Chunk0-2', 'x_Chunk1-1']);
  assert.equal(s.listJobs('x_Chunk0').length, 2);
  await s.deleteJob('x_Chunk0', 1);
  assert.equal(s.listJobs().map((j) => j.jobId), ['x_Chunk0-2', 'x_Chunk1-1']);
  await s.close();
});

test('digests round-trip', async () => {
  const s = Store.open(join(dir, 'cache'), join(dir, 'outD'));
  await s.putDigest('/a/b.root', { size: 3, mtimeMs: 2.5, ino: 7, hash: 'ff' });
  assert.equal(s.getDigest('/a/b.root'), { size: 3, mtimeMs: 2.5, ino: 7, hash: 'ff' });
  assert.is(s.getDigest('/nope'), undefined);
  await s.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
