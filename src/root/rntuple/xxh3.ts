// XXH3-64, the checksum of RNTuple anchors, envelopes and pages (hash-wasm's WebAssembly
// implementation: xxhash-wasm, which heppy uses for XXH64, has no XXH3). Loaded once; the
// reader and writer await initXxh3() before the synchronous calls. hash-wasm is loaded there,
// not at the top: every reader of a TTree (root inspect, root merge) imports this module without
// needing XXH3. The RNTuple writer awaits it at import, so every chunk worker loads it.
import { createRequire } from 'node:module';
import type { IHasher } from 'hash-wasm';

let hasher: IHasher | null = null;

/**
 * hash-wasm's file of this one algorithm (18 KB), required. Its package index (284 KB: every
 * algorithm's WebAssembly in base64), imported as ESM, also went through Node's scan of CommonJS
 * exports: ≈ 100 ms CPU per process against ≈ 16 ms (bench/README.md, session 22).
 */
const XXH3_FILE = 'hash-wasm/dist/xxhash3.umd.min.js';

export async function initXxh3(): Promise<void> {
  hasher ??= await (createRequire(import.meta.url)(XXH3_FILE) as Pick<typeof import('hash-wasm'), 'createXXHash3'>).createXXHash3();
}

/** XXH3-64 of `bytes` as a bigint. */
export function xxh3(bytes: Uint8Array): bigint {
  if (hasher === null) throw new Error('xxh3 not initialised (call initXxh3)');
  hasher.init();
  hasher.update(bytes);
  const d = hasher.digest('binary'); // canonical (big-endian) form
  return new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0, false);
}
