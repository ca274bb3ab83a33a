import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY, entryDir, type CacheEntry } from '../../../src/cache/entry.js';
import { listEntries, prune, pruneAfterBuild, readUsage, stats, USAGE_RECOUNT_MS, writeUsage } from '../../../src/cache/eviction.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-eviction-'));

/** An entry of `bytes` whose last use was `ageS` seconds ago. */
function put(root: string, key: string, bytes: number, ageS: number): void {
  const dir = entryDir(root, key);
  mkdirSync(dir, { recursive: true });
  const e: CacheEntry = { version: 1, key, kind: 'chunk', node: key, builtAt: '', bytes, files: [], marker: null, flat: true };
  writeFileSync(join(dir, ENTRY), JSON.stringify(e));
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(join(dir, ENTRY), t, t);
}

function removeFrom(root: string, removed: string[]): (k: string) => void {
  return (k) => {
    removed.push(k);
    rmSync(entryDir(root, k), { recursive: true, force: true });
  };
}

test('listEntries and stats: every readable entry with its bytes and last use; unreadable ones and .tmp are not entries', () => {
  const root = join(base, 'c1');
  put(root, 'aaaaaaaa01', 100, 30);
  put(root, 'bbbbbbbb02', 250, 10);
  mkdirSync(join(root, 'cc', 'cccccccc03'), { recursive: true }); // no entry.json (a keep killed midway)
  mkdirSync(join(root, '.tmp', 'x'), { recursive: true });
  const listed = listEntries(root).sort((a, b) => a.key.localeCompare(b.key));
  assert.equal(listed.map((e) => [e.key, e.bytes]), [['aaaaaaaa01', 100], ['bbbbbbbb02', 250]]);
  assert.ok(listed[0]!.usedMs < listed[1]!.usedMs);
  assert.equal(stats(root, 1000), { entries: 2, bytes: 350, maxBytes: 1000, parked: 0, parkedBytes: 0 });
  assert.equal(listEntries(join(base, 'none')), []);
});

test('prune evicts the least recently used first until the limit holds, and writes the ledger', () => {
  const root = join(base, 'c2');
  put(root, 'aaaaaaaa01', 100, 300); // oldest
  put(root, 'bbbbbbbb02', 100, 200);
  put(root, 'cccccccc03', 100, 100);
  const removed: string[] = [];
  const r = prune(root, 150, removeFrom(root, removed));
  assert.equal(removed, ['aaaaaaaa01', 'bbbbbbbb02']);
  assert.equal(r, { removed: 2, freedBytes: 200, parkedRemoved: 0 });
  assert.ok(existsSync(entryDir(root, 'cccccccc03')));
  assert.is(readUsage(root)?.bytes, 100);
});

test('pruneAfterBuild trusts a fresh ledger below the limit (adds to it, reads no entry); else counts and evicts', () => {
  const root = join(base, 'c3');
  put(root, 'aaaaaaaa01', 400, 100);
  put(root, 'bbbbbbbb02', 400, 50);
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
  const root = join(base, 'c4');
  put(root, 'aaaaaaaa01', 70, 10);
  let r = pruneAfterBuild(root, 1000, 70, () => assert.unreachable('nothing to evict'), true);
  assert.is(r.counted, false);
  assert.equal(readUsage(root)?.bytes, 70);
  rmSync(`${root}.usage.json`);
  r = pruneAfterBuild(root, 1000, 5, () => assert.unreachable('nothing to evict'));
  assert.is(r.counted, true);
  assert.equal(readUsage(root)?.bytes, 70);
});

test.run();
