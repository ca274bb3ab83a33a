// `-b 'TEMPLATE'` (heppy_batch's habit): for every chunk, write batchScript.sh and run the template
// verbatim with /bin/sh inside the chunk directory (e.g. `bsub -q 1nh < batchScript.sh`,
// `sbatch batchScript.sh`, `nohup ./batchScript.sh &`). The job id is read from what the
// submission printed; completion only from the markers; no marker within the time limit fails
// the attempt. Each submission runs in its own process group, so Ctrl-C on heppy leaves it alone.
// Each attempt is journaled before its template runs, with the job name the template gets as
// $HEPPY_JOB_NAME; a build killed before it journaled the job id finds the job again (adopt).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Executor, ExecutorEvent, JobSpec, JournalEntry } from '../executor.js';
import { clearStaleMarker } from '../batch/attempt-marker.js';
import { ensureChunkAttempt } from '../../chunkdir/spec.js';
import { ensureBatchPaths, jobLogPath } from '../../chunkdir/layout.js';
import { Tracker, journalEntry, trackedFromJournal, processAlive, thisHost, trackKey, type Tracked } from '../batch/tracker.js';
import { writeBatchScript, type BatchScriptOptions } from '../../chunkdir/batch-script.js';
import { attemptJobName } from '../batch/job-name.js';
import { pidsWith, processGroupOf } from '../batch/proc-scan.js';
import { templateEnd } from './signal-end.js';
import { submissionCommand, localJobId, parseJobId, parseLocalJobId, templateKind, type TemplateKind } from './template.js';
import { cancelCommandJob } from './cancel.js';
import { readText, runTemplate } from './run-template.js';

/** In Outdir/.heppy/batch/: the last template used ({template, kind}). */
export const COMMAND_FILE = 'command.json';

/** The kind of the template last used for this Outdir ('other' when unknown). */
export function lastTemplateKind(batchRoot: string): TemplateKind {
  try {
    const k = (JSON.parse(readFileSync(join(batchRoot, COMMAND_FILE), 'utf8')) as { kind?: TemplateKind }).kind;
    return k ?? 'other';
  } catch {
    return 'other';
  }
}

export interface CommandExecutorOptions {
  template: string;
  /** An attempt without a marker this long after submission has failed. Default 48 h. */
  timeLimitMs?: number;
  /** How often markers are looked at (ms). Default 2000. */
  pollIntervalMs?: number;
  /** Submissions run at once. Default 4. */
  submitConcurrency?: number;
  /** A local job whose processes are gone gets this long for its marker to appear. Default 3 s. */
  markerGraceMs?: number;
  script?: BatchScriptOptions;
  /**
   * Records each attempt in the journal, durably, before its template runs (job name, no id) and
   * again with the job id before submit() resolves (see SlurmExecutorOptions).
   */
  journal?: (e: JournalEntry) => Promise<unknown>;
}

export interface CommandStats {
  submissions: number;
}

export class CommandExecutor implements Executor {
  readonly kind = 'command' as const;
  readonly capacity = 1_000_000;
  readonly templateKind: TemplateKind;
  readonly stats: CommandStats = { submissions: 0 };
  private readonly tracker: Tracker;
  private readonly timeLimitMs: number;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly markerGraceMs: number;
  private lastRoundAt = 0;
  /** A job's end as its marker says, a signal refined by what the template can tell (signal-end.ts). */
  private readonly endOf: ReturnType<typeof templateEnd>;

  constructor(readonly outdir: string, private readonly opts: CommandExecutorOptions) {
    this.outdir = resolve(outdir);
    if (opts.template.trim() === '') throw new Error('empty batch command template');
    this.templateKind = templateKind(opts.template);
    this.endOf = templateEnd(this.templateKind);
    this.timeLimitMs = opts.timeLimitMs ?? 48 * 3600_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
    this.concurrency = Math.max(1, opts.submitConcurrency ?? 4);
    this.markerGraceMs = opts.markerGraceMs ?? 3000;
    this.tracker = new Tracker(() => this.outdir);
  }

