import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFile, FORMAT_MARK, objectPath, objectsRoot } from '../../../src/cache/entry.js';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { hashFileSized } from '../../../src/fingerprint/hash-file.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-ocache-'));
const KEY = '0123456789abcdef';

function nodeDir(name: string, text: string): string {
  const d = join(base, name);
  mkdirSync(join(d, 'Sum_1'), { recursive: true });
  writeFileSync(join(d, 'log.txt'), `log of ${name}\n`);
  writeFileSync(join(d, 'Sum_1', 'cutflow.txt'), text);
  writeFileSync(join(d, 'chunk.json'), '{}');
  writeFileSync(join(d, 'heppy-status.json'), '{"status":"ok"}');
  return d;
}

test('save keeps hard links with digests; restore gives the same bytes', async () => {
  const c = OutputCache.open(join(base, 'cache1'));
  const d = nodeDir('A_Chunk0', 'all 10\n');
  const r = await c.save(KEY, d, { kind: 'chunk', node: 'A_Chunk0', marker: { status: 'ok', key: KEY }, exclude: ['chunk.json', 'heppy-status.json'] });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.files.map((f) => f.path), ['Sum_1/cutflow.txt', 'log.txt']);
  assert.is(r.value.bytes, 7 + 'log of A_Chunk0\n'.length);
  assert.ok(statSync(join(d, 'log.txt')).nlink >= 2, 'a hard link, not a copy');
  // The node directory is replaced by rename (as the build does); the cache keeps the old inode.
  rmSync(d, { recursive: true });
  const target = join(base, 'restored');
  mkdirSync(target);
  const back = await c.restoreInto(KEY, target);
  assert.ok(back.ok);
  assert.is(readFileSync(join(target, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 10\n');
  assert.not.ok(existsSync(join(target, 'chunk.json')));
  assert.equal(c.entry(KEY)?.marker, { status: 'ok', key: KEY });
  assert.equal(c.stats(), { entries: 1, bytes: r.value.bytes, objects: 2, maxBytes: c.maxBytes, parked: 0, parkedBytes: 0 });
});

test('a tampered entry is detected by its digest, removed and never restored', async () => {
  const c = OutputCache.open(join(base, 'cache2'));
  const d = nodeDir('B', 'all 20\n');
  assert.ok((await c.save(KEY, d, { kind: 'chunk', node: 'B', marker: {}, exclude: [] })).ok);
  // Same size, other content, written in place through the hard link.
  writeFileSync(join(d, 'Sum_1', 'cutflow.txt'), 'all 21\n');
  const target = join(base, 't2');
  mkdirSync(target);
  const r = await c.restoreInto(KEY, target);
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, /cache entry damaged \(its content changed\); not restored/);
  assert.is(c.entry(KEY), null);
  assert.not.ok(r.ok || existsSync(r.error.file!), 'the damaged object removed (its name no longer tells its content)');
  assert.ok(existsSync(join(d, 'Sum_1', 'cutflow.txt')), 'the node\'s own file untouched');
  const missing = await c.restoreInto(KEY, target);
  assert.not.ok(missing.ok);
});

test('an entry pruned by another process after this one read it is not in the cache, not damaged; an entry still there whose object is gone is damaged', async () => {
  const root = join(base, 'cache-pruned');
  const c = OutputCache.open(root);
  const d = nodeDir('P_Chunk0', 'all 30\n');
  assert.ok((await c.save(KEY, d, { kind: 'chunk', node: 'P_Chunk0', marker: {}, exclude: [] })).ok);
  rmSync(d, { recursive: true });
  assert.ok(c.entry(KEY) !== null, 'read (a build\'s header predicted its restore)');
  // `heppy cache prune --max-size 0` in another process: the entry file, then its objects, removed.
  assert.is(OutputCache.open(root).prune(0).removed, 1);
  const t = join(base, 'p-t');
  mkdirSync(t);
  for (const r of [await c.verifyEntry(KEY), await c.restoreInto(KEY, t)]) {
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.not.match(r.error.reason, /damaged/);
      assert.match(r.error.reason, /^no cache entry/);
    }
  }
  assert.is(c.entry(KEY), null, 'forgotten');
  assert.not.ok(c.hasEntry(KEY));
  // The entry file still there, an object gone (removed by hand): damaged, and the entry removed.
  const d2 = nodeDir('P_Chunk1', 'all 31\n');
  assert.ok((await c.save(KEY, d2, { kind: 'chunk', node: 'P_Chunk1', marker: {}, exclude: [] })).ok);
  rmSync(c.storedFile(KEY, 0)!);
  const r = await c.restoreInto(KEY, t);
  assert.ok(!r.ok && /cache entry damaged \(it is missing\)/.test(r.error.reason), JSON.stringify(r));
  assert.not.ok(existsSync(entryFile(root, KEY)));
});

