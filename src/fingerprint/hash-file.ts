// Hashing a file's content (I/O): kept apart from hash.ts so that pure code (graph/) can hash
// strings without importing the file system. The digest is xxh64 (seed 0) as 16 hex digits, the
// same as hash.ts gives for the same bytes; the streaming hasher is hash-wasm's, which streams
// ≈ 1.5× faster than xxhash-wasm's create64 (bench/README.md, "Input hashing").
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createXXHash64, type IHasher } from 'hash-wasm';

const READ_BYTES = 1 << 20;

/** Hashers not in use: several files may be streamed at once (each needs its own state). */
const idle: IHasher[] = [];

async function hasher(): Promise<IHasher> {
  const h = idle.pop() ?? await createXXHash64(0, 0);
  h.init();
  return h;
}

/**
 * Streams a file through xxhash64 in 1 MiB reads; memory stays bounded for any file size. The next
 * read is in flight while the current buffer is hashed (two buffers), so reading and hashing
 * overlap on two cores.
 */
export async function hashFile(path: string): Promise<string> {
  const h = await hasher();
  const fh = await open(path, 'r');
  try {
    let cur = new Uint8Array(READ_BYTES), next = new Uint8Array(READ_BYTES);
    let n = (await fh.read(cur, 0, READ_BYTES, null)).bytesRead;
    while (n > 0) {
      const pending = n === READ_BYTES ? fh.read(next, 0, READ_BYTES, null) : null;
      h.update(n === READ_BYTES ? cur : cur.subarray(0, n));
      n = pending === null ? 0 : (await pending).bytesRead;
      [cur, next] = [next, cur];
    }
    return h.digest('hex');
  } finally {
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
    const buf = new Uint8Array(4 * READ_BYTES);
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