  async submit(jobs: JobSpec[]): Promise<void> {
    if (jobs.length === 0) return;
    const paths = ensureBatchPaths(this.outdir);
    // `heppy cancel` reads which batch system the journal's job ids belong to.
    writeFileSync(join(paths.root, COMMAND_FILE), JSON.stringify({ template: this.opts.template, kind: this.templateKind }) + '\n');
    const queue = [...jobs];
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await this.submitOne(job);
    }));
  }

  private async submitOne(job: JobSpec): Promise<void> {
    // Not submitted: the batch system (or the file system) did not take the job.
    const failNow = (reason: string, log?: string): void =>
      this.tracker.emit({ type: 'ended', end: { nodeId: job.nodeId, attempt: job.attempt, status: 'failed', failure: { kind: 'infrastructure', reason }, ...(log ? { log } : {}) } });
    const id = ensureChunkAttempt(job.chunkDir, job.attempt);
    if (!id.ok) return failNow(`not submitted: ${id.error.file}: ${id.error.reason}`);
    clearStaleMarker({ nodeId: job.nodeId, chunkDir: job.chunkDir, attempt: job.attempt, key: id.value.key });
    writeBatchScript(job.chunkDir, this.opts.script, { attempt: job.attempt, key: id.value.key });
    const jobLog = jobLogPath(this.outdir, job.name, job.attempt);
    rmSync(jobLog, { force: true });
    const submittedAt = Date.now();
    const jobName = attemptJobName(this.outdir, job.name, job.attempt);
    try {
      await this.opts.journal?.(journalEntry({ job, key: id.value.key, jobId: '', jobName, jobLog, submittedAt, started: false }, 'command'));
    } catch (err) {
      return failNow(`not submitted: the batch journal could not be written: ${(err as Error).message}`);
    }
    this.stats.submissions++;
    const run = await runTemplate(submissionCommand(this.opts.template, job.name), job.chunkDir, jobLog, jobName);
    const output = readText(jobLog);
    if (run.error !== undefined || run.code !== 0) {
      const why = run.error ?? `exit code ${run.code ?? `signal ${run.signal}`}`;
      const tail = output.trim().split('\n').slice(-3).join(' / ');
      return failNow(`submission \`${this.opts.template}\` failed in ${job.chunkDir} (${why})${tail ? `: ${tail}` : ''}`, jobLog);
    }
    // Without a printed id, a local template's job is its process group (liveness checkable here);
    // any other batch system's job is only known by the submission time (the time limit decides).
    const jobId = parseJobId(output) ?? (this.templateKind === 'local' ? localJobId(thisHost, run.pid) : `unknown:${job.name}:${submittedAt}`);
    const t: Tracked = { job, key: id.value.key, jobId, jobName, jobLog, submittedAt, started: false };
    this.tracker.add(t);
    this.tracker.emit({ type: 'submitted', nodeId: job.nodeId, attempt: job.attempt, jobId });
    // Not awaited: the entry written before the template ran already finds this job.
    this.opts.journal?.(journalEntry(t, 'command')).catch(() => undefined);
  }

  async adopt(entries: JournalEntry[]): Promise<JournalEntry[]> {
    const adopted: JournalEntry[] = [];
    for (const e of entries) {
      if (e.executor !== 'command' || e.chunkDir === undefined) continue;
      const t = trackedFromJournal({ ...e, chunkDir: e.chunkDir }, this.outdir);
      this.tracker.add(t);
      if (this.tracker.checkMarker(t, this.endOf)) {
        adopted.push(e);
        continue;
      }
      if (t.jobId === '' && !(await this.findUnconfirmed(t))) {
        this.tracker.inflight.delete(trackKey(e.nodeId, e.attempt));
        continue;
      }
      const local = parseLocalJobId(t.jobId);
      const lost = local !== null ? local.host === thisHost && !processAlive(-local.pgid) : Date.now() - e.submittedAt > this.timeLimitMs;
      if (lost) this.tracker.inflight.delete(trackKey(e.nodeId, e.attempt));
      else adopted.push(e);
    }
    return adopted;
  }

  /**
   * An attempt journaled before its template ran, whose job id a killed build never learnt. The
   * template never ran: its output file (created just before) is absent — not submitted. Its output
   * names a job id (not for a local template), once the submission command has ended: that job. A local template: the process group whose processes carry its
   * $HEPPY_JOB_NAME, or none (ended or never started: not submitted again only if it left a
   * marker). Any other batch system cannot be asked by name here: the attempt is kept as unknown
   * and waits for its marker up to the time limit. Returns false when the job is known not to exist.
   */
  private async findUnconfirmed(t: Tracked): Promise<boolean> {
    if (!existsSync(t.jobLog)) return false;
    // A local job writes its own output into the same file: numbers there are not job ids.
    let jobId: string | null = this.templateKind === 'local' ? null : parseJobId(readText(t.jobLog));
    if (jobId === null && this.templateKind !== 'local' && t.jobName !== undefined) {
      // The submission command of the killed build may still be running (a slow bsub): its id is
      // in the file once it has ended. (A local template's job carries the name for its life.)
      const named = `HEPPY_JOB_NAME=${t.jobName}`;
      for (const t0 = Date.now(); pidsWith('environ', named).length > 0 && Date.now() - t0 < 60_000;) await new Promise((r) => setTimeout(r, 200));
      jobId = parseJobId(readText(t.jobLog));
    }
    if (this.templateKind === 'local') {
      const pid = t.jobName !== undefined ? pidsWith('environ', `HEPPY_JOB_NAME=${t.jobName}`)[0] : undefined;
      const pgid = pid !== undefined ? processGroupOf(pid) : null;
      if (pgid === null) return false;
      jobId = localJobId(thisHost, pgid);
    }
    t.jobId = jobId ?? `unknown:${t.job.name}:${t.submittedAt}`;
    await this.opts.journal?.(journalEntry(t, 'command'));
    return true;
  }

  async next(): Promise<ExecutorEvent[]> {
    if (this.tracker.pending === 0) await this.tracker.sleep(this.lastRoundAt + this.pollIntervalMs - Date.now());
    if (this.tracker.pending === 0 && !this.tracker.isClosed) this.pollRound();
    return this.tracker.take();
  }

  private pollRound(): void {
    const now = Date.now();
    this.lastRoundAt = now;
    this.tracker.scan(this.endOf);
    for (const t of [...this.tracker.inflight.values()]) {
      const local = parseLocalJobId(t.jobId);
      if (local !== null && local.host === thisHost && !processAlive(-local.pgid)) {
        t.finishedSeenAt ??= now;
        if (now - t.finishedSeenAt >= this.markerGraceMs && !this.tracker.checkMarker(t, this.endOf)) {
          this.tracker.fail(t, { kind: 'infrastructure', reason: `the job's processes (process group ${local.pgid}) ended without writing the chunk's marker${logEnd(t.jobLog)}` });
        }
        continue;
      }
      if (now - t.submittedAt > this.timeLimitMs && !this.tracker.checkMarker(t, this.endOf)) {
        void this.cancelOne(t);
        this.tracker.fail(t, { kind: 'infrastructure', reason: `no marker within the time limit of ${formatMs(this.timeLimitMs)} after submission (job ${t.jobId}): the job did not run, was lost, or is still queued` });
      }
    }
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.tracker.inflight.values()].map((t) => this.cancelOne(t)));
    this.tracker.inflight.clear();
  }

  private async cancelOne(t: Tracked): Promise<void> {
    await cancelCommandJob(this.templateKind, t.jobId, t.jobName);
  }

  async close(): Promise<void> {
    this.tracker.close();
  }

  get inflight(): { nodeId: string; attempt: number; jobId: string }[] {
    return [...this.tracker.inflight.values()].map((t) => ({ nodeId: t.job.nodeId, attempt: t.job.attempt, jobId: t.jobId }));
  }
}

function formatMs(ms: number): string {
  if (ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * The last line a job printed, for a job that ended without its marker: what went wrong (a misspelt
 * script in the template, a missing interpreter) is there, not in the chunk directory. '' when silent.
 */
export function logEnd(jobLog: string): string {
  const last = readText(jobLog).trim().split('\n').pop()?.trim() ?? '';
  if (last === '') return '';
  return `; its output (${jobLog}) ends: ${last.length > 200 ? `${last.slice(0, 200)}…` : last}`;
}
