// xxhash64 (xxhash-wasm) as 16-hex-digit strings. The wasm module is instantiated once per process.
import xxhash, { type XXHashAPI } from 'xxhash-wasm';

let api: XXHashAPI | null = null;

/** Must be awaited once before hashString/hashBytes are used. */
export async function initHash(): Promise<XXHashAPI> {
  if (api === null) api = await xxhash();
  return api;
}

function need(): XXHashAPI {
  if (api === null) throw new Error('initHash() was not awaited before hashing');
  return api;
}

export const hex = (v: bigint): string => v.toString(16).padStart(16, '0');

export function hashString(s: string): string {
  return hex(need().h64(s));
}

export function hashBytes(b: Uint8Array): string {
  return hex(need().h64Raw(b));
}

/** Hashes a list of strings unambiguously (each is length-prefixed). */
export function hashParts(parts: readonly string[]): string {
  // One string, one wasm call: thousands of small update() calls cost more than the copy.
  let s = '';
  for (const p of parts) s += `${p.length}:${p}`;
  return hex(need().h64(s));
}

