// Merges of a build run in parallel (-j N): up to N merge nodes at once, each in a worker thread
// of this pool (mergeComponent is CPU-bound JavaScript: in one thread, concurrent merges would only
// take turns). Threads are started when first needed and kept for the next merges of the build;
// each runs one merge at a time, so memory is bounded by N merges. A thread that dies fails its
// merge (named; an infrastructure failure, not the inputs') and is replaced by the next merge; a
// thread that cannot start fails its merge alike (it is not counted: the next merge tries again).
import { Worker } from 'node:worker_threads';
import type { ChunkListing, MergeSummary } from './merge-component.js';
import { fail, type Result } from '../util/result.js';

/** What a merge thread is given (no callbacks cross a thread). */
export interface MergeJob {
  outdir: string;
  component: string;
  inputs: string[];
  opts: { key?: string; nfiles?: number; target?: string; dest?: string; listings?: ReadonlyMap<string, ChunkListing> };
}

/** What a merge thread posts: warnings as they come, then the result and the thread's busy time. */
export type MergeMessage = { warning: string } | { result: Result<MergeSummary>; busyMs: number };

export interface PoolResult { result: Result<MergeSummary>; busyMs: number | null }

export class MergePool {
  private readonly idle: Worker[] = [];
  private started = 0;
  /** Merges waiting for a thread: given one, or told that none could be started. */
  private readonly waiting: Array<{ take(w: Worker): void; none(e: unknown): void }> = [];

  constructor(readonly size: number, private readonly script = new URL('./merge-worker.js', import.meta.url)) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`MergePool: size must be a positive integer, got ${size}`);
  }

  /** Runs one merge on a free thread (waits for one when all `size` are busy). */
  async run(job: MergeJob, onWarning: (m: string) => void): Promise<PoolResult> {
    let w: Worker;
    try {
      w = await this.acquire();
    } catch (e) {
      // No thread (a limit on threads or memory): this merge fails, named; the pool goes on.
      return { result: fail({ kind: 'infrastructure', file: job.opts.target ?? job.outdir, object: job.component, reason: `merge thread could not start: ${(e as Error).message}` }), busyMs: null };
    }
    const r = await this.runOn(w, job, onWarning);
    if (r.dead) { this.started--; void w.terminate(); this.handOver(null); } else this.handOver(w);
    return r.value;
  }

  /** Ends every thread (the build is over). */
  async close(): Promise<void> {
    const all = this.idle.splice(0);
    this.started -= all.length;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w !== undefined) { w.ref(); return Promise.resolve(w); }
    if (this.started < this.size) return this.startThread();
    return new Promise((take, none) => this.waiting.push({ take, none }));
  }

  /** A new thread, counted only once it exists (the Worker constructor throws when no thread can start). */
  private startThread(): Promise<Worker> {
    try {
      const w = new Worker(this.script);
      this.started++;
      return Promise.resolve(w);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A thread done with its merge goes to the next waiting merge, else idles (not keeping the process alive). */
  private handOver(w: Worker | null): void {
    const next = this.waiting.shift();
    if (next === undefined) { if (w !== null) { w.unref(); this.idle.push(w); } return; }
    if (w !== null) { next.take(w); return; }
    this.startThread().then(next.take, next.none);
  }

  private runOn(w: Worker, job: MergeJob, onWarning: (m: string) => void): Promise<{ value: PoolResult; dead: boolean }> {
    return new Promise((resolve) => {
      const off = (): void => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
      const onMessage = (m: MergeMessage): void => {
        if ('warning' in m) { onWarning(m.warning); return; }
        off();
        resolve({ value: { result: m.result, busyMs: m.busyMs }, dead: false });
      };
      const onError = (e: Error): void => {
        off();
        resolve({ value: { result: fail({ kind: 'infrastructure', file: job.opts.target ?? job.outdir, object: job.component, reason: `merge thread failed: ${e.message}` }), busyMs: null }, dead: true });
      };
      const onExit = (code: number): void => {
        off();
        resolve({ value: { result: fail({ kind: 'infrastructure', file: job.opts.target ?? job.outdir, object: job.component, reason: `merge thread exited with code ${code} before finishing` }), busyMs: null }, dead: true });
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(job);
    });
  }
}
