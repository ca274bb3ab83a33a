// Running a plan: the scheduler drives the executor over the chunk nodes that are not up to date;
// the hadd nodes run in-process (mergeComponent). Every attempt's end is confirmed from the chunk's
// marker (the truth for every executor) and recorded in the store; failures are recorded too, so
// the next build knows why a node must run again. The parts: run-state.ts (what a run keeps),
// run-chunks.ts (restore, prepare, confirm), run-merge.ts (merge dispatch), run-end.ts (events and
// the summary), run-journal.ts (an earlier build's jobs and leftovers).
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ChunkMarker } from '../chunkdir/marker.js';
import type { Executor, JournalEntry } from '../exec/executor.js';
import { schedule, type SchedTask } from '../exec/scheduler.js';
import type { RetryPolicy, SchedClock } from '../exec/retry-policy.js';
import type { BuildEvent, Summary } from '../report/events.js';
import type { TaskStore } from './store.js';
import type { BuildPlan } from './plan.js';
import type { OutputCache } from '../cache/output-cache.js';
import { replacedRemoved } from './restore.js';
import { RunState } from './run-state.js';
import { ChunkRuns } from './run-chunks.js';
import { MergeRuns } from './run-merge.js';
import { countNotRun, reportEvent } from './run-end.js';
import { adoptJournal, removeLeftovers } from './run-journal.js';
import { timingMark } from '../util/timing.js';


export interface RunInputs {
  plan: BuildPlan;
  store: TaskStore;
  executor: Executor;
  outdir: string;
  /** The analysis bundle as jobs see it (publishBundle's path, or the recorded plan's). */
  bundle: string;
  heppyVersion: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  /** Which failures are retried, how often, after what back-off (src/exec/retry-policy.ts). */
  retry: RetryPolicy;
  clock?: SchedClock;
  keepGoing: boolean;
  signal?: AbortSignal;
  /** Batch executors: return once everything runnable is submitted (--detach). */
  detach?: boolean;
  emit(e: BuildEvent): void;
  /** The output cache: nodes whose key it holds are restored instead of run (null: --no-cache). */
  cache?: OutputCache | null;
  /** Filled with the markers runs reported as they wrote them (the trace is made from these, not read back). */
  markers?: Map<string, ChunkMarker>;
  /**
   * Merge nodes run at once (-j N: N), each in a thread of a merge pool; 1 (default): one at a
   * time in this thread.
   */
  mergeJobs?: number;
}

/** The bundle as jobs see it: content-addressed under Outdir/.heppy/bundles/ (with its map). */
export function publishBundle(outdir: string, bundlePath: string): string {
  const dir = join(outdir, '.heppy', 'bundles');
  const dest = join(dir, basename(bundlePath));
  if (!existsSync(dest)) {
    mkdirSync(dir, { recursive: true });
    if (existsSync(`${bundlePath}.map`)) copyFileSync(`${bundlePath}.map`, `${dest}.map`);
    copyFileSync(bundlePath, `${dest}.tmp`);
    renameSync(`${dest}.tmp`, dest);
  }
  return dest;
}

export async function runPlan(r: RunInputs): Promise<Summary> {
  const { plan, store } = r;
  const s = new RunState(plan, store, r.cache ?? null, r.emit);
  const tasks: SchedTask[] = [];
  for (const id of plan.graph.order) {
    const n = plan.nodes.get(id)!;
    if (n.adopted) void store.putTask(n.adopted);
    if (n.upToDate) {
      s.done.add(id);
      s.summary.upToDate++;
      r.emit({ type: 'up-to-date', id, kind: n.kind, component: n.component });
    } else {
      tasks.push({ id, deps: plan.graph.nodes.get(id)!.deps, kind: n.kind === 'chunk' ? 'job' : 'inline' });
    }
  }
  const chunks = new ChunkRuns(s, { outdir: r.outdir, bundle: r.bundle, options: r.options, maxEvents: r.maxEvents, executor: r.executor.kind,
    ...(r.markers ? { markers: r.markers } : {}) });
  const merges = new MergeRuns(s, r.outdir, r.heppyVersion, r.executor.kind, r.mergeJobs);

  const journal = store.listJobs();
  const adopt = await adoptJournal(plan, store, journal, new Set(tasks.map((t) => t.id)), r.executor.kind, r.outdir, r.emit);
  const adoptedIds = new Set(adopt.map((j) => j.nodeId));
  removeLeftovers(r.outdir, journal, (message) => r.emit({ type: 'warning', message }));
  timingMark('executor, run set up, journal');
  await chunks.restoreAll(tasks, adoptedIds, r.signal);
  timingMark('chunks restored');
  merges.chunksToRun(tasks.filter((t) => t.kind === 'job').length);

  const outcomes = await schedule(tasks, s.done, r.executor, {
    prepare: (id, attempt) => chunks.prepare(id, attempt),
    confirm: (id, attempt, events, reported) => chunks.confirm(id, attempt, events, reported),
    inline: (id) => merges.run(id),
    emit: (e) => reportEvent(s, merges, adoptedIds, e),
    // Local workers die with the build: nothing to journal (and no commit to wait for per chunk).
    ...(r.executor.kind === 'local' ? {} : { journal: { put: (e: JournalEntry) => store.putJob(e), remove: (id: string, a: number) => store.deleteJob(id, a) } }),
    keyOf: (id) => s.node(id).key ?? '',
    firstAttempt: (id) => chunks.firstAttempt(id),
  }, { retry: r.retry, keepGoing: r.keepGoing, signal: r.signal, adopt, detach: r.detach ?? false, inlineSlots: merges.slots, ...(r.clock ? { clock: r.clock } : {}) })
    .finally(() => merges.close());
  timingMark('scheduled (runs, merges)');
  await replacedRemoved();
  countNotRun(s, outcomes);
  await store.flush();
  timingMark('replaced removed, store flushed');
  if (r.signal?.aborted) s.summary.interrupted = true;
  s.summary.wallMs = Date.now() - s.t0;
  return s.summary;
}
