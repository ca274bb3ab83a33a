import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDirProblem, moveStoreAside, openFailureError, openStore } from '../../../src/store/open.js';
import type { TaskRecord } from '../../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-open-'));
const out = join(dir, 'Outdir');

function rec(i: number): TaskRecord {
  return { nodeId: `c_Chunk${i}`, kind: 'chunk', status: 'ok', key: `k${i}`, keyParts: { parts: {}, files: {} },
    resultDigest: 'r', outputs: [], attempts: 1, eventsProcessed: 5, finishedAt: 0, durationMs: 1 };
}

async function filled(cache: string, n: number): Promise<void> {
  const r = openStore(cache, out);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.notice, null);
  for (let i = 0; i < n; i++) void r.value.store.putTask(rec(i));
  await r.value.store.close();
}

test('a sound store opens with its records and no notice; a clean close marks it checked', async () => {
  const cache = join(dir, 'sound');
  await filled(cache, 500);
  const st = statSync(join(cache, 'data.mdb'));
  assert.is(readFileSync(join(cache, 'store-checked'), 'utf8'), `${st.size} ${st.mtimeMs} ${st.ino}`);
  const r = openStore(cache, out);
  assert.ok(r.ok);
  if (r.ok) {
    assert.is(r.value.records.size, 500);
    assert.is(r.value.notice, null);
    await r.value.store.close();
  }
});

test('a truncated store is moved aside with one line, and an empty store works in its place', async () => {
  const cache = join(dir, 'trunc');
  await filled(cache, 2000);
  const size = statSync(join(cache, 'data.mdb')).size;
  truncateSync(join(cache, 'data.mdb'), Math.floor(size / 2));
  const r = openStore(cache, out);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.records.size, 0);
  assert.match(r.value.notice ?? '', /^warning: the store .*data\.mdb is damaged \(.*truncated\): moved to .*store-damaged-.*, continuing with an empty store/);
  assert.not.match(r.value.notice ?? '', /\n/);
  await r.value.store.putTask(rec(1));
  await r.value.store.close();
  const aside = readdirSync(cache).filter((f) => f.startsWith('store-damaged-'));
  assert.is(aside.length, 1);
  assert.equal(readdirSync(join(cache, aside[0]!)).sort(), ['data.mdb', 'lock.mdb']);
  assert.is(statSync(join(cache, aside[0]!, 'data.mdb')).size, Math.floor(size / 2), 'the damaged file is kept as it was');
  const again = openStore(cache, out);
  assert.ok(again.ok && again.value.records.size === 1 && again.value.notice === null);
  if (again.ok) await again.value.store.close();
});

test('a damaged-looking store another live process has open is left as it is; moved once that process is gone', async () => {
  const cache = join(dir, 'shared');
  await filled(cache, 2000);
  const data = join(cache, 'data.mdb');
  const half = Math.floor(statSync(data).size / 2);
  truncateSync(data, half);
  // Another process registered as a user of this store (users.ts), alive while `sleep` runs.
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  const entry = join(cache, 'store-users', 'other.json');
  mkdirSync(join(cache, 'store-users'), { recursive: true });
  writeFileSync(entry, JSON.stringify({ pid: other.pid, host: hostname(), startedAt: Date.now(), command: 'heppy build -o x=1', token: 'other' }));
  try {
    const r = openStore(cache, out);
    assert.not.ok(r.ok, 'not opened');
    if (r.ok) return;
    assert.is(r.error.inUse, true);
    assert.is(r.error.file, data);
    assert.match(r.error.reason, new RegExp(`looks damaged \\(.*truncated\\) but pid ${other.pid} on .* \\(heppy build -o x=1\\) is using it: left as it is`));
    assert.is(openFailureError(r.error).exitCode, 1);
    assert.is(statSync(data).size, half, 'data.mdb untouched');
    assert.equal(readdirSync(cache).filter((f) => f.startsWith('store-damaged-')), [], 'nothing moved aside');
    assert.equal(readdirSync(join(cache, 'store-users')), ['other.json'], 'its own entry removed again');
  } finally {
    other.kill('SIGKILL');
    await new Promise((res) => other.on('exit', res));
  }
  const r = openStore(cache, out);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.match(r.value.notice ?? '', /is damaged \(.*truncated\): moved to .*store-damaged-/);
  assert.equal(readdirSync(join(cache, 'store-users')).length, 1, 'the dead entry removed, this process registered');
  await r.value.store.close();
  assert.equal(readdirSync(join(cache, 'store-users')), [], 'released at close');
});

test('a cache that is a file, or a data.mdb that is a directory, is a one-line problem', () => {
  const file = join(dir, 'afile');
  writeFileSync(file, 'x');
  assert.match(cacheDirProblem(file) ?? '', /is a file, not a directory/);
  const r = openStore(file, out);
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, /is a file, not a directory: remove or rename it, or give another --cache-dir/);
  const under = join(file, 'cache');
  assert.match(cacheDirProblem(under) ?? '', /under a file, not a directory/);
  const odd = join(dir, 'odd');
  mkdirSync(join(odd, 'data.mdb'), { recursive: true });
  assert.match(cacheDirProblem(odd) ?? '', /holds a data\.mdb that is not a file/);
  assert.is(cacheDirProblem(join(dir, 'new', 'cache')), null);
  assert.not.ok(existsSync(join(dir, 'new')), 'judged by its parent, not created');
  assert.is(cacheDirProblem(join(dir, 'new', 'cache'), true), null);
  assert.ok(existsSync(join(dir, 'new', 'cache')), 'created when asked');
});

test('moveStoreAside: a missing lock.mdb is fine; the name carries the time', () => {
  const cache = join(dir, 'aside');
  mkdirSync(cache);
  writeFileSync(join(cache, 'data.mdb'), 'junk');
  const dest = moveStoreAside(cache, new Date('2026-01-02T03:04:05.678Z'));
  assert.is(dest, join(cache, 'store-damaged-2026-01-02T03-04-05-678Z'));
  assert.equal(readdirSync(dest), ['data.mdb']);
  assert.not.ok(existsSync(join(cache, 'data.mdb')));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
