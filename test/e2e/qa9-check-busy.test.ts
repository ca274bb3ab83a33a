// `heppy check` while a build holds the Outdir: the chunks the build has not finished yet are bad,
// and check says why in one line (a live lock holder), so that a physicist does not resubmit them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, lockPath } from '../../src/store/lock.js';
import { repoRoot } from '../util/shared.js';
import { makeChunk } from '../unit/check/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-e2e-qa9-busy-'));
const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('a live build holds the Outdir: check names it, the unfinished chunk is still bad (exit 1)', () => {
  const out = join(root, 'Outdir');
  makeChunk(out, 'ZZ_Chunk0');
  makeChunk(out, 'ZZ_Chunk1', { log: null, marker: null });   // the build is still running it
  const lock = acquireLock(out, 'build');
  assert.ok(lock.ok);
  try {
    const r = heppy(['check', 'Outdir']);
    assert.is(r.code, 1, r.err);
    const lines = r.out.split('\n');
    const busy = lines.find((l) => l.startsWith('Outdir: a heppy build '));
    assert.ok(busy !== undefined, r.out);
    assert.ok(busy!.includes(`(pid ${process.pid} on ${hostname()}, since `), busy);
    assert.ok(busy!.endsWith('what it has not finished yet is judged bad; run heppy check again when it is done'), busy);
    assert.ok(lines.includes('Outdir/ZZ_Chunk1 : log.txt does not exist; no heppy-status.json: the run did not finish'), r.out);
    assert.ok(lines.includes('2 chunks checked: 1 good, 1 bad'), r.out);
  } finally {
    if (lock.ok) lock.value.release();
  }
  const after = heppy(['check', 'Outdir']);
  assert.is(after.code, 1);
  assert.not.ok(after.out.includes('a heppy build'), after.out);
});

test('a stale lock (its holder is dead) is not a running build: no such line', () => {
  const out = join(root, 'Stale');
  makeChunk(out, 'ZZ_Chunk0');
  const lock = acquireLock(out, 'build');
  assert.ok(lock.ok);
  // The same lock, held by a pid that does not exist (pid_max on Linux is at most 2^22).
  const dead = { pid: 4194304 + 7, host: hostname(), startedAt: Date.now(), command: 'build', token: 'deadbeef' };
  writeFileSync(lockPath(out), JSON.stringify(dead));
  const r = heppy(['check', 'Stale']);
  assert.is(r.code, 0, r.out + r.err);
  assert.is(r.out, '1 chunk checked: 1 good, 0 bad\n');
});

test.run();
