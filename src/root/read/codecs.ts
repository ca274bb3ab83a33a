// Block decoders that write straight into the caller's buffer (the basket's final, aligned
// output): zlib through one reused node zlib handle, zstd through the wasm build of libzstd
// that the writer already loads. Both cut per-basket overhead and copies (bench/README.md,
// "ROOT read"); each falls back to the public API if Node's internals are not as expected.
import { constants, Inflate, inflateSync } from 'node:zlib';
import { loadZstdWasm, type ZstdModule } from '../zstd-wasm.js';

/** node's zlib binding as used by its own sync path: writeSync(flush, in, inOff, inLen, out, outOff, outLen). */
interface ZlibHandle {
  writeSync(flush: number, src: Uint8Array, srcOff: number, srcLen: number, dst: Uint8Array, dstOff: number, dstLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}
interface InflateState { handle: ZlibHandle; state: Uint32Array; error: string | null }

let inflater: InflateState | null = null;

function newInflater(): InflateState | null {
  const z = new Inflate() as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
  const handle = z._handle, state = z._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) return null;
  const s: InflateState = { handle, state, error: null };
  handle.onerror = (message: string): void => { s.error = message; };
  return s;
}

let handleUsable = true;

/**
 * Inflates one zlib stream into dst; returns the number of bytes it decodes to, which is more
 * than dst.length when the stream holds more (the caller reports the mismatch).
 */
export function inflateInto(block: Uint8Array, dst: Uint8Array): number {
  if (handleUsable && inflater === null) { inflater = newInflater(); if (inflater === null) handleUsable = false; }
  const s = inflater;
  if (s === null) return inflatePublic(block, dst);
  s.handle.reset();
  s.error = null;
  s.handle.writeSync(constants.Z_FINISH, block, 0, block.length, dst, 0, dst.length);
  if (s.error !== null) {
    inflater = null; // a handle that reported an error is not reused
    throw new Error(`zlib: ${s.error}`);
  }
  const availOut = s.state[0]!, availIn = s.state[1]!;
  const got = dst.length - availOut;
  // Output full but input left: the stream decodes to more than the header says.
  if (availOut === 0 && availIn > 0) return got + 1;
  return got;
}

function inflatePublic(block: Uint8Array, dst: Uint8Array): number {
  // One output chunk with room to spare: zlib finishes in it (no second chunk to concatenate).
  const r = inflateSync(block, { chunkSize: dst.length + 64, maxOutputLength: dst.length + 1 });
  dst.set(r.subarray(0, Math.min(r.length, dst.length)));
  return r.length;
}

let zstd: ZstdModule | null = null;
let zstdLoading: Promise<void> | null = null;
let fzstdDecompress: typeof import('fzstd').decompress | null = null;

/** Loads the wasm zstd decoder once (shared with the writer: root/zstd-wasm.ts); concurrent callers wait for the same load. */
export function initZstd(): Promise<void> {
  zstdLoading ??= (async () => {
    try {
      const mod = (await loadZstdWasm()).module;
      if (typeof mod._ZSTD_decompress === 'function' && typeof mod._malloc === 'function') zstd = mod;
    } catch {
      zstd = null;
    }
    if (zstd === null) fzstdDecompress = (await import('fzstd')).decompress; // pure JS, ~4x slower
  })();
  return zstdLoading;
}

/** Decodes one zstd frame into dst (exactly its capacity at most); returns the decoded size. */
export function zstdInto(block: Uint8Array, dst: Uint8Array): number {
  const m = zstd;
  if (m === null) {
    if (fzstdDecompress === null) throw new Error('zstd decoder not loaded (call initZstd)');
    return fzstdDecompress(block, dst).length;
  }
  const src = m._malloc(block.length), out = m._malloc(dst.length);
  try {
    if (src === 0 || out === 0) throw new Error(`zstd: cannot allocate ${block.length + dst.length} bytes`);
    m.HEAPU8.set(block, src);
    const r = m._ZSTD_decompress(out, dst.length, src, block.length);
    if (m._ZSTD_isError(r)) throw new Error(`zstd: corrupt frame (error code ${r >>> 0})`);
    const n = r >>> 0;
    dst.set(m.HEAPU8.subarray(out, out + Math.min(n, dst.length))); // HEAPU8 read after the call: memory may have grown
    return n;
  } finally {
    if (src !== 0) m._free(src);
    if (out !== 0) m._free(out);
  }
}
