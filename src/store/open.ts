// Opening the store so that a damaged one never kills a build: the cache directory is checked
// (a file, or not writable: one line, exit 2), the LMDB data file is validated before LMDB maps
// it (health.ts), and an open or first read that fails anyway moves the store aside too. A store
// moved aside is replaced by an empty one; the build then adopts intact chunk directories from
// their markers, so a damaged store costs re-hashing the inputs, not re-running the chunks.
// Several processes may use one store (users.ts): it is moved aside only when found damaged again
// after short waits and no other live process has it open; otherwise it is left as it is.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fail, formatFailure, ok, UserError, type Failure, type Result } from '../util/result.js';
import { sleepSync } from './lock.js';
import { describeUser, otherUsers, registerUser, takeRepairLock, waitForRepair, type StoreUser } from './users.js';
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

/**
 * Why a store could not be opened. `inUse`: it looks damaged but another live process has it
 * open, so it was left as it is (exit 1: wait for that process, or stop it); else the cache
 * directory itself cannot be used (exit 2).
 */
export type OpenFailure = Failure & { inUse?: true };

/** The one-line error of an OpenFailure for a command (exit 1 when the store is in use, else 2). */
export function openFailureError(f: OpenFailure): UserError {
  return new UserError(formatFailure(f), f.inUse ? 1 : 2);
}

