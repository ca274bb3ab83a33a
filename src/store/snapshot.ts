// The no-op snapshot of one Outdir's store: written by a build when it ends (lock held, store
// closed), it holds the heads of every task record (heads.ts) and the values the build read by
// key (the input digest set, the schema entries, the plan head). The next build answers those
// reads from it without loading or opening LMDB (the whole store part of a no-op build).
//
// It is trusted only while the store is exactly as it was when the snapshot was written: its
// state, the (size, mtime, inode) of data.mdb and a digest of the file's first two pages (the
// meta pages, whose transaction id every commit increases), must be the state recorded in it. Any
// commit since (a build killed after committing records and before writing its snapshot, another
// heppy version, check --resubmit, clean, cancel, another Outdir sharing the store), a store moved
// aside or replaced, changes that state, and the snapshot is then ignored (the records are read
// from LMDB as before). A snapshot of another heppy version, format or Outdir is ignored too.
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashBytes, hashString } from '../fingerprint/hash.js';
import { RecordHeads } from './heads.js';
import { FORMAT, loadSnapshotFile, SNAPSHOT_DIR, type SnapshotFile } from './snapshot-file.js';
import { DATA_FILE } from './open.js';

export interface Snapshot {
  state: string;
  values: Map<string, unknown>;
  heads: RecordHeads;
  /** See SnapshotFile.keyContext (null: none recorded). */
  keyContext: string | null;
}

/** Where the snapshot of `outdir` is kept (needs initHash()). */
export function snapshotPath(cacheDir: string, outdir: string): string {
  return join(cacheDir, SNAPSHOT_DIR, `${hashString(outdir)}.json`);
}

/**
 * The store's state now (needs initHash()): data.mdb's size, mtime, inode and a digest of its two
 * meta pages; null when there is no data file.
 */
export function storeState(cacheDir: string): string | null {
  const file = join(cacheDir, DATA_FILE);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const st = statSync(file);
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    // The page size is recorded in the meta (page 0); an impossible one: the first 4 KiB only.
    const psize = n >= 52 ? head.readUInt32LE(48) : 0;
    const ok = psize >= 512 && psize <= 65536 && (psize & (psize - 1)) === 0;
    const pages = Buffer.alloc(ok ? 2 * psize : n);
    const m = readSync(fd, pages, 0, pages.length, 0);
    return `${st.size} ${st.mtimeMs} ${st.ino} ${m} ${hashBytes(pages.subarray(0, m))}`;
  } finally {
    closeSync(fd);
  }
}

/** The snapshot in `f` when it is the one of `outdir` and was written for the store as it is now. */
export function trustSnapshot(f: SnapshotFile, cacheDir: string, outdir: string): Snapshot | null {
  if (f.outdir !== outdir) return null;
  const state = storeState(cacheDir);
  if (state === null || f.state !== state || !Array.isArray(f.values)) return null;
  try {
    return { state, values: new Map(f.values), heads: RecordHeads.fromColumns(f.heads), keyContext: typeof f.keyContext === 'string' ? f.keyContext : null };
  } catch {
    return null;
  }
}

/** The snapshot of `outdir`, when it was written by this heppy version for the store as it is now. */
export function readSnapshot(cacheDir: string, outdir: string, heppyVersion: string): Snapshot | null {
  const f = loadSnapshotFile(snapshotPath(cacheDir, outdir), heppyVersion);
  return f === null ? null : trustSnapshot(f, cacheDir, outdir);
}

/**
 * Writes the snapshot of `outdir` for the store's state now. Call it with the Outdir lock held,
 * after the store was closed, with the records and values read after its last commit; `keyContext`
 * only when every chunk of the plan made with that context has its planned key in `heads`.
 */
export function writeSnapshot(cacheDir: string, outdir: string, heppyVersion: string, heads: RecordHeads, values: Map<string, unknown>,
  keyContext: string | null = null): void {
  const state = storeState(cacheDir);
  if (state === null) return;
  const f: SnapshotFile = { format: FORMAT, heppyVersion, outdir, state, values: [...values], heads: heads.toColumns(), ...(keyContext !== null ? { keyContext } : {}) };
  const path = snapshotPath(cacheDir, outdir);
  mkdirSync(join(cacheDir, SNAPSHOT_DIR), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(f));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
