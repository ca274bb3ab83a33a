// ROOT's compressed buffers: blocks of every algorithm (as heppy's writer makes them) decompress to
// the bytes compressed, over several blocks; a corrupt header, block or checksum is an Error saying what.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { algorithmOf, decompress, hash64, initDecompression, uninitialised } from '../../../../src/root/read/decompress.js';
import { compressPayload, prepareCompression, type Compression } from '../../../../src/root/write/compress.js';

const data = new Uint8Array(50_000).map((_, i) => ((i * 2654435761) >>> 28) + (i % 7));

/** A 9-byte block header: magic, method, compressed and uncompressed sizes (3 bytes LE each). */
function header(magic: string, method: number, csize: number, usize: number): number[] {
  return [magic.charCodeAt(0), magic.charCodeAt(1), method, csize & 0xff, (csize >> 8) & 0xff, csize >> 16, usize & 0xff, (usize >> 8) & 0xff, usize >> 16];
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

async function compressed(c: Compression, src: Uint8Array = data): Promise<Uint8Array> {
  await prepareCompression(c);
  const z = compressPayload(src, c);
  assert.ok(z !== src && z.length < src.length);
  return z;
}

test.before(async () => { await initDecompression(); });

test('algorithmOf: the first block\'s magic; too short to be compressed is none', () => {
  assert.is(algorithmOf(Uint8Array.from(header('ZL', 8, 1, 1))), 'zlib');
  assert.is(algorithmOf(Uint8Array.from(header('XZ', 0, 1, 1))), 'lzma');
  assert.is(algorithmOf(Uint8Array.from(header('L4', 1, 1, 1))), 'lz4');
  assert.is(algorithmOf(Uint8Array.from(header('ZS', 1, 1, 1))), 'zstd');
  assert.is(algorithmOf(Uint8Array.from(header('CS', 1, 1, 1))), 'CS');
  assert.is(algorithmOf(new Uint8Array(8)), 'none');
});

test('zlib, lz4 and zstd blocks decompress to the original bytes', async () => {
  for (const algorithm of ['zlib', 'lz4', 'zstd'] as const) {
    const z = await compressed({ algorithm, level: 1 });
    assert.equal(await decompress(z, data.length), data, algorithm);
  }
});

test('several blocks, of different algorithms, fill the output in turn', async () => {
  const a = data.subarray(0, 20_000), b = data.subarray(20_000);
  const z = concat(await compressed({ algorithm: 'zstd' }, a), await compressed({ algorithm: 'zlib' }, b));
  assert.equal(await decompress(z, data.length), data);
});

test('an xz (LZMA) block, as `xz` makes it', async () => {
  let xz: Buffer;
  try { xz = execFileSync('xz', ['-c', '--format=xz', '--check=crc64'], { input: data }); } catch {
    console.log('SKIP: no xz command; the LZMA block is exercised by the shared ROOT files');
    return;
  }
  const z = concat(header('XZ', 0, xz.length, data.length), xz);
  assert.equal(await decompress(z, data.length), data);
  // A block claiming fewer bytes than its stream holds.
  const short = concat(header('XZ', 0, xz.length, 1000), xz);
  await rejects(decompress(short, 1000), /^XZ block at 0 decompressed to \d+ bytes, expected 1000$/);
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try { await p; } catch (e) { assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}

test('impossible lengths are refused before allocating', async () => {
  const z = await compressed({ algorithm: 'zlib' });
  await rejects(decompress(z, -1), /^uncompressed length -1 is impossible$/);
  await rejects(decompress(z, 1.5), /^uncompressed length 1.5 is impossible$/);
  await rejects(decompress(z, 0x7fffffff), /^uncompressed length 2147483647 is impossible$/);
  await rejects(decompress(new Uint8Array(8), 4), /^8 compressed bytes cannot hold 4 bytes$/);
  await rejects(decompress(new Uint8Array(10), 2 * 0xffffff), /^10 compressed bytes cannot hold 33554430 bytes$/);
});

test('corrupt block headers name the offset and what they claim', async () => {
  const z = await compressed({ algorithm: 'zlib' });
  // The data ends where a second block's header should be.
  await rejects(decompress(z, data.length + 10), new RegExp(`^compressed data ends after ${data.length} of ${data.length + 10} bytes \\(block header at ${z.length} truncated\\)$`));
  const zero = concat(header('ZL', 8, 0, 5), [1, 2, 3]);
  await rejects(decompress(zero, 5), /^compressed block at 0 claims 0 bytes, only 3 present$/);
  const long = concat(header('ZL', 8, 100, 5), [1, 2, 3]);
  await rejects(decompress(long, 5), /^compressed block at 0 claims 100 bytes, only 3 present$/);
  const beyond = concat(header('ZL', 8, 3, 50), [1, 2, 3]);
  await rejects(decompress(beyond, 5), /^compressed block at 0 claims 50 uncompressed bytes, beyond the expected 5$/);
  await rejects(decompress(concat(header('ZL', 8, 3, 0), [1, 2, 3]), 5), /claims 0 uncompressed bytes/);
});

test('unknown and unsupported algorithms', async () => {
  await rejects(decompress(concat(header('CS', 8, 3, 3), [1, 2, 3]), 3), /^unsupported compression: ROOT's old "CS" algorithm$/);
  await rejects(decompress(concat(header('QQ', 8, 3, 3), [1, 2, 3]), 3), /^unknown compression magic "QQ" \(bytes 81 81\) at offset 0$/);
});

test('a block that decompresses to another size than its header says', async () => {
  const n = data.length - 1;
  for (const [algorithm, magic] of [['zlib', 'ZL'], ['lz4', 'L4']] as const) {
    const z = Uint8Array.from(await compressed({ algorithm }));
    // Claims one byte fewer than it holds.
    z[6] = n & 0xff; z[7] = (n >> 8) & 0xff; z[8] = n >> 16;
    await rejects(decompress(z, n), new RegExp(`^${magic} block at 0 decompressed to ${data.length} bytes, expected ${n}$`));
  }
  // zstd's decoder refuses the frame itself.
  const z = Uint8Array.from(await compressed({ algorithm: 'zstd' }));
  z[6] = n & 0xff; z[7] = (n >> 8) & 0xff; z[8] = n >> 16;
  await rejects(decompress(z, n), /^zstd: /);
});

test('an LZ4 block with a wrong checksum, or too short for one', async () => {
  const z = Uint8Array.from(await compressed({ algorithm: 'lz4' }));
  z[9]! ^= 0xff; // the first byte of the big-endian xxhash64 before the LZ4 data
  await rejects(decompress(z, data.length), /^LZ4 block checksum mismatch \(xxhash64 [0-9a-f]+ != [0-9a-f]+\)$/);
  await rejects(decompress(concat(header('L4', 1, 4, 4), [1, 2, 3, 4]), 4), /^LZ4 block shorter than its checksum$/);
});

test('hash64: xxhash64 with seed 0; uninitialised: the asked length', () => {
  // The xxhash64 of the empty input (seed 0) is a published constant.
  assert.is(hash64(new Uint8Array(0)), 0xef46db3751d8e999n);
  assert.is.not(hash64(Uint8Array.of(1)), hash64(Uint8Array.of(2)));
  const u = uninitialised(13);
  assert.is(u.length, 13);
  assert.is(u.byteOffset % 8, 0);
});

test.run();
