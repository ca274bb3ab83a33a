// heppy's Looper, minus the files: beginLoop for all analyzers, every event of the window through
// the sequence (false stops the sequence for that event only), UserStop ends the loop cleanly,
// then endLoop for all. Timing per analyzer for the TimeReport; the 'analyzers' counter.
import { errnoOf, systemFailure } from '../util/environment-error.js';
import { performance } from 'node:perf_hooks';
import type { Analyzer, Setup } from '../config/analyzer.js';
import { Counter } from '../stats/counter.js';
import type { TaskFailure } from '../util/failure.js';
import { ok, type Result } from '../util/result.js';
import { Event, columnSlots, type ColumnSlot } from './event.js';
import type { NumArray } from '../root/types.js';
import type { EventSource } from './source.js';
import type { TimeEntry } from './time-report.js';
import { isUserStop } from './user-stop.js';
import { segments, type EventWindow } from './window.js';

export interface LoopHooks {
  /** Called after each batch with the events processed so far and the window size. */
  onProgress?(processed: number, expected: number): void;
  /** Aborting stops the loop gracefully after the current event (heppy's SIGUSR2). */
  signal?: AbortSignal;
  /** Milliseconds clock for the TimeReport (tests inject a deterministic one). */
  clock?: () => number;
  /**
   * heppy's `event N (R ev/s)` lines (log.txt) come at multiples of 100 events, at most one per
   * this many milliseconds of the loop (default 10 s; heppy printed every 100 events).
   */
  eventLineIntervalMs?: number;
  /** Called with each event after the sequence ran on it (`heppy run --print`). */
  afterEvent?(event: Event): void;
}

/** What the looper shares with the framework while it runs (not part of the hooks callers pass). */
export interface LoopContext {
  /** Set to the event going through the sequence (counters weigh their entries with its eventWeight). */
  current?: { event: Event | null };
  /**
   * The component's generator-weight branch: each event's eventWeight starts as its value, and
   * `counter` (one level) sums them (the normalisation's denominator instead of nGenEvents).
   */
  genWeight?: { branch: string; counter: Counter };
}

/** heppy's periodic line, e.g. `event 200 (1234.5 ev/s)`. */
export function eventLine(iEv: number, processed: number, elapsedMs: number): string {
  return `event ${iEv} (${(elapsedMs > 0 ? (processed * 1000) / elapsedMs : 0).toFixed(1)} ev/s)`;
}

export interface LoopResult {
  eventsProcessed: number;
  userStop: boolean;
  /** Lines for the top of log.txt (UserStop or graceful-stop messages). */
  early: string[];
  timeReport: TimeEntry[];
  analyzersCounter: Counter;
}

/** The branches to read: the union of the analyzers' `static branches`, or all numeric ones. */
export function branchesToRead(analyzers: readonly Analyzer<object>[], available: readonly string[], extra: readonly string[] = []): string[] {
  const wanted = new Set<string>(extra);
  for (const a of analyzers) {
    const decl = (a.constructor as { branches?: readonly string[] }).branches;
    if (!Array.isArray(decl)) return [...new Set([...available, ...extra])];
    for (const b of decl) wanted.add(b);
  }
  return [...wanted];
}

function errorText(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: `${e.name === 'Error' ? '' : e.name + ': '}${e.message}`, ...(e.stack ? { stack: e.stack } : {}) };
  return { message: String(e) };
}

/** The analysis failure of analyzer `analyzer` (at event `event` of `file`, when in the loop). */
export function analysisFailure(e: unknown, analyzer: string, where: { phase?: string; event?: number; file?: string } = {}): TaskFailure {
  const t = errorText(e);
  // A full disk or quota met while an analyzer writes is the machine's refusal, not the code's fault.
  const system = systemFailure(errnoOf(e), `${analyzer}: ${where.phase ? `${where.phase}: ` : ''}${t.message}`);
  if (system !== null) return system;
  return {
    kind: 'analysis', analyzer, reason: where.phase ? `${where.phase}: ${t.message}` : t.message,
    ...(where.event !== undefined ? { event: where.event } : {}), ...(where.file !== undefined ? { file: where.file } : {}),
    ...(t.stack ? { stack: t.stack } : {}),
  };
}

const failed = (f: TaskFailure): { ok: false; error: TaskFailure } => ({ ok: false, error: f });

/** Runs `phase` of every analyzer in order; the first exception fails the chunk. */
export async function runPhase(analyzers: readonly Analyzer<object>[], phase: 'beginLoop' | 'endLoop' | 'write', setup: Setup): Promise<Result<void, TaskFailure>> {
  for (const a of analyzers) {
    try {
      await a[phase](setup);
    } catch (e) {
      return failed(analysisFailure(e, a.name, { phase }));
    }
  }
  return ok(undefined);
}

