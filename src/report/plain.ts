// Plain line-per-event output (not a TTY, CI logs). Up-to-date nodes are counted, not listed.
// While chunks run, a progress line every `intervalMs` (default 10 s). Quiet: only warnings,
// failures and the summary.
import { assertNever } from '../util/result.js';
import type { BuildEvent, Reporter } from './events.js';
import { RetryLines } from './retry-lines.js';
import { overallLine, Progress } from './progress.js';
import { formatSummary, planLine, wouldRunLine } from './summary.js';

export interface PlainOptions {
  verbose?: boolean;
  quiet?: boolean;
  /** Milliseconds between progress lines; 0 for none. */
  intervalMs?: number;
  now?: () => number;
}

/** The longest a line waits in the buffer (a person reading a log sees no delay of 0.1 s). */
const FLUSH_MS = 100;

export class PlainReporter implements Reporter {
  private readonly retries = new RetryLines((s) => this.w(s));
  private readonly progress: Progress;
  private timer: NodeJS.Timeout | null = null;
  private readonly verbose: boolean;
  private readonly quiet: boolean;
  private readonly intervalMs: number;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout, opts: PlainOptions | boolean = {}) {
    const o = typeof opts === 'boolean' ? { verbose: opts } : opts;
    this.verbose = o.verbose ?? false;
    this.quiet = o.quiet ?? false;
    this.intervalMs = o.intervalMs ?? 10_000;
    this.progress = new Progress(o.now);
  }

  /** The periodic line (public for tests and for a final flush). */
  progressLine(): string {
    return `heppy: ${overallLine(this.progress.overall())}`;
  }

  /**
   * Lines are gathered and written at most FLUSH_MS after the first of them, when the buffer is
   * large, or at the summary and close: a restore reports 34 nodes in ~10 ms, and two local workers
   * end a trivial chunk every ~2 ms, each end a message of its own (a flush per burst of events,
   * as before, was still a pipe write per chunk: 5 % of the build's main thread on 1,000 chunks).
   */
  private buf = '';
  private flushTimer: NodeJS.Timeout | null = null;
  private w(s: string): void {
    this.buf += s + '\n';
    if (this.buf.length > 16_384) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.buf === '') return;
    const text = this.buf;
    this.buf = '';
    this.out.write(text);
  }

  private info(s: string): void {
    if (!this.quiet) this.w(s);
  }

  event(e: BuildEvent): void {
    this.progress.event(e);
    // A no-op build of 10,000 nodes sends 10,000 of these: no closure or string made for them.
    if (e.type === 'up-to-date') return;
    if (e.type !== 'retry') this.retries.flush();
    switch (e.type) {
      case 'plan':
        this.info(planLine(e));
        if (!this.quiet && this.intervalMs > 0 && e.toRun > 0) {
          this.timer ??= setInterval(() => this.w(this.progressLine()), this.intervalMs);
          this.timer.unref();
        }
        break;
      case 'would-run':
        this.w(wouldRunLine(e));
        break;
      case 'progress':
        break;
      case 'start':
        if (this.verbose || e.kind === 'hadd') this.info(`${e.kind === 'hadd' ? 'merging' : 'running'} ${e.id}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'retry':
        this.retries.add(e);
        break;
      case 'done':
        if (e.restored !== undefined) this.info(`restored ${e.id} from cache (built at ${e.restored.builtAt})`);
        else this.info(`done ${e.id}${e.kind === 'chunk' ? ` (${e.eventsProcessed} events, ${(e.durationMs / 1000).toFixed(2)} s${e.queueMs !== undefined ? `, ${(e.queueMs / 1000).toFixed(2)} s queued` : ''})` : ''}`);
        break;
      case 'failed':
        this.w(`FAILED ${e.id} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.reason}`);
        break;
      case 'skipped':
        this.info(`not run ${e.id}: ${e.reason}`);
        break;
      case 'warning':
        this.w(`warning: ${e.message}`);
        break;
      case 'summary':
        this.stop();
        this.flush();
        this.out.write(formatSummary(e.summary));
        break;
      default:
        assertNever(e, 'build event');
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.retries.flush();
    this.stop();
    this.flush();
  }
}
