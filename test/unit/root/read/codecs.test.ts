// The block decoders that write into the caller's buffer: zlib through the reused handle
// (also after a corrupt stream), zstd through the wasm decoder, checked against fzstd.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateSync } from 'node:zlib';
import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import { decompress as fzstd } from 'fzstd';
import { inflateInto, initZstd, zstdInto } from '../../../../src/root/read/codecs.js';

const data = new Uint8Array(100_000).map((_, i) => (i * 2654435761) >>> 27);

test('zlib: inflates into the given buffer, many times with one handle', () => {
  const z = deflateSync(data);
  for (let r = 0; r < 3; r++) {
    const out = new Uint8Array(data.length);
    assert.is(inflateInto(z, out), data.length);
    assert.equal(out, data);
  }
});

test('zlib: a stream longer than the buffer reports more bytes; a corrupt one throws, and the next one still reads', () => {
  const z = deflateSync(data);
  assert.ok(inflateInto(z, new Uint8Array(1000)) > 1000);
  const bad = Uint8Array.from(z);
  bad[bad.length - 1]! ^= 0xff; // adler32 check fails
  assert.throws(() => inflateInto(bad, new Uint8Array(data.length)), /zlib: /);
  assert.throws(() => inflateInto(z.subarray(0, z.length >> 1), new Uint8Array(data.length)), /zlib: /);
  const out = new Uint8Array(data.length);
  assert.is(inflateInto(z, out), data.length);
  assert.equal(out, data);
});

test('zstd: the wasm decoder gives what fzstd gives; corrupt or oversized frames throw', async () => {
  await zstdInit();
  await initZstd();
  const z = zstdCompress(data, 3);
  const out = new Uint8Array(data.length);
  assert.is(zstdInto(z, out), data.length);
  assert.equal(out, fzstd(z));
  assert.throws(() => zstdInto(z, new Uint8Array(data.length - 1)), /zstd: corrupt frame/);
  const bad = Uint8Array.from(z);
  for (let i = 20; i < bad.length; i += 7) bad[i]! ^= 0x5a;
  assert.throws(() => zstdInto(bad, new Uint8Array(data.length)), /zstd: /);
});

test.run();