test('prune evicts the least recently used entries beyond the limit', async () => {
  const c = OutputCache.open(join(base, 'cache3'));
  const keys = ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc'];
  for (const [i, k] of keys.entries()) {
    assert.ok((await c.save(k, nodeDir(`n${i}`, String(i).repeat(100)), { kind: 'hadd', node: `n${i}`, marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
    const t = new Date(Date.now() - (10 - i) * 60_000);
    utimesSync(entryFile(c.root, k), t, t);
  }
  // Using the oldest makes it the newest.
  const target = join(base, 't3');
  mkdirSync(target);
  assert.ok((await c.restoreInto(keys[0]!, target)).ok);
  const each = c.entry(keys[0]!)!.bytes;
  const r = c.prune(2 * each);
  assert.equal(r, { removed: 1, freedBytes: each, parkedRemoved: 0 });
  assert.is(c.entry(keys[1]!), null);
  assert.ok(c.entry(keys[0]!) !== null && c.entry(keys[2]!) !== null);
});

test('a restore hashes only files whose inode, size or mtime changed (or are racy); a write in place is still caught', async () => {
  const c = OutputCache.open(join(base, 'cache5'));
  const d = nodeDir('s1', 'all 30\n');
  assert.ok((await c.save(KEY, d, { kind: 'chunk', node: 's1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  const restore = async (name: string): Promise<boolean> => {
    const t = join(base, name);
    mkdirSync(t);
    return (await c.restoreInto(KEY, t)).ok;
  };
  // Just written: racy, so both files are hashed; the entry is then refreshed with their stamps.
  const old = new Date(Date.now() - 10_000);
  for (const f of ['log.txt', 'Sum_1/cutflow.txt']) utimesSync(join(d, f), old, old);
  assert.ok(await restore('s-a'));
  assert.is(c.hashedFiles, 2);
  const fresh = OutputCache.open(join(base, 'cache5')); // another build: reads the refreshed entry.json
  assert.ok((fresh.entry(KEY)?.verifiedAt ?? 0) > old.getTime());
  const t2 = join(base, 's-b');
  mkdirSync(t2);
  assert.ok((await fresh.restoreInto(KEY, t2)).ok);
  assert.is(fresh.hashedFiles, 0, 'stamps held: nothing hashed');
  assert.is(readFileSync(join(t2, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 30\n');
  // Same size, written in place through the hard link: its mtime moves, so it is hashed and caught.
  writeFileSync(join(d, 'Sum_1', 'cutflow.txt'), 'all 31\n');
  const t3 = join(base, 's-c');
  mkdirSync(t3);
  const r = await fresh.restoreInto(KEY, t3);
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, /cache entry damaged \(its content changed\); not restored/);
  assert.is(fresh.hashedFiles, 1);
});

test("verifyEntry: changes nothing by default; with keepStamps (a build's header) the files it hashed are not hashed again by the restore", async () => {
  const c = OutputCache.open(join(base, 'cache-verify'));
  const d = nodeDir('v1', 'all 40\n');
  assert.ok((await c.save(KEY, d, { kind: 'chunk', node: 'v1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  const old = new Date(Date.now() - 10_000);
  for (const f of ['log.txt', 'Sum_1/cutflow.txt']) utimesSync(join(d, f), old, old);   // stamps no longer hold
  const file = entryFile(c.root, KEY);
  const before = readFileSync(file, 'utf8');
  assert.ok((await c.verifyEntry(KEY)).ok);
  assert.is(c.hashedFiles, 2);
  assert.is(readFileSync(file, 'utf8'), before, 'status/why: nothing written');
  assert.ok((await c.verifyEntry(KEY, [], true)).ok);
  assert.is(c.hashedFiles, 4);
  const t = join(base, 'v-restored');
  mkdirSync(t);
  assert.ok((await c.restoreInto(KEY, t)).ok);
  assert.is(c.hashedFiles, 4, 'the restore after the header hashed nothing');
  assert.is(OutputCache.open(join(base, 'cache-verify')).entry(KEY)?.verifiedAt !== undefined, true);
});

test('the first restore right after a keep hashes nothing (the kept files are backdated); a write in place at once is still caught', async () => {
  const c = OutputCache.open(join(base, 'cache6'));
  const d = nodeDir('b1', 'all 40\n');
  const written = statSync(join(d, 'Sum_1', 'cutflow.txt')).mtimeMs;
  assert.ok((await c.save(KEY, d, { kind: 'chunk', node: 'b1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  const after = Date.now();
  const m = statSync(join(d, 'Sum_1', 'cutflow.txt')).mtimeMs;
  assert.ok(m % 1000 > 0, 'a fraction of a second drawn per keep (sealFraction)');
  assert.ok(m < after - 1000 && m > written - 4000, `backdated by 1-3 s: ${written} -> ${m} (keep ended ${after})`);
  const fresh = OutputCache.open(join(base, 'cache6')); // the next build, at once
  const t1 = join(base, 'b-a');
  mkdirSync(t1);
  assert.ok((await fresh.restoreInto(KEY, t1)).ok);
  assert.is(fresh.hashedFiles, 0, 'no racy file: nothing hashed');
  assert.is(readFileSync(join(t1, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 40\n');
  // Same size, through the hard link, within the same clock tick as the keep: the mtime leaves the backdated value.
  writeFileSync(join(d, 'Sum_1', 'cutflow.txt'), 'all 41\n');
  const t2 = join(base, 'b-b');
  mkdirSync(t2);
  const r = await fresh.restoreInto(KEY, t2);
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, /cache entry damaged \(its content changed\); not restored/);
  assert.is(fresh.hashedFiles, 1);
});

test('a second save of a key keeps the first entry', async () => {
  const c = OutputCache.open(join(base, 'cache4'));
  assert.ok((await c.save(KEY, nodeDir('d1', 'first'), { kind: 'chunk', node: 'd1', marker: 1, exclude: [] })).ok);
  const again = await c.save(KEY, nodeDir('d2', 'second'), { kind: 'chunk', node: 'd2', marker: 2, exclude: [] });
  assert.ok(again.ok);
  assert.is(c.entry(KEY)?.node, 'd1');
  assert.is(OutputCache.open(join(base, 'cache4')).entry(KEY)?.node, 'd1', 'on disk too');
});

test('an entry is one file and its files are objects; entries of the earlier layouts (directories) are still restored and checked', async () => {
  const c = OutputCache.open(join(base, 'cache7'));
  const d = nodeDir('f1', 'all 50\n');
  const r = await c.save(KEY, d, { kind: 'chunk', node: 'f1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] });
  assert.ok(r.ok);
  assert.equal(readdirSync(join(c.root, KEY.slice(0, 2))), [`${KEY}.json`]);
  assert.equal(readdirSync(c.root).sort(), [FORMAT_MARK, KEY.slice(0, 2)]);
  assert.is(readFileSync(c.storedFile(KEY, 0)!, 'utf8'), 'all 50\n'); // Sum_1/cutflow.txt, first in order
  assert.is(c.storedFile(KEY, 0), objectPath(objectsRoot(c.root), c.entry(KEY)!.files[0]!.obj!));
  // The earlier layout, written as an earlier heppy did (no stamps: the restore hashes each file).
  const old = OutputCache.open(join(base, 'cache8'));
  const key2 = 'fedcba9876543210';
  const od = join(old.root, key2.slice(0, 2), key2);
  mkdirSync(join(od, 'files', 'Sum_1'), { recursive: true });
  writeFileSync(join(od, 'files', 'Sum_1', 'cutflow.txt'), 'all 60\n');
  writeFileSync(join(od, 'files', 'log.txt'), 'old log\n');
  const files = await Promise.all(['Sum_1/cutflow.txt', 'log.txt'].map(async (p) => ({ path: p, ...(await hashFileSized(join(od, 'files', p))) })));
  writeFileSync(join(od, 'entry.json'), JSON.stringify({ version: 1, key: key2, kind: 'chunk', node: 'old', builtAt: new Date().toISOString(), bytes: 15, files, marker: {} }));
  const t = join(base, 'f-old');
  mkdirSync(t);
  assert.ok((await old.restoreInto(key2, t)).ok);
  assert.is(readFileSync(join(t, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 60\n');
  assert.is(old.hashedFiles, 2);
  // Damaged in the earlier layout: detected, not restored.
  writeFileSync(join(od, 'files', 'log.txt'), 'OLD log\n');
  const t2 = join(base, 'f-old2');
  mkdirSync(t2);
  const bad = await OutputCache.open(join(base, 'cache8')).restoreInto(key2, t2);
  assert.not.ok(bad.ok);
  if (!bad.ok) assert.match(bad.error.reason, /cache entry damaged \(its content changed\)/);
  assert.not.ok(existsSync(od), 'the damaged version-1 entry removed');
});

test('a node directory kept under two keys: its objects named by both, counted once; stats and prune add up; a damaged object fails every entry naming it', async () => {
  const c = OutputCache.open(join(base, 'cache11'));
  const k1 = '5555555555555555', k2 = '6666666666666666';
  const d1 = nodeDir('g1', 'same cut flow\n');
  const ex = { kind: 'chunk' as const, node: 'g1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] };
  assert.ok((await c.save(k1, d1, ex)).ok);
  writeFileSync(join(d1, 'extra.txt'), 'only under k2\n');
  assert.ok((await c.save(k2, d1, ex)).ok);
  assert.is(c.storedFile(k1, 0), c.storedFile(k2, 0), 'one object');
  const st = c.stats();
  assert.equal([st.entries, st.objects, st.bytes], [2, 3, 14 + 'log of g1\n'.length + 'only under k2\n'.length]);
  // Evicting k2 leaves the objects k1 names; what prune freed and what is left add up.
  utimesSync(entryFile(c.root, k2), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const pr = c.prune(st.bytes - 1);
  const after = c.stats();
  assert.equal([pr.removed, pr.freedBytes], [1, 'only under k2\n'.length]);
  assert.is(st.bytes + st.parkedBytes, pr.freedBytes + after.bytes + after.parkedBytes);
  const t = join(base, 'g-t');
  mkdirSync(t);
  assert.ok((await c.restoreInto(k1, t)).ok);
  // An object replaced by other bytes (another inode): the entry fails and the object is removed.
  const obj = c.storedFile(k1, 0)!;
  rmSync(obj);
  writeFileSync(obj, 'SAME cut flow\n');
  const t2 = join(base, 'g-t2');
  mkdirSync(t2);
  const r2 = await c.restoreInto(k1, t2);
  assert.ok(!r2.ok && /cache entry damaged \(its content changed\)/.test(r2.error.reason));
  assert.not.ok(existsSync(obj), 'the damaged object removed');
});

test('after a build, the size ledger spares reading every entry until the limit (or a day) is reached', async () => {
  const root = join(base, 'cache9');
  const keys = ['1111111111111111', '2222222222222222', '3333333333333333'];
  const c = OutputCache.open(root, 300);
  assert.ok((await c.save(keys[0]!, nodeDir('u0', 'x'.repeat(100)), { kind: 'hadd', node: 'u0', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  const each = c.entry(keys[0]!)!.bytes;
  c.noteAdded(each);
  // No ledger yet, but the cache was new when this build opened it: its ledger is what the build added, nothing read.
  assert.equal(c.pruneAfterBuild(), { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: false });
  const ledger = (): { bytes: number; countedAt: number } => JSON.parse(readFileSync(join(root, 'outputs.usage.json'), 'utf8'));
  assert.is(ledger().bytes, each);
  // A second build adds one entry: under the limit, nothing is read, the ledger grows.
  const c2 = OutputCache.open(root, 300);
  assert.ok((await c2.save(keys[1]!, nodeDir('u1', 'y'.repeat(100)), { kind: 'hadd', node: 'u1', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  c2.noteAdded(each);
  const t = new Date(Date.now() - 60_000);
  utimesSync(entryFile(join(root, 'outputs'), keys[0]!), t, t); // the oldest
  assert.equal(c2.pruneAfterBuild(), { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: false });
  assert.is(ledger().bytes, 2 * each);
  // A third passes the limit: counted, the least recently used evicted, the ledger exact again.
  const c3 = OutputCache.open(root, 300);
  assert.ok((await c3.save(keys[2]!, nodeDir('u2', 'z'.repeat(100)), { kind: 'hadd', node: 'u2', marker: {}, exclude: ['chunk.json', 'heppy-status.json'] })).ok);
  c3.noteAdded(each);
  assert.equal(c3.pruneAfterBuild(), { removed: 1, freedBytes: each, parkedRemoved: 0, counted: true });
  assert.is(c3.entry(keys[0]!), null);
  assert.is(ledger().bytes, 2 * each);
  assert.equal(c3.stats().entries, 2);
  // The ledger lost while the cache holds entries: the next build counts them all.
  rmSync(join(root, 'outputs.usage.json'));
  const c4 = OutputCache.open(root, 300);
  c4.noteAdded(0);
  assert.equal(c4.pruneAfterBuild(), { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: true });
  assert.is(ledger().bytes, 2 * each);
});

test('a new cache with parked places registered is counted after its first build (its parked directories are swept)', async () => {
  const root = join(base, 'cache10');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'outputs.parked.json'), JSON.stringify({ places: [] }) + '\n');
  const c = OutputCache.open(root, 300);
  assert.ok((await c.save('4444444444444444', nodeDir('u4', 'w'.repeat(100)), { kind: 'hadd', node: 'u4', marker: {}, exclude: [] })).ok);
  c.noteAdded(100);
  assert.equal(c.pruneAfterBuild(), { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: true });
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
