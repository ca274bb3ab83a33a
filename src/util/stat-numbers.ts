// The few numbers of a stat that planning compares (size, mtime, inode, kind) without Node's `Stats`:
// in Node 20 every `statSync` builds a Stats of 18 fields with four eager `Date`s, and a no-op build
// of 10,000 chunks stats ~62,000 paths (half the stat's CPU and most of planning's garbage).
// Node's own `fs.statSync` calls its fs binding and converts the binding's numbers; when this Node's
// statSync is exactly that call (read from its source) and gives the same numbers here, the binding
// is called the same way and the Stats is skipped. Any doubt (another Node, a wrapped or deprecated
// `process.binding`, a path Node would refuse) takes the public `statSync`.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What planning reads of a stat. */
export interface StatNumbers {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** A regular file (after following symbolic links, as stat does). */
  readonly isFile: boolean;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

type RawStat = (path: string, bigint: false, req: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;

/** Node's statSync, the reference (and the way taken when the binding is not trusted). */
export function statNumbersPublic(path: string, throwIfNoEntry = false): StatNumbers | undefined {
  const st = statSync(path, { throwIfNoEntry });
  return st === undefined ? undefined : { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, isFile: st.isFile() };
}

// The layout of the binding's Float64Array (lib/internal/fs/utils.js getStatsFromBinding):
// dev mode nlink uid gid rdev blksize ino size blocks, then seconds and nanoseconds of atime, mtime…
function fromRaw(a: Float64Array): StatNumbers {
  // msFromTimeSpec: the same arithmetic as Node's, so that mtimeMs compares equal to a recorded one.
  return { size: a[8]!, mtimeMs: a[12]! * 1e3 + a[13]! / 1e6, ino: a[7]!, isFile: (a[1]! & S_IFMT) === S_IFREG };
}

/** This Node's fs binding stat, when statSync is provably the same call; otherwise null. */
function trustedRaw(): RawStat | null {
  const proc = process as unknown as { binding?: ((name: string) => unknown) & { name: string } };
  // Under --pending-deprecation process.binding is wrapped (named 'deprecated') and would warn.
  if (typeof proc.binding !== 'function' || proc.binding.name !== 'binding') return null;
  const call = /binding\.stat\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.bigint,\s*undefined,\s*options\.throwIfNoEntry,?\s*\)/;
  if (!call.test(statSync.toString())) return null;
  let fs: { stat?: unknown };
  try {
    fs = proc.binding('fs') as { stat?: unknown };
  } catch {
    return null;
  }
  if (typeof fs?.stat !== 'function') return null;
  const raw = (fs.stat as RawStat).bind(fs);
  // The same answers as statSync on a file that exists (this module) and on one that does not.
  try {
    const self = fileURLToPath(import.meta.url);
    const a = raw(self, false, undefined, false);
    const b = statNumbersPublic(self);
    if (!(a instanceof Float64Array) || b === undefined) return null;
    const n = fromRaw(a);
    if (n.size !== b.size || n.mtimeMs !== b.mtimeMs || n.ino !== b.ino || n.isFile !== b.isFile) return null;
    if (raw(self + '.heppy-absent\u2009', false, undefined, false) !== undefined) return null;
  } catch {
    return null;
  }
  return raw;
}

let raw: RawStat | null | undefined;

/** Whether statNumbers skips Node's Stats in this process (for tests and benchmarks). */
export function statNumbersFast(): boolean {
  if (raw === undefined) raw = trustedRaw();
  return raw !== null;
}

/**
 * size, mtimeMs, ino and kind of `path` as `fs.statSync(path, { throwIfNoEntry })` gives them: undefined
 * when it does not exist and throwIfNoEntry is false; every other error thrown as statSync throws it.
 */
export function statNumbers(path: string, throwIfNoEntry = false): StatNumbers | undefined {
  if (raw === undefined) raw = trustedRaw();
  // A NUL in the path: statSync's own validation (ERR_INVALID_ARG_VALUE), which the binding skips.
  if (raw === null || path.includes('\0')) return statNumbersPublic(path, throwIfNoEntry);
  const a = raw(path, false, undefined, throwIfNoEntry);
  return a === undefined ? undefined : fromRaw(a);
}
