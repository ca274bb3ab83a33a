// Appends whole files to a file being written, at a given position, with the copy kept in the
// kernel where it can be: Node 20 has no ranged copy_file_range/sendfile (fs.copyFile only
// creates a whole new file), so GNU `cat` (coreutils ≥ 9: copy_file_range between regular files,
// as `cp` does) writes them through a descriptor whose file offset is set to the position. If
// `cat` is missing or fails, the bytes are copied through user space instead (1 MiB buffer):
// slower, same result. The result is checked by size: nothing short goes unnoticed.
import { childProcessModule } from '../../util/lazy-node.js';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';

/** Why an append failed: the file named is the one that could not be read or written. */
export class AppendError extends Error {
  /** `cause`: the system error under it (a write's ENOSPC): a full disk stays one (util/environment-error). */
  constructor(readonly file: string, message: string, cause?: unknown) { super(message, cause === undefined ? undefined : { cause }); }
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
        try { while (w < n) w += writeSync(fd, buf, w, n - w, out + w); } catch (e) { throw new AppendError(dest, `write failed at byte ${out + w}: ${(e as Error).message}`, e); }
        pos += n; out += n;
      }
    } finally { closeSync(src); }
  });
}

/** The file offset of an open descriptor (Linux: /proc/self/fdinfo), or null where it cannot be read. */
function offsetOf(fd: number): number | null {
  try {
    const m = /^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return m === null ? null : Number(m[1]);
  } catch { return null; }
}

/** Runs `cat paths… >&fd`; resolves whether it exited cleanly having written exactly `total` bytes. */
function catInto(fd: number, paths: readonly string[], total: number, at: number): Promise<boolean> {
  return new Promise((resolve) => {
    let child;
    try { child = childProcessModule().spawn('cat', ['--', ...paths], { stdio: ['ignore', fd, 'ignore'] }); } catch { resolve(false); return; }
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      if (code !== 0) { resolve(false); return; }
      const pos = offsetOf(fd);
      resolve(pos === null ? fstatSync(fd).size >= at + total : pos === at + total);
    });
  });
}

/**
 * A copy of whole files under way (startAppend): `done` resolves whether the kernel copy did it
 * (false: through user space) or rejects with AppendError; `copiedTo()` is the position up to
 * which the bytes are already in place, so that the caller may patch the first files while the
 * later ones are still being copied.
 */
export interface AppendJob {
  readonly done: Promise<boolean>;
  copiedTo(): number;
}

/**
 * Writes the files `paths` (of `sizes` bytes, as stat'ed by the caller) one after the other into
 * `dest` from byte `at`; bytes of `dest` before `at` are left as they are (zeros where the file was
 * shorter). The caller may write to `dest` beyond `at + Σ sizes` meanwhile (the kernel copy runs
 * in another process), and below `copiedTo()`: `cat` copies one file after the other through a
 * descriptor whose file offset is the progress. If `cat` fails midway, the user-space copy writes
 * every file again: `done` then resolves false and what the caller wrote below it is lost (to be
 * written again).
 */
export function startAppend(dest: string, at: number, paths: readonly string[], sizes: readonly number[]): AppendJob {
  const total = sizes.reduce((s, n) => s + n, 0);
  let fd: number;
  try { fd = openSync(dest, 'r+'); } catch (e) { return failed(new AppendError(dest, `cannot open for appending: ${(e as Error).message}`), at); }
  // While `cat` runs, its output offset (shared with fd: one open file description) is the progress; after, all or nothing.
  let state: 'copying' | 'done' | 'failed' = 'copying';
  const done = (async (): Promise<boolean> => {
    try {
      const before = fstatSync(fd).size;
      if (before > at) throw new AppendError(dest, `has ${before} bytes, more than the position ${at} to append at`);
      let kernel = false;
      if (process.platform === 'linux' && total > 0) {
        try { seekTo(fd, at); } catch (e) { throw new AppendError(dest, `cannot position at ${at}: ${(e as Error).message}`); }
        kernel = await catInto(fd, paths, total, at);
      }
      if (!kernel) { state = 'failed'; copyThroughUserSpace(dest, fd, at, paths, sizes); }
      // Each input must still have the size it was planned with (a file changed during the merge would shift every later one).
      paths.forEach((p, i) => {
        let now: number;
        try { now = statSync(p).size; } catch (e) { throw new AppendError(p, `cannot stat: ${(e as Error).message}`); }
        if (now !== sizes[i]) throw new AppendError(p, `changed size while being merged (${sizes[i]} -> ${now} bytes)`);
      });
      const after = fstatSync(fd).size;
      if (after < at + total) throw new AppendError(dest, `has ${after} bytes after appending ${total} at ${at} (an input changed size while being merged?)`);
      state = 'done';
      return kernel;
    } catch (e) {
      state = 'failed';
      throw e;
    } finally { closeSync(fd); }
  })();
  return {
    done,
    copiedTo: () => {
      if (state === 'done') return at + total;
      if (state === 'failed') return at;
      const pos = offsetOf(fd);
      // Before seekTo has run the offset is 0: nothing of ours is in place yet.
      return pos === null || pos < at ? at : Math.min(pos, at + total);
    },
  };
}

function failed(e: AppendError, at: number): AppendJob {
  const done = Promise.reject(e);
  return { done, copiedTo: () => at };
}

/** startAppend, waiting for the copy: resolves whether the kernel copy was used; rejects with AppendError. */
export async function appendFiles(dest: string, at: number, paths: readonly string[], sizes: readonly number[]): Promise<boolean> {
  return startAppend(dest, at, paths, sizes).done;
}
