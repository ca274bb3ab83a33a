// Appends whole files to a file being written, at a given position, with the copy kept in the
// kernel where it can be: Node 20 has no ranged copy_file_range/sendfile (fs.copyFile only
// creates a whole new file), so GNU `cat` (coreutils ≥ 9: copy_file_range between regular files,
// as `cp` does) writes them through a descriptor whose file offset is set to the position. If
// `cat` is missing or fails, the bytes are copied through user space instead (1 MiB buffer):
// slower, same result. The result is checked by size: nothing short goes unnoticed.
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** Why an append failed: the file named is the one that could not be read or written. */
export class AppendError extends Error {
  constructor(readonly file: string, message: string) { super(message); }
}

const CHUNK = 1024 * 1024;

/** Moves fd's file offset to `at` (Node has no lseek): reads what is there, then writes zeros up to `at`. */
function seekTo(fd: number, at: number): void {
  const size = fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, at)));
  let pos = 0;
  while (pos < Math.min(size, at)) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, Math.min(size, at) - pos), null);
    if (n <= 0) throw new Error(`short read at ${pos}`);
    pos += n;
  }
  buf.fill(0);
  while (pos < at) pos += writeSync(fd, buf, 0, Math.min(buf.length, at - pos), null);
}

function copyThroughUserSpace(dest: string, fd: number, at: number, paths: readonly string[], sizes: readonly number[]): void {
  const buf = Buffer.allocUnsafe(CHUNK);
  let out = at;
  paths.forEach((p, i) => {
    let src: number;
    try { src = openSync(p, 'r'); } catch (e) { throw new AppendError(p, `cannot open: ${(e as Error).message}`); }
    try {
      for (let pos = 0; pos < sizes[i]!;) {
        const n = readSync(src, buf, 0, Math.min(CHUNK, sizes[i]! - pos), pos);
        if (n <= 0) throw new AppendError(p, `short read at ${pos} (the file shrank while being merged?)`);
        let w = 0;
        try { while (w < n) w += writeSync(fd, buf, w, n - w, out + w); } catch (e) { throw new AppendError(dest, `write failed at byte ${out + w}: ${(e as Error).message}`); }
        pos += n; out += n;
      }
    } finally { closeSync(src); }
  });
}

/**
 * Writes the files `paths` (of `sizes` bytes, as stat'ed by the caller) one after the other into
 * `dest` from byte `at`; bytes of `dest` before `at` are left as they are (zeros where the file was
 * shorter). Returns whether the kernel copy was used. Throws AppendError.
 */
export function appendFiles(dest: string, at: number, paths: readonly string[], sizes: readonly number[]): boolean {
  const total = sizes.reduce((s, n) => s + n, 0);
  let fd: number;
  try { fd = openSync(dest, 'r+'); } catch (e) { throw new AppendError(dest, `cannot open for appending: ${(e as Error).message}`); }
  try {
    const before = fstatSync(fd).size;
    if (before > at) throw new AppendError(dest, `has ${before} bytes, more than the position ${at} to append at`);
    let kernel = false;
    if (process.platform === 'linux' && total > 0) {
      try { seekTo(fd, at); } catch (e) { throw new AppendError(dest, `cannot position at ${at}: ${(e as Error).message}`); }
      const r = spawnSync('cat', ['--', ...paths], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      kernel = r.error === undefined && r.status === 0 && fstatSync(fd).size === at + total;
    }
    if (!kernel) copyThroughUserSpace(dest, fd, at, paths, sizes);
    const after = fstatSync(fd).size;
    if (after !== at + total) throw new AppendError(dest, `has ${after} bytes after appending ${total} at ${at} (an input changed size while being merged?)`);
    return kernel;
  } finally { closeSync(fd); }
}
