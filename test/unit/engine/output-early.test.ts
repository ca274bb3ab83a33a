// The early output check (src/engine/output-early.ts): the output-check thread stats the outputs
// recorded in the newest snapshot before the heppyfile is loaded; its answer stands only while
// `Outdir/.heppy` is as it was before the first stat (no lock then, none taken or released since).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEarlyCheck } from '../../../src/engine/output-check.js';
import { earlyGuard, guardHolds, RACY_MS } from '../../../src/engine/output-early.js';
import { RecordHeads } from '../../../src/store/heads.js';
import { acquireLock, lockPath } from '../../../src/store/lock.js';
import { FORMAT, SNAPSHOT_DIR } from '../../../src/store/snapshot-file.js';
import type { TaskSummary } from '../../../src/store/records.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-early-'));
const V = '9.9.9';
// The output-check thread is off unless HEPPY_OUTPUT_THREAD=1 (output-check.ts): on for these tests.
process.env.HEPPY_OUTPUT_THREAD = '1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An Outdir of `n` chunks with two outputs each, their records, and a snapshot of them in `cache`. */
function project(name: string, n: number, values: Array<[string, unknown]> = []): { cache: string; outdir: string; heads: RecordHeads } {
  const outdir = join(root, name, 'Outdir');
  const cache = join(root, name, 'cache');
  const m = new Map<string, TaskSummary>();
  for (let i = 0; i < n; i++) {
    const id = `c_Chunk${i}`;
    mkdirSync(join(outdir, id, 'A'), { recursive: true });
    writeFileSync(join(outdir, id, 'log.txt'), 'x'.repeat(i % 5));
    writeFileSync(join(outdir, id, 'A', 'n.txt'), String(i));
    const outputs = ['log.txt', 'A/n.txt'].map((p) => { const st = statSync(join(outdir, id, p)); return { path: p, size: st.size, mtimeMs: st.mtimeMs }; });
    m.set(id, { nodeId: id, kind: 'chunk', status: 'ok', key: `k${i}`, resultDigest: 'r', outputs, attempts: 1, eventsProcessed: 0, finishedAt: 0, durationMs: 0 });
  }
  mkdirSync(join(outdir, '.heppy'), { recursive: true });
  const heads = RecordHeads.fromSummaries(m);
  mkdirSync(join(cache, SNAPSHOT_DIR), { recursive: true });
  writeFileSync(join(cache, SNAPSHOT_DIR, 'x.json'), JSON.stringify({ format: FORMAT, heppyVersion: V, outdir, state: 's', values, heads: heads.toColumns() }));
  return { cache, outdir, heads };
}

test('no snapshot, or one of another heppy version: no early check', async () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.is(await startEarlyCheck(empty, V), null);
  const p = project('other-version', 3);
  assert.is(await startEarlyCheck(p.cache, '0.0.1'), null);
  delete process.env.HEPPY_OUTPUT_THREAD;
  try {
    assert.is(startEarlyCheck(p.cache, V), null);   // the thread off (the default): none started
  } finally {
    process.env.HEPPY_OUTPUT_THREAD = '1';
  }
});

test('outputs changed or deleted before the build are found; the guard holds while .heppy is untouched', async () => {
  const p = project('found', 300);
  appendFileSync(join(p.outdir, 'c_Chunk7', 'log.txt'), 'edited');
  unlinkSync(join(p.outdir, 'c_Chunk250', 'A', 'n.txt'));
  await sleep(RACY_MS + 50);                    // .heppy was just made: its stamp is racy until then
  const e = await startEarlyCheck(p.cache, V);
  assert.ok(e);
  assert.is(e.file.outdir, p.outdir);
  assert.ok(e.holds());
  const changed = await e.changed(p.heads);
  assert.equal([...changed].sort(), [['c_Chunk250', 'output missing: A/n.txt'], ['c_Chunk7', 'output changed: log.txt']]);
});

test('a snapshot whose columns do not fit together: the thread makes no job, the outputs are checked here', async () => {
  const p = project('damaged-columns', 40);
  const file = join(p.cache, SNAPSHOT_DIR, 'x.json');
  const f = JSON.parse(readFileSync(file, 'utf8')) as { heads: { starts: string } };
  f.heads.starts = Buffer.from(new Int32Array([0, 1]).buffer).toString('base64');   // 1 record's range for 40 records
  writeFileSync(file, JSON.stringify(f));
  unlinkSync(join(p.outdir, 'c_Chunk39', 'log.txt'));
  await sleep(RACY_MS + 50);
  const e = await startEarlyCheck(p.cache, V);
  assert.ok(e);                                  // answered before the thread reads the columns
  const changed = await e.changed(p.heads);      // the heads the main thread trusts
  assert.equal([...changed], [['c_Chunk39', 'output missing: log.txt']]);
});

test('a lock taken and released after the early stats started: the guard no longer holds', async () => {
  const p = project('locked-since', 20);
  await sleep(RACY_MS + 50);
  const e = await startEarlyCheck(p.cache, V);
  assert.ok(e);
  const l = acquireLock(p.outdir, 'build');   // another heppy command, meanwhile
  assert.ok(l.ok);
  l.value.release();
  assert.not.ok(e.holds());
  e.cancel();
});

test('jobs journaled by the last build (batch jobs write chunk directories without the lock): never a guard', async () => {
  // e.g. a build --detach, or one interrupted while its Slurm jobs run: such a job may swap a chunk
  // directory between the early stats and the lock, unseen by the stamp of .heppy.
  const name = 'journaled';
  const outdir = join(root, name, 'Outdir');
  const entry = { nodeId: 'c_Chunk1', attempt: 2, jobId: '4242', key: 'k1', submittedAt: 0, executor: 'slurm' };
  const p = project(name, 3, [[`job:${outdir}|`, [entry]]]);
  await sleep(RACY_MS + 50);
  const e = await startEarlyCheck(p.cache, V);
  assert.ok(e);
  assert.not.ok(e.holds());
  e.cancel();
  // An empty journal (every job ended and was recorded): the guard stands.
  const q = project('journal-empty', 3, [[`job:${join(root, 'journal-empty', 'Outdir')}|`, []]]);
  await sleep(RACY_MS + 50);
  const f = await startEarlyCheck(q.cache, V);
  assert.ok(f);
  assert.ok(f.holds());
  f.cancel();
});

test('a lock present before the stats, or a .heppy changed less than RACY_MS ago: never a guard', async () => {
  const p = project('guard', 1);
  await sleep(RACY_MS + 50);
  assert.ok(guardHolds(p.outdir, earlyGuard(p.outdir)));
  writeFileSync(lockPath(p.outdir), '{}');
  assert.is(earlyGuard(p.outdir), null);
  unlinkSync(lockPath(p.outdir));
  assert.is(earlyGuard(p.outdir), null);         // the unlink just changed .heppy
  const old = (Date.now() - 10_000) / 1000;
  utimesSync(join(p.outdir, '.heppy'), old, old); // mtime old, ctime now: still racy
  assert.is(earlyGuard(p.outdir), null);
  assert.ok(earlyGuard(p.outdir, Date.now() + RACY_MS + 1));
  assert.not.ok(guardHolds(p.outdir, null));
  assert.is(earlyGuard(join(root, 'no-such-outdir')), null);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
