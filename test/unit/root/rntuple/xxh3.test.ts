import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xxh3 as native } from '@node-rs/xxhash';
import { initXxh3, xxh3 } from '../../../../src/root/rntuple/xxh3.js';

test('xxh3: refuses to hash before initXxh3', () => {
  assert.throws(() => xxh3(new Uint8Array(1)), /not initialised/);
});

test('xxh3: XXH3-64 with seed 0, equal to an independent implementation (@node-rs/xxhash) for sizes across its code paths', async () => {
  await initXxh3();
  await initXxh3(); // twice: the same hasher
  assert.is(xxh3(new Uint8Array(0)), 0x2d06800538d394c2n);
  const bytes = new Uint8Array(5000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  for (const n of [1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 1024, 5000]) {
    const part = bytes.subarray(0, n);
    assert.is(xxh3(part), native.xxh64(Buffer.from(part)), `${n} bytes`);
  }
  // A view at an offset hashes its own bytes only.
  assert.is(xxh3(bytes.subarray(100, 200)), native.xxh64(Buffer.from(bytes.subarray(100, 200))));
});

test.run();
