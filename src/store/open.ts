// Opening the store so that a damaged one never kills a build: the cache directory is checked
// (a file, or not writable: one line, exit 2), the LMDB data file is validated before LMDB maps
// it (health.ts), and an open or first read that fails anyway moves the store aside too. A store
// moved aside is replaced by an empty one; the build then adopts intact chunk directories from
// their markers, so a damaged store costs re-hashing the inputs, not re-running the chunks.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';
import { lmdbFileProblem } from './health.js';
import { openDb, Store, type TaskSummary } from './store.js';

export const DATA_FILE = 'data.mdb';
export const LOCK_FILE = 'lock.mdb';

/**
 * Why `cacheDir` cannot hold the store (and the bundle cache), or null. A missing cache is
 * created when `create`, else judged by its nearest existing parent (nothing is written).
 */
export function cacheDirProblem(cacheDir: string, create = false): string | null {
  const dir = resolve(cacheDir);
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) return `the cache ${dir} is a file, not a directory: remove or rename it, or give another --cache-dir`;
    if (st === undefined && create) mkdirSync(dir, { recursive: true });
    if (st === undefined && !create) {
      let up = dirname(dir);
      while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
      if (!statSync(up).isDirectory()) return `the cache ${dir} cannot be used (under a file, not a directory): give another --cache-dir`;
      accessSync(up, constants.W_OK | constants.X_OK);
      return null;
    }
    accessSync(dir, constants.W_OK | constants.X_OK);
    for (const f of [DATA_FILE, LOCK_FILE]) {
      const p = join(dir, f);
      const fst = statSync(p, { throwIfNoEntry: false });
      if (fst === undefined) continue;
      if (!fst.isFile()) return `the cache ${dir} holds a ${f} that is not a file: remove it, or give another --cache-dir`;
      accessSync(p, constants.R_OK | constants.W_OK);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? 'not writable' : e.code === 'ENOTDIR' ? 'under a file, not a directory' : (e.code ?? e.message);
    return `the cache ${e.path ?? dir} cannot be used (${why}): fix its permissions, or give another --cache-dir`;
  }
  return null;
}

