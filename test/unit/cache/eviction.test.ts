import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ENTRY, entryFile, FORMAT_MARK, legacyDir, objectPath, objectsRoot, type CacheEntry } from '../../../src/cache/entry.js';
import { listEntries, prune, pruneAfterBuild, readUsage, stats, USAGE_RECOUNT_MS, writeUsage } from '../../../src/cache/eviction.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-eviction-'));

/** A digest made of `name` (hex): the object of that name. */
const digest = (name: string): string => name.padEnd(16, '0');

/**
 * An entry whose last use was `ageS` seconds ago, naming one object per [name, bytes] (eviction
 * reads an object's size from its name: the object files here are empty).
 */
function put(root: string, key: string, objs: Array<[string, number]>, ageS: number): void {
  const files = objs.map(([n, size], i) => ({ path: `f${i}`, size, hash: digest(n), obj: `${digest(n)}-${size}-1` }));
  const e: CacheEntry = { version: 2, key, kind: 'chunk', node: key, builtAt: '', bytes: files.reduce((s, f) => s + f.size, 0), files, marker: null };
  mkdirSync(dirname(entryFile(root, key)), { recursive: true });
  writeFileSync(join(root, FORMAT_MARK), '2\n');
  writeFileSync(entryFile(root, key), JSON.stringify(e));
  for (const f of files) {
    const o = objectPath(objectsRoot(root), f.obj);
    mkdirSync(dirname(o), { recursive: true });
    writeFileSync(o, '');
  }
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(entryFile(root, key), t, t);
}

/** A version-1 entry directory of `bytes`. */
function putLegacy(root: string, key: string, bytes: number, ageS: number): void {
  const dir = legacyDir(root, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '0'), Buffer.alloc(bytes));
  const e: CacheEntry = { version: 1, key, kind: 'chunk', node: key, builtAt: '', bytes, files: [{ path: 'f', size: bytes, hash: 'x' }], marker: null, flat: true };
  writeFileSync(join(dir, ENTRY), JSON.stringify(e));
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(join(dir, ENTRY), t, t);
}

function removeFrom(root: string, removed: string[]): (k: string) => void {
  return (k) => {
    removed.push(k);
    rmSync(entryFile(root, k), { force: true });
    rmSync(legacyDir(root, k), { recursive: true, force: true });
  };
}

const objectNames = (root: string): string[] => readdirSync(objectsRoot(root)).sort();

test('listEntries and stats: every readable entry with its bytes and last use; the cache\'s bytes are its objects, each counted once', () => {
  const root = join(base, 'c1', 'outputs'); // objects: base/c1/objects
  put(root, 'aaaaaaaa01', [['a1', 100], ['cc', 30]], 30);
  put(root, 'bbbbbbbb02', [['b2', 250], ['cc', 30]], 10); // 'cc' named by both (one inode kept under two keys): 30 bytes once
  mkdirSync(join(root, '.tmp', 'x'), { recursive: true });
  mkdirSync(join(root, 'cc'));
  writeFileSync(join(root, 'cc', 'cccccccc03.json.123.abcd'), '{'); // a keep's tmp file: not an entry
  const listed = listEntries(root).sort((a, b) => a.key.localeCompare(b.key));
  assert.equal(listed.map((e) => [e.key, e.bytes, e.version]), [['aaaaaaaa01', 130, 2], ['bbbbbbbb02', 280, 2]]);
  assert.ok(listed[0]!.usedMs < listed[1]!.usedMs);
  assert.equal(stats(root, 1000), { entries: 2, bytes: 380, objects: 3, maxBytes: 1000, parked: 0, parkedBytes: 0 });
  assert.equal(listEntries(join(base, 'none')), []);
});

test('prune evicts the least recently used first until the limit holds, drops the objects no remaining entry names, and writes the ledger', () => {
  const root = join(base, 'c2', 'outputs'); // objects: base/c2/objects
  put(root, 'aaaaaaaa01', [['a1', 100], ['cc', 10]], 300); // oldest
  put(root, 'bbbbbbbb02', [['b2', 100]], 200);
  put(root, 'cccccccc03', [['c3', 100], ['cc', 10]], 100);
  const before = stats(root, 0);
  const removed: string[] = [];
  const r = prune(root, 150, removeFrom(root, removed));
  assert.equal(removed, ['aaaaaaaa01', 'bbbbbbbb02']);
  assert.equal(r, { removed: 2, freedBytes: 200, parkedRemoved: 0 });
  assert.equal(objectNames(root), [`${digest('c3')}-100-1`, `${digest('cc')}-10-1`], 'the shared object stays with the entry that names it');
  assert.ok(existsSync(entryFile(root, 'cccccccc03')));
  assert.is(readUsage(root)?.bytes, 110);
  assert.is(before.bytes, r.freedBytes + stats(root, 0).bytes, 'what prune freed and what is left add up to what stats said');
});

