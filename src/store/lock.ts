// One build (or check --resubmit, hadd, clean, cancel) per Outdir at a time: the lock file
// `Outdir/.heppy/lock`. Two processes can never both hold it, also when a stale lock is present:
// - creation is atomic and complete: the holder's JSON is written to a private file first, then
//   hard-linked to `lock` (link fails with EEXIST when it exists), so a lock is never seen
//   half-written and never judged stale while its creator is still writing it;
// - a stale lock (its holder, on this host, is dead: pid gone, or the pid now belongs to another
//   process, or the machine rebooted) is removed by exactly one taker: the one that creates the
//   claim `lock.stale-<token of that lock>` (O_EXCL via link), and only after re-reading that
//   `lock` is still the very lock judged stale (same random token). Nobody else removes a lock
//   that is not their own, so between that re-read and the unlink it cannot change. Then everyone
//   races on the atomic creation again, which exactly one wins.
// A claim left by a taker that died is itself stale and is removed the same way.
import { accessSync, closeSync, constants, existsSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: number;
  command: string;
  /** Random, unique to this acquisition: what a takeover re-verifies. */
  token: string;
  /** /proc/<pid>/stat start time (clock ticks since boot) and the boot id: a reused pid is not the holder. */
  procStart?: string;
  bootId?: string;
}

export interface Lock {
  readonly path: string;
  release(): void;
}

export function lockPath(outdir: string): string {
  return join(outdir, '.heppy', 'lock');
}

/** A lock file that does not parse (an older heppy killed mid-write) counts as stale after this. */
const UNPARSEABLE_STALE_MS = 10_000;
const MAX_ROUNDS = 200;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function procStartOf(pid: number): string | undefined {
  const s = readText(`/proc/${pid}/stat`);
  if (s === null) return undefined;
  // Field 22 (starttime); the command (field 2) is in parentheses and may contain spaces.
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
}

const bootId = readText('/proc/sys/kernel/random/boot_id')?.trim();

/**
 * A holder's token: unique among the processes that may share the Outdir (several hosts on a shared
 * file system). It guards against no adversary (whoever can write the lock can remove it), so it is
 * made without node:crypto (≈ 20 internal modules loaded by every command that takes the lock):
 * the pid, the high-resolution clock and 64 bits of Math.random, which V8 seeds per process from
 * the system's entropy.
 */
function holderToken(): string {
  const r = (): string => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return `${process.pid.toString(16)}${process.hrtime.bigint().toString(16)}${r()}${r()}`;
}
let tmpSeq = 0;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What is at `path`: a parsed lock, an unparseable file (identified by its stat), or nothing. */
type Seen = { kind: 'lock'; info: LockInfo; id: string } | { kind: 'garbage'; id: string; ageMs: number } | { kind: 'none' };

function look(path: string): Seen {
  const text = readText(path);
  if (text === null) return { kind: 'none' };
  let info: LockInfo | null = null;
  try {
    const v = JSON.parse(text) as LockInfo;
    if (typeof v.pid === 'number' && typeof v.host === 'string') info = v;
  } catch {
    // unparseable: judged by its age
  }
  if (info !== null && typeof info.token === 'string') return { kind: 'lock', info, id: info.token };
  let st;
  try {
    st = statSync(path);
  } catch {
    return { kind: 'none' };
  }
  // A lock of an older heppy (no token) or an unparseable one: identified by what stat says.
  const id = `ino${st.ino}-${st.mtimeMs}-${st.size}`;
  return info !== null ? { kind: 'lock', info, id } : { kind: 'garbage', id, ageMs: Date.now() - st.mtimeMs };
}

/** Whether the holder is certainly gone. A holder on another host cannot be judged: never stale. */
export function holderDead(info: LockInfo, host = hostname()): boolean {
  if (info.host !== host) return false;
  if (info.bootId !== undefined && bootId !== undefined && info.bootId !== bootId) return true;
  if (!pidAlive(info.pid)) return true;
  return info.procStart !== undefined && procStartOf(info.pid) !== info.procStart;
}

/**
 * The holder of the lock (or store-users entry) at `path`: null when there is none; `info` null
 * when it does not parse; `stale` when its holder is dead (or it is unparseable and old).
 */
export function holderAt(path: string): { info: LockInfo | null; stale: boolean } | null {
  const s = look(path);
  return s.kind === 'none' ? null : { info: s.kind === 'lock' ? s.info : null, stale: isStale(s) };
}

function isStale(s: Seen): boolean {
  if (s.kind === 'garbage') return s.ageMs > UNPARSEABLE_STALE_MS;
  return s.kind === 'lock' && holderDead(s.info);
}

/** Creates `path` holding `info`, complete, or returns false when it exists. */
function createComplete(path: string, info: LockInfo): boolean {
  // The token is this process's own: a count makes the name unique within it.
  const tmp = `${path}.tmp-${info.token}-${++tmpSeq}`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, JSON.stringify(info));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Removes the stale lock `seen` at `path` if this process wins its claim and `path` still holds
 * it. Returns without removing anything otherwise (the caller looks again).
 */
