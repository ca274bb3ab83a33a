// One build per Outdir at a time: a lock file `Outdir/.heppy/lock` created with O_EXCL.
// A lock left by a dead process (same host, pid gone) is taken over; anything else refuses.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: number;
  command: string;
}

export interface Lock {
  readonly path: string;
  release(): void;
}

export function lockPath(outdir: string): string {
  return join(outdir, '.heppy', 'lock');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Takes the lock of `outdir` for this process, or explains who holds it. */
export function acquireLock(outdir: string, command: string): Result<Lock> {
  const path = lockPath(outdir);
  mkdirSync(join(outdir, '.heppy'), { recursive: true });
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt: Date.now(), command };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      return ok({
        path,
        release: () => {
          if (released) return;
          released = true;
          const cur = readLock(path);
          if (cur && cur.pid === me.pid && cur.host === me.host) rmSync(path, { force: true });
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(path);
      // A half-written lock (its writer was killed between open and write) is stale too.
      const stale = holder === null || (holder.host === me.host && !pidAlive(holder.pid));
      if (!stale) {
        const since = new Date(holder.startedAt).toISOString();
        return fail({
          file: outdir,
          reason: `another heppy ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${since}) is using this output directory; wait for it or stop it (lock: ${path})`,
        });
      }
      rmSync(path, { force: true });
    }
  }
  return fail({ file: path, reason: 'could not take the lock' });
}