/**
 * The TimeReport reads the clock around every analyzer call for the first TIME_ALL events of a
 * loop, then on one event in TIME_EVERY; each analyzer's measured time is scaled by its calls over
 * its timed calls. Two clock readings per analyzer and event (≈ 45 ns each) were a tenth of the
 * framework's cost per event on the demo's data, where most events stop after two reads. A rare
 * long call (a tree basket flushed, the process descheduled) counts TIME_EVERY times when sampled:
 * the scaled sum is therefore capped by the sequence's measured time over all batches.
 */
const TIME_ALL = 1000;
const TIME_EVERY = 16;

/**
 * What the per-batch loop reads and updates: one object, so that the hot loop is a plain sync
 * function. The optional hooks and context are copied into fields that are always present (null
 * when absent): the callers' objects differ in shape between chunks (a simulated component's
 * context has a genWeight, a data component's has none), and each new shape deoptimised runBatch.
 */
interface LoopState {
  readonly analyzers: readonly Analyzer<object>[];
  readonly setup: Setup;
  readonly signal: AbortSignal | null;
  readonly afterEvent: ((event: Event) => void) | null;
  readonly current: { event: Event | null } | null;
  readonly gen: { branch: string; counter: Counter } | null;
  /** The level gen.counter counts (looked up here: runBatch ran data chunks first, and the lookup it never reached there deoptimised it at the first simulated chunk). */
  readonly genLevel: string;
  readonly now: () => number;
  readonly lineEvery: number;
  readonly loopStart: number;
  readonly times: Float64Array;
  readonly timedCalls: Float64Array;
  readonly calls: Float64Array;
  readonly passed: Float64Array;
  /**
   * [0]: clock time spent in runBatch (every event, every analyzer): the cap of the scaled times. A Float64Array like the times above: a field first set to 0
   * held a small integer, and the first fractional sum changed the state's hidden class (a deopt).
   */
  readonly sequenceTime: Float64Array;
  readonly early: string[];
  lastLine: number;
  processed: number;
  /** Set when the loop must end: a failure, a UserStop or a graceful stop. */
  end: { failure: TaskFailure } | { userStop: boolean } | null;
}

/**
 * Runs the sequence over the rows of one batch (a sync function: the async loop around it would
 * keep every local in its generator context). Sets state.end to stop the loop; returns the events
 * processed so far. Nothing follows the loop but that return: V8 compiles the loop on stack (OSR)
 * during the first batch, before any statement after it has run, and that code bailed out at such
 * a statement (no type feedback) at the end of every batch while it was in use.
 */
function runBatch(st: LoopState, columns: Map<string, ColumnSlot>, n: number, base: number, file: string | undefined, genValues: NumArray | null): number {
  const { analyzers, setup, signal, afterEvent, current, gen, genLevel, now, times, timedCalls, calls, passed } = st;
  const nA = analyzers.length;
  let processed = st.processed;
  // The next event that may print an 'event N' line (the positive multiples of 100): a compare
  // per event where `iEv % 100` was an integer division.
  let lineAt = Math.max(100, Math.ceil(base / 100) * 100);
  for (let r = 0; r < n; r++) {
    const iEv = base + r;
    if (signal !== null && signal.aborted) {
      st.early.push(`stopping gracefully at event ${iEv}`);
      st.end = { userStop: false };
      return processed;
    }
    if (iEv === lineAt) {
      lineAt += 100;
      const t = performance.now();
      if (t - st.lastLine >= st.lineEvery) { st.early.push(eventLine(iEv, processed, t - st.loopStart)); st.lastLine = t; }
    }
    const event = new Event(iEv, columns, r, setup);
    if (current !== null) current.event = event;
    if (gen !== null) {
      event.eventWeight = genValues !== null ? Number(genValues[r]!) : event.scalar(gen.branch);
      gen.counter.inc(genLevel);
    }
    const timed = processed < TIME_ALL || processed % TIME_EVERY === 0;
    // One clock reading per analyzer boundary: the end of one call is the start of the next.
    let t0 = timed ? now() : 0;
    for (let a = 0; a < nA; a++) {
      const ana = analyzers[a]!;
      let ret: unknown;
      try {
        ret = ana.process(event);
      } catch (e) {
        if (isUserStop(e)) {
          st.early.push('Stopped loop following a UserStop exception:', (e as Error).message);
          st.end = { userStop: true };
        } else st.end = { failure: analysisFailure(e, ana.name, { event: iEv, ...(file !== undefined ? { file } : {}) }) };
        return processed;
      }
      if (timed) {
        const t1 = now();
        times[a]! += t1 - t0;
        timedCalls[a]! += 1;
        t0 = t1;
      }
      calls[a]! += 1;
      if (ret === false) break;
      if (ret !== undefined && ret !== true) {
        st.end = { failure: { kind: 'analysis', analyzer: ana.name, event: iEv, ...(file !== undefined ? { file } : {}),
          reason: `process() must return true, false or nothing (got ${typeof ret}; process cannot be async)` } };
        return processed;
      }
      passed[a]! += 1;
    }
    processed++;
    if (afterEvent !== null) afterEvent(event);
  }
  return processed;
}

