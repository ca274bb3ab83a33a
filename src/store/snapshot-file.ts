// The no-op snapshot's file (snapshot.ts says when it is trusted): its format, and reading it
// without the store or the hash, as the early output check's thread does before the heppyfile
// (and so the Outdir) is known.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadColumns } from './heads.js';

export const FORMAT = 1;
export const SNAPSHOT_DIR = 'snapshots';

/** A snapshot file as written; trusted only once trustSnapshot() has checked it against the store. */
export interface SnapshotFile {
  format: number;
  heppyVersion: string;
  outdir: string;
  state: string;
  values: Array<[string, unknown]>;
  heads: HeadColumns;
  /**
   * The key context (graph/keys.ts keyContext) of the plan whose every chunk key is its record's
   * key in `heads`: a build that computes the same context takes the chunk keys from the heads
   * instead of hashing them again. Absent: keys computed.
   */
  keyContext?: string;
}

/** The parsed snapshot file at `path` when it is of this format and heppy version, else null. */
export function loadSnapshotFile(path: string, heppyVersion: string): SnapshotFile | null {
  let f: SnapshotFile;
  try {
    f = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile;
  } catch {
    return null;
  }
  if (typeof f !== 'object' || f === null || f.format !== FORMAT || f.heppyVersion !== heppyVersion || typeof f.outdir !== 'string') return null;
  return f;
}

/**
 * How many batch jobs the snapshot's build left in the Outdir's journal (Store.readValues keeps it
 * under `job:<outdir>|`): such a job may still replace its chunk directory, without the lock.
 */
export function journaledJobs(f: SnapshotFile): number {
  const key = `job:${f.outdir}|`;
  const entry = Array.isArray(f.values) ? f.values.find((v) => Array.isArray(v) && v[0] === key) : undefined;
  return entry !== undefined && Array.isArray(entry[1]) ? entry[1].length : 0;
}

/**
 * The snapshot file written last under `cacheDir` (found without knowing the Outdir, which only the
 * heppyfile tells: the early output check starts before it is loaded), or null.
 */
export function newestSnapshotPath(cacheDir: string): string | null {
  const dir = join(cacheDir, SNAPSHOT_DIR);
  let best: string | null = null;
  let bestMs = -Infinity;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const st = statSync(join(dir, n), { throwIfNoEntry: false });
    if (st !== undefined && st.mtimeMs > bestMs) {
      best = join(dir, n);
      bestMs = st.mtimeMs;
    }
  }
  return best;
}

