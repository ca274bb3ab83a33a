// The merge nodes of a run, run in the build's process: restored from the output cache when it
// holds their key, otherwise merged from the recorded results of the nodes below them. Up to
// `mergeJobs` merges at once (the scheduler's inline slots): the first in this thread (a chain of
// merges, one changed chunk's path, never pays for a thread), the others in a pool thread each
// (started when first needed, kept for the build).
import { resolve } from 'node:path';
import { resultDigest, statOutputs } from '../chunkdir/results.js';
import type { ExecutorKind } from '../exec/executor.js';
import type { HaddNode } from '../graph/dag.js';
import { haddKeyParts, keyOf } from '../graph/keys.js';
import type { ChunkListing, MergeSummary } from '../merge/merge-component.js';
import type { MergeJob, MergePool } from '../merge/merge-pool.js';
import { formatTaskFailure, type TaskFailure } from '../util/failure.js';
import { formatFailure, ok, type Failure, type Result } from '../util/result.js';
import { systemFailure } from '../util/environment-error.js';
import { restoreMerge } from './restore.js';
import { infra, type RunState } from './run-state.js';

type Ended = Result<{ eventsProcessed: number }, TaskFailure>;

export class MergeRuns {
  private pool: MergePool | null = null;
  private inThisThread = false;
  /** Chunks of this build not ended yet (set once the cache has restored what it holds). */
  private chunksLeft = 0;
  // While local workers run chunks, the cores are theirs: a merge ready while another merges in
  // this thread waits for it rather than start a pool thread (its start-up alone, ~0.2 s of CPU,
  // competes with the workers). Once the chunks have ended, ready merges use the pool.
  private readonly threadWaiters: Array<() => void> = [];
  private readonly mergeJobs: number;

  constructor(private readonly s: RunState, private readonly outdir: string, private readonly heppyVersion: string,
    private readonly executor: ExecutorKind, mergeJobs: number | undefined) {
    this.mergeJobs = Math.max(1, mergeJobs ?? 1);
  }

  get slots(): number {
    return this.mergeJobs;
  }

  /** The number of chunks this run will end (after the cache's restores). */
  chunksToRun(n: number): void {
    this.chunksLeft = n;
  }

  /** A chunk ended: once none is left, merges waiting for this thread may use the pool. */
  chunkEnded(): void {
    if (--this.chunksLeft === 0) for (const w of this.threadWaiters.splice(0)) w();
  }

  close(): void {
    this.pool?.close();
  }

  async run(id: string): Promise<Ended> {
    const { s } = this;
    s.started.set(id, Date.now()); // its done event's durationMs is the merge's own
    const n = s.node(id);
    const g = s.plan.graph.nodes.get(id) as HaddNode;
    const deps = g.deps;
    const results: Array<[string, string]> = [];
    for (const d of deps) {
      const rec = s.recordOf(d);
      if (!rec || rec.status !== 'ok') return { ok: false, error: infra({ object: id, reason: `${s.node(d).kind === 'chunk' ? 'chunk' : 'merge'} ${d} has no successful record` }) };
      results.push([d, rec.resultDigest]);
    }
    const kp = haddKeyParts(this.heppyVersion, n.component, results, g.level);
    const key = keyOf(kp);
    const t = Date.now();
    if (s.cache && s.cache.entry(key) !== null) {
      const back = await restoreMerge(s.cache, this.outdir, n.dir, id, key);
      if (back.ok) {
        const outs = back.value.outputs !== null ? ok(back.value.outputs) : statOutputs(n.dir, back.value.marker.outputs);
        if (outs.ok) {
          s.record({ nodeId: id, kind: 'hadd', status: 'ok', key, keyParts: kp, resultDigest: resultDigest(key, outs.value), outputs: outs.value,
            attempts: 1, eventsProcessed: 0, finishedAt: Date.now(), durationMs: Date.now() - t, restoredFrom: back.value.builtAt });
          s.restoredAt.set(id, back.value.builtAt);
          return ok({ eventsProcessed: 0 });
        }
      } else s.emit({ type: 'warning', message: `${id}: ${formatFailure(back.error)}; merging instead` });
    }
    // A node of a merge tree merges the merges below it; every node records all chunks under it.
    const listings = this.chunkListings(g);
    const merged = await this.merge({ outdir: this.outdir, component: n.component, inputs: deps.map((d) => s.node(d).dir), opts: { key, nfiles: g.chunks, target: n.dir, listings } },
      (message) => s.emit({ type: 'warning', message: `${n.component}: ${message}` }), id);
    if (!merged.ok) {
      const failure = mergeFailure(merged.error, n.dir);
      s.record({ nodeId: id, kind: 'hadd', status: 'failed', key, keyParts: kp, resultDigest: '', outputs: [], attempts: 1, eventsProcessed: 0,
        reason: formatTaskFailure(failure), failure, finishedAt: Date.now(), durationMs: Date.now() - t });
      return { ok: false, error: failure };
    }
    await s.keep(id, 'hadd', n.dir, key); // before the stat: the keep backdates the files it links
    const outs = statOutputs(n.dir, merged.value.outputs);
    if (!outs.ok) return { ok: false, error: infra(outs.error) };
    s.record({ nodeId: id, kind: 'hadd', status: 'ok', key, keyParts: kp, resultDigest: resultDigest(key, outs.value), outputs: outs.value,
      attempts: 1, eventsProcessed: 0, finishedAt: Date.now(), durationMs: Date.now() - t });
    return ok({ eventsProcessed: 0 });
  }

