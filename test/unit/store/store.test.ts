import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Store, type TaskRecord } from '../../../src/store/store.js';
import { WriteBatch } from '../../../src/store/write-batch.js';

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
  const { keyParts, ...summary } = rec('c_Chunk1', 'k1');
  assert.equal(a.getSummary('c_Chunk1'), summary, 'the record without its key parts');
  assert.equal(a.getTask('c_Chunk1')?.keyParts, keyParts);
  assert.is(a.getSummary('c_Chunk9'), undefined);
  await a.close();
  const a2 = Store.open(join(dir, 'cache'), join(dir, 'outA'));
  assert.equal(a2.allTasks().size, 2);
  assert.equal(await a2.clearOutdir(), 2);
  assert.equal(a2.allTasks().size, 0);
  assert.equal(b.allTasks().size, 1);
  await a2.close();
  await b.close();
});

/** What another process finds in the store: the committed task records of `outdir`, by id → key. */
function committed(cacheDir: string, outdir: string): Record<string, string> {
  const src = `import { Store } from ${JSON.stringify(new URL('../../../src/store/store.js', import.meta.url).href)};
const s = Store.open(${JSON.stringify(cacheDir)}, ${JSON.stringify(outdir)});
console.log(JSON.stringify(Object.fromEntries([...s.allTasks()].map(([id, r]) => [id, r.key]))));
await s.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

test('task records are committed in batches: readable at once in the process, by others after the batch commit', async () => {
  const cache = join(dir, 'cacheBatch');
  const s = Store.open(cache, join(dir, 'outBatch'), { maxMs: 60_000, maxCount: 1000 });
  const writes = [s.putTask(rec('b_Chunk0', 'k0')), s.putTask(rec('b_Chunk1', 'k1')), s.putTask(rec('b_Chunk2', 'k2'))];
  void s.deleteTask('b_Chunk2');
  void s.putTask(rec('b_Chunk1', 'k1b'));
  assert.is(s.getTask('b_Chunk1')?.key, 'k1b', 'the last pending write wins');
  assert.equal(s.getTask('b_Chunk1')?.keyParts, { parts: { code: 'c' }, files: {} });
  assert.is(s.getTask('b_Chunk2'), undefined, 'a pending removal');
  assert.equal([...s.allTasks().keys()].sort(), ['b_Chunk0', 'b_Chunk1']);
  assert.equal(committed(cache, join(dir, 'outBatch')), {}, 'nothing committed before the batch');
  await s.flush();
  assert.equal(await Promise.all(writes), [true, true, true]);
  assert.equal(committed(cache, join(dir, 'outBatch')), { b_Chunk0: 'k0', b_Chunk1: 'k1b' });
  void s.putTask(rec('b_Chunk3', 'k3'));
  await s.close(); // close commits what is pending
  assert.equal(committed(cache, join(dir, 'outBatch')), { b_Chunk0: 'k0', b_Chunk1: 'k1b', b_Chunk3: 'k3' });
});

test('WriteBatch: one commit per batch, when it is maxMs old or holds maxCount writes', async () => {
  const commits: string[][] = [];
  const b = new WriteBatch({ maxMs: 50, maxCount: 3 }, async (w) => { commits.push([...w.keys()]); });
  void b.put('a', 1);
  void b.put('b', 2);
  assert.equal(commits, []);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(commits, [['a', 'b']]);
  const all = [b.put('c', 3), b.put('d', 4), b.remove('e')]; // the third write fills the batch
  assert.equal(await Promise.all(all), [true, true, true]);
  assert.equal(commits, [['a', 'b'], ['c', 'd', 'e']]);
  const failing = new WriteBatch({ maxMs: 10, maxCount: 100 }, async () => { throw new Error('disk full'); });
  const lost = failing.put('x', 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(await lost, false);
  try {
    await failing.flush();
    assert.unreachable('flush reports the failed background commit');
  } catch (e) {
    assert.match((e as Error).message, 'disk full');
  }
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
