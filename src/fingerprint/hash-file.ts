// Hashing a file's content (I/O): kept apart from hash.ts so that pure code (graph/) can hash
// strings without importing the file system. The digest is xxh64 (seed 0) as 16 hex digits, the
// same as hash.ts gives for the same bytes. The streaming hasher is @node-rs/xxhash's Xxh64
// (native, N-API): it hashes the read buffer where it is, with no copy into a wasm memory, at C
// speed (bench/README.md, "Input hashing"); where its binary does not load (a platform without a
// prebuilt one) or HEPPY_HASH_IMPL=wasm, hash-wasm's, which copies each 16 KiB into its memory.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hashBytes, hex, initHash } from './hash.js';
import { envHashImpl } from '../util/env.js';

/** Async reads: each one is a round trip through libuv's pool, so they are large. */
const READ_BYTES = 1 << 20;
/**
 * Sync reads (the hash threads): small enough that the buffer stays in the core's L2 cache
 * (2-2.5 MiB here) between the kernel's copy into it and the hash reading it: 4 MiB reads cost
 * ≈ 1.5× the user CPU of 256 KiB ones (bench/README.md, "Input hashing").
 */
const SYNC_READ_BYTES = 256 << 10;

// Read buffers are reused: fresh zero-filled buffers per file made a cold plan of 50,000 small
// inputs allocate tens of GB (most of its time went to zeroing pages and collecting them).
const spare: Uint8Array[] = [];
const take = (): Uint8Array => spare.pop() ?? new Uint8Array(READ_BYTES);
const give = (...bs: Uint8Array[]): void => { for (const b of bs) if (spare.length < 8) spare.push(b); };
let syncBuf: Uint8Array | null = null;

/** One xxh64 stream: reset, update with the bytes in order, digestHex. */
interface StreamHasher {
  reset(): void;
  update(b: Uint8Array): void;
  digestHex(): string;
}

export type HasherImpl = 'native' | 'wasm';

/** Hashers not in use: several files may be streamed at once (each needs its own state). */
const idle: StreamHasher[] = [];

/** Loaded on the first file to hash (a no-op build, which hashes nothing, never loads either). */
let make: Promise<{ impl: HasherImpl; create: () => Promise<StreamHasher> }> | null = null;

function loadNative(): () => Promise<StreamHasher> {
  const { Xxh64 } = createRequire(import.meta.url)('@node-rs/xxhash') as typeof import('@node-rs/xxhash');
  return async () => {
    const h = new Xxh64(0n);
    return { reset: () => h.reset(0n), update: (b) => void h.update(b), digestHex: () => hex(h.digest()) };
  };
}

async function loadWasm(): Promise<() => Promise<StreamHasher>> {
  const { createXXHash64 } = await import('hash-wasm');
  return async () => {
    const h = await createXXHash64(0, 0);
    return { reset: () => void h.init(), update: (b) => void h.update(b), digestHex: () => h.digest('hex') };
  };
}

function factory(): Promise<{ impl: HasherImpl; create: () => Promise<StreamHasher> }> {
  make ??= (async () => {
    if (envHashImpl() !== 'wasm') {
      try {
        return { impl: 'native' as const, create: loadNative() };
      } catch { /* no prebuilt binary for this platform: the portable one below */ }
    }
    return { impl: 'wasm' as const, create: await loadWasm() };
  })();
  return make;
}

/** Which streaming implementation hashes files in this process (benchmarks and tests report it). */
export async function hasherImpl(): Promise<HasherImpl> {
  return (await factory()).impl;
}

/** A hasher at its start (one given back after a failed read is reset here). */
async function hasher(): Promise<StreamHasher> {
  const h = idle.pop() ?? await (await factory()).create();
  h.reset();
  return h;
}

/** Streams a file through xxhash64 in 1 MiB reads; memory stays bounded for any file size. */
export async function hashFile(path: string): Promise<string> {
  const h = await hasher();
  const fh = await open(path, 'r');
  const buf = take();
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      h.update(bytesRead === READ_BYTES ? buf : buf.subarray(0, bytesRead));
    }
    return h.digestHex();
  } finally {
    give(buf);
    idle.push(h);
    await fh.close();
  }
}

/**
 * The same digest with synchronous reads, for the hash threads: a thread hashes one file at a
 * time, so it has nothing to overlap, and a sync read saves the hop through libuv's pool.
 */
export async function hashFileSync(path: string): Promise<string> {
  const h = await hasher();
  const fd = openSync(path, 'r');
  try {
    const buf = (syncBuf ??= new Uint8Array(SYNC_READ_BYTES)); // sync: one file at a time per thread
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    return h.digestHex();
  } finally {
    idle.push(h);
    closeSync(fd);
  }
}

/** Files below this size are hashed by hashSmallFile (the inputs of most chunked analyses are). */
export const SMALL_FILE_BYTES = READ_BYTES;

export interface HashedFile {
  hash: string;
  /** The file's stat once it was read (fstat of the open file: the caller compares it with the one before). */
  size: number;
  mtimeMs: number;
  ino: number;
}

let small: Uint8Array | null = null;

/**
 * A small file hashed in one synchronous read into a reused buffer (open, read, fstat, close: no
 * allocation, no event-loop round trip per file); null when it is not below SMALL_FILE_BYTES
 * (then it is streamed). Needs hash.ts's initHash() to have been awaited.
 */
export function hashSmallFile(path: string): HashedFile | null {
  const fd = openSync(path, 'r');
  try {
    const h = hashSmallFd(fd);
    if (h === null) return null;
    const st = fstatSync(fd);
    return { hash: h.hash, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } finally {
    closeSync(fd);
  }
}

/**
 * The digest of an open file read from its start, when it is below SMALL_FILE_BYTES (else null),
 * in the one shared buffer. The caller stats the descriptor after it (a write during the read
 * shows in its mtime or size). Needs initHash() to have been awaited.
 */
export function hashSmallFd(fd: number): { hash: string; size: number } | null {
  small ??= new Uint8Array(SMALL_FILE_BYTES);
  let n = 0;
  for (;;) {
    if (n === small.length) return null;
    const r = readSync(fd, small, n, small.length - n, n);
    if (r === 0) break;
    n += r;
  }
  return { hash: hashBytes(small.subarray(0, n)), size: n };
}

/**
 * hashFile with the number of bytes (the output cache records both): a small file in one read
 * (chunk outputs are mostly a few hundred bytes), a larger one streamed.
 */
export async function hashFileSized(path: string): Promise<{ size: number; hash: string }> {
  await initHash();
  const s = hashSmallFile(path);
  if (s !== null) return { size: s.size, hash: s.hash };
  const hash = await hashFile(path);
  return { size: statSync(path).size, hash };
}
