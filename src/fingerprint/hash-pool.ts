// Hashing input files on every core: one xxh64 stream is bound by one core (≈ 3.3 GB/s here, read included),
// so big files are handed to worker threads, one file per thread at a time. The threads start on
// first use (a no-op build, which hashes nothing, never starts them) and do not keep the process
// alive while idle.
import type { Worker } from 'node:worker_threads';
import { workerThreadsModule } from '../util/lazy-node.js';
import { availableParallelism } from 'node:os';
import { envNumber } from '../util/env.js';

/**
 * Files smaller than this are hashed in the calling thread: a message round trip (≈ 0.1 ms)
 * is then a noticeable part of the file's hash (≈ 0.3 ms per MiB with its read).
 */
export const POOL_MIN_BYTES = 1 << 20;

/**
 * The threads are used only when a digest pass has at least this much to hash: starting one costs
 * ≈ 30-40 ms of CPU (Node's bootstrap of the thread), what hashing ≈ 100 MiB costs on one core.
 */
export const POOL_MIN_TOTAL = 128 << 20;

interface Pending { resolve(h: string): void; reject(e: Error): void }

export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<{ id: number; path: string }> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly size: number) {}

  hash(path: string): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.waiting.push({ id, path });
      this.pump();
    });
  }

  private spawn(): Worker {
    // No inherited Node flags (e.g. --input-type, which a worker file refuses).
    const w = new (workerThreadsModule().Worker)(new URL('./hash-worker.js', import.meta.url), { execArgv: [] });
    w.on('message', (m: { id: number; hash?: string; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.hash !== undefined) p?.resolve(m.hash);
      else p?.reject(Object.assign(new Error(`cannot hash (${m.error})`), { code: m.error }));
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err) => {
      // A dead thread fails what it had; the others go on.
      for (const [id, p] of this.pending) { p.reject(err); this.pending.delete(id); }
    });
    this.workers.push(w);
    return w;
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const w = this.idle.pop() ?? (this.workers.length < this.size ? this.spawn() : null);
      if (w === null) break;
      w.ref();
      w.postMessage(this.waiting.shift()!);
    }
    // Idle threads must not keep a finished build alive.
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

let shared: HashPool | null | undefined;

/** The process's pool, or null on one core (nothing to gain). HEPPY_HASH_THREADS overrides the size. */
export function hashPool(): HashPool | null {
  if (shared === undefined) {
    const n = envNumber('HEPPY_HASH_THREADS', availableParallelism());
    shared = Number.isInteger(n) && n >= 2 ? new HashPool(n) : null;
  }
  return shared;
}
