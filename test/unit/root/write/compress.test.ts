// write/compress.ts: zstd and LZ4 compress only once prepareCompression has loaded their codec
// (nothing loads at import); every algorithm's blocks decode back to the input with the reader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compressPayload, compressionSetting, needsPreparing, prepareCompression, type Algorithm } from '../../../../src/root/write/compress.js';
import { decompress, initDecompression } from '../../../../src/root/read/decompress.js';

const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 97);

test('zstd and LZ4 need preparing, zlib and none never do; before that, compressing with them throws', () => {
  assert.equal((['zstd', 'lz4', 'zlib', 'none'] as Algorithm[]).map((algorithm) => needsPreparing({ algorithm })), [true, true, false, false]);
  assert.throws(() => compressPayload(data, { algorithm: 'zstd' }), /zstd compression used before prepareCompression/);
  assert.throws(() => compressPayload(data, { algorithm: 'lz4' }), /lz4 compression used before prepareCompression/);
});

test('prepared: every algorithm round-trips through the reader with its ROOT header and setting', async () => {
  await initDecompression();
  await Promise.all([prepareCompression({ algorithm: 'zstd' }), prepareCompression({ algorithm: 'zstd' }), prepareCompression({ algorithm: 'lz4' })]);
  assert.equal([needsPreparing({ algorithm: 'zstd' }), needsPreparing({ algorithm: 'lz4' })], [false, false]);
  const magic: Record<string, string> = { zlib: 'ZL', lz4: 'L4', zstd: 'ZS' };
  for (const algorithm of ['zlib', 'lz4', 'zstd'] as Algorithm[]) {
    const z = compressPayload(data, { algorithm });
    assert.ok(z.length < data.length / 4, `${algorithm}: ${z.length} bytes`);
    assert.is(String.fromCharCode(z[0]!, z[1]!), magic[algorithm]);
    assert.equal(Buffer.compare(Buffer.from(await decompress(z, data.length)), Buffer.from(data)), 0, algorithm);
  }
  assert.equal([compressionSetting({ algorithm: 'zlib' }), compressionSetting({ algorithm: 'lz4' }), compressionSetting({ algorithm: 'zstd', level: 7 }), compressionSetting({ algorithm: 'none' })], [101, 404, 507, 0]);
  assert.is(compressPayload(data, { algorithm: 'none' }), data);
});

test.run();
