// ROOT's compressed-block format: each block is a 9-byte header ("ZL"/"L4"/"ZS", method,
// 3-byte little-endian compressed and uncompressed sizes) followed by the compressed bytes;
// payloads larger than 0xffffff bytes are split into several blocks. LZ4 blocks carry an
// 8-byte big-endian xxhash64 of the compressed block before it (ROOT checks it on read).
import { constants, Deflate, deflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { assertNever } from '../../util/result.js';
import { loadZstdWasm } from '../zstd-wasm.js';

const require = createRequire(import.meta.url);
const lz4 = require('lz4js') as {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
};

export type Algorithm = 'none' | 'zlib' | 'lz4' | 'zstd';
export interface Compression { algorithm: Algorithm; level?: number }

export const defaultCompression: Compression = { algorithm: 'zlib', level: 1 };
const MAX_BLOCK = 0xffffff;

// zstd's wasm (~20 ms CPU to instantiate) and xxhash (LZ4's checksum) are loaded only when a
// writer of that compression is prepared: every process that imports the writer (the CLI, each
// chunk's worker) paid both at import before, though heppy writes zlib unless asked.
let h64Raw: ((b: Uint8Array, seed?: bigint) => bigint) | null = null;
let zstdCompress: ((b: Uint8Array, level: number) => Uint8Array) | null = null;

/** Whether compressing with `c` needs a codec that prepareCompression has not loaded yet. */
export function needsPreparing(c: Compression): boolean {
  return (c.algorithm === 'zstd' && zstdCompress === null) || (c.algorithm === 'lz4' && h64Raw === null);
}

/**
 * Loads the codec that `c` needs (zstd's wasm; xxhash for LZ4's block checksum), once per
 * process. Awaited before a writer of that compression is created (RootFileWriter.create
 * refuses one otherwise); zlib and none need nothing.
 */
export async function prepareCompression(c: Compression): Promise<void> {
  switch (c.algorithm) {
    case 'none': case 'zlib': return;
    case 'lz4':
      if (h64Raw === null) h64Raw = (await (await import('xxhash-wasm')).default()).h64Raw;
      return;
    case 'zstd':
      if (zstdCompress === null) zstdCompress = (await loadZstdWasm()).compress;
      return;
    default: return assertNever(c.algorithm, 'compression algorithm');
  }
}

function unprepared(what: string): never {
  throw new Error(`${what} compression used before prepareCompression() loaded its codec`);
}

/** ROOT's fCompress: 100 * algorithm + level (zlib 1, lz4 4, zstd 5; 0 = none). */
export function compressionSetting(c: Compression): number {
  const level = levelOf(c);
  switch (c.algorithm) {
    case 'none': return 0;
    case 'zlib': return 100 + level;
    case 'lz4': return 400 + level;
    case 'zstd': return 500 + level;
    default: return assertNever(c.algorithm, 'compression algorithm');
  }
}

function levelOf(c: Compression): number {
  if (c.algorithm === 'none') return 0;
  const l = c.level ?? (c.algorithm === 'zstd' ? 5 : c.algorithm === 'lz4' ? 4 : 1);
  return Math.max(1, Math.min(9, Math.round(l)));
}

/** node's zlib binding as its own sync path uses it (as the reader's inflateInto does). */
interface ZlibHandle {
  writeSync(flush: number, src: Uint8Array, srcOff: number, srcLen: number, dst: Uint8Array, dstOff: number, dstLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}
interface DeflateState { handle: ZlibHandle; state: Uint32Array; error: string | null }

/**
 * One deflate stream per level, reset for each block: deflateSync makes a new stream per basket
 * (≈ 256 kB of zlib state allocated and cleared each time, and its JS objects). memLevel 9 (a
 * larger hash table) deflated the demo's candidates baskets ≈ 15 % faster than the default 8
 * with output as small or smaller; level, window and the stream format are unchanged.
 */
const deflaters = new Map<number, DeflateState | null>();
const DEFLATE_OPTIONS = { memLevel: 9 } as const;
let scratch = new Uint8Array(0);

function deflater(level: number): DeflateState | null {
  let s = deflaters.get(level);
  if (s !== undefined) return s;
  const z = new Deflate({ level, ...DEFLATE_OPTIONS }) as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
  const handle = z._handle, state = z._writeState;
  s = handle && typeof handle.writeSync === 'function' && typeof handle.reset === 'function' && state instanceof Uint32Array
    ? { handle, state, error: null } : null;
  if (s !== null) { const st = s; handle!.onerror = (message: string): void => { st.error = message; }; }
  deflaters.set(level, s);
  return s;
}

/** One zlib stream of src (level `level`), or src itself when it does not come out smaller. */
function deflateBlock(src: Uint8Array, level: number): Uint8Array {
  const s = deflater(level);
  if (s === null) return deflateSync(src, { level, ...DEFLATE_OPTIONS });
  if (scratch.length < src.length) scratch = new Uint8Array(src.length);
  s.handle.reset();
  s.error = null;
  // Room for src.length - 1 bytes only: a stream that does not end in it is not worth storing.
  const room = src.length - 1;
  s.handle.writeSync(constants.Z_FINISH, src, 0, src.length, scratch, 0, room);
  if (s.error !== null) {
    deflaters.delete(level); // a handle that reported an error is not reused
    throw new Error(`zlib: ${s.error}`);
  }
  const availOut = s.state[0]!;
  if (availOut === 0) return src;
  return scratch.slice(0, room - availOut);
}

function compressOne(src: Uint8Array, c: Compression): Uint8Array {
  switch (c.algorithm) {
    case 'none': return src;
    case 'zlib': return deflateBlock(src, levelOf(c));
    case 'zstd': return (zstdCompress ?? unprepared('zstd'))(src, levelOf(c));
    case 'lz4': {
      const dst = new Uint8Array(lz4.compressBound(src.length) + 8);
      const n = lz4.compressBlock(src, dst.subarray(8), 0, src.length, new Uint32Array(1 << 16));
      if (n === 0) return src; // incompressible: caller stores it raw
      const hash = (h64Raw ?? unprepared('lz4'))(dst.subarray(8, 8 + n), 0n);
      new DataView(dst.buffer, dst.byteOffset).setBigUint64(0, hash);
      return dst.subarray(0, 8 + n);
    }
    default: return assertNever(c.algorithm, 'compression algorithm');
  }
}

function magic(c: Compression): [number, number, number] {
  switch (c.algorithm) {
    case 'zlib': return [0x5a, 0x4c, 8]; // "ZL", deflate
    case 'lz4': return [0x4c, 0x34, 1]; // "L4", LZ4 major version
    case 'zstd': return [0x5a, 0x53, 1]; // "ZS"
    case 'none': throw new Error('no header for uncompressed data');
    default: return assertNever(c.algorithm, 'compression algorithm');
  }
}

/**
 * Compresses a key payload or basket. Returns the input itself when compression is off or
 * does not make it smaller (readers then see fNbytes - fKeylen == fObjlen and read it raw).
 */
export function compressPayload(src: Uint8Array, c: Compression): Uint8Array {
  if (c.algorithm === 'none' || src.length < 64) return src;
  const parts: Uint8Array[] = [];
  let total = 0;
  const [m0, m1, m2] = magic(c);
  for (let off = 0; off < src.length; off += MAX_BLOCK) {
    const block = src.subarray(off, Math.min(src.length, off + MAX_BLOCK));
    const z = compressOne(block, c);
    if (z === block || z.length >= block.length) return src;
    const h = new Uint8Array(9);
    h[0] = m0; h[1] = m1; h[2] = m2;
    h[3] = z.length & 0xff; h[4] = (z.length >> 8) & 0xff; h[5] = (z.length >> 16) & 0xff;
    h[6] = block.length & 0xff; h[7] = (block.length >> 8) & 0xff; h[8] = (block.length >> 16) & 0xff;
    parts.push(h, z);
    total += 9 + z.length;
    if (total >= src.length) return src;
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) { out.set(part, p); p += part.length; }
  return out;
}