/** One function for every loop (a closure per chunk changed runBatch's call target: a deopt per chunk). */
const defaultClock = (): number => performance.now();

export async function runLoop(
  analyzers: readonly Analyzer<object>[], source: EventSource, window: EventWindow, branches: string[], setup: Setup, hooks: LoopHooks = {},
  ctx: LoopContext = {},
): Promise<Result<LoopResult, TaskFailure>> {
  const counter = new Counter('analyzers');
  for (const a of analyzers) counter.register(a.name);
  const nA = analyzers.length;
  const loopStart = performance.now();
  const st: LoopState = {
    analyzers, setup, signal: hooks.signal ?? null, afterEvent: hooks.afterEvent ?? null, current: ctx.current ?? null,
    gen: ctx.genWeight ?? null, genLevel: ctx.genWeight?.counter.levels[0]?.[0] ?? '', now: hooks.clock ?? defaultClock, lineEvery: hooks.eventLineIntervalMs ?? 10_000,
    loopStart, lastLine: loopStart, times: new Float64Array(nA), timedCalls: new Float64Array(nA), calls: new Float64Array(nA),
    passed: new Float64Array(nA), sequenceTime: new Float64Array(1), early: [], processed: 0, end: null,
  };

  const begin = await runPhase(analyzers, 'beginLoop', setup);
  if (!begin.ok) return begin;
  const loop = await loopSegments(st, source, window, branches, hooks);
  if (typeof loop !== 'boolean') return failed(loop);

  if (ctx.current) ctx.current.event = null;
  for (let a = 0; a < nA; a++) counter.inc(analyzers[a]!.name, st.passed[a]!);
  const end = await runPhase(analyzers, 'endLoop', setup);
  if (!end.ok) return end;
  return ok({ eventsProcessed: st.processed, userStop: loop, early: st.early, timeReport: timeReportOf(st), analyzersCounter: counter });
}

/** Runs the sequence over the window's segments, file by file, batch by batch: the failure, or whether a UserStop ended it. */
async function loopSegments(st: LoopState, source: EventSource, window: EventWindow, branches: string[], hooks: LoopHooks): Promise<TaskFailure | boolean> {
  let lastYield = performance.now();
  const segs = segments(source.entriesPerFile, window);
  for (let s = 0; s < segs.length; s++) {
    const seg = segs[s]!, next = segs[s + 1];
    const file = source.inputFiles ? source.inputFiles[seg.file] : undefined;
    let first = true;
    for await (const batch of source.batches(seg.file, branches, seg.start, seg.stop)) {
      // The next file's first baskets decode (on the codec thread) while this file's events run.
      if (first && next !== undefined) source.prefetch?.(next.file, branches, next.start, next.stop);
      first = false;
      const t0 = st.now();
      const slots = columnSlots(batch.columns);
      // The generator-weight column, looked up once per batch rather than per event; not a flat
      // column (or not read): event.scalar() in runBatch reports it.
      const genSlot = st.gen !== null ? slots.get(st.gen.branch) : undefined;
      const genValues = genSlot !== undefined && genSlot.col.kind === 'flat' ? genSlot.col.values : null;
      st.processed = runBatch(st, slots, batch.stop - batch.start, seg.globalStart + (batch.start - seg.start), file, genValues);
      st.sequenceTime[0]! += st.now() - t0;
      if (st.end !== null) return 'failure' in st.end ? st.end.failure : st.end.userStop;
      hooks.onProgress?.(st.processed, window.n);
      // Batches may all resolve in microtasks: let signal handlers (SIGUSR2) run now and then.
      if (hooks.signal && performance.now() - lastYield > 100) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }
  return false;
}

/** Each analyzer's time: sampled times scaled to every call (exact while every call was timed), capped by the measured total. */
function timeReportOf(st: LoopState): LoopResult['timeReport'] {
  const { analyzers, times, timedCalls, calls } = st;
  const scaled = analyzers.map((_, i) => (timedCalls[i]! > 0 ? times[i]! * (calls[i]! / timedCalls[i]!) : 0));
  const sum = scaled.reduce((x, y) => x + y, 0);
  const seq = st.sequenceTime[0]!;
  const cap = sum > seq && sum > 0 ? seq / sum : 1;
  return analyzers.map((a, i) => ({ name: a.name, events: calls[i]!, time: (scaled[i]! * cap) / 1000 }));
}
