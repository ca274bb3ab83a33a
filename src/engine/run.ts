// Running a plan: the scheduler drives the executor over the chunk nodes that are not up to date;
// the hadd nodes run in-process (mergeComponent). Every attempt's end is confirmed from the chunk's
// marker (the truth for every executor) and recorded in the store; failures are recorded too, so
// the next build knows why a node must run again.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeChunkSpec, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, parseTmpName, swapIntoPlace } from '../chunkdir/swap.js';
import { LOG_FILE, MARKER_FILE } from '../chunkdir/layout.js';
import { markerFailure, readMarker, type ChunkMarker } from '../chunkdir/marker.js';
import type { Executor, JobSpec, JournalEntry, ReportedResult } from '../exec/executor.js';
import { schedule, type SchedEvent, type SchedTask } from '../exec/scheduler.js';
import type { RetryPolicy, SchedClock } from '../exec/retry-policy.js';
import { formatTaskFailure, type TaskFailure } from '../util/failure.js';
import { haddKeyParts, keyOf } from '../graph/keys.js';
import type { ChunkNode, HaddNode } from '../graph/dag.js';
import type { BuildEvent, Summary } from '../report/events.js';
import type { TaskStore } from './store.js';
import type { TaskRecord } from '../store/records.js';
import { assertNever, formatFailure, ok, type Failure, type Result } from '../util/result.js';
import { resultDigest, statOutputs } from '../chunkdir/results.js';
import type { BuildPlan } from './plan.js';
import type { OutputCache } from '../cache/output-cache.js';
import { keepInCache, replacedRemoved, restoreChunk, restoreMerge } from './restore.js';
import { nextAttemptOf } from './attempts.js';
import type { MergeJob, MergePool } from '../merge/merge-pool.js';
import type { ChunkListing, MergeSummary } from '../merge/merge-component.js';

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

/**
 * Removes what killed runs left in `Outdir/.heppy/`: tmp dirs never swapped in, trash not yet
 * removed. The build holds the Outdir lock, so no other build, hadd or check --resubmit of this
 * Outdir is running: a tmp dir can only be live when it belongs to a batch job of an earlier build
 * that is still journaled (queued or running; re-attached now, or being cancelled as stale). Those
 * (`<chunk>.<attempt>.<random>` of a journaled chunk and attempt) are kept; the next build removes
 * them once the journal has let go. Trash is the old content of a directory being replaced: always
 * removable. Returns the removed entries (`tmp/<name>`, `trash/<name>`).
 */
export function removeLeftovers(outdir: string, journal: readonly JournalEntry[]): string[] {
  const live = new Set(journal.filter((j) => j.executor !== 'local').map((j) => `${j.name ?? j.nodeId}.${j.attempt}`));
  const removed: string[] = [];
  for (const sub of ['tmp', 'trash']) {
    const d = join(outdir, '.heppy', sub);
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const e of names) {
      const owner = sub === 'tmp' ? parseTmpName(e) : null;
      if (owner !== null && live.has(`${owner.label}.${owner.attempt}`)) continue;
      rmSync(join(d, e), { recursive: true, force: true });
      removed.push(`${sub}/${e}`);
    }
  }
  return removed;
}

