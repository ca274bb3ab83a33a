import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHash, hashString } from '../../../src/fingerprint/hash.js';
import { hashFile, hashSmallFile, SMALL_FILE_BYTES } from '../../../src/fingerprint/hash-file.js';
import { FileDigests } from '../../../src/fingerprint/digests.js';
import { forgetStat } from '../../../src/fingerprint/stat-cache.js';
import { Store } from '../../../src/store/store.js';
import { canonical } from '../../../src/graph/canonical.js';
import { chunkKey, chunkKeyParts, chunkKeyTemplate, componentPart, diffKeyParts, haddKey, haddKeyParts, keyOf, sharedParts } from '../../../src/graph/keys.js';
import { splitComponent } from '../../../src/graph/split.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-fp-'));

test('hashFile streams equal to hashString of the same bytes', async () => {
  await initHash();
  const p = join(dir, 'a.txt');
  const text = 'x'.repeat(3 * (1 << 20) + 17);
  writeFileSync(p, text);
  assert.is(await hashFile(p), hashString(text));
  assert.is(hashString('abc').length, 16);
});

test('hashSmallFile: equal to the streamed hash (empty, small, just below the limit); null from the limit up', async () => {
  await initHash();
  for (const [name, size] of [['empty', 0], ['small', 1234], ['limit', SMALL_FILE_BYTES - 1]] as const) {
    const p = join(dir, `${name}.bin`);
    writeFileSync(p, Buffer.alloc(size, 7));
    const h = hashSmallFile(p)!;
    assert.is(h.hash, await hashFile(p), name);
    assert.is(h.size, size);
  }
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(SMALL_FILE_BYTES + 1, 1));
  assert.is(hashSmallFile(big), null);
  writeFileSync(join(dir, 'exact.bin'), Buffer.alloc(SMALL_FILE_BYTES, 1));
  assert.is(hashSmallFile(join(dir, 'exact.bin')), null);
  // Reused read buffers: a small file after a big one hashes only its own bytes.
  writeFileSync(join(dir, 'tiny.txt'), 'abc');
  assert.is(await hashFile(big), hashString('\u0001'.repeat(SMALL_FILE_BYTES + 1)));
  assert.is(await hashFile(join(dir, 'tiny.txt')), hashString('abc'));
  assert.is(hashSmallFile(join(dir, 'tiny.txt'))!.hash, hashString('abc'));
});

test('digests: stat-cached; a rewrite with a new mtime is re-hashed', async () => {
  const store = Store.open(join(dir, 'cache'), join(dir, 'out'));
  const p = join(dir, 'in.root');
  writeFileSync(p, 'one');
  // An hour old: a stat this close to a fresh mtime would not vouch for the content (racy.ts).
  utimesSync(p, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const d1 = new FileDigests(store);
  const r1 = await d1.digestAll([p, join(dir, 'missing.root')]);
  assert.is(d1.stats.hashed, 1);
  assert.ok(r1.get(p)!.ok);
  assert.not.ok(r1.get(join(dir, 'missing.root'))!.ok);
  await store.flush();
  const d2 = new FileDigests(store);
  const r2 = await d2.digestAll([p]);
  assert.is(d2.stats.hashed, 0, 'unchanged file only stat-ed');
  assert.equal(r2.get(p), r1.get(p));
  writeFileSync(p, 'two');
  utimesSync(p, new Date(), new Date(Date.now() - 1_800_000));
  forgetStat(p); // stats are memoized per process (one plan per build)
  const d3 = new FileDigests(store);
  const r3 = await d3.digestAll([p]);
  assert.is(d3.stats.hashed, 1);
  assert.is.not((r3.get(p) as { value: string }).value, (r1.get(p) as { value: string }).value);
  await store.close();
});

test('canonical: key order irrelevant, classes tagged, values distinguished', () => {
  class A { x = 1; y = [1, 'a']; }
  assert.is(canonical({ a: 1, b: 2 }), canonical({ b: 2, a: 1 }));
  assert.is.not(canonical(new A()), canonical({ x: 1, y: [1, 'a'] }));
  assert.is.not(canonical({ a: '1' }), canonical({ a: 1 }));
  assert.is(canonical({ files: [1], n: 2 }, new Set(['files'])), canonical({ n: 2 }));
});

test('chunk keys: parameter change moves every key; input change only its chunk; why names it', async () => {
  await initHash();
  const chunks = splitComponent({ name: 'c', files: ['/f0', '/f1'], splitFactor: 2 });
  const shared = (min: number) => sharedParts({ heppyVersion: '0.1.0', code: { code: 'abc' }, sequence: [{ cls: 'Sel', minLeptons: min }], tree: 'events', options: {}, maxEvents: null });
  const comp = componentPart({ name: 'c', xSection: 1, files: ['/f0', '/f1'] });
  const digests = new Map([['/f0', 'd0'], ['/f1', 'd1']]);
  const k = (min: number, dg: Map<string, string>) => chunks.map((c) => chunkKey(chunkKeyTemplate(shared(min), comp), c, dg));
  const base = k(4, digests);
  assert.is.not(base[0], base[1]);
  const param = k(3, digests);
  assert.ok(param[0] !== base[0] && param[1] !== base[1]);
  const edited = k(4, new Map([['/f0', 'd0'], ['/f1', 'dX']]));
  assert.is(edited[0], base[0]);
  assert.is.not(edited[1], base[1]);
  const why = diffKeyParts(chunkKeyParts(shared(4), comp, chunks[1]!, digests), chunkKeyParts(shared(3), comp, chunks[1]!, new Map([['/f1', 'dX']])));
  assert.equal(why, ['sequence changed', 'input changed: /f1']);
});

test('one key encoding: the fast chunk key equals keyOf of its recorded parts (hadd keys too)', async () => {
  await initHash();
  const chunks = splitComponent({ name: 'c', files: ['/f0', '/f1', '/f2'], splitFactor: 2 });
  const shared = sharedParts({ heppyVersion: '0.1.0', code: { code: 'abc' }, sequence: [{ cls: 'Sel' }], tree: 'events', options: { a: '1', b: true }, maxEvents: 7 });
  const comp = componentPart({ name: 'c', files: ['/f0', '/f1', '/f2'] });
  const digests = new Map([['/f0', 'd0'], ['/f1', 'd1'], ['/f2', 'd2']]);
  assert.is(chunks.length, 2);
  for (const c of chunks) {
    const fast = chunkKey(chunkKeyTemplate(shared, comp), c, digests);
    assert.is(fast, keyOf(chunkKeyParts(shared, comp, c, digests)));
    assert.match(fast, /^[0-9a-f]{16}$/);
  }
  const h = haddKeyParts('0.1.0', 'c', [['c_Chunk0', 'r0'], ['c_Chunk1', 'r1']]);
  assert.is(keyOf(h), keyOf({ parts: { ...h.parts }, files: { ...h.files } }));
  assert.is.not(keyOf(h), keyOf(haddKeyParts('0.1.0', 'c', [['c_Chunk0', 'r0'], ['c_Chunk1', 'rX']])));
  // The merge key from strings equals keyOf of its parts (the recorded key of a merge).
  const results = ['r0', 'r1'];
  assert.is(haddKey('0.1.0', 'c', ['c_Chunk0', 'c_Chunk1'], (i) => results[i]!), keyOf(h));
  assert.is(haddKey('0.2.0', 'c', ['c_Chunk0', 'c_Chunk1'], (i) => results[i]!), keyOf(haddKeyParts('0.2.0', 'c', [['c_Chunk0', 'r0'], ['c_Chunk1', 'r1']])));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
