// The chunk nodes of a run: restored from the output cache before anything runs, prepared for the
// executor (local workers get the spec in their message, batch jobs read chunk.json), and confirmed
// when they end (from what a local worker reported, or from the marker a batch job wrote).
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeChunkSpec, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
import { markerFailure, readMarker, type ChunkMarker } from '../chunkdir/marker.js';
import { resultDigest, statOutputs } from '../chunkdir/results.js';
import type { ExecutorKind, JobSpec, ReportedResult } from '../exec/executor.js';
import type { SchedTask } from '../exec/scheduler.js';
import type { ChunkNode } from '../graph/dag.js';
import type { TaskFailure } from '../util/failure.js';
import { formatFailure, ok, type Result } from '../util/result.js';
import { heldIn, nextAttemptOf } from './attempts.js';
import { restoreChunk } from './restore.js';
import { infra, type RunState } from './run-state.js';

/** What every chunk of the run shares in its spec. */
export interface ChunkRunInputs {
  outdir: string;
  bundle: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  executor: ExecutorKind;
  /** Filled with the markers local runs reported (the trace is made from these, not read back). */
  markers?: Map<string, ChunkMarker>;
}

type Ended = Result<{ eventsProcessed: number }, TaskFailure>;

export class ChunkRuns {
  /** What the Outdir holds (one listing, taken when the first node is started; undefined: not yet). */
  private present: Set<string> | null | undefined;

  constructor(private readonly s: RunState, private readonly c: ChunkRunInputs) {}

  private spec(id: string, attempt: number): ChunkSpec {
    const n = this.s.node(id);
    const g = this.s.plan.graph.nodes.get(id) as ChunkNode;
    return { name: id, component: n.component, files: g.plan.files, tree: this.s.plan.tree.get(n.component)!, fineSplit: g.plan.fineSplit,
      maxEvents: this.c.maxEvents, options: this.c.options, bundle: this.c.bundle, key: n.key!, attempt };
  }

