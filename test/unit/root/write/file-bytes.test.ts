// file-bytes.ts: bytes by position in a file being written: appends, rewrites (refused outside what
// is written or ahead of a copy), free ranges marked with their negated length, whole files copied in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBytes } from '../../../../src/root/write/file-bytes.js';
import { RootError } from '../../../../src/root/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-file-bytes-'));
const open = (name: string, start = 0): FileBytes => new FileBytes(join(dir, name), openSync(join(dir, name), 'w'), start);

test('append goes at the end and says where; writeAt writes anywhere; end counts what is written', () => {
  const f = open('a.bin', 4);
  assert.is(f.append(Uint8Array.of(1, 2, 3)), 4);
  assert.is(f.append(Uint8Array.of(9)), 7);
  assert.is(f.end, 8);
  f.writeAt(0, Uint8Array.of(7, 7, 7, 7));
  f.close();
  assert.equal([...readFileSync(join(dir, 'a.bin'))], [7, 7, 7, 7, 1, 2, 3, 9]);
});

test('overwrite and overwriteMany rewrite bytes already written; outside them, refused', () => {
  const f = open('o.bin');
  f.append(new Uint8Array(10));
  f.overwrite(2, Uint8Array.of(5, 6));
  // Fields of stride 3: field 0 = [1, 2] at 6, field 1 = [4] at 9.
  f.overwriteMany(Uint8Array.of(1, 2, 0, 4, 0, 0), 3, [6, 9], [2, 1]);
  assert.throws(() => f.overwrite(9, Uint8Array.of(1, 2)), /overwrite of 2 bytes at 9 outside the 10 written|before the copy/);
  assert.throws(() => f.overwriteMany(Uint8Array.of(1), 1, [-1], [1]), /outside the 10 written/);
  f.close();
  assert.equal([...readFileSync(join(dir, 'o.bin'))], [0, 0, 5, 6, 0, 0, 1, 2, 0, 4]);
});

test('markFree lists the range and stamps its negated length (4 bytes and more); empty ranges ignored; outside refused', () => {
  const f = open('f.bin');
  f.append(new Uint8Array(20).fill(0xaa));
  f.markFree(2, 11); // 10 bytes
  f.markFree(14, 16); // 3 bytes: listed, too short to stamp
  f.markFree(5, 4); // empty
  // Past the end is past what any copy has put in place: refused as such, before the range check.
  assert.throws(() => f.markFree(18, 20), /markFree of 18-20 before the copy reached it/);
  assert.throws(() => f.markFree(-2, 3), /free segment -2-3 outside the 20 written/);
  assert.equal(f.free, [[2, 11], [14, 16]]);
  f.close();
  const got = readFileSync(join(dir, 'f.bin'));
  assert.is(got.readInt32BE(2), -10);
  assert.equal([...got.subarray(14, 17)], [0xaa, 0xaa, 0xaa]);
});

test('appendFiles: where each file begins, end past them, patches refused until the copy is in, then allowed', async () => {
  const a = join(dir, 'in-a'), b = join(dir, 'in-b');
  writeFileSync(a, Buffer.alloc(3000, 1));
  writeFileSync(b, Buffer.alloc(500, 2));
  const f = open('c.bin');
  f.append(new Uint8Array(100));
  assert.is(f.copying, false);
  assert.equal(f.appendFiles(100, [a, b], [3000, 500]), [100, 3100]);
  assert.is(f.end, 3600);
  assert.is(f.copying, true);
  assert.throws(() => f.appendFiles(3600, [a], [3000]), /an append is already under way/);
  await f.appended();
  assert.is(f.copying, false);
  assert.is(f.copiedTo(), 3600);
  f.overwrite(3100, Uint8Array.of(9));
  assert.is(await f.appended(), false, 'none pending any more');
  f.close();
  const got = readFileSync(join(dir, 'c.bin'));
  assert.is(got.length, 3600);
  assert.equal([got[99], got[100], got[3099], got[3100], got[3101]], [0, 1, 1, 9, 2]);
});

test('a file that cannot be read fails the copy with a RootError naming it', async () => {
  const f = open('m.bin');
  f.appendFiles(0, [join(dir, 'missing')], [10]);
  try {
    await f.appended();
    assert.unreachable('the copy succeeded');
  } catch (e) {
    assert.ok(e instanceof RootError, String(e));
    assert.is((e as RootError).file, join(dir, 'missing'));
  }
  f.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