/** Moves `data.mdb` and `lock.mdb` of `cacheDir` into `cacheDir/store-damaged-<time>/`; returns that directory. */
export function moveStoreAside(cacheDir: string, now = new Date()): string {
  const dest = join(cacheDir, `store-damaged-${now.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dest, { recursive: true });
  for (const f of [DATA_FILE, LOCK_FILE]) {
    try {
      renameSync(join(cacheDir, f), join(dest, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return dest;
}

// `cache/store-checked`: the (size, mtime, inode) of data.mdb when it was last found sound (deep
// check, or closed cleanly by heppy). While data.mdb is exactly that, only the meta pages and the
// branch pages are checked (about 1 ms), not every leaf (the whole file: ~10 ms for 10,000 chunks).
const CHECKED_FILE = 'store-checked';

function dataState(dir: string): string | null {
  const st = statSync(join(dir, DATA_FILE), { throwIfNoEntry: false });
  return st === undefined ? null : `${st.size} ${st.mtimeMs} ${st.ino}`;
}

function knownSound(dir: string): boolean {
  const now = dataState(dir);
  if (now === null) return true;
  try {
    return readFileSync(join(dir, CHECKED_FILE), 'utf8') === now;
  } catch {
    return false;
  }
}

function markSound(dir: string): void {
  const now = dataState(dir);
  if (now === null) return;
  try {
    if (!knownSound(dir)) writeFileSync(join(dir, CHECKED_FILE), now);
  } catch {
    // only a cache of the check: the next open checks deeply again
  }
}

export interface OpenedStore {
  store: Store;
  /** This Outdir's task records (read here: a damaged store may fail only when read). */
  records: Map<string, TaskSummary>;
  /** One line for the user when the store was damaged and replaced by an empty one. */
  notice: string | null;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Opens the store of `cacheDir` for `outdir` and reads the task records, replacing a damaged store
 * by an empty one (with a notice). Fails (for a one-line exit 2) only when the cache directory
 * itself cannot be used.
 */
export function openStore(cacheDir: string, outdir: string, readRecords = true): Result<OpenedStore> {
  const dir = resolve(cacheDir);
  const unusable = cacheDirProblem(dir, true);
  if (unusable) return fail({ reason: unusable });
  const problem = lmdbFileProblem(join(dir, DATA_FILE), !knownSound(dir));
  let notice: string | null = null;
  if (problem !== null) notice = aside(dir, problem);
  try {
    return ok(openAndRead(dir, outdir, readRecords, notice));
  } catch (err) {
    if (notice !== null) return fail({ file: join(dir, DATA_FILE), reason: `cannot open even an empty store: ${errorText(err)}` });
    notice = aside(dir, `LMDB: ${errorText(err)}`);
  }
  try {
    return ok(openAndRead(dir, outdir, readRecords, notice));
  } catch (err) {
    return fail({ file: join(dir, DATA_FILE), reason: `cannot open even an empty store: ${errorText(err)}` });
  }
}

/**
 * Reads the task records of a store opened with `readRecords = false` (after taking the lock); a
 * store that fails to read is moved aside and replaced by an empty one, like in `openStore`.
 */
export function readRecords(cacheDir: string, outdir: string, opened: OpenedStore): Result<OpenedStore> {
  try {
    return ok({ ...opened, records: opened.store.allTasks() });
  } catch (err) {
    void opened.store.close().catch(() => undefined);
    const dir = resolve(cacheDir);
    const notice = aside(dir, `LMDB: ${errorText(err)}`);
    try {
      return ok(openAndRead(dir, outdir, true, notice));
    } catch (err2) {
      return fail({ file: join(dir, DATA_FILE), reason: `cannot open even an empty store: ${errorText(err2)}` });
    }
  }
}

function openAndRead(dir: string, outdir: string, readRecords: boolean, notice: string | null): OpenedStore {
  const store = Store.open(dir, outdir);
  try {
    const records = readRecords ? store.allTasks() : new Map<string, TaskSummary>();
    markSound(dir);
    store.onClosed(() => markSound(dir));
    return { store, records, notice };
  } catch (err) {
    void store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The store of `cacheDir` for `outdir`, opened only when first needed (store.ts `Store.lazy`):
 * `served` answers the reads of a valid snapshot. The first real use checks and opens LMDB like
 * `openStore` (a damaged store is moved aside, `onNotice` gets the line, and the served values,
 * which came from it, are dropped). The cache directory must have been checked (cacheDirProblem).
 */
export function openStoreLazy(cacheDir: string, outdir: string, served: Map<string, unknown>, onNotice: (line: string) => void): Store {
  const dir = resolve(cacheDir);
  const opener = () => {
    mkdirSync(dir, { recursive: true });
    const problem = lmdbFileProblem(join(dir, DATA_FILE), !knownSound(dir));
    let moved = problem !== null;
    if (problem !== null) onNotice(aside(dir, problem));
    let db;
    try {
      db = openDb(dir);
    } catch (err) {
      if (moved) throw err;
      onNotice(aside(dir, `LMDB: ${errorText(err)}`));
      moved = true;
      db = openDb(dir);
    }
    if (moved) store.forgetServed();
    markSound(dir);
    return db;
  };
  const store = Store.lazy(dir, outdir, opener, served);
  store.onClosed(() => { if (store.isOpen) markSound(dir); });
  return store;
}

function aside(dir: string, problem: string): string {
  const dest = moveStoreAside(dir);
  return `warning: the store ${join(dir, DATA_FILE)} is damaged (${problem}): moved to ${dest}/, continuing with an empty store (intact chunk directories are adopted from their markers)`;
}