  /**
   * Chunks whose key the output cache holds are restored before anything runs (each one appears
   * complete or not at all) and leave `tasks`; a damaged entry is dropped and its chunk runs as usual.
   * Stops at `signal` (Ctrl-C): the chunks not restored stay in `tasks`.
   */
  async restoreAll(tasks: SchedTask[], adopted: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
    const { s } = this;
    const cache = s.cache;
    if (!cache) return;
    let turn = Date.now();
    for (let i = tasks.length - 1; i >= 0; i--) {
      // A restore whose stamps hold never waits for I/O: a turn of the event loop every 20 ms lets a
      // Ctrl-C's handler run; the chunks left are then not run (interrupted), as in a running build.
      if (signal !== undefined && Date.now() - turn >= 20) {
        await new Promise((r) => setImmediate(r));
        turn = Date.now();
      }
      if (signal?.aborted) return;
      const t = tasks[i]!;
      const n = s.node(t.id);
      if (n.kind !== 'chunk' || adopted.has(t.id) || cache.entry(n.key!) === null) continue;
      const held = heldIn(n.dir); // the directory replaced: its last attempt, and its key to park it under
      const attempt = Math.max(held.attempt, s.store.getSummary(t.id)?.attempts ?? 0) + 1;
      const back = await restoreChunk(cache, this.c.outdir, n.dir, this.spec(t.id, attempt), held.okKey);
      if (!back.ok) {
        s.emit({ type: 'warning', message: `${t.id}: ${formatFailure(back.error)}; running it instead` });
        continue;
      }
      const outs = back.value.outputs !== null ? ok(back.value.outputs) : statOutputs(n.dir, back.value.marker.outputs);
      if (!outs.ok) continue;
      s.record({ nodeId: t.id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, outs.value),
        outputs: outs.value, attempts: attempt, eventsProcessed: 0, finishedAt: Date.now(), durationMs: 0, restoredFrom: back.value.builtAt });
      tasks.splice(i, 1);
      s.done.add(t.id);
      s.summary.restored = (s.summary.restored ?? 0) + 1;
      s.emit({ type: 'done', id: t.id, kind: 'chunk', component: n.component, eventsProcessed: 0, durationMs: 0, restored: { builtAt: back.value.builtAt } });
    }
  }

  async prepare(id: string, attempt: number): Promise<Result<JobSpec, TaskFailure>> {
    const n = this.s.node(id);
    const spec = this.spec(id, attempt);
    this.s.started.set(id, Date.now());
    this.s.prepared.add(id);
    // Local workers get the spec in their message (runChunk writes chunk.json into the result) and
    // keep a success in the output cache themselves (hashing on the workers); batch jobs read the
    // spec from the chunk directory, so it is written there first.
    if (this.c.executor === 'local') return ok({ nodeId: id, name: id, chunkDir: n.dir, attempt, spec, ...(this.s.cache ? { keepIn: this.s.cache.root } : {}) });
    try {
      const held = readMarker(n.dir);
      if (held.ok && held.value !== null && held.value.key !== n.key) {
        // The result of another key (another option, an earlier analysis) leaves first, as a
        // local run's swap would replace it: otherwise the directory holds this attempt's
        // chunk.json beside that result's marker, and an attempt that never ends (heppy cancel, a
        // build of yet another key) leaves it so for good: check then says stale, build fresh.
        const tmp = makeTmpDir(this.c.outdir, id, attempt);
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
  }

  async confirm(id: string, attempt: number, eventsReported: number, reported?: ReportedResult): Promise<Ended> {
    const { s } = this;
    const n = s.node(id);
    const bad = (reason: string): Result<never, TaskFailure> => ({ ok: false, error: infra({ file: n.dir, object: id, reason }) });
    if (reported !== undefined) {
      // A local worker ran it in process, wrote this marker and swapped the directory into place:
      // what it reports is what reading the marker and stat-ing the files would find now.
      if (reported.key !== n.key) return bad(`marker key ${reported.key} is not this build's key ${n.key}`);
      s.record({ nodeId: id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, reported.files),
        outputs: reported.files, attempts: attempt, eventsProcessed: eventsReported, finishedAt: Date.now(), durationMs: s.elapsed(id) });
      if (reported.marker !== undefined) this.c.markers?.set(id, reported.marker);
      if (reported.cacheWarning !== undefined) s.emit({ type: 'warning', message: `${id}: ${reported.cacheWarning}` });
      return ok({ eventsProcessed: eventsReported });
    }
    const m = readMarker(n.dir);
    if (!m.ok) return { ok: false, error: infra(m.error) };
    if (m.value === null) return bad('the run ended without writing its marker heppy-status.json');
    if (m.value.kind === 'chunk' && m.value.status === 'failed') return { ok: false, error: markerFailure(m.value) };
    if (m.value.kind !== 'chunk') return bad('marker is not an ok chunk marker');
    if (m.value.key !== n.key) return bad(`marker key ${m.value.key} is not this build's key ${n.key}`);
    // Kept before its outputs are stat-ed: the keep backdates the mtimes of the files it links.
    await s.keep(id, 'chunk', n.dir, n.key!);
    const outs = statOutputs(n.dir, m.value.outputs);
    if (!outs.ok) return { ok: false, error: infra(outs.error) };
    const events = m.value.eventsProcessed ?? 0;
    s.noteJobTimes(id, m.value.startedAt, m.value.finishedAt);
    s.record({ nodeId: id, kind: 'chunk', status: 'ok', key: n.key!, keyParts: n.parts()!, resultDigest: resultDigest(n.key!, outs.value),
      outputs: outs.value, attempts: attempt, eventsProcessed: events, finishedAt: Date.now(), durationMs: s.runTime(id) });
    return ok({ eventsProcessed: events });
  }

  /**
   * A chunk's first attempt in this build: a chunk without a directory has no marker or chunk.json
   * to read an earlier attempt from (a cold build: two failed opens per chunk saved).
   */
  firstAttempt(id: string): number {
    const recorded = (this.s.written.get(id) ?? this.s.store.getSummary(id))?.attempts;
    const dir = this.s.node(id).dir;
    if (this.present === undefined) this.present = listNames(this.c.outdir);
    if (this.present !== null && dirname(dir) === this.c.outdir && !this.present.has(basename(dir))) return (recorded ?? 0) + 1;
    return nextAttemptOf(dir, recorded);
  }
}

/** The names in `dir`, or null when it cannot be listed. */
function listNames(dir: string): Set<string> | null {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return null;
  }
}
