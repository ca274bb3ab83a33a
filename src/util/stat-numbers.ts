// The few numbers of a stat that planning compares (size, mtime, inode, kind) without Node's `Stats`:
// in Node 20 every `statSync` builds a Stats of 18 fields with four eager `Date`s, and a no-op build
// of 10,000 chunks stats ~62,000 paths (half the stat's CPU and most of planning's garbage).
// Node's own `fs.statSync` calls its fs binding and converts the binding's numbers; when this Node's
// statSync is exactly that call (read from its source) and gives the same numbers here, the binding
// is called the same way and the Stats is skipped. Any doubt (another Node, a wrapped or deprecated
// `process.binding`, a path Node would refuse) takes the public `statSync`.
import { lstatSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A stat's mtimeMs from its mtime in nanoseconds, as Node computes it (sec * 1e3 + nsec / 1e6): the
 * records compare it exactly, so a restored or kept file's reported mtime must be this, to the bit.
 */
export function msOfNs(ns: bigint): number {
  return Number(ns / 1_000_000_000n) * 1e3 + Number(ns % 1_000_000_000n) / 1e6;
}

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

/**
 * A file's stamp as the output cache records it: size, inode, mtime in ns and device (decimal
 * strings, as BigIntStats gives them), and whether it is a regular file. The cache stats every
 * file of an entry, and of a parked directory, at each restore (≈ 900 bigint stats for the demo):
 * a BigIntStats costs three times the binding's call.
 */
export interface StampNumbers {
  readonly size: number;
  readonly ino: string;
  readonly mtimeNs: string;
  readonly dev: string;
  readonly isFile: boolean;
}

type RawBigStat = (path: string, bigint: true, req: undefined, throwIfNoEntry: boolean) => BigInt64Array | BigUint64Array | undefined;

/** Node's statSync or lstatSync with bigint (the reference, and the way taken when the binding is not trusted). */
export function stampNumbersPublic(path: string, follow: boolean, throwIfNoEntry = false): StampNumbers | undefined {
  const st = follow ? statSync(path, { bigint: true, throwIfNoEntry }) : lstatSync(path, { bigint: true, throwIfNoEntry });
  return st === undefined ? undefined : { size: Number(st.size), ino: String(st.ino), mtimeNs: String(st.mtimeNs), dev: String(st.dev), isFile: st.isFile() };
}

// Same layout as fromRaw's; mtimeNs as Node's nsFromTimeSpecBigInt: seconds * 1e9 + nanoseconds.
function fromRawBig(a: BigInt64Array | BigUint64Array): StampNumbers {
  return { size: Number(a[8]!), ino: String(a[7]!), mtimeNs: String(a[12]! * 1_000_000_000n + a[13]!), dev: String(a[0]!),
    isFile: (Number(a[1]!) & S_IFMT) === S_IFREG };
}

/** The binding's stat and lstat with bigint, when statSync and lstatSync are provably those calls and agree; else null. */
function trustedBig(): { stat: RawBigStat; lstat: RawBigStat } | null {
  if (!statNumbersFast()) return null; // the binding itself is not trusted
  // lstatSync checks the permission model first: with it enabled, the public call only.
  if ((process as unknown as { permission?: unknown }).permission !== undefined) return null;
  const call = /binding\.lstat\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.bigint,\s*undefined,\s*options\.throwIfNoEntry,?\s*\)/;
  if (!call.test(lstatSync.toString())) return null;
  const fs = (process as unknown as { binding: (name: string) => { stat?: unknown; lstat?: unknown } }).binding('fs');
  if (typeof fs.stat !== 'function' || typeof fs.lstat !== 'function') return null;
  const big = { stat: (fs.stat as RawBigStat).bind(fs), lstat: (fs.lstat as RawBigStat).bind(fs) };
  try {
    const self = fileURLToPath(import.meta.url);
    for (const follow of [true, false]) {
      const a = (follow ? big.stat : big.lstat)(self, true, undefined, false);
      const b = stampNumbersPublic(self, follow);
      if (!(a instanceof BigInt64Array || a instanceof BigUint64Array) || b === undefined) return null;
      const n = fromRawBig(a);
      if (n.size !== b.size || n.ino !== b.ino || n.mtimeNs !== b.mtimeNs || n.dev !== b.dev || n.isFile !== b.isFile) return null;
      if ((follow ? big.stat : big.lstat)(self + '.heppy-absent\u2009', true, undefined, false) !== undefined) return null;
    }
  } catch {
    return null;
  }
  return big;
}

let rawBig: ReturnType<typeof trustedBig> | undefined;

/** Whether stampNumbers skips Node's BigIntStats in this process (for tests and benchmarks). */
export function stampNumbersFast(): boolean {
  if (rawBig === undefined) rawBig = trustedBig();
  return rawBig !== null;
}

/**
 * The stamp of `path` as `fs.statSync` (`follow`) or `fs.lstatSync` with `{ bigint: true, throwIfNoEntry }`
 * gives it: undefined when it does not exist and throwIfNoEntry is false; other errors thrown as Node throws them.
 */
export function stampNumbers(path: string, follow: boolean, throwIfNoEntry = false): StampNumbers | undefined {
  if (rawBig === undefined) rawBig = trustedBig();
  if (rawBig === null || path.includes('\0')) return stampNumbersPublic(path, follow, throwIfNoEntry);
  const a = (follow ? rawBig.stat : rawBig.lstat)(path, true, undefined, throwIfNoEntry);
  return a === undefined ? undefined : fromRawBig(a);
}
