// Live display on a terminal: one overall line (chunks and events done, events/s, elapsed, ETA)
// above one line per component (done / up to date / running / failed, its own events/s), redrawn
// in place a few times a second; failures and the summary are printed above it.
import { assertNever } from '../util/result.js';
import type { BuildEvent, Reporter } from './events.js';
import { RetryLines } from './retry-lines.js';
import { overallLine, Progress } from './progress.js';
import { formatSummary, planLine, wouldRunLine } from './summary.js';

export class TtyReporter implements Reporter {
  private readonly progress: Progress;
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly retries = new RetryLines((s) => this.above(s));
  private planned = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout, now: () => number = Date.now) {
    this.progress = new Progress(now);
  }

  private above(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    this.draw();
  }

  event(e: BuildEvent): void {
    if (e.type !== 'retry') this.retries.flush();
    this.progress.event(e);
    switch (e.type) {
      case 'plan':
        this.planned = true;
        this.above(planLine(e));
        this.timer ??= setInterval(() => this.redraw(), 200);
        this.timer.unref();
        break;
      case 'would-run':
        this.above(wouldRunLine(e));
        break;
      case 'retry':
        this.retries.add(e);
        break;
      case 'failed':
        this.above(`FAILED ${e.id}: ${e.reason}${e.log ? ` (log: ${e.log})` : ''}`);
        break;
      case 'warning':
        this.above(`warning: ${e.message}`);
        break;
      case 'summary':
        this.redraw();
        this.drawn = 0;
        this.out.write(formatSummary(e.summary));
        break;
      case 'up-to-date':
      case 'start':
      case 'progress':
      case 'done':
      case 'skipped':
        break;
      default:
        assertNever(e, 'build event');
    }
  }

  /** The overall line, then one line per component. */
  lines(): string[] {
    if (!this.planned) return [];
    const p = this.progress;
    const width = Math.max(...[...p.comps.keys()].map((k) => k.length), 4);
    const comps = [...p.comps].map(([name, r]) => {
      const parts = [`${r.done + r.upToDate}/${r.total} done`];
      if (r.upToDate) parts.push(`${r.upToDate} up to date`);
      if (r.running.size) parts.push(`${r.running.size} running`);
      if (r.failed) parts.push(`${r.failed} FAILED`);
      const ev = p.compEvents(name);
      if (ev) parts.push(`${ev.toLocaleString('en-US')} events, ${Math.round(p.compRate(name)).toLocaleString('en-US')} ev/s`);
      if (r.merge) parts.push(r.merge);
      return `  ${name.padEnd(width)}  ${parts.join(', ')}`;
    });
    return [`heppy: ${overallLine(p.overall())}`, ...comps];
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
