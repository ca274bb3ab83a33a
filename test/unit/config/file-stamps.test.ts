import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes, initHash } from '../../../src/fingerprint/hash.js';
import { stampFile, stampsHold } from '../../../src/config/file-stamps.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-stamps-'));
const a = join(dir, 'a.ts');
const b = join(dir, 'b.ts');

test.before(async () => {
  await initHash();
});

/** An hour old: not racy (fingerprint/racy.ts), so the stamp keeps its mtime. */
const old = (p: string): void => {
  const t = Date.now() / 1000 - 3600;
  utimesSync(p, t, t);
};

test('unchanged files: the same stamps; a touch without a change: held, with the new mtime', () => {
  writeFileSync(a, 'export const x = 1;\n');
  writeFileSync(b, 'export const y = 2;\n');
  old(a);
  old(b);
  const stamps = [stampFile(a), stampFile(b)];
  assert.is(stamps[0]![1], 20);
  assert.is(typeof stamps[0]![3], 'string');
  assert.is(stampsHold(stamps), stamps);
  utimesSync(b, new Date(1_000_000), new Date(1_000_000));
  const held = stampsHold(stamps);
  assert.ok(held !== null && held !== stamps);
  assert.equal(held![0], stamps[0]);
  assert.equal(held![1], [b, 20, statSync(b).mtimeMs, stamps[1]![3]]);
  assert.is(stampsHold(held!), held, 'the refreshed stamps hold with one stat each');
});

test('a changed content (same size too), a deleted or a new file: not held', () => {
  writeFileSync(a, 'export const x = 1;\n');
  old(a);
  const stamps = [stampFile(a), stampFile(join(dir, 'none.ts'))];
  assert.equal(stamps[1], [join(dir, 'none.ts'), -1, -1]);
  assert.is(stampsHold(stamps), stamps);
  writeFileSync(a, 'export const x = 3;\n');
  utimesSync(a, new Date(2_000_000), new Date(2_000_000));
  assert.is(stampsHold(stamps), null);
  writeFileSync(a, 'export const x = 1;\n');
  assert.ok(stampsHold(stamps) !== null, 'back to the stamped content');
  writeFileSync(join(dir, 'none.ts'), '');
  assert.is(stampsHold(stamps), null, 'a file that appeared');
  rmSync(join(dir, 'none.ts'));
  rmSync(a);
  assert.is(stampsHold(stamps), null, 'a file that disappeared');
});

test('a stamp without a digest (written before digests were kept) holds only by its stat', () => {
  writeFileSync(a, 'export const x = 1;\n');
  const st = statSync(a);
  assert.ok(stampsHold([[a, st.size, st.mtimeMs]]) !== null);
  utimesSync(a, new Date(3_000_000), new Date(3_000_000));
  assert.is(stampsHold([[a, st.size, st.mtimeMs]]), null);
});

test('stamped within the clock granularity of its mtime: an edit keeping size and mtime is not held', () => {
  // A 1 s file system: whole seconds, this one (so the stamp is taken within its granularity).
  const sec = Math.floor(Date.now() / 1000);
  writeFileSync(a, 'export const x = 1;\n');
  utimesSync(a, sec, sec);
  const stamps = [stampFile(a)];
  assert.is(stamps[0]![2], -2, 'a racy stamp records no mtime');
  assert.ok(stampsHold(stamps) !== null, 'unchanged: held by its digest');
  // What a 1 s file system (or one clock tick) gives an edit right after: same size, same mtime.
  writeFileSync(a, 'export const x = 9;\n');
  utimesSync(a, sec, sec);
  assert.is(statSync(a).mtimeMs, sec * 1000);
  assert.is(stampsHold(stamps), null);
  // Once the file is old, the refreshed stamp keeps its mtime and holds by one stat.
  old(a);
  const now = [stampFile(a)];
  assert.is(now[0]![2], statSync(a).mtimeMs);
  assert.is(stampsHold(now), now);
});

test('a file modified after its product began reading it (or just before): a stamp that never holds', () => {
  writeFileSync(a, 'export const x = 1;\n');
  const readFrom = Date.now();                 // the product (bundle, type-check) reads a.ts now…
  writeFileSync(a, 'export const x = 2;\n');   // …and it is edited before the stamp is taken
  const racy = stampFile(a, readFrom);
  assert.equal(racy, [a, 20, -1]);
  assert.is(stampsHold([racy]), null, 'the product is made again');
  // A file that had settled before the product read it: stamped as usual.
  const past = new Date(Date.now() - 10_000);
  utimesSync(a, past, past);
  const settled = stampFile(a, Date.now());
  assert.is(typeof settled[3], 'string');
  assert.equal(stampsHold([settled]), [settled]);
});

test('the digest of what the product read: a file saved just before it holds while unchanged, never once edited', () => {
  writeFileSync(a, 'export const x = 1;\n');
  const readFrom = Date.now();
  const read = hashBytes(readFileSync(a));      // what the product (esbuild, TypeScript) read
  const same = stampFile(a, readFrom, read);
  assert.equal(same, [a, 20, -2, read], 'racy mtime, the read digest');
  assert.equal(stampsHold([same]), [same], 'unchanged: the product is kept');
  writeFileSync(a, 'export const x = 2;\n'); // same size, maybe the same mtime
  assert.is(stampsHold([same]), null, 'edited: made again');
  // Edited between the product's read and the stamp: the content differs from what was read.
  assert.equal(stampFile(a, readFrom, read), [a, 20, -1]);
  assert.is(stampsHold([stampFile(a, readFrom, read)]), null);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
