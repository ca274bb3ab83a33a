import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY, entryFile, keyOk, legacyDir, objectName, objectPath, objectSize, objectsRoot, readEntry, rewriteEntry, stampHolds, stampOf, storedAt, type CacheEntry, type CachedFile } from '../../../src/cache/entry.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-entry-'));
const KEY = 'abcdef0123456789';

function entry(over: Partial<CacheEntry> = {}): CacheEntry {
  return { version: 2, key: KEY, kind: 'chunk', node: 'A_Chunk0', builtAt: '2026-11-30T00:00:00.000Z', bytes: 3,
    files: [{ path: 'Sum_1/cutflow.txt', size: 3, hash: '0123456789abcdef', obj: '0123456789abcdef-3-77' }], marker: { status: 'ok' }, ...over };
}

test('an entry is one file under its key\'s first two hex digits; its files are objects named by digest, size and inode; version-1 entries are directories', () => {
  assert.is(entryFile('/c/outputs', KEY), `/c/outputs/ab/${KEY}.json`);
  assert.is(objectsRoot('/c/outputs'), '/c/objects');
  const f: CachedFile = { path: 'Sum_1/cutflow.txt', size: 3, hash: '0123456789abcdef', obj: objectName('0123456789abcdef', 3, '77') };
  assert.is(f.obj, '0123456789abcdef-3-77');
  assert.is(objectPath('/c/objects', f.obj!), '/c/objects/0123456789abcdef-3-77', 'one flat directory');
  assert.is(storedAt('/c/outputs', { version: 2, key: KEY }, f, 4), '/c/objects/0123456789abcdef-3-77');
  assert.is(storedAt('/c/outputs', { version: 1, key: KEY, flat: true }, f, 4), `/c/outputs/ab/${KEY}/4`);
  assert.is(storedAt('/c/outputs', { version: 1, key: KEY }, f, 4), `/c/outputs/ab/${KEY}/files/Sum_1/cutflow.txt`);
  assert.is(legacyDir('/c/outputs', KEY), `/c/outputs/ab/${KEY}`);
  assert.is(objectSize('0123456789abcdef-3-77'), 3);
  assert.is(objectSize('0123456789abcdef-3-77.tmp.12.ab'), null, 'a keep\'s tmp file');
});

test('keys are 8-64 lower-case hex digits (a key names a directory that remove() deletes)', () => {
  assert.ok(keyOk('deadbeef'));
  assert.ok(keyOk('a'.repeat(64)));
  assert.not.ok(keyOk('deadbee'), '7 digits');
  assert.not.ok(keyOk('a'.repeat(65)));
  assert.not.ok(keyOk('DEADBEEF'));
  assert.not.ok(keyOk('../../etc'));
});

test('readEntry answers the entry of its key only (an entry file, else a version-1 directory); rewriteEntry replaces it whole, no tmp file left', () => {
  const root = join(base, 'e1', 'outputs');
  mkdirSync(join(root, 'ab'), { recursive: true });
  assert.is(readEntry(root, KEY), null, 'no entry');
  writeFileSync(entryFile(root, KEY), '{"version":2,');
  assert.is(readEntry(root, KEY), null, 'half written');
  assert.ok(rewriteEntry(root, entry()));
  assert.equal(readEntry(root, KEY)?.files, entry().files);
  assert.is(readEntry(root, 'ffffffffffffffff'), null, 'another key\'s entry');
  assert.ok(rewriteEntry(root, entry({ bytes: 99 })));
  assert.is(readEntry(root, KEY)?.bytes, 99);
  assert.equal(readdirSync(join(root, 'ab')), [`${KEY}.json`]);
  writeFileSync(entryFile(root, KEY), JSON.stringify({ ...entry(), version: 3 }));
  assert.is(readEntry(root, KEY), null, 'another version');
  writeFileSync(entryFile(root, KEY), JSON.stringify(entry({ files: [{ path: 'x', size: 1, hash: 'ab', obj: '../../etc' }] })));
  assert.is(readEntry(root, KEY), null, 'an object name that is not one would name another path');
  writeFileSync(entryFile(root, KEY), JSON.stringify(entry({ files: [{ path: 'x', size: 2, hash: 'ab', obj: '0123456789abcdef-3-77' }] })));
  assert.is(readEntry(root, KEY), null, 'an object whose name says another size');
  rmSync(entryFile(root, KEY));
  const v1 = { ...entry(), version: 1, flat: true };
  mkdirSync(legacyDir(root, KEY));
  writeFileSync(join(legacyDir(root, KEY), ENTRY), JSON.stringify(v1));
  assert.equal(readEntry(root, KEY), v1, 'a version-1 entry directory');
  assert.is(readEntry(root, KEY, false), null, 'not looked for in a cache of this version');
  assert.ok(rewriteEntry(root, { ...v1, bytes: 5 } as CacheEntry));
  assert.is(readEntry(root, KEY)?.bytes, 5, 'rewritten in its directory');
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