export async function runPlan(r: RunInputs): Promise<Summary> {
  const t0 = Date.now();
  const { plan, store } = r;
  const bundle = r.bundle;
  const summary: Summary = { run: 0, adopted: 0, upToDate: 0, failed: 0, skipped: 0, notRun: { failed: 0, interrupted: 0, detached: 0 },
    eventsProcessed: 0, wallMs: 0, failures: [] };
  // Nodes this build submitted an attempt for (prepare); a re-attached job that ends without one
  // is counted as adopted, not run.
  const prepared = new Set<string>();
  const started = new Map<string, number>();
  const done = new Set<string>();
  const tasks: SchedTask[] = [];

  for (const id of plan.graph.order) {
    const n = plan.nodes.get(id)!;
    if (n.adopted) void store.putTask(n.adopted);
    if (n.upToDate) {
      done.add(id);
      summary.upToDate++;
      r.emit({ type: 'up-to-date', id, kind: n.kind, component: n.component });
    } else {
      tasks.push({ id, deps: plan.graph.nodes.get(id)!.deps, kind: n.kind === 'chunk' ? 'job' : 'inline' });
    }
  }

  // Written records are also kept here: lmdb's queued writes are not readable until committed.
  const written = new Map<string, TaskRecord>();
  const record = (rec: TaskRecord): void => {
    written.set(rec.nodeId, rec);
    // What this build kept in the output cache, for its size ledger (the marker is not kept).
    if (rec.status === 'ok' && rec.restoredFrom === undefined && r.cache) {
      let bytes = 0;
      for (const o of rec.outputs) if (o.path !== MARKER_FILE) bytes += o.size;
      r.cache.noteAdded(bytes);
    }
    void store.putTask(rec);
  };
  const nodeOf = (id: string) => plan.nodes.get(id)!;
  // Nodes restored from the output cache, with when their entry was built.
  const restoredAt = new Map<string, string>();
  // CPU of the build's process while each merge ran (merges run inline, one at a time).
  const mergeCpuMs = new Map<string, number>();
  const keep = async (id: string, kind: 'chunk' | 'hadd', dir: string, key: string): Promise<void> => {
    if (!r.cache) return;
    const kept = await keepInCache(r.cache, id, kind, dir, key);
    if (!kept.ok) r.emit({ type: 'warning', message: `${id}: ${formatFailure(kept.error)}` });
  };
  /**
   * Chunks whose key the output cache holds are restored before anything runs (each one appears
   * complete or not at all); a damaged entry is dropped and its chunk runs as usual.
   */
  const restoreChunks = async (): Promise<void> => {
    if (!r.cache) return;
    for (let i = tasks.length - 1; i >= 0; i--) {
      const t = tasks[i]!;
      const n = nodeOf(t.id);
      if (n.kind !== 'chunk' || adoptedIds.has(t.id) || r.cache.entry(n.key!) === null) continue;
      const g = plan.graph.nodes.get(t.id) as ChunkNode;
      const attempt = nextAttemptOf(n.dir, store.getTask(t.id)?.attempts);
      const spec: ChunkSpec = { name: t.id, component: n.component, files: g.plan.files, tree: plan.tree.get(n.component)!, fineSplit: g.plan.fineSplit,
        maxEvents: r.maxEvents, options: r.options, bundle, key: n.key!, attempt };
      const back = await restoreChunk(r.cache, r.outdir, n.dir, spec);
      if (!back.ok) {
        r.emit({ type: 'warning', message: `${t.id}: ${formatFailure(back.error)}; running it instead` });
        continue;
      }
      const outs = back.value.outputs !== null ? ok(back.value.outputs) : statOutputs(n.dir, back.value.marker.outputs);
      if (!outs.ok) continue;
      record({ nodeId: t.id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, outs.value),
        outputs: outs.value, attempts: attempt, eventsProcessed: 0, finishedAt: Date.now(), durationMs: 0, restoredFrom: back.value.builtAt });
      tasks.splice(i, 1);
      done.add(t.id);
      summary.restored = (summary.restored ?? 0) + 1;
      r.emit({ type: 'done', id: t.id, kind: 'chunk', component: n.component, eventsProcessed: 0, durationMs: 0, restored: { builtAt: back.value.builtAt } });
    }
  };

  // The build's own bookkeeping failing (a directory it cannot write, a marker it cannot read): the
  // file system or the batch system, not the analysis.
  const infra = (f: Failure): TaskFailure => ({ kind: 'infrastructure', reason: formatFailure(f) });

  const prepare = async (id: string, attempt: number): Promise<Result<JobSpec, TaskFailure>> => {
    const n = nodeOf(id);
    const g = plan.graph.nodes.get(id) as ChunkNode;
    const spec: ChunkSpec = {
      name: id, component: n.component, files: g.plan.files, tree: plan.tree.get(n.component)!, fineSplit: g.plan.fineSplit,
      maxEvents: r.maxEvents, options: r.options, bundle, key: n.key!, attempt,
    };
    started.set(id, Date.now());
    prepared.add(id);
    // Local workers get the spec in their message (runChunk writes chunk.json into the result);
    // batch jobs read it from the chunk directory, so it is written there first.
    // They also keep a success in the output cache themselves (hashing on the workers).
    if (r.executor.kind === 'local') return ok({ nodeId: id, name: id, chunkDir: n.dir, attempt, spec, ...(r.cache ? { keepIn: r.cache.root } : {}) });
    try {
      const held = readMarker(n.dir);
      if (held.ok && held.value !== null && held.value.key !== n.key) {
        // The result of another key (another option, an earlier analysis) leaves first, as a
        // local run's swap would replace it: otherwise the directory holds this attempt's
        // chunk.json beside that result's marker, and an attempt that never ends (heppy cancel, a
        // build of yet another key) leaves it so for good: check then says stale, build fresh.
        const tmp = makeTmpDir(r.outdir, id, attempt);
        writeChunkSpec(tmp, spec, true);
        swapIntoPlace(tmp, n.dir);
      } else {
        mkdirSync(n.dir, { recursive: true });
        writeChunkSpec(n.dir, spec);
      }
    } catch (err) {
      return { ok: false, error: infra({ file: n.dir, object: id, reason: `cannot write chunk.json: ${(err as Error).message}` }) };
    }
    return ok({ nodeId: id, name: id, chunkDir: n.dir, attempt });
  };

  const confirm = async (id: string, attempt: number, eventsReported: number, reported?: ReportedResult): Promise<Result<{ eventsProcessed: number }, TaskFailure>> => {
    const n = nodeOf(id);
    const bad = (reason: string): Result<never, TaskFailure> => ({ ok: false, error: infra({ file: n.dir, object: id, reason }) });
    if (reported !== undefined) {
      // A local worker ran it in process, wrote this marker and swapped the directory into place:
      // what it reports is what reading the marker and stat-ing the files would find now.
      if (reported.key !== n.key) return bad(`marker key ${reported.key} is not this build's key ${n.key}`);
      record({ nodeId: id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, reported.files),
        outputs: reported.files, attempts: attempt, eventsProcessed: eventsReported, finishedAt: Date.now(), durationMs: Date.now() - (started.get(id) ?? t0) });
      if (reported.marker !== undefined) r.markers?.set(id, reported.marker);
      if (reported.cacheWarning !== undefined) r.emit({ type: 'warning', message: `${id}: ${reported.cacheWarning}` });
      return ok({ eventsProcessed: eventsReported });
    }
    const m = readMarker(n.dir);
    if (!m.ok) return { ok: false, error: infra(m.error) };
    if (m.value === null) return bad('the run ended without writing its marker heppy-status.json');
    if (m.value.kind === 'chunk' && m.value.status === 'failed') return { ok: false, error: markerFailure(m.value) };
    if (m.value.kind !== 'chunk') return bad('marker is not an ok chunk marker');
    if (m.value.key !== n.key) return bad(`marker key ${m.value.key} is not this build's key ${n.key}`);
    // Kept before its outputs are stat-ed: the keep backdates the mtimes of the files it links.
    await keep(id, 'chunk', n.dir, n.key!);
    const outs = statOutputs(n.dir, m.value.outputs);
    if (!outs.ok) return { ok: false, error: infra(outs.error) };
    const events = m.value.eventsProcessed ?? 0;
    record({ nodeId: id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, outs.value),
      outputs: outs.value, attempts: attempt, eventsProcessed: events, finishedAt: Date.now(), durationMs: Date.now() - (started.get(id) ?? t0) });
    return ok({ eventsProcessed: events });
  };

  const inline = async (id: string): Promise<Result<{ eventsProcessed: number }, TaskFailure>> => {
    started.set(id, Date.now()); // its done event's durationMs is the merge's own
    return merge(id);
  };
  // Up to mergeJobs merges at once (the scheduler's inline slots): the first in this thread (a
  // chain of merges, one changed chunk's path, never pays for a thread), the others in a pool
  // thread each (started when first needed, kept for the build).
  const mergeJobs = Math.max(1, r.mergeJobs ?? 1);
  let pool: MergePool | null = null;
  let inThisThread = false;
  /** Chunks of this build not ended yet (set once the cache has restored what it holds). */
  let chunksLeft = 0;
  // While local workers run chunks, the cores are theirs: a merge ready while another merges in
  // this thread waits for it rather than start a pool thread (its start-up alone, ~0.2 s of CPU,
  // competes with the workers). Once the chunks have ended, ready merges use the pool.
  const threadWaiters: Array<() => void> = [];
  const runMerge = async (job: MergeJob, onWarning: (m: string) => void, id: string): Promise<Result<MergeSummary>> => {
    while (inThisThread && r.executor.kind === 'local' && chunksLeft > 0) await new Promise<void>((res) => threadWaiters.push(res));
    if (!inThisThread) {
      inThisThread = true;
      const cpu0 = process.cpuUsage();
      try {
        // Loaded only when a merge runs: it pulls in the ROOT reader and hadd (not needed for a no-op).
        const { mergeComponent } = await import('../merge/index.js');
        return await mergeComponent(job.outdir, job.component, job.inputs, { ...job.opts, onWarning });
      } finally {
        inThisThread = false;
        threadWaiters.shift()?.();
        // The process's CPU while it ran (pool threads merging at the same time included).
        const c = process.cpuUsage(cpu0);
        mergeCpuMs.set(id, (c.user + c.system) / 1000);
      }
    }
    pool ??= new (await import('../merge/merge-pool.js')).MergePool(mergeJobs - 1);
    const done = await pool.run(job, onWarning);
    if (done.busyMs !== null) mergeCpuMs.set(id, done.busyMs);
    return done.result;
  };
  // The chunks under a merge node with their recorded result files: the merge plans from these
  // instead of listing each chunk directory and reading its marker again (merge-component.ts).
  const recordOf = (d: string): TaskRecord | undefined => written.get(d) ?? nodeOf(d).adopted ?? store.getTask(d);
  const chunkListings = (g: HaddNode): Map<string, ChunkListing> => {
    const out = new Map<string, ChunkListing>();
    const walk = (deps: readonly string[]): void => {
      for (const d of deps) {
        const dep = plan.graph.nodes.get(d);
        if (dep?.kind === 'hadd') { walk(dep.deps); continue; }
        const rec = recordOf(d);
        if (rec?.status === 'ok') out.set(resolve(nodeOf(d).dir), rec.outputs);
      }
    };
    walk(g.deps);
    return out;
  };
  const merge = async (id: string): Promise<Result<{ eventsProcessed: number }, TaskFailure>> => {
    const n = nodeOf(id);
    const g = plan.graph.nodes.get(id) as HaddNode;
    const deps = g.deps;
    const results: Array<[string, string]> = [];
    for (const d of deps) {
      const rec = recordOf(d);
      if (!rec || rec.status !== 'ok') return { ok: false, error: infra({ object: id, reason: `${nodeOf(d).kind === 'chunk' ? 'chunk' : 'merge'} ${d} has no successful record` }) };
      results.push([d, rec.resultDigest]);
    }
    const kp = haddKeyParts(r.heppyVersion, n.component, results, g.level);
    const key = keyOf(kp);
    const t = Date.now();
    if (r.cache && r.cache.entry(key) !== null) {
      const back = await restoreMerge(r.cache, r.outdir, n.dir, id, key);
      if (back.ok) {
        const outs = back.value.outputs !== null ? ok(back.value.outputs) : statOutputs(n.dir, back.value.marker.outputs);
        if (outs.ok) {
          record({ nodeId: id, kind: 'hadd', status: 'ok', key, keyParts: kp, resultDigest: resultDigest(key, outs.value), outputs: outs.value,
            attempts: 1, eventsProcessed: 0, finishedAt: Date.now(), durationMs: Date.now() - t, restoredFrom: back.value.builtAt });
          restoredAt.set(id, back.value.builtAt);
          return ok({ eventsProcessed: 0 });
        }
      } else r.emit({ type: 'warning', message: `${id}: ${formatFailure(back.error)}; merging instead` });
    }
    // A node of a merge tree merges the merges below it; every node records all chunks under it.
    const listings = chunkListings(g);
    const merged = await runMerge({ outdir: r.outdir, component: n.component, inputs: deps.map((d) => nodeOf(d).dir), opts: { key, nfiles: g.chunks, target: n.dir, listings } },
      (message) => r.emit({ type: 'warning', message: `${n.component}: ${message}` }), id);
    if (!merged.ok) {
      const failure = mergeFailure(merged.error, n.dir);
      record({ nodeId: id, kind: 'hadd', status: 'failed', key, keyParts: kp, resultDigest: '', outputs: [], attempts: 1, eventsProcessed: 0,
        reason: formatTaskFailure(failure), failure, finishedAt: Date.now(), durationMs: Date.now() - t });
      return { ok: false, error: failure };
    }
    await keep(id, 'hadd', n.dir, key); // before the stat: the keep backdates the files it links
    const outs = statOutputs(n.dir, merged.value.outputs);
    if (!outs.ok) return { ok: false, error: infra(outs.error) };
    record({ nodeId: id, kind: 'hadd', status: 'ok', key, keyParts: kp, resultDigest: resultDigest(key, outs.value), outputs: outs.value,
      attempts: 1, eventsProcessed: 0, finishedAt: Date.now(), durationMs: Date.now() - t });
    return ok({ eventsProcessed: 0 });
  };

  const emit = (e: SchedEvent): void => {
    const n = nodeOf(e.id);
    switch (e.type) {
      case 'start':
        r.emit({ type: 'start', id: e.id, kind: n.kind, component: n.component, attempt: e.attempt });
        break;
      case 'progress':
        r.emit({ type: 'progress', id: e.id, component: n.component, events: e.events, ...(e.expected !== undefined ? { expected: e.expected } : {}) });
        break;
      case 'retry':
        r.emit({ type: 'retry', id: e.id, component: n.component, attempt: e.attempt, reason: formatTaskFailure(e.failure), failure: e.failure,
          delayMs: e.delayMs, ...(e.resources ? { resources: e.resources } : {}) });
        break;
      case 'end': {
        const o = e.outcome;
        if (n.kind === 'chunk' && --chunksLeft === 0) for (const w of threadWaiters.splice(0)) w();
        if (o.status === 'succeeded') {
          const from = restoredAt.get(e.id);
          if (from !== undefined) {
            summary.restored = (summary.restored ?? 0) + 1;
            r.emit({ type: 'done', id: e.id, kind: n.kind, component: n.component, eventsProcessed: 0, durationMs: 0, restored: { builtAt: from } });
            break;
          }
          if (n.kind === 'chunk' && adoptedIds.has(e.id) && !prepared.has(e.id)) summary.adopted++;
          else summary.run++;
          summary.eventsProcessed += o.eventsProcessed;
          const cpuMs = mergeCpuMs.get(e.id);
          r.emit({ type: 'done', id: e.id, kind: n.kind, component: n.component, eventsProcessed: o.eventsProcessed, durationMs: Date.now() - (started.get(e.id) ?? t0),
            ...(cpuMs !== undefined ? { cpuMs: Math.round(cpuMs) } : {}) });
        } else if (o.status === 'failed') {
          summary.failed++;
          const log = n.kind === 'chunk' && existsSync(join(n.dir, LOG_FILE)) ? join(n.dir, LOG_FILE) : o.log;
          const reason = formatTaskFailure(o.failure);
          summary.failures.push({ id: e.id, reason, failure: o.failure, attempts: o.attempts, log });
          if (n.kind === 'chunk') {
            record({ nodeId: e.id, kind: 'chunk', status: 'failed', key: n.key!, keyParts: n.parts()!, resultDigest: '', outputs: [], attempts: o.attempt,
              eventsProcessed: 0, reason, failure: o.failure, log, finishedAt: Date.now(), durationMs: Date.now() - (started.get(e.id) ?? t0) });
          }
          r.emit({ type: 'failed', id: e.id, kind: n.kind, component: n.component, reason, failure: o.failure, log, attempts: o.attempts });
        } else if (o.status === 'skipped') {
          summary.skipped++;
          summary.notRun.failed++; // the scheduler skips a node only when a dependency failed
          r.emit({ type: 'skipped', id: e.id, kind: n.kind, component: n.component, reason: n.kind === 'hadd' ? `not merged: a chunk of ${n.component} failed` : 'a dependency failed' });
        } else assertNever(o, 'task outcome');
        break;
      }
      default:
        assertNever(e, 'scheduler event');
    }
  };

  // Jobs of an interrupted build, still queued or running for exactly today's key, are re-attached.
  const toRun = new Set(tasks.map((t) => t.id));
  const journal = store.listJobs();
  const adopt = journal.filter((j) => toRun.has(j.nodeId) && j.key === nodeOf(j.nodeId).key && j.executor === r.executor.kind);
  const stale = journal.filter((j) => !adopt.includes(j));
  const adoptedIds = new Set(adopt.map((j) => j.nodeId));
  if (stale.some((j) => j.executor !== 'local')) {
    // Batch jobs for an older key (or another executor) would run the old analysis and swap their
    // result over this build's: cancel the ones still queued or running.
    const { cancelStaleJobs } = await import('./cancel.js');
    const gone = await cancelStaleJobs(r.outdir, stale);
    if (gone.length > 0) r.emit({ type: 'warning', message: `cancelled ${gone.length} batch job${gone.length === 1 ? '' : 's'} of an earlier build for an older version of their chunks (or another executor): ${gone.slice(0, 8).join(' ')}${gone.length > 8 ? ' …' : ''}` });
  }
  for (const j of stale) void store.deleteJob(j.nodeId, j.attempt);

  removeLeftovers(r.outdir, journal);
  await restoreChunks();
  chunksLeft = tasks.filter((t) => t.kind === 'job').length;
  // What the Outdir holds now (one listing, taken when the first node is started: a no-op build
  // does not list 10,000 entries): a chunk without a directory has no marker or chunk.json to read
  // an earlier attempt from (a cold build: two failed opens per chunk saved).
  let present: Set<string> | null | undefined;
  const firstAttempt = (id: string, recorded: number | undefined): number => {
    const dir = nodeOf(id).dir;
    if (present === undefined) present = listNames(r.outdir);
    if (present !== null && dirname(dir) === r.outdir && !present.has(basename(dir))) return (recorded ?? 0) + 1;
    return nextAttemptOf(dir, recorded);
  };

  const outcomes = await schedule(tasks, done, r.executor, {
    prepare, inline, confirm, emit,
    // Local workers die with the build: nothing to journal (and no commit to wait for per chunk).
    ...(r.executor.kind === 'local' ? {} : { journal: { put: (e: JournalEntry) => store.putJob(e), remove: (id: string, a: number) => store.deleteJob(id, a) } }),
    keyOf: (id) => nodeOf(id).key ?? '',
    firstAttempt: (id) => firstAttempt(id, (written.get(id) ?? store.getTask(id))?.attempts),
  }, { retry: r.retry, keepGoing: r.keepGoing, signal: r.signal, adopt, detach: r.detach ?? false, inlineSlots: mergeJobs, ...(r.clock ? { clock: r.clock } : {}) })
    .finally(() => (pool as MergePool | null)?.close());
  await replacedRemoved();
  const failedIds = new Set(summary.failures.map((f) => f.id));
  for (const [id, o] of outcomes) {
    // Interrupted, detached or stopped: counted as not run (the scheduler emitted nothing for these).
    if (o.status !== 'skipped' || failedIds.has(id)) continue;
    switch (o.why) {
      case 'dependency':
        break; // counted when the scheduler emitted its end
      case 'interrupted':
        summary.skipped++;
        summary.notRun.interrupted++;
        break;
      case 'detached':
        summary.skipped++;
        summary.notRun.detached++;
        break;
      case 'stopped':
        summary.skipped++;
        summary.notRun.failed++;
        break;
      default:
        assertNever(o.why, 'skip reason');
    }
  }
  await store.flush();
  summary.wallMs = Date.now() - t0;
  return summary;
}

/** The names in `dir`, or null when it cannot be listed. */
function listNames(dir: string): Set<string> | null {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return null;
  }
}

/**
 * A failed merge as a task failure: what it reads (a chunk's file missing, unreadable or not
 * mergeable) is an input failure; its thread dying or a bug in it (kind 'infrastructure') is not.
 */
export function mergeFailure(e: Failure, dir: string): TaskFailure {
  const file = e.file ?? dir;
  if (e.kind === 'infrastructure') return { kind: 'infrastructure', reason: formatFailure({ ...e, file }) };
  return { kind: 'input', file, reason: [e.object, e.reason].filter(Boolean).join(': ') };
}
