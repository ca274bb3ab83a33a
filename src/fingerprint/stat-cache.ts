// One stat per path per process: validation (does the input exist?) and digests (is it unchanged?)
// both need it, and the no-op build of 10,000 inputs should stat each of them once.
import { statNumbers } from '../util/stat-numbers.js';

/** What is kept of a stat: a few numbers instead of a full Stats with its four Date objects
 *  (10,000 of those, kept for the whole planning, were a noticeable part of its GC time). */
export class FileStat {
  constructor(readonly size: number, readonly mtimeMs: number, readonly ino: number, private readonly file: boolean) {}
  isFile(): boolean {
    return this.file;
  }
}

const memo = new Map<string, FileStat | NodeJS.ErrnoException>();

/** The file's stat, or the error that stat raised (ENOENT…). */
export function statOnce(path: string): FileStat | NodeJS.ErrnoException {
  let r = memo.get(path);
  if (r !== undefined) return r;
  try {
    const st = statNumbers(path, true)!;
    r = new FileStat(st.size, st.mtimeMs, st.ino, st.isFile);
  } catch (err) {
    r = err as NodeJS.ErrnoException;
  }
  memo.set(path, r);
  return r;
}

/** Forget a path (after the build wrote or hashed it). */
export function forgetStat(path: string): void {
  memo.delete(path);
}
