import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY, entryDir, keyOk, readEntry, rewriteEntry, stampHolds, stampOf, storedAt, type CacheEntry, type CachedFile } from '../../../src/cache/entry.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-entry-'));
const KEY = 'abcdef0123456789';

function entry(over: Partial<CacheEntry> = {}): CacheEntry {
  return { version: 1, key: KEY, kind: 'chunk', node: 'A_Chunk0', builtAt: '2026-11-30T00:00:00.000Z', bytes: 3,
    files: [{ path: 'Sum_1/cutflow.txt', size: 3, hash: '0123456789abcdef' }], marker: { status: 'ok' }, flat: true, ...over };
}

test('an entry lives under its key\'s first two hex digits; flat entries store file i as <i>, older ones under files/<path>', () => {
  assert.is(entryDir('/c/outputs', KEY), `/c/outputs/ab/${KEY}`);
  const f: CachedFile = { path: 'Sum_1/cutflow.txt', size: 3, hash: 'h' };
  assert.is(storedAt('/e', { flat: true }, f, 4), '/e/4');
  assert.is(storedAt('/e', {}, f, 4), '/e/files/Sum_1/cutflow.txt');
});

test('keys are 8-64 lower-case hex digits (a key names a directory that remove() deletes)', () => {
  assert.ok(keyOk('deadbeef'));
  assert.ok(keyOk('a'.repeat(64)));
  assert.not.ok(keyOk('deadbee'), '7 digits');
  assert.not.ok(keyOk('a'.repeat(65)));
  assert.not.ok(keyOk('DEADBEEF'));
  assert.not.ok(keyOk('../../etc'));
});

test('readEntry answers the entry of its key only; rewriteEntry replaces entry.json whole and leaves no tmp file', () => {
  const dir = join(base, 'e1');
  mkdirSync(dir);
  assert.is(readEntry(dir, KEY), null, 'no entry.json');
  writeFileSync(join(dir, ENTRY), '{"version":1,');
  assert.is(readEntry(dir, KEY), null, 'half written');
  assert.ok(rewriteEntry(dir, entry()));
  assert.equal(readEntry(dir, KEY)?.files, entry().files);
  assert.is(readEntry(dir, 'ffffffffffffffff'), null, 'another key\'s entry');
  assert.ok(rewriteEntry(dir, entry({ bytes: 99 })));
  assert.is(readEntry(dir, KEY)?.bytes, 99);
  assert.equal(readdirSync(dir), [ENTRY]);
  writeFileSync(join(dir, ENTRY), JSON.stringify({ ...entry(), version: 2 }));
  assert.is(readEntry(dir, KEY), null, 'another version');
  assert.not.ok(rewriteEntry(join(base, 'missing-dir'), entry()), 'a directory that is gone: false, nothing thrown');
});

test('a stamp holds for the recorded inode, size and mtime when that mtime is older than the check by more than 100 ms', () => {
  const p = join(base, 'stamped.txt');
  writeFileSync(p, 'abc');
  const st = stampOf(p);
  const s = statSync(p, { bigint: true });
  assert.equal(st, { size: 3, ino: String(s.ino), mtimeNs: String(s.mtimeNs), dev: String(s.dev) });
  const f: CachedFile = { path: 'x', size: 3, hash: 'h', ino: st.ino, mtimeNs: st.mtimeNs };
  const mtimeMs = Number(BigInt(st.mtimeNs) / 1_000_000n);
  assert.ok(stampHolds(f, st, mtimeMs + 101));
  assert.not.ok(stampHolds(f, st, mtimeMs + 50), 'racy: written within the clock\'s granularity of the hash');
  assert.not.ok(stampHolds(f, st, undefined), 'never verified');
  assert.not.ok(stampHolds({ ...f, ino: undefined }, st, mtimeMs + 1000), 'no recorded stamp');
  assert.not.ok(stampHolds(f, { ...st, ino: String(BigInt(st.ino) + 1n) }, mtimeMs + 1000), 'another inode');
  assert.not.ok(stampHolds(f, { ...st, size: 4 }, mtimeMs + 1000), 'another size');
  assert.not.ok(stampHolds(f, { ...st, mtimeNs: String(BigInt(st.mtimeNs) + 1n) }, mtimeMs + 1000), 'written since (1 ns later)');
  assert.is(readFileSync(p, 'utf8'), 'abc');
});

test.run();
