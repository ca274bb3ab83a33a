// ROOT's compressed buffers: a sequence of blocks, each with a 9-byte header
// (2-byte algorithm magic, 1 method byte, 3-byte little-endian compressed and
// uncompressed sizes) followed by the compressed bytes of that algorithm.
import xxhash from 'xxhash-wasm';
import { inflateInto, initZstd, zstdInto } from './codecs.js';

export type Algorithm = 'zlib' | 'lzma' | 'lz4' | 'zstd' | 'none';

let h64: ((b: Uint8Array, seed?: bigint) => bigint) | null = null;

// The LZ4 and LZMA decoders are loaded on their first block: most files are zlib, and
// loading both costs a process ~10-20 ms of start-up (bench/README.md, "ROOT read").
let lz4Block: typeof import('lz4js').decompressBlock | null = null;
type XzPkg = typeof import('xz-decompress');
let xzPkg: XzPkg | null = null;

/** Loads the wasm xxhash once (LZ4 block checksums, StreamerInfo cache keys). */
export async function initDecompression(): Promise<void> {
  if (h64 === null) h64 = (await xxhash()).h64Raw;
}

/** xxhash64 of some bytes (after initDecompression): keys the cache of parsed StreamerInfo records. */
export function hash64(b: Uint8Array): bigint {
  if (h64 === null) throw new Error('xxhash not initialised (call initDecompression)');
  return h64(b, 0n);
}

/** Algorithm of a compressed buffer from its first block's magic (for summaries). */
export function algorithmOf(src: Uint8Array): Algorithm | string {
  if (src.length < 9) return 'none';
  const m = String.fromCharCode(src[0]!, src[1]!);
  switch (m) {
    case 'ZL': return 'zlib';
    case 'XZ': return 'lzma';
    case 'L4': return 'lz4';
    case 'ZS': return 'zstd';
    default: return m;
  }
}

/**
 * Decompresses `src` into exactly `outLen` bytes. Throws an Error whose message is the
 * reason (the caller wraps it into a RootError naming file and object).
 */
export async function decompress(src: Uint8Array, outLen: number): Promise<Uint8Array> {
  // ROOT buffers are below 2 GB; a larger length is a corrupt header, not an allocation to try.
  if (!Number.isSafeInteger(outLen) || outLen < 0 || outLen > 0x7ffffffe) throw new Error(`uncompressed length ${outLen} is impossible`);
  if (src.length < 9 || outLen > Math.ceil(src.length / 10) * 0xffffff) throw new Error(`${src.length} compressed bytes cannot hold ${outLen} bytes`);
  // Not zeroed: every block must fill its whole part (checked below) or the call fails.
  const out = uninitialised(outLen);
  let p = 0, o = 0;
  // Each block makes progress (header + at least one byte), so this loop is bounded by src.length.
  while (o < outLen) {
    if (p + 9 > src.length) throw new Error(`compressed data ends after ${o} of ${outLen} bytes (block header at ${p} truncated)`);
    const magic = String.fromCharCode(src[p]!, src[p + 1]!);
    const csize = src[p + 3]! | (src[p + 4]! << 8) | (src[p + 5]! << 16);
    const usize = src[p + 6]! | (src[p + 7]! << 8) | (src[p + 8]! << 16);
    const start = p + 9, end = start + csize;
    if (csize === 0 || end > src.length) throw new Error(`compressed block at ${p} claims ${csize} bytes, only ${src.length - start} present`);
    if (usize === 0 || o + usize > outLen) throw new Error(`compressed block at ${p} claims ${usize} uncompressed bytes, beyond the expected ${outLen}`);
    const block = src.subarray(start, end);
    const dst = out.subarray(o, o + usize);
    let got: number;
    switch (magic) {
      case 'ZL': got = inflateInto(block, dst); break;
      case 'L4': lz4Block ??= (await import('lz4js')).decompressBlock; got = lz4Into(block, dst); break;
      case 'ZS': await initZstd(); got = zstdInto(block, dst); break; // wasm compiled on first use only (~10 ms)
      case 'XZ': xzPkg ??= await loadXz(); got = await xzInto(block, dst); break;
      case 'CS': throw new Error('unsupported compression: ROOT\'s old "CS" algorithm');
      default: throw new Error(`unknown compression magic ${JSON.stringify(magic)} (bytes ${src[p]} ${src[p + 1]}) at offset ${p}`);
    }
    if (got !== usize) throw new Error(`${magic} block at ${p} decompressed to ${got} bytes, expected ${usize}`);
    o += usize;
    p = end;
  }
  return out;
}

function lz4Into(block: Uint8Array, dst: Uint8Array): number {
  if (block.length < 9) throw new Error('LZ4 block shorter than its checksum');
  const want = readU64BE(block, 0);
  const body = block.subarray(8);
  if (h64 === null) throw new Error('xxhash not initialised (call initDecompression)');
  const have = h64(body, 0n);
  if (have !== want) throw new Error(`LZ4 block checksum mismatch (xxhash64 ${have.toString(16)} != ${want.toString(16)})`);
  return lz4Block!(body, dst, 0, body.length, 0);
}

async function xzInto(block: Uint8Array, dst: Uint8Array): Promise<number> {
  const input = new ReadableStream<Uint8Array>({
    start(c) { c.enqueue(block); c.close(); },
  });
  const reader = new xzPkg!.XzReadableStream(input).getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > dst.length) { await reader.cancel(); return n + value.length; }
    dst.set(value, n);
    n += value.length;
  }
  return n;
}

/** A fresh, 8-aligned Uint8Array whose bytes are not zeroed first (the caller overwrites them all). */
export function uninitialised(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

async function loadXz(): Promise<XzPkg> {
  const m = (await import('xz-decompress')) as unknown as XzPkg & { default?: XzPkg }; // CommonJS: the exports are `default`
  return m.default ?? m;
}

function readU64BE(b: Uint8Array, p: number): bigint {
  const hi = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}
