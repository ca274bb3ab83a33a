// Hashing a file's content (I/O): kept apart from hash.ts so that pure code (graph/) can hash
// strings without importing the file system. The digest is xxh64 (seed 0) as 16 hex digits, the
// same as hash.ts gives for the same bytes; the streaming hasher is hash-wasm's, which streams
// ≈ 1.5× faster than xxhash-wasm's create64 (bench/README.md, "Input hashing").
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IHasher } from 'hash-wasm';
import { hashBytes, initHash } from './hash.js';

const READ_BYTES = 1 << 20;

// Read buffers are reused: fresh zero-filled buffers per file made a cold plan of 50,000 small
// inputs allocate tens of GB (most of its time went to zeroing pages and collecting them).
const spare: Uint8Array[] = [];
const take = (): Uint8Array => spare.pop() ?? new Uint8Array(READ_BYTES);
const give = (...bs: Uint8Array[]): void => { for (const b of bs) if (spare.length < 8) spare.push(b); };
let syncBuf: Uint8Array | null = null;

/** Hashers not in use: several files may be streamed at once (each needs its own state). */
const idle: IHasher[] = [];

/** hash-wasm is loaded on the first file to hash (≈ 45 ms of CPU a no-op build does not spend). */
let create: Promise<typeof import('hash-wasm').createXXHash64> | null = null;

async function hasher(): Promise<IHasher> {
  create ??= import('hash-wasm').then((m) => m.createXXHash64);
  const h = idle.pop() ?? await (await create)(0, 0);
  h.init();
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
    return h.digest('hex');
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
    const buf = (syncBuf ??= new Uint8Array(4 * READ_BYTES)); // sync: one file at a time per thread
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    return h.digest('hex');
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
  small ??= new Uint8Array(SMALL_FILE_BYTES);
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === small.length) return null;
      const r = readSync(fd, small, n, small.length - n, null);
      if (r === 0) break;
      n += r;
    }
    const st = fstatSync(fd);
    return { hash: hashBytes(small.subarray(0, n)), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } finally {
    closeSync(fd);
  }
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
