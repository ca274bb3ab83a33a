// `--executor slurm`: each submission round is one sbatch job array (submit-jobs.ts, submit.ts);
// each poll round reads the markers, then asks Slurm at most once (poll.ts); a build re-attaches
// to the jobs of an interrupted one from the journal (adopt.ts); out-of-memory and time-limit
// failures are resubmitted with more (resources.ts); Ctrl-C cancels what is in flight (cancel.ts).
// This class wires those parts to the Executor interface.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { outdirJobPrefix } from '../batch/job-name.js';
import type { Executor, ExecutorEvent, JobSpec, JournalEntry, Resources } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import { Tracker } from '../batch/tracker.js';
import type { BatchScriptOptions } from '../../chunkdir/batch-script.js';
import { adoptEntries } from './adopt.js';
import { cancelInflight } from './cancel.js';
import { SlurmClient } from './client.js';
import type { SlurmContext, SlurmRoundStats } from './context.js';
import { resolveSlurmOptions, type SlurmOptions } from './options.js';
import { SlurmPoller } from './poll.js';
import { SlurmQueries } from './queries.js';
import { SlurmResources } from './resources.js';
import { SlurmSubmitter } from './submit-jobs.js';

export type { SlurmRoundStats } from './context.js';

export interface SlurmExecutorOptions extends SlurmOptions {
  client?: SlurmClient;
  script?: BatchScriptOptions;
  /**
   * Records each attempt in the store's journal, durably, before its sbatch runs (job name and
   * array task, no job id) and again once sbatch answered (the job id), so that a build killed
   * anywhere around sbatch re-attaches instead of submitting again (the scheduler journals the
   * `submitted` events too, later; the same entry twice is harmless).
   */
  journal?: (e: JournalEntry) => Promise<unknown>;
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm' as const;
  readonly capacity = 1_000_000;
  readonly client: SlurmClient;
  readonly rounds: SlurmRoundStats = { submitRounds: 0, pollRounds: 0 };
  /** The prefix of the names of this Outdir's sbatch calls (each call has a name of its own). */
  readonly jobPrefix: string;
  private readonly c: SlurmContext;
  private readonly resources: SlurmResources;
  private readonly poller: SlurmPoller;
  private readonly submitter: SlurmSubmitter;

  constructor(readonly outdir: string, opts: SlurmExecutorOptions = {}) {
    this.outdir = resolve(outdir);
    const o = resolveSlurmOptions(opts);
    this.client = opts.client ?? new SlurmClient();
    this.jobPrefix = outdirJobPrefix(this.outdir);
    this.c = { outdir: this.outdir, jobPrefix: this.jobPrefix, o, client: this.client, q: new SlurmQueries(this.client, this.outdir),
      tracker: new Tracker(() => this.outdir), journal: opts.journal };
    this.resources = new SlurmResources(o);
    this.poller = new SlurmPoller(this.c, this.resources, this.rounds);
    this.submitter = new SlurmSubmitter(this.c, opts.script ?? {}, this.rounds);
  }

  scaleResources(job: JobSpec, failure: Extract<TaskFailure, { kind: 'resource' }>): Resources | null {
    return this.resources.scale(job, failure);
  }

  submit(jobs: JobSpec[]): Promise<void> {
    return this.submitter.submit(jobs);
  }

  adopt(entries: JournalEntry[]): Promise<JournalEntry[]> {
    return adoptEntries(this.c, this.poller, entries);
  }

  async next(): Promise<ExecutorEvent[]> {
    const { tracker, o } = this.c;
    if (tracker.pending === 0) await tracker.sleep(this.poller.lastRoundAt + o.pollIntervalMs - Date.now());
    if (tracker.pending === 0 && !tracker.isClosed) await this.poller.round();
    return tracker.take();
  }

  cancelAll(): Promise<void> {
    return cancelInflight(this.c);
  }

  async close(): Promise<void> {
    this.c.tracker.close();
    // For benchmarks and debugging: what this build asked of Slurm.
    const statsFile = process.env.HEPPY_SLURM_STATS;
    if (statsFile) writeFileSync(statsFile, JSON.stringify({ calls: this.client.stats, ...this.rounds }) + '\n');
  }

  /** Attempts still in flight (for messages such as "N jobs left in the queue"). */
  get inflight(): { nodeId: string; attempt: number; jobId: string }[] {
    return [...this.c.tracker.inflight.values()].map((t) => ({ nodeId: t.job.nodeId, attempt: t.job.attempt, jobId: t.jobId }));
  }
}