function removeStale(path: string, seen: Seen & { id: string }, me: LockInfo, depth: number): 'done' | 'contended' {
  const claim = `${path}.stale-${seen.id}`;
  const claimer: LockInfo = { ...me, token: `${me.token}.${depth}` };
  if (!createComplete(claim, claimer)) {
    // Another taker is on it; its claim is itself stale if that taker died mid-takeover.
    const c = look(claim);
    if (depth < 4 && c.kind !== 'none' && isStale(c)) removeStale(claim, c, me, depth + 1);
    return 'contended';
  }
  try {
    const now = look(path);
    if (now.kind !== 'none' && now.id === seen.id) unlinkQuiet(path);
  } finally {
    unlinkQuiet(claim);
  }
  return 'done';
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function refusal(outdir: string, path: string, info: LockInfo): Result<Lock> {
  const since = new Date(info.startedAt).toISOString();
  return fail({
    file: outdir,
    reason: `another heppy ${info.command} (pid ${info.pid} on ${info.host}, since ${since}) is using this output directory; wait for it or stop it (lock: ${path})`,
  });
}

/**
 * Creates Outdir/.heppy (and Outdir), or says why not (a read-only or full filesystem, a file in the
 * way, no permission) in one line: null when it exists. A recursive mkdir reports ENOENT for a
 * read-only parent, so the first missing level is made alone to learn the real cause.
 */
function makeOwnDir(outdir: string): string | null {
  const own = join(outdir, '.heppy');
  try {
    mkdirSync(own, { recursive: true });
    return null;
  } catch (err) {
    let missing = own;
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
    try {
      mkdirSync(missing);
    } catch (first) {
      return (first as Error).message;
    }
    return (err as Error).message;
  }
}

/**
 * Why the lock of `outdir` could not be taken for want of a writable directory (a file in the way,
 * a read-only filesystem, no permission), found without creating anything: the nearest existing
 * ancestor of `outdir/.heppy` must be a directory this process may write in. null: it may (the
 * lock itself still decides). A build asks this before it writes its store.
 */
export function outdirProblem(outdir: string): string | null {
  let at = join(outdir, '.heppy');
  while (dirname(at) !== at && !existsSync(at)) at = dirname(at);
  try {
    if (!statSync(at).isDirectory()) return `cannot write in this output directory: ${at} is not a directory`;
    accessSync(at, constants.W_OK | constants.X_OK);
    return null;
  } catch (err) {
    return `cannot write in this output directory: ${(err as Error).message}`;
  }
}

/**
 * The live holder of `outdir`'s lock, or null (no lock, a stale one, an unparseable one). For
 * commands that read an Outdir without the lock (`heppy check`): they say a build is writing it.
 */
export function lockHolder(outdir: string): LockInfo | null {
  const seen = look(lockPath(outdir));
  return seen.kind === 'lock' && !holderDead(seen.info) ? seen.info : null;
}

/** This process as a holder of a lock or a store-users entry (store/users.ts). */
export function selfHolder(command: string): LockInfo {
  return {
    pid: process.pid, host: hostname(), startedAt: Date.now(), command, token: holderToken(),
    ...(procStartOf(process.pid) !== undefined ? { procStart: procStartOf(process.pid)! } : {}),
    ...(bootId !== undefined ? { bootId } : {}),
  };
}

/** The lock file at `path` taken, or who holds it (null: it kept changing, or an unreadable one is there). */
export type Take = { ok: true; lock: Lock } | { ok: false; holder: LockInfo | null };

/** Takes the lock file `path` (its directory exists) with the technique above: atomic, stale ones taken over. */
export function takeLockFile(path: string, command: string): Take {
  const me = selfHolder(command);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (createComplete(path, me)) return { ok: true, lock: heldLock(path, me) };
    const seen = look(path);
    if (seen.kind === 'none') continue;                       // released meanwhile: try again
    if (isStale(seen)) {
      if (removeStale(path, seen, me, 0) === 'contended') sleepSync(5);
      continue;
    }
    if (seen.kind === 'lock') return { ok: false, holder: seen.info };
    sleepSync(50);                                            // unparseable and recent: wait a little
  }
  return { ok: false, holder: null };
}

/** Takes the lock of `outdir` for this process, or explains who holds it. */
export function acquireLock(outdir: string, command: string): Result<Lock> {
  const path = lockPath(outdir);
  const cannot = makeOwnDir(outdir);
  if (cannot !== null) return fail({ file: outdir, reason: `cannot write in this output directory: ${cannot}` });
  const t = takeLockFile(path, command);
  if (t.ok) return ok(t.lock);
  if (t.holder !== null) return refusal(outdir, path, t.holder);
  return fail({ file: path, reason: 'could not take the lock (it kept changing, or an unreadable lock file is there: remove it if no heppy runs)' });
}

function heldLock(path: string, me: LockInfo): Lock {
  let released = false;
  return {
    path,
    release: () => {
      if (released) return;
      released = true;
      // Only our own lock: nobody else removes a lock that is not theirs while its holder lives.
      const cur = look(path);
      if (cur.kind === 'lock' && cur.info.token === me.token) unlinkQuiet(path);
    },
  };
}
