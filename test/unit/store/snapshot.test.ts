import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { initHash } from '../../../src/fingerprint/hash.js';
import { RecordHeads } from '../../../src/store/heads.js';
import { openStoreLazy } from '../../../src/store/open.js';
import { readSnapshot, snapshotPath, storeState, writeSnapshot } from '../../../src/store/snapshot.js';
import { Store, type TaskRecord, type TaskSummary } from '../../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-snapshot-'));
const V = '0.1.0';

function rec(nodeId: string, key: string, status: 'ok' | 'failed' = 'ok'): TaskRecord {
  return {
    nodeId, kind: 'chunk', status, key, keyParts: { parts: { code: 'c' }, files: {} }, resultDigest: `r-${key}`,
    outputs: [{ path: 'log.txt', size: 10, mtimeMs: 1795990505516.6409 }, { path: 'A/n.txt', size: 77, mtimeMs: 1795990505520.463 }],
    attempts: 1, eventsProcessed: 5, finishedAt: 0, durationMs: 1, ...(status === 'failed' ? { reason: 'it threw' } : {}),
  };
}

/** A store of `outdir` with three records and a digest; closed; its snapshot written as a build does. */
async function built(name: string): Promise<{ cache: string; outdir: string }> {
  const cache = join(dir, name, 'cache');
  const outdir = join(dir, name, 'Outdir');
  const s = Store.open(cache, outdir);
  await s.putTask(rec('c_Chunk0', 'k0'));
  await s.putTask(rec('c_Chunk1', 'k1'));
  await s.putTask(rec('c_Chunk2', 'k2', 'failed'));
  await s.putDigest('/data/f.root', { size: 1, mtimeMs: 2, ino: 3, hash: 'abc' });
  await s.flush();
  s.getDigest('/data/f.root');
  const heads = RecordHeads.fromSummaries(s.allTasks());
  const values = s.readValues();
  await s.close();
  writeSnapshot(cache, outdir, V, heads, values);
  return { cache, outdir };
}

/** A commit by another process (as another heppy version or `heppy clean` would make). */
function commitElsewhere(cache: string, outdir: string): void {
  const src = `import { Store } from ${JSON.stringify(new URL('../../../src/store/store.js', import.meta.url).href)};
const s = Store.open(${JSON.stringify(cache)}, ${JSON.stringify(outdir)});
await s.deleteTask('c_Chunk1');
await s.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
}

test.before(async () => {
  await initHash();
});

test('record heads: columns round trip, every field of every record', () => {
  const m = new Map<string, TaskSummary>();
  for (const r of [rec('a', 'k0'), rec('b', 'k1', 'failed'), { ...rec('c', 'k2'), outputs: [] }]) {
    const { keyParts: _, ...summary } = r;
    m.set(r.nodeId, summary);
  }
  const h = RecordHeads.fromColumns(JSON.parse(JSON.stringify(RecordHeads.fromSummaries(m).toColumns())));
  assert.is(h.size, 3);
  assert.equal([...h.ids], ['a', 'b', 'c']);
  assert.equal([0, 1, 2].map((i) => [h.ok(i), h.key(i), h.resultDigest(i)]), [[true, 'k0', 'r-k0'], [false, 'k1', 'r-k1'], [true, 'k2', 'r-k2']]);
  assert.equal(h.outputs(0), m.get('a')!.outputs);
  assert.equal(h.outputs(1), m.get('b')!.outputs);
  assert.equal(h.outputs(2), []);
  assert.is(h.indexOf('c'), 2);
  assert.is(h.indexOf('nope'), -1);
  // Columns that do not fit together are refused, not half used.
  const bad = RecordHeads.fromSummaries(m).toColumns();
  assert.throws(() => RecordHeads.fromColumns({ ...bad, keys: bad.keys.slice(1) }));
  assert.throws(() => RecordHeads.fromColumns({ ...bad, paths: [] }));
});

test('the key context is kept with the heads when given, absent otherwise', async () => {
  const { cache, outdir } = await built('context');
  assert.is(readSnapshot(cache, outdir, V)!.keyContext, null);
  const s = Store.open(cache, outdir);
  const heads = RecordHeads.fromSummaries(s.allTasks());
  const values = s.readValues();
  await s.close();
  writeSnapshot(cache, outdir, V, heads, values, '0123456789abcdef');
  const snap = readSnapshot(cache, outdir, V)!;
  assert.is(snap.keyContext, '0123456789abcdef');
  assert.is(snap.heads.key(snap.heads.indexOf('c_Chunk1')), 'k1');
});

test('a snapshot is read back while the store is unchanged', async () => {
  const { cache, outdir } = await built('same');
  const snap = readSnapshot(cache, outdir, V);
  assert.ok(snap);
  assert.equal([...snap.heads.ids].sort(), ['c_Chunk0', 'c_Chunk1', 'c_Chunk2']);
  assert.is(snap.heads.ok(snap.heads.indexOf('c_Chunk2')), false);
  assert.equal(snap.values.get('digest:/data/f.root'), '1 2 3 abc');
  // Another heppy version or another Outdir: not this snapshot.
  assert.is(readSnapshot(cache, outdir, '9.9.9'), null);
  assert.is(readSnapshot(cache, join(dir, 'other'), V), null);
});

test('any commit after the snapshot makes it stale: never trusted', async () => {
  const { cache, outdir } = await built('commit');
  const before = storeState(cache);
  commitElsewhere(cache, outdir);
  assert.is.not(storeState(cache), before);
  assert.is(readSnapshot(cache, outdir, V), null);
});

test('opening and closing the store without a commit keeps the snapshot valid', async () => {
  const { cache, outdir } = await built('reopen');
  const s = Store.open(cache, outdir);
  assert.is(s.allTasks().size, 3);
  await s.close();
  assert.ok(readSnapshot(cache, outdir, V));
});

test('a store replaced (moved aside, recreated) or a garbled snapshot file: not trusted', async () => {
  const { cache, outdir } = await built('replaced');
  renameSync(join(cache, 'data.mdb'), join(cache, 'old.mdb'));
  assert.is(readSnapshot(cache, outdir, V), null);
  const s = Store.open(cache, outdir);
  await s.putTask(rec('c_Chunk0', 'k0'));
  await s.close();
  assert.is(readSnapshot(cache, outdir, V), null);
  const b = await built('garbled');
  writeFileSync(snapshotPath(b.cache, b.outdir), '{"format":1,');
  assert.is(readSnapshot(b.cache, b.outdir, V), null);
});

test('a lazy store answers the snapshot values without LMDB, and opens it for anything else', async () => {
  const { cache, outdir } = await built('lazy');
  const snap = readSnapshot(cache, outdir, V)!;
  const notices: string[] = [];
  const s = openStoreLazy(cache, outdir, snap.values, (l) => notices.push(l));
  assert.equal(s.getDigest('/data/f.root'), { size: 1, mtimeMs: 2, ino: 3, hash: 'abc' });
  assert.is(s.isOpen, false);
  assert.is(s.getSummary('c_Chunk2')?.reason, 'it threw');   // not a served value: opens LMDB
  assert.is(s.isOpen, true);
  await s.putDigest('/data/f.root', { size: 5, mtimeMs: 6, ino: 7, hash: 'def' });
  assert.is(s.getDigest('/data/f.root')?.hash, 'def');        // a written key is no longer served
  await s.close();
  assert.equal(notices, []);
  assert.is(readSnapshot(cache, outdir, V), null);             // the write was a commit
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
