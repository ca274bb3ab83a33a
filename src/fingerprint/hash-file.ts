// Hashing a file's content (I/O): kept apart from hash.ts so that pure code (graph/) can hash
// strings without importing the file system.
import { open } from 'node:fs/promises';
import { hex, initHash } from './hash.js';

/** Streams a file through xxhash64 in 1 MiB reads; memory stays bounded for any file size. */
export async function hashFile(path: string): Promise<string> {
  const h = (await initHash()).create64();
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hex(h.digest());
}