function inUse(f: Failure): { ok: false; error: OpenFailure } {
  return { ok: false, error: { ...f, inUse: true } };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Who has each open store registered (users.ts): released when the store closes. */
const usersOf = new WeakMap<Store, StoreUser>();

/** Waits between the checks of a store found damaged: a file being written settles. */
const RECHECK_MS = [20, 50, 100, 200, 400];

/**
 * The damage of data.mdb as found again after short waits: null as soon as one check finds it
 * sound (another process was writing it), else the last problem.
 */
function settledProblem(dir: string, first: string): string | null {
  let problem: string | null = first;
  for (const ms of RECHECK_MS) {
    sleepSync(ms);
    problem = lmdbFileProblem(join(dir, DATA_FILE), true);
    if (problem === null) return null;
  }
  return problem;
}

/**
 * Moves the damaged store of `dir` aside, but only when this process can prove nobody else has it
 * open (users.ts): under the repair lock, no other live user registered. Else the store is left as
 * it is and the failure names the file and the other process. `user` is this process's entry.
 */
function asideIfAlone(dir: string, problem: string, user: StoreUser): Result<string, OpenFailure> {
  const file = join(dir, DATA_FILE);
  const repair = takeRepairLock(dir);
  if (!repair.ok) {
    return inUse({ file, reason: `the store looks damaged (${problem}) and ${describeUser(repair.holder)} is repairing it; run again when it is done` });
  }
  try {
    const others = otherUsers(dir, user.token);
    if (others.length > 0) {
      return inUse({ file, reason: `the store looks damaged (${problem}) but ${describeUser(others[0]!)}${others.length > 1 ? ` and ${others.length - 1} more` : ''} is using it: left as it is; run again when it has finished, or stop it` });
    }
    return ok(aside(dir, problem));
  } finally {
    repair.lock.release();
  }
}

/**
 * Registers this process as a user of the store in `dir`, waits for a repair by another process to
 * end, and checks data.mdb (again after short waits when it looks damaged: another process may be
 * writing it). Returns the user entry and the notice of a store moved aside, or why not.
 */
function enter(dir: string): Result<{ user: StoreUser; notice: string | null }, OpenFailure> {
  const user = registerUser(dir);
  const repairing = waitForRepair(dir);
  if (repairing !== null) {
    user.release();
    return inUse({ file: join(dir, DATA_FILE), reason: `${describeUser(repairing)} is repairing this store; run again when it is done` });
  }
  const found = lmdbFileProblem(join(dir, DATA_FILE), !knownSound(dir));
  const problem = found === null ? null : settledProblem(dir, found);
  if (problem === null) return ok({ user, notice: null });
  const moved = asideIfAlone(dir, problem, user);
  if (!moved.ok) {
    user.release();
    return moved;
  }
  return ok({ user, notice: moved.value });
}

/**
 * Opens the store of `cacheDir` for `outdir` and reads the task records, replacing a damaged store
 * by an empty one (with a notice) when no other process uses it. Fails (for a one-line error) when
 * the cache directory itself cannot be used, or when a damaged-looking store is in use.
 */
export function openStore(cacheDir: string, outdir: string, readRecords = true): Result<OpenedStore, OpenFailure> {
  const dir = resolve(cacheDir);
  const unusable = cacheDirProblem(dir, true);
  if (unusable) return fail({ reason: unusable });
  const entered = enter(dir);
  if (!entered.ok) return entered;
  const { user } = entered.value;
  let notice = entered.value.notice;
  try {
    return ok(openAndRead(dir, outdir, readRecords, notice, user));
  } catch (err) {
    if (notice !== null) return leave(user, cannotOpen(dir, err));
    const moved = asideIfAlone(dir, `LMDB: ${errorText(err)}`, user);
    if (!moved.ok) return leave(user, moved.error);
    notice = moved.value;
  }
  try {
    return ok(openAndRead(dir, outdir, readRecords, notice, user));
  } catch (err) {
    return leave(user, cannotOpen(dir, err));
  }
}

function cannotOpen(dir: string, err: unknown): OpenFailure {
  return { file: join(dir, DATA_FILE), reason: `cannot open even an empty store: ${errorText(err)}` };
}

function leave(user: StoreUser, f: OpenFailure): Result<never, OpenFailure> {
  user.release();
  return fail(f);
}

/**
 * Reads the task records of a store opened with `readRecords = false` (after taking the lock); a
 * store that fails to read is moved aside and replaced by an empty one, like in `openStore`.
 */
export function readRecords(cacheDir: string, outdir: string, opened: OpenedStore): Result<OpenedStore, OpenFailure> {
  try {
    return ok({ ...opened, records: opened.store.allTasks() });
  } catch (err) {
    if (err instanceof UserError) throw err;                 // a lazy store's opener: in use, left as it is
    const dir = resolve(cacheDir);
    // Still registered while it decides: the store is released only once replaced (or left).
    const user = usersOf.get(opened.store) ?? registerUser(dir);
    usersOf.delete(opened.store);
    void opened.store.close().catch(() => undefined);
    const moved = asideIfAlone(dir, `LMDB: ${errorText(err)}`, user);
    if (!moved.ok) return leave(user, moved.error);
    try {
      return ok(openAndRead(dir, outdir, true, moved.value, user));
    } catch (err2) {
      return leave(user, cannotOpen(dir, err2));
    }
  }
}

function openAndRead(dir: string, outdir: string, readRecords: boolean, notice: string | null, user: StoreUser): OpenedStore {
  const store = Store.open(dir, outdir);
  try {
    const records = readRecords ? store.allTasks() : new Map<string, TaskSummary>();
    markSound(dir);
    usersOf.set(store, user);
    store.onClosed(() => {
      markSound(dir);
      if (usersOf.get(store) === user) user.release();
    });
    return { store, records, notice };
  } catch (err) {
    void store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The store of `cacheDir` for `outdir`, opened only when first needed (store.ts `Store.lazy`):
 * `served` answers the reads of a valid snapshot. The first real use checks and opens LMDB like
 * `openStore` (a damaged store no other process uses is moved aside, `onNotice` gets the line, and
 * the served values, which came from it, are dropped; one in use: a UserError, exit 1). The cache
 * directory must have been checked (cacheDirProblem).
 */
export function openStoreLazy(cacheDir: string, outdir: string, served: Map<string, unknown>, onNotice: (line: string) => void): Store {
  const dir = resolve(cacheDir);
  let user: StoreUser | null = null;
  const opener = () => {
    mkdirSync(dir, { recursive: true });
    const entered = enter(dir);
    if (!entered.ok) throw openFailureError(entered.error);
    user = entered.value.user;
    let moved = entered.value.notice !== null;
    if (moved) onNotice(entered.value.notice!);
    let db;
    try {
      db = openDb(dir);
    } catch (err) {
      if (moved) {
        user.release();
        throw err;
      }
      const again = asideIfAlone(dir, `LMDB: ${errorText(err)}`, user);
      if (!again.ok) {
        user.release();
        throw openFailureError(again.error);
      }
      onNotice(again.value);
      moved = true;
      db = openDb(dir);
    }
    if (moved) store.forgetServed();
    markSound(dir);
    return db;
  };
  const store = Store.lazy(dir, outdir, opener, served);
  store.onClosed(() => {
    if (store.isOpen) markSound(dir);
    user?.release();
  });
  return store;
}

function aside(dir: string, problem: string): string {
  const dest = moveStoreAside(dir);
  return `warning: the store ${join(dir, DATA_FILE)} is damaged (${problem}): moved to ${dest}/, continuing with an empty store (intact chunk directories are adopted from their markers)`;
}
