// A remote file copied to a local path, for consumers that read every byte of a file through a
// descriptor (`heppy root merge` copies every basket anyway, so reading it whole costs nothing
// more). Streamed in 8 MB vector-read pieces; the copy is removed by the caller's cleanup.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openByteSource } from './open.js';

export async function stageRemote(url: string, dir: string, index: number): Promise<string> {
  const src = await openByteSource(url);
  const name = url.replace(/[?#].*$/, '').split('/').pop() || 'input.root';
  const path = join(dir, `${index}-${name}`);
  const fd = openSync(path, 'wx');
  try {
    const step = 8 << 20;
    for (let p = 0; p < src.size; p += step) {
      const b = await src.read(p, Math.min(step, src.size - p));
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
    }
  } finally {
    closeSync(fd);
    await src.close();
  }
  return path;
}
