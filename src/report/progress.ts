// The build's progress as the reporters show it: chunks and events done, rate, elapsed time, ETA,
// overall and per component. Fed with the build's events; the clock is injected (tests).
import { assertNever } from '../util/result.js';
import type { BuildEvent } from './events.js';

interface Comp {
  total: number;
  toRun: number;
  done: number;
  upToDate: number;
  failed: number;
  running: Set<string>;
  events: number;
  /** When its first chunk started / its last chunk ended (rate over its own active time). */
  firstStart: number | null;
  lastEnd: number | null;
  merge: string;
}

export interface Overall {
  chunksDone: number;      // finished this build + up to date
  chunksTotal: number;
  chunksRun: number;       // finished (ok or failed) among those to run
  chunksToRun: number;
  failed: number;
  running: number;
  events: number;
  /** Events of all chunks to run, once every one of them has said how many it has. */
  eventsTotal: number | null;
  rate: number;            // events/s since the build started running
  elapsedMs: number;
  etaMs: number | null;
}

export class Progress {
  readonly comps = new Map<string, Comp>();
  private readonly live = new Map<string, { comp: string; events: number; expected: number | null }>();
  private readonly expectedDone = new Map<string, number>();
  private t0: number;

  constructor(private readonly now: () => number = Date.now) {
    this.t0 = now();
  }

  private comp(c: string): Comp {
    let r = this.comps.get(c);
    if (!r) {
      r = { total: 0, toRun: 0, done: 0, upToDate: 0, failed: 0, running: new Set(), events: 0, firstStart: null, lastEnd: null, merge: '' };
      this.comps.set(c, r);
    }
    return r;
  }

  event(e: BuildEvent): void {
    switch (e.type) {
      case 'plan':
        this.t0 = this.now();
        for (const c of e.components) { const r = this.comp(c.name); r.total = c.chunks; r.toRun = c.toRun; }
        break;
      case 'up-to-date':
        if (e.kind === 'chunk') this.comp(e.component).upToDate++;
        else this.comp(e.component).merge = 'merged (up to date)';
        break;
      case 'start': {
        const r = this.comp(e.component);
        if (e.kind === 'hadd') { r.merge = 'merging…'; break; }
        r.running.add(e.id);
        r.firstStart ??= this.now();
        this.live.set(e.id, { comp: e.component, events: 0, expected: null });
        break;
      }
      case 'progress': {
        const l = this.live.get(e.id) ?? { comp: e.component, events: 0, expected: null };
        l.events = e.events;
        if (e.expected !== undefined) l.expected = e.expected;
        this.live.set(e.id, l);
        break;
      }
      case 'done': {
        const r = this.comp(e.component);
        if (e.kind === 'hadd') { r.merge = 'merged'; break; }
        r.running.delete(e.id);
        r.done++;
        r.events += e.eventsProcessed;
        r.lastEnd = this.now();
        this.expectedDone.set(e.id, e.eventsProcessed);
        this.live.delete(e.id);
        break;
      }
      case 'failed': {
        const r = this.comp(e.component);
        if (e.kind === 'hadd') { r.merge = 'merge FAILED'; break; }
        r.running.delete(e.id);
        r.failed++;
        r.lastEnd = this.now();
        const l = this.live.get(e.id);
        this.expectedDone.set(e.id, l?.expected ?? l?.events ?? 0);
        this.live.delete(e.id);
        break;
      }
      case 'skipped':
        if (e.kind === 'hadd') this.comp(e.component).merge = 'not merged (a chunk failed)';
        break;
      case 'retry':
      case 'would-run':
      case 'warning':
      case 'summary':
        break;
      default:
        assertNever(e, 'build event');
    }
  }

  overall(): Overall {
    const t = this.now();
    let total = 0, toRun = 0, done = 0, run = 0, failed = 0, running = 0, events = 0;
    for (const r of this.comps.values()) {
      total += r.total; toRun += r.toRun; done += r.done + r.upToDate; run += r.done + r.failed; failed += r.failed; running += r.running.size; events += r.events;
    }
    let partial = 0, known = this.expectedDone.size, expected = [...this.expectedDone.values()].reduce((a, b) => a + b, 0);
    for (const l of this.live.values()) {
      events += l.events;
      if (l.expected !== null && l.expected > 0) { partial += Math.min(1, l.events / l.expected); known++; expected += l.expected; }
    }
    const elapsedMs = t - this.t0;
    const f = toRun > 0 ? (run + partial) / toRun : 1;
    const etaMs = f > 0 && f < 1 ? (elapsedMs * (1 - f)) / f : f >= 1 ? 0 : null;
    return { chunksDone: done, chunksTotal: total, chunksRun: run, chunksToRun: toRun, failed, running, events,
      eventsTotal: known === toRun && toRun > 0 ? expected : null, rate: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0, elapsedMs, etaMs };
  }

  /** events/s of a component over its own active time: frozen once its last chunk ended. */
  compRate(name: string): number {
    const r = this.comps.get(name);
    if (!r || r.firstStart === null) return 0;
    let ev = r.events;
    for (const id of r.running) ev += this.live.get(id)?.events ?? 0;
    const end = r.running.size > 0 || r.lastEnd === null ? this.now() : r.lastEnd;
    return end > r.firstStart ? (ev * 1000) / (end - r.firstStart) : 0;
  }

  compEvents(name: string): number {
    const r = this.comps.get(name);
    if (!r) return 0;
    let ev = r.events;
    for (const id of r.running) ev += this.live.get(id)?.events ?? 0;
    return ev;
  }
}

/** 0:07, 12:34, 1:02:03 */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "12/34 chunks, 1,234/4,000 events, 2,345 ev/s, elapsed 0:12, ETA 0:08" */
export function overallLine(o: Overall): string {
  const parts = [`${o.chunksDone}/${o.chunksTotal} chunks`];
  if (o.running) parts.push(`${o.running} running`);
  if (o.failed) parts.push(`${o.failed} FAILED`);
  parts.push(o.eventsTotal !== null ? `${int(o.events)}/${int(o.eventsTotal)} events` : `${int(o.events)} events`);
  parts.push(`${int(o.rate)} ev/s`, `elapsed ${clock(o.elapsedMs)}`, `ETA ${o.etaMs === null ? '?' : clock(o.etaMs)}`);
  return parts.join(', ');
}