test('prune removes unreadable entry files, and objects no entry names once they are older than an hour (all of them at --max-size 0)', () => {
  const root = join(base, 'c5', 'outputs'); // objects: base/c5/objects
  put(root, 'aaaaaaaa01', [['a1', 100]], 10);
  mkdirSync(dirname(entryFile(root, 'bbbbbbbb02')));
  writeFileSync(entryFile(root, 'bbbbbbbb02'), '{"version":2,'); // damaged
  const orphan = objectPath(objectsRoot(root), `${digest('0f')}-40-1`);
  mkdirSync(dirname(orphan), { recursive: true });
  writeFileSync(orphan, ''); // a keep in progress (no entry yet), or an entry removed by heppy clean
  assert.is(stats(root, 0).entries, 2);
  let r = prune(root, 1000, () => assert.unreachable('within the limit'));
  assert.equal(r, { removed: 1, freedBytes: 0, parkedRemoved: 0 }, 'the unreadable entry removed; the young orphan kept');
  assert.not.ok(existsSync(entryFile(root, 'bbbbbbbb02')));
  assert.ok(existsSync(orphan));
  const before = stats(root, 0);
  assert.is(before.bytes, 140);
  r = prune(root, 0, removeFrom(root, []));
  assert.equal(r, { removed: 1, freedBytes: 140, parkedRemoved: 0 });
  assert.equal(objectNames(root), []);
  assert.equal(stats(root, 0), { entries: 0, bytes: 0, objects: 0, maxBytes: 0, parked: 0, parkedBytes: 0 });
});

test('version-1 entry directories are listed, counted and evicted; a prune that leaves none marks the cache', () => {
  const root = join(base, 'c6', 'outputs'); // objects: base/c6/objects
  putLegacy(root, 'dddddddd01', 50, 500);
  put(root, 'eeeeeeee02', [['e2', 20]], 10);
  rmSync(join(root, FORMAT_MARK)); // an earlier version's cache that a build of this one kept into
  assert.equal(listEntries(root).map((e) => [e.key, e.version]).sort(), [['dddddddd01', 1], ['eeeeeeee02', 2]]);
  assert.is(stats(root, 0).bytes, 70);
  const removed: string[] = [];
  const r = prune(root, 30, removeFrom(root, removed));
  assert.equal(removed, ['dddddddd01']);
  assert.is(r.freedBytes, 50);
  assert.not.ok(existsSync(legacyDir(root, 'dddddddd01')));
  assert.ok(existsSync(join(root, FORMAT_MARK)));
});

test('pruneAfterBuild trusts a fresh ledger below the limit (adds to it, reads no entry); else counts and evicts', () => {
  const root = join(base, 'c3', 'outputs'); // objects: base/c3/objects
  put(root, 'aaaaaaaa01', [['a1', 400]], 100);
  put(root, 'bbbbbbbb02', [['b2', 400]], 50);
  const removed: string[] = [];
  writeUsage(root, { bytes: 100, countedAt: Date.now() }); // wrong on purpose: trusted, so not recounted
  let r = pruneAfterBuild(root, 1000, 50, removeFrom(root, removed));
  assert.is(r.counted, false);
  assert.is(readUsage(root)?.bytes, 150);
  r = pruneAfterBuild(root, 1000, 900, removeFrom(root, removed));
  assert.is(r.counted, true, 'the ledger would pass the limit: counted');
  assert.equal(removed, [], 'the real count (800) is within it');
  assert.is(readUsage(root)?.bytes, 800);
  writeUsage(root, { bytes: 800, countedAt: Date.now() - USAGE_RECOUNT_MS - 1 });
  r = pruneAfterBuild(root, 500, 0, removeFrom(root, removed));
  assert.is(r.counted, true, 'a ledger older than a day is recounted');
  assert.equal(removed, ['aaaaaaaa01']);
  assert.is(readUsage(root)?.bytes, 400);
});

test('pruneAfterBuild without a ledger: a cache that started empty starts it from what the build added; any other is counted', () => {
  const root = join(base, 'c4', 'outputs'); // objects: base/c4/objects
  put(root, 'aaaaaaaa01', [['a1', 70]], 10);
  let r = pruneAfterBuild(root, 1000, 70, () => assert.unreachable('nothing to evict'), true);
  assert.is(r.counted, false);
  assert.equal(readUsage(root)?.bytes, 70);
  rmSync(`${root}.usage.json`);
  r = pruneAfterBuild(root, 1000, 5, () => assert.unreachable('nothing to evict'));
  assert.is(r.counted, true);
  assert.equal(readUsage(root)?.bytes, 70);
});

test.run();
