// Plain line-per-event output (not a TTY, CI logs). Up-to-date nodes are counted, not listed.
import { assertNever } from '../util/result.js';
import type { BuildEvent, Reporter } from './events.js';
import { RetryLines } from './retry-lines.js';
import { formatSummary } from './summary.js';

export class PlainReporter implements Reporter {
  private readonly retries = new RetryLines((s) => void this.out.write(s + '\n'));

  constructor(private readonly out: NodeJS.WritableStream = process.stdout, private readonly verbose = false) {}

  event(e: BuildEvent): void {
    const w = (s: string): void => void this.out.write(s + '\n');
    if (e.type !== 'retry') this.retries.flush();
    switch (e.type) {
      case 'plan':
        w(`heppy: ${e.total} nodes, ${e.toRun} to run, ${e.upToDate} up to date`);
        break;
      case 'would-run':
        w(`would run ${e.id}: ${e.why.join('; ')}`);
        break;
      case 'up-to-date':
      case 'progress':
        break;
      case 'start':
        if (this.verbose || e.kind === 'hadd') w(`${e.kind === 'hadd' ? 'merging' : 'running'} ${e.id}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'retry':
        this.retries.add(e);
        break;
      case 'done':
        w(`done ${e.id}${e.kind === 'chunk' ? ` (${e.eventsProcessed} events, ${(e.durationMs / 1000).toFixed(2)} s)` : ''}`);
        break;
      case 'failed':
        w(`FAILED ${e.id} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.reason}`);
        break;
      case 'skipped':
        w(`not run ${e.id}: ${e.reason}`);
        break;
      case 'warning':
        w(`warning: ${e.message}`);
        break;
      case 'summary':
        this.out.write(formatSummary(e.summary));
        break;
      default:
        assertNever(e, 'build event');
    }
  }

  close(): void {
    this.retries.flush();
  }
}
