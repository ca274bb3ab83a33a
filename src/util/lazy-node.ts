// Node built-ins that most commands never use, loaded on first use instead of at start-up:
// `node:crypto` (≈ 20 internal modules, for random temporary names), `node:child_process` (net,
// dgram, streams: for forking chunk workers) and `node:worker_threads`. Importing them statically
// cost every command, a no-op build and `--version` included, ≈ 10–15 ms of CPU before its first line.
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

/** `bytes` random bytes (a ROOT file's UUID). */
export function randomBuffer(bytes: number): Buffer {
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
