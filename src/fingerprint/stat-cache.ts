// One stat per path per process: validation (does the input exist?) and digests (is it unchanged?)
// both need it, and the no-op build of 10,000 inputs should stat each of them once.
import { statSync, type Stats } from 'node:fs';

const memo = new Map<string, Stats | NodeJS.ErrnoException>();

/** The file's Stats, or the error that stat raised (ENOENT…). */
export function statOnce(path: string): Stats | NodeJS.ErrnoException {
  let r = memo.get(path);
  if (r === undefined) {
    try {
      r = statSync(path);
    } catch (err) {
      r = err as NodeJS.ErrnoException;
    }
    memo.set(path, r);
  }
  return r;
}

/** Forget a path (after the build wrote or hashed it). */
export function forgetStat(path: string): void {
  memo.delete(path);
}
