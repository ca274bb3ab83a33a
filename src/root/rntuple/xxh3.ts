// XXH3-64, the checksum of RNTuple anchors, envelopes and pages (hash-wasm's WebAssembly
// implementation: xxhash-wasm, which heppy uses for XXH64, has no XXH3). Loaded once; the
// reader and writer await initXxh3() before the synchronous calls. hash-wasm is imported there,
// not at the top: its one CommonJS file costs ~50 ms CPU to load, and every reader of a TTree
// (root inspect, root merge, each chunk worker) imports this module without needing XXH3.
import type { IHasher } from 'hash-wasm';

let hasher: IHasher | null = null;

export async function initXxh3(): Promise<void> {
  hasher ??= await (await import('hash-wasm')).createXXHash3();
}

/** XXH3-64 of `bytes` as a bigint. */
export function xxh3(bytes: Uint8Array): bigint {
  if (hasher === null) throw new Error('xxh3 not initialised (call initXxh3)');
  hasher.init();
  hasher.update(bytes);
  const d = hasher.digest('binary'); // canonical (big-endian) form
  return new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0, false);
}