  private async merge(job: MergeJob, onWarning: (m: string) => void, id: string): Promise<Result<MergeSummary>> {
    while (this.inThisThread && this.executor === 'local' && this.chunksLeft > 0) await new Promise<void>((res) => this.threadWaiters.push(res));
    if (!this.inThisThread) {
      this.inThisThread = true;
      const cpu0 = process.cpuUsage();
      try {
        // Loaded only when a merge runs: it pulls in the ROOT reader and hadd (not needed for a no-op).
        const { mergeComponent } = await import('../merge/index.js');
        return await mergeComponent(job.outdir, job.component, job.inputs, { ...job.opts, onWarning });
      } finally {
        this.inThisThread = false;
        this.threadWaiters.shift()?.();
        // The process's CPU while it ran (pool threads merging at the same time included).
        const c = process.cpuUsage(cpu0);
        this.s.mergeCpuMs.set(id, (c.user + c.system) / 1000);
      }
    }
    this.pool ??= new (await import('../merge/merge-pool.js')).MergePool(this.mergeJobs - 1);
    const done = await this.pool.run(job, onWarning);
    if (done.busyMs !== null) this.s.mergeCpuMs.set(id, done.busyMs);
    return done.result;
  }

  /**
   * The chunks under a merge node with their recorded result files: the merge plans from these
   * instead of listing each chunk directory and reading its marker again (merge-component.ts).
   */
  private chunkListings(g: HaddNode): Map<string, ChunkListing> {
    const { s } = this;
    const out = new Map<string, ChunkListing>();
    const walk = (deps: readonly string[]): void => {
      for (const d of deps) {
        const dep = s.plan.graph.nodes.get(d);
        if (dep?.kind === 'hadd') { walk(dep.deps); continue; }
        const rec = s.recordOf(d);
        if (rec?.status === 'ok') out.set(resolve(s.node(d).dir), rec.outputs);
      }
    };
    walk(g.deps);
    return out;
  }
}

/**
 * A failed merge as a task failure: a full disk or quota is a resource (disk), as a chunk's
 * (systemFailure); what it reads (a chunk's file missing, unreadable or not mergeable) is an input
 * failure; its thread dying or a bug in it (kind 'infrastructure') is not.
 */
export function mergeFailure(e: Failure, dir: string): TaskFailure {
  const file = e.file ?? dir;
  const system = systemFailure(e.errno, formatFailure({ ...e, file }));
  if (system !== null) return system;
  if (e.kind === 'infrastructure') return { kind: 'infrastructure', reason: formatFailure({ ...e, file }) };
  return { kind: 'input', file, reason: [e.object, e.reason].filter(Boolean).join(': ') };
}
