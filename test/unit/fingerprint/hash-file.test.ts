// fingerprint/hash-file.ts: a file's xxh64 digest (seed 0, 16 hex digits), the same as hash.ts's for
// its bytes, whichever way it is read: streamed (async, sync), in one read below SMALL_FILE_BYTES
// (null at and above it), or sized; the known digests of '' and 'abc'; bytes across read boundaries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_FILE_BYTES, hashFile, hashFileSized, hashFileSync, hashSmallFd, hashSmallFile, hasherImpl } from '../../../src/fingerprint/hash-file.js';
import { hashBytes, initHash } from '../../../src/fingerprint/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hash-file-'));
const bytesOf = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 255));

test('known digests: xxh64 of the empty file and of "abc"', async () => {
  await initHash();
  const empty = join(dir, 'empty'), abc = join(dir, 'abc');
  writeFileSync(empty, '');
  writeFileSync(abc, 'abc');
  for (const f of [hashFile, hashFileSync]) {
    assert.is(await f(empty), 'ef46db3751d8e999');
    assert.is(await f(abc), '44bc2cf5ad770999');
  }
  assert.equal(hashSmallFile(abc)!.hash, '44bc2cf5ad770999');
  assert.equal(await hashFileSized(abc), { size: 3, hash: '44bc2cf5ad770999' });
});

test('every way of reading gives hash.ts\'s digest of the bytes, across the read sizes', async () => {
  await initHash();
  assert.ok(['native', 'wasm'].includes(await hasherImpl()));
  for (const n of [1, 256 << 10, (256 << 10) + 1, SMALL_FILE_BYTES - 1, SMALL_FILE_BYTES, 3 * SMALL_FILE_BYTES + 7]) {
    const p = join(dir, `f${n}`), b = bytesOf(n), want = hashBytes(b);
    writeFileSync(p, b);
    assert.is(await hashFile(p), want, `hashFile ${n}`);
    assert.is(await hashFileSync(p), want, `hashFileSync ${n}`);
    assert.equal(await hashFileSized(p), { size: n, hash: want }, `hashFileSized ${n}`);
    const small = hashSmallFile(p);
    if (n < SMALL_FILE_BYTES) {
      const st = statSync(p);
      assert.equal(small, { hash: want, size: n, mtimeMs: st.mtimeMs, ino: st.ino }, `hashSmallFile ${n}`);
    } else assert.is(small, null, `a file of ${n} bytes is not small`);
  }
});

test('hashSmallFd reads from the file\'s start whatever its offset', async () => {
  await initHash();
  const p = join(dir, 'fd'), b = bytesOf(1000);
  writeFileSync(p, b);
  const fd = openSync(p, 'r');
  try {
    assert.equal(hashSmallFd(fd), { hash: hashBytes(b), size: 1000 });
    assert.equal(hashSmallFd(fd), { hash: hashBytes(b), size: 1000 });
  } finally { closeSync(fd); }
});

test('a missing file is an error (ENOENT), not a digest', async () => {
  const gone = join(dir, 'gone');
  await hashFile(gone).then(() => assert.unreachable('hashed'), (e: NodeJS.ErrnoException) => assert.is(e.code, 'ENOENT'));
  assert.throws(() => hashSmallFile(gone), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
