// A damaged store never kills a build: truncated or garbled cache/data.mdb → one line about the
// store, the chunks adopted from their markers (none re-run), `heppy check` clean. A cache that is
// a file, or not writable: one line, exit 2, nothing written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type Project } from './build-rig.js';

let p: Project;
const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

test.before(async () => {
  p = await makeProject();
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.equal(first.ran.filter((id) => !id.startsWith('hadd:')), CHUNKS);
});

function markerTimes(): string[] {
  return CHUNKS.map((c) => String(statSync(join(p.dir, 'Outdir', c, 'heppy-status.json')).mtimeMs));
}

function garble(file: string, offset: number, length: number): void {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7919 + 13) & 255;
  const fd = openSync(file, 'r+');
  writeSync(fd, b, 0, length, offset);
  closeSync(fd);
}

function damagedThenBuild(damage: (file: string) => void, expect: RegExp): void {
  const before = markerTimes();
  const asideBefore = readdirSync(join(p.dir, 'cache')).filter((f) => f.startsWith('store-damaged-')).length;
  damage(join(p.dir, 'cache', 'data.mdb'));
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^warning: the store .*cache\/data\.mdb is damaged \(/);
  assert.match(lines[0]!, expect);
  assert.match(lines[0]!, /moved to .*cache\/store-damaged-[0-9T-]+Z\/, continuing with an empty store/);
  assert.equal(r.ran.filter((id) => !id.startsWith('hadd:')), [], 'no chunk re-ran: all adopted from their markers');
  assert.equal(markerTimes(), before, 'chunk directories untouched');
  assert.is(readdirSync(join(p.dir, 'cache')).filter((f) => f.startsWith('store-damaged-')).length, asideBefore + 1);
  const check = heppy(p, ['check']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  const again = build(p);
  assert.is(again.code, 0);
  assert.is(again.stderr, '', 'the new store is sound');
  assert.equal(again.ran, [], 'and records everything: a no-op');
}

test('truncated data.mdb: build exits 0, one line, chunks adopted, check clean', () => {
  damagedThenBuild((f) => truncateSync(f, Math.floor(statSync(f).size / 2)), /truncated/);
});

test('garbled first pages of data.mdb: same', () => {
  damagedThenBuild((f) => garble(f, 0, 16384), /page 0 has no LMDB magic number/);
});

test('garbled meta page 1 only: same', () => {
  damagedThenBuild((f) => garble(f, 4096, 4096), /page 1 has no LMDB magic number/);
});

test('cache is a file: one line, exit 2, nothing written', () => {
  const cache = join(p.dir, 'cachefile');
  writeFileSync(cache, 'not a directory');
  const r = heppy(p, ['build', '--cache-dir', cache, '--outdir', 'Out2']);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^heppy: the cache .*cachefile is a file, not a directory: remove or rename it, or give another --cache-dir\n$/);
  assert.not.ok(existsSync(join(p.dir, 'Out2')));
});

test('cache not writable (immutable directory): one line, exit 2', () => {
  const cache = join(p.dir, 'ro-cache');
  mkdirSync(cache);
  try {
    execFileSync('chattr', ['+i', cache], { stdio: 'pipe' });
  } catch {
    console.log('SKIP: chattr +i is not available here (not root, or the file system has no immutable flag)');
    return;
  }
  try {
    const r = heppy(p, ['build', '--cache-dir', cache, '--outdir', 'Out3']);
    assert.is(r.code, 2);
    assert.match(r.stderr, /^heppy: the cache .*ro-cache cannot be used \(not writable\)/);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.not.ok(existsSync(join(p.dir, 'Out3')));
  } finally {
    execFileSync('chattr', ['-i', cache]);
  }
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
