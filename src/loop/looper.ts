// heppy's Looper, minus the files: beginLoop for all analyzers, every event of the window through
// the sequence (false stops the sequence for that event only), UserStop ends the loop cleanly,
// then endLoop for all. Timing per analyzer for the TimeReport; the 'analyzers' counter.
import { performance } from 'node:perf_hooks';
import type { Analyzer, Setup } from '../config/analyzer.js';
import { Counter } from '../stats/counter.js';
import type { TaskFailure } from '../util/failure.js';
import { ok, type Result } from '../util/result.js';
import { Event, columnSlots } from './event.js';
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

export async function runLoop(
  analyzers: readonly Analyzer<object>[], source: EventSource, window: EventWindow, branches: string[], setup: Setup, hooks: LoopHooks = {},
  ctx: LoopContext = {},
): Promise<Result<LoopResult, TaskFailure>> {
  const counter = new Counter('analyzers');
  for (const a of analyzers) counter.register(a.name);
  const nA = analyzers.length;
  const times = new Float64Array(nA);
  const calls = new Float64Array(nA);
  const passed = new Float64Array(nA);
  const early: string[] = [];
  const now = hooks.clock ?? (() => performance.now());
  let processed = 0;
  let userStop = false;
  let lastYield = performance.now();
  const loopStart = performance.now();
  const lineEvery = hooks.eventLineIntervalMs ?? 10_000;
  let lastLine = loopStart;
  const gen = ctx.genWeight;
  const genLevel = gen ? gen.counter.levels[0]![0] : '';

  const begin = await runPhase(analyzers, 'beginLoop', setup);
  if (!begin.ok) return begin;

  outer: for (const seg of segments(source.entriesPerFile, window)) {
    for await (const batch of source.batches(seg.file, branches, seg.start, seg.stop)) {
      const n = batch.stop - batch.start;
      const base = seg.globalStart + (batch.start - seg.start);
      const columns = columnSlots(batch.columns);
      for (let r = 0; r < n; r++) {
        const iEv = base + r;
        if (hooks.signal?.aborted) {
          early.push(`stopping gracefully at event ${iEv}`);
          break outer;
        }
        if (iEv % 100 === 0 && iEv > 0) {
          const t = performance.now();
          if (t - lastLine >= lineEvery) { early.push(eventLine(iEv, processed, t - loopStart)); lastLine = t; }
        }
        const event = new Event(iEv, columns, r, setup);
        if (ctx.current) ctx.current.event = event;
        if (gen) {
          event.eventWeight = event.scalar(gen.branch);
          gen.counter.inc(genLevel);
        }
        // One clock reading per analyzer boundary: the end of one call is the start of the next.
        let t0 = now();
        for (let a = 0; a < nA; a++) {
          const ana = analyzers[a]!;
          let ret: unknown;
          try {
            ret = ana.process(event);
          } catch (e) {
            if (isUserStop(e)) {
              userStop = true;
              early.push('Stopped loop following a UserStop exception:', (e as Error).message);
              break outer;
            }
            return failed(analysisFailure(e, ana.name, { event: iEv, ...(source.inputFiles ? { file: source.inputFiles[seg.file] } : {}) }));
          }
          const t1 = now();
          times[a]! += t1 - t0;
          t0 = t1;
          calls[a]! += 1;
          if (ret === false) break;
          if (ret !== undefined && ret !== true) {
            return failed({ kind: 'analysis', analyzer: ana.name, event: iEv, ...(source.inputFiles ? { file: source.inputFiles[seg.file] } : {}),
              reason: `process() must return true, false or nothing (got ${typeof ret}; process cannot be async)` });
          }
          passed[a]! += 1;
        }
        processed++;
        hooks.afterEvent?.(event);
      }
      hooks.onProgress?.(processed, window.n);
      // Batches may all resolve in microtasks: let signal handlers (SIGUSR2) run now and then.
      if (hooks.signal && performance.now() - lastYield > 100) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }

  if (ctx.current) ctx.current.event = null;
  for (let a = 0; a < nA; a++) counter.inc(analyzers[a]!.name, passed[a]!);
  const end = await runPhase(analyzers, 'endLoop', setup);
  if (!end.ok) return end;
  const timeReport = analyzers.map((a, i) => ({ name: a.name, events: calls[i]!, time: times[i]! / 1000 }));
  return ok({ eventsProcessed: processed, userStop, early, timeReport, analyzersCounter: counter });
}
