// What one run of a plan keeps while it runs: the summary being counted, when each node started,
// the records written (lmdb's queued writes are not readable until committed), and the two ways
// a node's result is made durable (the store record, the output-cache keep).
import type { BuildEvent, Summary } from '../report/events.js';
import type { TaskRecord } from '../store/records.js';
import type { TaskFailure } from '../util/failure.js';
import { formatFailure, type Failure } from '../util/result.js';
import { MARKER_FILE } from '../chunkdir/layout.js';
import type { OutputCache } from '../cache/output-cache.js';
import { keepInCache } from './restore.js';
import type { PlannedNode, BuildPlan } from './plan.js';
import type { TaskStore } from './store.js';

export class RunState {
  readonly t0 = Date.now();
  readonly summary: Summary = { run: 0, adopted: 0, upToDate: 0, failed: 0, skipped: 0, notRun: { failed: 0, interrupted: 0, detached: 0 },
    eventsProcessed: 0, wallMs: 0, failures: [] };
  /** Nodes this build submitted an attempt for; a re-attached job that ends without one is adopted, not run. */
  readonly prepared = new Set<string>();
  readonly started = new Map<string, number>();
  /**
   * A chunk run by a batch job: its run time (run-chunk's own start to its end, from its marker:
   * one host's clock) and its time in the queue (this build's submission to that start).
   */
  readonly ranIn = new Map<string, { runMs: number; queueMs: number }>();
  readonly done = new Set<string>();
  /** Records written by this build, readable before the store commits them. */
  readonly written = new Map<string, TaskRecord>();
  /** Nodes restored from the output cache, with when their entry was built. */
  readonly restoredAt = new Map<string, string>();
  /** CPU of the build's process while each merge ran. */
  readonly mergeCpuMs = new Map<string, number>();

  constructor(
    readonly plan: BuildPlan,
    readonly store: TaskStore,
    readonly cache: OutputCache | null,
    readonly emit: (e: BuildEvent) => void,
  ) {}

  node(id: string): PlannedNode {
    return this.plan.nodes.get(id)!;
  }

  /** Milliseconds since the node was started (since the run began when it was never started). */
  elapsed(id: string): number {
    return Date.now() - (this.started.get(id) ?? this.t0);
  }

  /** A node's run time: a batch job's own (its queue time left out), else the time since it was started. */
  runTime(id: string): number {
    return this.ranIn.get(id)?.runMs ?? this.elapsed(id);
  }

  /**
   * Notes a batch job's times from its marker's startedAt/finishedAt (ISO strings); nothing when
   * either is missing or unreadable (the done line then shows the time since submission).
   */
  noteJobTimes(id: string, startedAt: string | undefined, finishedAt: string | undefined): void {
    const start = startedAt !== undefined ? Date.parse(startedAt) : NaN;
    const end = finishedAt !== undefined ? Date.parse(finishedAt) : NaN;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return;
    // Another host's clock: a skew must not make the queue time negative.
    this.ranIn.set(id, { runMs: end - start, queueMs: Math.max(0, start - (this.started.get(id) ?? this.t0)) });
  }

  record(rec: TaskRecord): void {
    this.written.set(rec.nodeId, rec);
    // What this build kept in the output cache, for its size ledger (the marker is not kept).
    if (rec.status === 'ok' && rec.restoredFrom === undefined && this.cache) {
      let bytes = 0;
      for (const o of rec.outputs) if (o.path !== MARKER_FILE) bytes += o.size;
      this.cache.noteAdded(bytes);
    }
    void this.store.putTask(rec);
  }

  /** A node's latest record: written by this run, adopted, or the store's. */
  recordOf(id: string): TaskRecord | undefined {
    return this.written.get(id) ?? this.node(id).adopted ?? this.store.getTask(id);
  }

  async keep(id: string, kind: 'chunk' | 'hadd', dir: string, key: string): Promise<void> {
    if (!this.cache) return;
    const kept = await keepInCache(this.cache, id, kind, dir, key);
    if (!kept.ok) this.emit({ type: 'warning', message: `${id}: ${formatFailure(kept.error)}` });
  }
}

/** The build's own bookkeeping failing (a directory it cannot write, a marker it cannot read): the file system or the batch system, not the analysis. */
export function infra(f: Failure): TaskFailure {
  return { kind: 'infrastructure', reason: formatFailure(f) };
}
