import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { codeName, StoreWrites } from '../../../src/store/write-failure.js';
import { Store, type TaskRecord } from '../../../src/store/store.js';
import { UserError } from '../../../src/util/result.js';

/** An error shaped as lmdb-js rejects a write of a failed commit: its system error in `commitError`. */
function commitFailure(code: number, message: string): Error {
  const cause = Object.assign(new Error(message), { code });
  const commitError = Promise.reject(cause);
  commitError.catch(() => undefined);
  return Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
}

test('errno names from lmdb-js numeric codes and from Node strings', () => {
  assert.is(codeName(28), 'ENOSPC');
  assert.is(codeName('EDQUOT'), 'EDQUOT');
  assert.is(codeName(undefined), undefined);
  assert.is(codeName(-123456), undefined);
});

test('a failed write is kept (not an unhandled rejection) and becomes one line with exit 1 at settle', async () => {
  const w = new StoreWrites('/c/data.mdb');
  const p = w.track(Promise.reject(commitFailure(28, 'No space left on device: Attempting to write page at position 90112')));
  await p.then(() => assert.unreachable('rejected'), () => undefined);
  let caught: unknown = null;
  try {
    await w.settle(async () => undefined);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UserError);
  assert.is((caught as UserError).exitCode, 1);
  const line = (caught as Error).message;
  assert.ok(line.startsWith('the store /c/data.mdb could not be written (ENOSPC: No space left on device)'), line);
  assert.ok(line.includes('free space there'), line);
  assert.not.ok(line.includes('\n'));
});

test('unlessFailed stops waiting at the first failure (lmdb never settles flushed after a failed commit)', async () => {
  const w = new StoreWrites('/c/data.mdb');
  const never = new Promise<void>(() => undefined);
  const waiting = w.unlessFailed(never);
  w.failed(commitFailure(5, 'Input/output error'));
  await waiting;
  try {
    w.check();
    assert.unreachable('check throws');
  } catch (err) {
    assert.ok((err as Error).message.includes('(EIO: Input/output error)'), (err as Error).message);
  }
});

test('no failure: settle passes and check is silent', async () => {
  const w = new StoreWrites('/c/data.mdb');
  await w.track(Promise.resolve(true));
  await w.settle(async () => undefined);
  w.check();
});

function rec(i: number): TaskRecord {
  return {
    nodeId: `c_Chunk${i}`, kind: 'chunk', status: 'ok', key: `k${i}`, keyParts: { parts: { code: 'x'.repeat(2000) }, files: {} }, resultDigest: 'r',
    outputs: [{ path: 'x'.repeat(4000), size: 10, mtimeMs: 1 }], attempts: 1, eventsProcessed: 5, finishedAt: 0, durationMs: 1,
  };
}

test('a store on a full disk (a real tmpfs): the close fails in one line, the process neither crashes nor hangs', async () => {
  const mnt = mkdtempSync(join(tmpdir(), 'heppy-storefull-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`SKIP: store on a full disk: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    rmSync(mnt, { recursive: true, force: true });
    return;
  }
  try {
    const cache = join(mnt, 'cache');
    mkdirSync(cache);
    const store = Store.open(cache, join(mnt, 'Outdir'));
    const writes: Array<Promise<boolean>> = [];
    for (let i = 0; i < 400; i++) writes.push(store.putTask(rec(i)).catch(() => false));
    const committed = await Promise.all(writes);
    assert.ok(committed.includes(false), 'some records could not be committed');
    let caught: unknown = null;
    try {
      await store.close();
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof UserError, String(caught));
    assert.is((caught as UserError).exitCode, 1);
    assert.match((caught as Error).message, new RegExp(`^the store ${cache}/data\\.mdb could not be written \\((ENOSPC|EIO)`));
    assert.ok(readdirSync(cache).includes('data.mdb'));
  } finally {
    spawnSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});

test('a command whose store commit fails on a full disk prints heppy\'s line only: lmdb-js\'s console.error of the commit (stripped by the bundle) is not there', () => {
  const mnt = mkdtempSync(join(tmpdir(), 'heppy-storefull-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`SKIP: store on a full disk (stderr): cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    rmSync(mnt, { recursive: true, force: true });
    return;
  }
  try {
    const cache = join(mnt, 'cache');
    mkdirSync(cache);
    // A process of its own, as a command is: what it prints to stderr is all of it.
    const store = new URL('../../../src/store/store.js', import.meta.url).href;
    const code = `
      const { Store } = await import(${JSON.stringify(store)});
      const rec = ${rec.toString()};
      const s = Store.open(${JSON.stringify(cache)}, ${JSON.stringify(join(mnt, 'Outdir'))});
      await Promise.all(Array.from({ length: 400 }, (_, i) => s.putTask(rec(i)).catch(() => false)));
      try { await s.close(); } catch (err) { process.stderr.write('heppy: ' + err.message + '\\n'); process.exitCode = err.exitCode; }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    assert.is(r.status, 1, r.stderr);
    // lmdb's C code may also print "Write error: …" with fprintf (the write path of mdb.c; no newline):
    // it cannot be kept out from JavaScript. Every other line is heppy's one line.
    const lines = r.stderr.replace(/^Write error: [^\n]*?size \d+/, '').split('\n').filter((l) => l !== '');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^heppy: the store ${cache}/data\\.mdb could not be written \\((ENOSPC|EIO)`));
  } finally {
    spawnSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});

test.run();
