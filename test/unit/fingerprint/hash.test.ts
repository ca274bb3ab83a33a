import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xxh64 } from '@node-rs/xxhash';
import { hashBytes, hashParts, hashString, hex, initHash } from '../../../src/fingerprint/hash.js';

test('hashing before initHash throws', () => {
  assert.throws(() => hashString('x'), /initHash\(\) was not awaited/);
});

test('hex: 16 digits, zero-padded', () => {
  assert.is(hex(0n), '0000000000000000');
  assert.is(hex(0xabcn), '0000000000000abc');
  assert.is(hex(0xffffffffffffffffn), 'ffffffffffffffff');
});

test('hashString/hashBytes: xxh64 seed 0 (as xxhsum -H64), equal to @node-rs/xxhash', async () => {
  const a = await initHash();
  assert.is(await initHash(), a);
  assert.is(hashString(''), 'ef46db3751d8e999');
  assert.is(hashString('heppy'), hex(xxh64(Buffer.from('heppy'))));
  assert.is(hashString('é✓'), hex(xxh64(Buffer.from('é✓', 'utf8'))));
  const b = new Uint8Array([0, 1, 2, 250, 255]);
  assert.is(hashBytes(b), hex(xxh64(Buffer.from(b))));
  assert.is(hashBytes(new TextEncoder().encode('heppy')), hashString('heppy'));
});

test('hashParts: length-prefixed, so part boundaries matter', () => {
  assert.is(hashParts(['ab', 'c']), hashString('2:ab1:c'));
  assert.is.not(hashParts(['ab', 'c']), hashParts(['a', 'bc']));
  assert.is.not(hashParts(['a:b']), hashParts(['a', 'b']));
  assert.is(hashParts([]), hashString(''));
});

test.run();
