// One stat per path per process: validation (does the input exist?) and digests (is it unchanged?)
// both need it, and the no-op build of 10,000 inputs should stat each of them once.
import { statSync } from 'node:fs';

/** What is kept of a stat: a few numbers instead of a full Stats with its four Date objects
 *  (10,000 of those, kept for the whole planning, were a noticeable part of its GC time). */
export class FileStat {
  constructor(readonly size: number, readonly mtimeMs: number, readonly ino: number, private readonly file: boolean) {}
  isFile(): boolean {
    return this.file;
  }
}

const memo = new Map<string, FileStat | NodeJS.ErrnoException>();

/**
 * Stats taken by another thread for this process (engine/output-early.ts: the inputs of the last
 * build, stat-ed while the heppyfile loads). Path i's stat is `nums[4i..4i+3]` = size, mtimeMs,
 * ino, 1 for a regular file (else 0). `ready[i]` says who has it: FREE, AHEAD (being stat-ed by the
 * other thread), HERE (taken by this thread, which stats it itself), DONE (the numbers are valid),
 * FAILED (stat failed: taken again here for its error). Each path is claimed by one thread with a
 * compare-and-swap, and the two threads walk the paths from opposite ends, so that no path is
 * stat-ed twice however early or late the other thread starts.
 */
export interface StatsAhead {
  paths: readonly string[];
  nums: Float64Array;
  ready: Int32Array;
}

const FREE = 0, DONE = 1, FAILED = 2, AHEAD = 3, HERE = 4;

/** Writes path i's stat into `ahead` unless the reading thread claimed it first (the thread that stats ahead). */
export function statAhead(ahead: StatsAhead, i: number): void {
  if (Atomics.compareExchange(ahead.ready, i, FREE, AHEAD) !== FREE) return;
  let st;
  try {
    st = statSync(ahead.paths[i]!, { throwIfNoEntry: false });
  } catch {
    st = undefined;   // EACCES, ENOTDIR…: the reader stats it again for its error
  }
  if (st !== undefined) {
    ahead.nums[4 * i] = st.size;
    ahead.nums[4 * i + 1] = st.mtimeMs;
    ahead.nums[4 * i + 2] = st.ino;
    ahead.nums[4 * i + 3] = st.isFile() ? 1 : 0;
  }
  Atomics.store(ahead.ready, i, st === undefined ? FAILED : DONE);   // after the numbers: the reader sees them
}

let ahead: { index: Map<string, number>; stats: StatsAhead } | null = null;

/** Uses stats taken ahead by another thread; a path not (yet) stat-ed there is stat-ed here. */
export function useStatsAhead(stats: StatsAhead): void {
  const index = new Map<string, number>();
  for (let i = 0; i < stats.paths.length; i++) index.set(stats.paths[i]!, i);
  ahead = { index, stats };
}

/** Stops using them (after planning: their index is not kept for the rest of the build). */
export function endStatsAhead(): void {
  ahead = null;
}

/** Path's stat taken by the other thread, or undefined after claiming it for this one (or it failed there). */
function fromAhead(path: string): FileStat | undefined {
  const i = ahead?.index.get(path);
  if (i === undefined || Atomics.compareExchange(ahead!.stats.ready, i, FREE, HERE) !== DONE) return undefined;
  const n = ahead!.stats.nums;
  return new FileStat(n[4 * i]!, n[4 * i + 1]!, n[4 * i + 2]!, n[4 * i + 3] === 1);
}

/** The file's stat, or the error that stat raised (ENOENT…). */
export function statOnce(path: string): FileStat | NodeJS.ErrnoException {
  let r = memo.get(path);
  if (r !== undefined) return r;
  r = fromAhead(path);
  if (r === undefined) {
    try {
      const st = statSync(path);
      r = new FileStat(st.size, st.mtimeMs, st.ino, st.isFile());
    } catch (err) {
      r = err as NodeJS.ErrnoException;
    }
  }
  memo.set(path, r);
  return r;
}

/** Forget a path (after the build wrote or hashed it). */
export function forgetStat(path: string): void {
  memo.delete(path);
  ahead?.index.delete(path);
}
