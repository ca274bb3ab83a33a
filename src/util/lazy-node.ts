// Node built-ins that most commands never use, loaded on first use instead of at start-up:
// `node:crypto` (≈ 20 internal modules, for random temporary names), `node:child_process` (net,
// dgram, streams: for forking chunk workers) and `node:worker_threads`. Importing them statically
// cost every command, a no-op build and `--version` included, ≈ 10–15 ms of CPU before its first line.
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let crypto: typeof import('node:crypto') | null = null;
let childProcess: typeof import('node:child_process') | null = null;
let workerThreads: typeof import('node:worker_threads') | null = null;

/** `bytes` random bytes in hex (temporary names, lock tokens). */
export function randomHex(bytes: number): string {
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto.randomBytes(bytes).toString('hex');
}

let tagPrefix: string | null = null;
let tagCount = 0;
/**
 * A name part no other process and no earlier call of this one uses (`<pid>.<random><count>`), for a
 * file written aside and renamed: one random draw per process, not a call into node:crypto per file
 * (≈ 1.5 % of a chunk worker's CPU when the output cache's keep drew one per entry).
 */
export function uniqueTag(): string {
  tagPrefix ??= `${process.pid}.${randomBuffer(4).toString('hex')}`; // no node:crypto (randomBuffer)
  return `${tagPrefix}${(++tagCount).toString(16)}`;
}

/**
 * `bytes` random bytes (a ROOT file's UUID): read from /dev/urandom where there is one, so that a
 * process writing ROOT files (a merge, a chunk's worker) does not load node:crypto for 16 bytes
 * (≈ 6–8 ms of CPU); node:crypto elsewhere.
 */
export function randomBuffer(bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  let fd = -1;
  try {
    fd = openSync('/dev/urandom', 'r');
    if (readSync(fd, b, 0, bytes, null) === bytes) return b;
  } catch { /* no /dev/urandom: node:crypto below */ } finally { if (fd >= 0) closeSync(fd); }
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto.randomBytes(bytes);
}

/** node:child_process, loaded the first time a process is started. */
export function childProcessModule(): typeof import('node:child_process') {
  return (childProcess ??= require('node:child_process') as typeof import('node:child_process'));
}

/** node:worker_threads, loaded the first time a thread is started. */
export function workerThreadsModule(): typeof import('node:worker_threads') {
  return (workerThreads ??= require('node:worker_threads') as typeof import('node:worker_threads'));
}
