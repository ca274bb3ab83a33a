// Who has the store of a cache directory open. The Outdir lock does not protect the store: one
// cache serves several Outdirs (--cache-dir, a second Outdir of the analysis), and status, why and
// check open it without any lock. LMDB itself is made for several processes on one environment;
// what is not is heppy's repair, which moves a damaged data.mdb aside. So:
// - every process that opens the store first registers `cache/store-users/<token>.json` (its pid,
//   host, /proc start time, boot id and command line, as store/lock.ts's lock), removed at close,
//   stale once its process is dead (lock.ts's judgement: pid gone or reused, another boot);
// - a repair takes the cache-level lock `cache/store-repair` (lock.ts's atomic link and stale
//   takeover) and then moves the store only when no other live process is registered.
// An opener registers and then waits for any repair to end; a repairer takes the repair lock and
// then lists the users: whichever of the two comes second sees the other, so a store is never
// moved from under a process that opened it, nor opened while it is being moved.
import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { holderAt, selfHolder, sleepSync, takeLockFile, type Lock, type LockInfo } from './lock.js';

const USERS_DIR = 'store-users';
const REPAIR_LOCK = 'store-repair';
/** How long an opener waits for another process's repair (a rename and an empty open: milliseconds). */
const REPAIR_WAIT_MS = 30_000;

export interface StoreUser {
  readonly token: string;
  /** Removes the entry (idempotent). */
  release(): void;
}

/** This process's command line, to name it to another process that finds the store in use. */
function commandLine(): string {
  const line = ['heppy', ...process.argv.slice(2)].join(' ');
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** Registers this process as a user of the store in `cacheDir` (which exists). */
export function registerUser(cacheDir: string): StoreUser {
  const dir = join(cacheDir, USERS_DIR);
  mkdirSync(dir, { recursive: true });
  const me = selfHolder(commandLine());
  const path = join(dir, `${me.token}.json`);
  // Written aside and renamed: an entry is never seen half-written.
  const tmp = join(dir, `${me.token}.tmp`);
  writeFileSync(tmp, JSON.stringify(me));
  renameSync(tmp, path);
  let released = false;
  return {
    token: me.token,
    release: () => {
      if (released) return;
      released = true;
      try {
        unlinkSync(path);
      } catch {
        // already gone (a cache removed meanwhile)
      }
    },
  };
}

/**
 * The other live users of the store in `cacheDir` (not `token`'s own entry). Entries of dead
 * processes are removed on the way; one that does not parse counts as live until it is old.
 */
export function otherUsers(cacheDir: string, token: string): Array<LockInfo | null> {
  const dir = join(cacheDir, USERS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const live: Array<LockInfo | null> = [];
  for (const name of names) {
    if (!name.endsWith('.json') || name === `${token}.json`) continue;
    const h = holderAt(join(dir, name));
    if (h === null) continue;
    if (!h.stale) {
      live.push(h.info);
      continue;
    }
    try {
      unlinkSync(join(dir, name));
    } catch {
      // removed by another process meanwhile
    }
  }
  return live;
}

/** "pid 123 (heppy build -o x=1)" for a user; an entry that does not parse is named by that. */
export function describeUser(u: LockInfo | null): string {
  return u === null ? 'a process whose store-users entry is being written' : `pid ${u.pid} on ${u.host} (${u.command})`;
}

/** Takes the repair lock of `cacheDir`, or returns who holds it (null: an unreadable lock file). */
export function takeRepairLock(cacheDir: string): { ok: true; lock: Lock } | { ok: false; holder: LockInfo | null } {
  return takeLockFile(join(cacheDir, REPAIR_LOCK), 'store repair');
}

/**
 * Waits while another live process repairs the store of `cacheDir` (after registering as a user:
 * see above). Returns the holder when it did not finish in time, else null.
 */
export function waitForRepair(cacheDir: string, waitMs = REPAIR_WAIT_MS): LockInfo | null {
  const path = join(cacheDir, REPAIR_LOCK);
  const until = Date.now() + waitMs;
  for (;;) {
    const h = holderAt(path);
    if (h === null || h.stale) return null;
    if (Date.now() > until) return h.info;
    sleepSync(20);
  }
}
