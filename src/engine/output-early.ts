// The early output check: the output-check thread reads the last build's snapshot and stats its
// recorded outputs while the main thread is still loading the heppyfile (the Outdir, and so the
// snapshot to use, is only known once it is loaded: the thread takes the snapshot written last).
// The stats are then older than the Outdir lock, so they stand for stats taken under it only when
// no other heppy process can have changed an output in between. Every heppy command that changes
// an Outdir holds its lock, and every acquisition and release creates and removes files in
// `Outdir/.heppy`. So the guard, taken before the first output is stat-ed, is: no lock file, and
// the stamp (inode, mtime and ctime in ns) of `Outdir/.heppy`; the main thread compares the stamp
// again just before it takes the lock itself. A stamp less than RACY_MS old is not trusted (a
// change within the same clock tick could leave it equal). A commit to the store in between is
// caught anyway: the snapshot is trusted only for the store's state (snapshot.ts). Batch jobs
// write their chunk directories without the lock: while the snapshot's journal lists any (a build
// --detach, or one interrupted while they run), there is no guard. What remains
// open is a whole lock acquisition, change and release by another process between that last
// comparison and this process's own lock (two system calls apart).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dirOfNodeId } from '../graph/dag.js';
import { RecordHeads } from '../store/heads.js';
import { lockPath } from '../store/lock.js';
import { journaledJobs, loadSnapshotFile, newestSnapshotPath, type SnapshotFile } from '../store/snapshot-file.js';
import { makeJob, type OutputJob } from './outputs.js';

/** `Outdir/.heppy` as stat saw it (bigint fields as decimal strings: posted between threads). */
export interface HeppyDirStamp {
  ino: string;
  mtimeNs: string;
  ctimeNs: string;
}

/** Below this age (ms) a stamp may not change visibly on the next change (coarse kernel clock). */
export const RACY_MS = 100;

export function heppyDirStamp(outdir: string): HeppyDirStamp | null {
  try {
    const st = statSync(join(outdir, '.heppy'), { bigint: true, throwIfNoEntry: false });
    return st === undefined ? null : { ino: String(st.ino), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs) };
  } catch {
    return null;   // ENOTDIR, EACCES: no stamp, no early stats
  }
}

const sameStamp = (a: HeppyDirStamp, b: HeppyDirStamp): boolean => a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

/**
 * The guard of early stats: the stamp of `Outdir/.heppy` when no lock was held and the stamp was
 * not racy at `now` (ms), else null (the early stats can never stand).
 */
export function earlyGuard(outdir: string, now = Date.now()): HeppyDirStamp | null {
  const stamp = heppyDirStamp(outdir);
  if (stamp === null || existsSync(lockPath(outdir))) return null;
  const newest = Number((BigInt(stamp.mtimeNs) > BigInt(stamp.ctimeNs) ? BigInt(stamp.mtimeNs) : BigInt(stamp.ctimeNs)) / 1_000_000n);
  return now - newest > RACY_MS ? stamp : null;
}

/** Whether `Outdir/.heppy` is as the guard saw it (call just before taking the lock). */
export function guardHolds(outdir: string, guard: HeppyDirStamp | null): boolean {
  if (guard === null) return false;
  const now = heppyDirStamp(outdir);
  return now !== null && sameStamp(now, guard);
}

/**
 * The thread's first answer, posted as soon as the snapshot is read (before its job over the
 * outputs is made: the main thread needs only the file, which it trusts itself: snapshot.ts).
 * (The last build's inputs are not stat-ed ahead here: the answer reaches the main thread after its
 * validation has stat-ed every input, so such stats were never used; bench/README, session 18.)
 */
export interface EarlyStart {
  file: SnapshotFile;
  guard: HeppyDirStamp | null;
}

/** Messages to the output-check thread. */
export type WorkerRequest = { kind: 'job'; job: OutputJob } | { kind: 'early'; cacheDir: string; heppyVersion: string };

/**
 * Its answers: for an early check, first its start (or null: no usable snapshot), then the job over
 * the snapshot's outputs (none when its columns are damaged), then done.
 */
export type WorkerReply = { kind: 'early'; start: EarlyStart | null } | { kind: 'job'; job: OutputJob } | { kind: 'done' };

/** The early check's start over the newest snapshot of `cacheDir` (run in the output-check thread). */
export function earlyStart(cacheDir: string, heppyVersion: string): EarlyStart | null {
  const path = newestSnapshotPath(cacheDir);
  const file = path === null ? null : loadSnapshotFile(path, heppyVersion);
  if (file === null) return null;
  // Taken before the first output is stat-ed; none while a batch job may still write a chunk directory.
  const guard = journaledJobs(file) > 0 ? null : earlyGuard(file.outdir);
  return { file, guard };
}

/** The job over every ok record's outputs in the snapshot, or null when its columns do not fit together. */
export function earlyOutputJob(file: SnapshotFile): OutputJob | null {
  let heads: RecordHeads;
  try {
    heads = RecordHeads.fromColumns(file.heads);
  } catch {
    return null;
  }
  return makeJob(heads, (id) => `${file.outdir}/${dirOfNodeId(id)}`);
}
