// Live display on a terminal: one line per component (done / up to date / running / failed,
// events/s), redrawn in place a few times a second; failures and the summary are printed above it.
import { assertNever } from '../util/result.js';
import type { BuildEvent, Reporter } from './events.js';
import { RetryLines } from './retry-lines.js';
import { formatSummary } from './summary.js';

interface Row {
  total: number;
  done: number;
  upToDate: number;
  running: Set<string>;
  failed: number;
  events: number;
  merge: string;
}

export class TtyReporter implements Reporter {
  private readonly rows = new Map<string, Row>();
  private readonly live = new Map<string, number>();   // running chunk → events so far
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = Date.now();
  private readonly retries = new RetryLines((s) => this.above(s));

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  private row(c: string): Row {
    let r = this.rows.get(c);
    if (!r) {
      r = { total: 0, done: 0, upToDate: 0, running: new Set(), failed: 0, events: 0, merge: '' };
      this.rows.set(c, r);
    }
    return r;
  }

  private above(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    this.draw();
  }

  event(e: BuildEvent): void {
    if (e.type !== 'retry') this.retries.flush();
    switch (e.type) {
      case 'plan':
        for (const c of e.components) this.row(c.name).total = c.chunks;
        this.above(`heppy: ${e.total} nodes, ${e.toRun} to run, ${e.upToDate} up to date`);
        this.timer ??= setInterval(() => this.redraw(), 200);
        this.timer.unref();
        break;
      case 'would-run':
        this.above(`would run ${e.id}: ${e.why.join('; ')}`);
        break;
      case 'up-to-date':
        if (e.kind === 'chunk') this.row(e.component).upToDate++;
        else this.row(e.component).merge = 'merged (up to date)';
        break;
      case 'start':
        if (e.kind === 'chunk') this.row(e.component).running.add(e.id);
        else this.row(e.component).merge = 'merging…';
        break;
      case 'progress':
        this.live.set(e.id, e.events);
        break;
      case 'retry':
        this.retries.add(e);
        break;
      case 'done': {
        const r = this.row(e.component);
        if (e.kind === 'chunk') {
          r.running.delete(e.id);
          r.done++;
          r.events += e.eventsProcessed;
          this.live.delete(e.id);
        } else r.merge = 'merged';
        break;
      }
      case 'failed': {
        const r = this.row(e.component);
        if (e.kind === 'chunk') {
          r.running.delete(e.id);
          r.failed++;
          this.live.delete(e.id);
        } else r.merge = 'merge FAILED';
        this.above(`FAILED ${e.id}: ${e.reason}${e.log ? ` (log: ${e.log})` : ''}`);
        break;
      }
      case 'skipped':
        this.row(e.component).merge = 'not merged (a chunk failed)';
        break;
      case 'warning':
        this.above(`warning: ${e.message}`);
        break;
      case 'summary':
        this.redraw();
        this.drawn = 0;
        this.out.write(formatSummary(e.summary));
        break;
      default:
        assertNever(e, 'build event');
    }
  }

  private lines(): string[] {
    const secs = Math.max((Date.now() - this.t0) / 1000, 1e-3);
    const width = Math.max(...[...this.rows.keys()].map((k) => k.length), 4);
    return [...this.rows].map(([name, r]) => {
      let ev = r.events;
      for (const id of r.running) ev += this.live.get(id) ?? 0;
      const parts = [`${r.done + r.upToDate}/${r.total} done`];
      if (r.upToDate) parts.push(`${r.upToDate} up to date`);
      if (r.running.size) parts.push(`${r.running.size} running`);
      if (r.failed) parts.push(`${r.failed} FAILED`);
      if (ev) parts.push(`${Math.round(ev / secs)} ev/s`);
      if (r.merge) parts.push(r.merge);
      return `  ${name.padEnd(width)}  ${parts.join(', ')}`;
    });
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const ls = this.lines();
    if (ls.length) this.out.write(ls.join('\n') + '\n');
    this.drawn = ls.length;
  }

  private redraw(): void {
    this.clear();
    this.draw();
  }

  close(): void {
    this.retries.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
