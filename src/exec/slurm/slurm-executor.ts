// `--executor slurm`: each submission round is one sbatch job array; each poll round reads the
// markers (the truth), then asks Slurm at most once (squeue for the whole build, filtered by the
// names of its sbatch calls; sacct only for jobs that left the queue without a marker), within a
// bound on queries per minute. Attempts that end without a marker are failed with Slurm's state.
// Every attempt is journaled with its sbatch call's name and array task BEFORE sbatch runs: a
// build killed before it journaled the job id finds the job again by that name (adopt).
import { closeSync, fstatSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sbatchJobName, slurmUser } from './names.js';
import { pidsWith } from '../batch/proc-scan.js';
import { outdirJobPrefix } from '../batch/job-name.js';
import type { AttemptEnd, Executor, ExecutorEvent, JobSpec, JournalEntry, Resources } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import { formatMem, formatMinutes, nextResources, parseSlurmMem, parseSlurmMinutes, slurmFailure } from './failure.js';
import { clearStaleMarker } from '../batch/attempt-marker.js';
import { ensureChunkAttempt } from '../../chunkdir/spec.js';
import { ensureBatchPaths, jobLogPath } from '../../chunkdir/layout.js';
import { runChunksJs } from '../batch/paths.js';
import { Tracker, journalEntry, trackedFromJournal, trackKey, type Tracked } from '../batch/tracker.js';
import { exitMarkerJs, writeBatchScript, type BatchScriptOptions } from '../../chunkdir/batch-script.js';
import { SlurmClient } from './client.js';
import { resolveSlurmOptions, type ResolvedSlurmOptions, type SlurmOptions } from './options.js';
import { arrayJobOf, classifyState, isActive, type JobState } from './states.js';
import { SlurmQueries } from './queries.js';
import { submitRound, type PlannedCall, type RoundItem } from './submit.js';

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

export interface SlurmRoundStats {
  submitRounds: number;
  pollRounds: number;
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm' as const;
  readonly capacity = 1_000_000;
  readonly client: SlurmClient;
  readonly rounds: SlurmRoundStats = { submitRounds: 0, pollRounds: 0 };
  /** The prefix of the names of this Outdir's sbatch calls (each call has a name of its own). */
  readonly jobPrefix: string;
  private readonly o: ResolvedSlurmOptions;
  private readonly tracker: Tracker;
  private lastRoundAt = 0;
  private readonly q: SlurmQueries;
  private seq = 0;
  /** --mem/--time and their bounds (MB, minutes); undefined: the cluster's default / no bound given. */
  private readonly base: Resources;
  private readonly max: Resources;
  /** Per node: what its last attempt asked for, as sacct said (when --mem/--time were not given). */
  private readonly asked = new Map<string, Resources>();

  constructor(readonly outdir: string, opts: SlurmExecutorOptions = {}) {
    this.outdir = resolve(outdir);
    this.o = resolveSlurmOptions(opts);
    this.client = opts.client ?? new SlurmClient();
    this.script = opts.script ?? {};
    this.journal = opts.journal;
    this.jobPrefix = outdirJobPrefix(this.outdir);
    this.tracker = new Tracker(() => this.outdir);
    this.q = new SlurmQueries(this.client, this.outdir);
    const mem = this.o.mem !== undefined ? parseSlurmMem(this.o.mem) ?? undefined : undefined;
    const time = this.o.time !== undefined ? parseSlurmMinutes(this.o.time) ?? undefined : undefined;
    this.base = { ...(mem !== undefined ? { memMB: mem } : {}), ...(time !== undefined ? { timeMin: time } : {}) };
    const maxMem = this.o.maxMem !== undefined ? parseSlurmMem(this.o.maxMem) ?? undefined : undefined;
    const maxTime = this.o.maxTime !== undefined ? parseSlurmMinutes(this.o.maxTime) ?? undefined : undefined;
    this.max = { ...(maxMem !== undefined ? { memMB: maxMem } : {}), ...(maxTime !== undefined ? { timeMin: maxTime } : {}) };
  }

  /**
   * After an out-of-memory or time-limit failure: 1.5 times what the attempt had (its resources,
   * else --mem/--time, else what sacct said it asked for), up to --max-mem/--max-time (default 4
   * times the first value). null when the bound is reached or nothing is known to scale.
   */
  scaleResources(job: JobSpec, failure: Extract<TaskFailure, { kind: 'resource' }>): Resources | null {
    const asked = this.asked.get(job.nodeId) ?? {};
    const first = { memMB: this.base.memMB ?? asked.memMB, timeMin: this.base.timeMin ?? asked.timeMin };
    const current: Resources = {};
    const mem = job.resources?.memMB ?? first.memMB;
    const time = job.resources?.timeMin ?? first.timeMin;
    if (mem !== undefined) current.memMB = mem;
    if (time !== undefined) current.timeMin = time;
    const max: Resources = {};
    const maxMem = this.max.memMB ?? (first.memMB !== undefined ? first.memMB * 4 : undefined);
    const maxTime = this.max.timeMin ?? (first.timeMin !== undefined ? first.timeMin * 4 : undefined);
    if (maxMem !== undefined) max.memMB = maxMem;
    if (maxTime !== undefined) max.timeMin = maxTime;
    return nextResources(current, failure, max);
  }

  private readonly script: BatchScriptOptions;
  private readonly journal: ((e: JournalEntry) => Promise<unknown>) | undefined;

  async submit(jobs: JobSpec[]): Promise<void> {
    if (jobs.length === 0) return;
    const paths = ensureBatchPaths(this.outdir);
    const items: RoundItem[] = [];
    const ready: Tracked[] = [];
    for (const job of jobs) {
      const id = ensureChunkAttempt(job.chunkDir, job.attempt);
      const jobLog = jobLogPath(this.outdir, job.name, job.attempt);
      const t: Tracked = { job, key: id.ok ? id.value.key : '', jobId: '', jobLog, submittedAt: Date.now(), started: false };
      if (!id.ok) {
        this.tracker.emit({ type: 'ended', end: { nodeId: job.nodeId, attempt: job.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: `not submitted: ${id.error.file}: ${id.error.reason}` } } });
        continue;
      }
      clearStaleMarker({ nodeId: job.nodeId, chunkDir: job.chunkDir, attempt: job.attempt, key: t.key });
      writeBatchScript(job.chunkDir, this.script, { attempt: job.attempt, key: t.key });
      rmSync(jobLog, { force: true });
      items.push({ chunkDir: job.chunkDir, jobLog, attempt: job.attempt, key: t.key });
      ready.push(t);
    }
    if (items.length === 0) return;
    // One round per set of resources: attempts resubmitted with more memory or time go apart.
    const groups = new Map<string, number[]>();
    ready.forEach((t, i) => {
      const k = JSON.stringify(t.job.resources ?? {});
      const g = groups.get(k);
      if (g) g.push(i);
      else groups.set(k, [i]);
    });
    for (const idx of groups.values()) await this.submitGroup(idx.map((i) => items[i]!), idx.map((i) => ready[i]!), paths.rounds);
  }

  private async submitGroup(items: RoundItem[], ready: Tracked[], roundsDir: string): Promise<void> {
    this.rounds.submitRounds++;
    const roundName = `round-${Date.now()}-${process.pid}-${++this.seq}`;
    const prog = {
      nodeBin: this.script.nodeBin ?? process.env.HEPPY_BATCH_NODE ?? process.execPath,
      runChunksJs: this.script.runChunksJs ?? runChunksJs,
      exitMarkerJs,
    };
    const res = ready[0]!.job.resources;
    const o = { ...this.o, ...(res?.memMB !== undefined ? { mem: formatMem(res.memMB) } : {}), ...(res?.timeMin !== undefined ? { time: formatMinutes(res.timeMin) } : {}) };
    let planned = 0;
    const before = async (call: PlannedCall): Promise<void> => {
      const entries = call.items.map((_, k) => {
        const t = ready[planned + k]!;
        t.jobName = call.jobName;
        t.arrayTask = call.tasks[k]!;
        t.jobLog = call.jobLogs[k]!;
        t.taskLog = call.taskLogs[k]!;
        t.submittedAt = Date.now();
        return journalEntry(t, 'slurm');
      });
      planned += call.items.length;
      if (this.journal) await Promise.all(entries.map((e) => this.journal!(e)));
    };
    const r = await submitRound(this.client, o, roundsDir, roundName, () => sbatchJobName(this.outdir, ++this.seq), items, prog, before);
    let i = 0;
    for (const { round } of r.done) {
      for (const jobId of round.jobIds) {
        const t = ready[i++]!;
        t.jobId = jobId;
        this.tracker.add(t);
        this.tracker.emit({ type: 'submitted', nodeId: t.job.nodeId, attempt: t.job.attempt, jobId, taskLog: t.taskLog });
      }
    }
    // Not awaited: the entries written before sbatch already find these jobs by name.
    if (this.journal) for (const t of ready) if (t.jobId !== '') this.journal(journalEntry(t, 'slurm')).catch(() => undefined);
    if (r.failed) {
      for (; i < ready.length; i++) {
        const t = ready[i]!;
        this.tracker.emit({ type: 'ended', end: { nodeId: t.job.nodeId, attempt: t.job.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: r.failed.reason } } });
      }
    }
  }

  /**
   * Re-attaches to the journal's entries: a marker of the attempt ends it at once; otherwise the
   * job is looked up in squeue, then sacct — by its id, or, for an entry journaled before sbatch
   * answered, by its sbatch call's name and array task. A job neither knows was never submitted
   * (or is long gone without a result): not adopted, the build submits the chunk again. When
   * Slurm does not answer, every entry is kept and the poll rounds decide.
   */
  async adopt(entries: JournalEntry[]): Promise<JournalEntry[]> {
    const adopted: JournalEntry[] = [];
    const waiting: [JournalEntry, Tracked][] = [];
    for (const e of entries) {
      if (e.executor !== 'slurm' || e.chunkDir === undefined) continue;
      const t = trackedFromJournal({ ...e, chunkDir: e.chunkDir }, this.outdir);
      this.tracker.add(t);
      if (this.tracker.checkMarker(t)) adopted.push(e);
      else waiting.push([e, t]);
    }
    if (waiting.length === 0) return adopted;
    await this.submittersGone(waiting.map(([, t]) => t));
    const queue = await this.q.squeue(this.tracker.inflight.values());
    if (queue === null) return [...adopted, ...waiting.map(([e]) => e)];
    const missing: [JournalEntry, Tracked][] = [];
    for (const [e, t] of waiting) {
      const s = this.stateOf(t, queue);
      if (s) {
        this.applyState(t, s, Date.now());
        adopted.push(e);
      } else missing.push([e, t]);
    }
    if (missing.length > 0) {
      const acct = await this.q.sacct(missing.map(([, t]) => t));
      for (const [e, t] of missing) {
        const s = acct !== null ? this.stateOf(t, acct) : undefined;
        if (s) {
          this.applyState(t, s, Date.now());
          adopted.push(e);
        } else {
          this.tracker.inflight.delete(trackKey(t.job.nodeId, t.job.attempt));
        }
      }
    }
    return adopted;
  }

  /**
   * Waits (up to the client's timeout) until no sbatch of these attempts' calls is still running on
   * this host: the sbatch of a build killed while it submitted lives on and may yet submit, so
   * the job is looked for by name only once it has ended.
   */
  private async submittersGone(ts: Tracked[]): Promise<void> {
    const names = [...new Set(ts.filter((t) => t.jobId === '' && t.jobName !== undefined).map((t) => t.jobName!))];
    const live = (): boolean => names.some((n) => pidsWith('cmdline', `--job-name=${n}`).length > 0);
    for (const t0 = Date.now(); names.length > 0 && live() && Date.now() - t0 < this.client.timeoutMs;) await new Promise((r) => setTimeout(r, 200));
  }

  /**
   * The state of a tracked attempt among `states`; an attempt journaled before sbatch answered
   * gets its job id here from its sbatch call's name (any task of that array gives the array id),
   * and that id is journaled.
   */
  private stateOf(t: Tracked, states: Map<string, JobState>): JobState | undefined {
    if (t.jobId === '' && t.jobName !== undefined && t.arrayTask !== undefined) {
      for (const s of states.values()) {
        if (s.name !== t.jobName) continue;
        t.jobId = `${arrayJobOf(s.jobId)}_${t.arrayTask}`;
        if (this.journal) void this.journal(journalEntry(t, 'slurm'));
        break;
      }
    }
    return t.jobId === '' ? undefined : states.get(t.jobId);
  }

  async next(): Promise<ExecutorEvent[]> {
    if (this.tracker.pending === 0) {
      await this.tracker.sleep(this.lastRoundAt + this.o.pollIntervalMs - Date.now());
    }
    if (this.tracker.pending === 0 && !this.tracker.isClosed) await this.pollRound();
    return this.tracker.take();
  }

  async cancelAll(): Promise<void> {
    const ids = [...new Set([...this.tracker.inflight.values()].map((t) => t.jobId).filter((id) => id !== ''))];
    for (let i = 0; i < ids.length; i += 500) await this.client.run('scancel', ids.slice(i, i + 500));
    // Attempts whose job id was never learnt: their sbatch calls, by name.
    const names = new Set([...this.tracker.inflight.values()].filter((t) => t.jobId === '' && t.jobName !== undefined).map((t) => t.jobName!));
    for (const name of names) await this.client.run('scancel', ['-u', slurmUser(), `--name=${name}`]);
    this.tracker.inflight.clear();
  }

  async close(): Promise<void> {
    this.tracker.close();
    // For benchmarks and debugging: what this build asked of Slurm.
    const statsFile = process.env.HEPPY_SLURM_STATS;
    if (statsFile) writeFileSync(statsFile, JSON.stringify({ calls: this.client.stats, ...this.rounds }) + '\n');
  }

  /** Attempts still in flight (for messages such as "N jobs left in the queue"). */
  get inflight(): { nodeId: string; attempt: number; jobId: string }[] {
    return [...this.tracker.inflight.values()].map((t) => ({ nodeId: t.job.nodeId, attempt: t.job.attempt, jobId: t.jobId }));
  }

  /**
   * A job killed by a signal (scancel, time limit, memory limit, node failure) leaves a marker that
   * cannot say which: hold it until Slurm's state is known (a round or two), then let that state
   * say what the failure is.
   */
  private readonly withState = (t: Tracked, end: AttemptEnd): AttemptEnd | null => {
    if (end.status !== 'failed' || end.failure.kind !== 'resource' || end.failure.resource !== 'signal') return end;
    const c = t.state !== undefined ? classifyState(t.state) : null;
    if (c !== null && !isActive(c)) {
      const f = this.failureOf(t, 'ended');
      return c === 'done' ? end : { ...end, failure: { ...f, reason: `${end.failure.reason}; ${f.reason}` } };
    }
    const now = Date.now();
    t.killedSeenAt ??= now;
    return now - t.killedSeenAt < this.o.markerGraceMs ? null : end;
  };

  // ---- one poll round ----

  private async pollRound(): Promise<void> {
    const now = Date.now();
    this.lastRoundAt = now;
    this.rounds.pollRounds++;
    this.tracker.scan(this.withState);
    if (this.tracker.inflight.size === 0) return;
    if (now - this.q.lastQueryAt >= 60_000 / this.o.maxQueriesPerMinute) {
      const gone = [...this.tracker.inflight.values()].filter((t) => t.goneSince !== undefined && now - t.goneSince >= this.o.markerGraceMs);
      if (gone.length > 0) await this.askSacct(gone);
      else await this.askSqueue();
    }
    await this.judgeFinished(Date.now());
  }

  private async askSqueue(): Promise<void> {
    const states = await this.q.squeue(this.tracker.inflight.values());
    if (states === null) return;
    const now = Date.now();
    for (const t of [...this.tracker.inflight.values()]) {
      const s = this.stateOf(t, states);
      if (s) this.applyState(t, s, now);
      else if (t.goneSince === undefined && t.finishedSeenAt === undefined) t.goneSince = now;
    }
  }

  private async askSacct(gone: Tracked[]): Promise<void> {
    const states = await this.q.sacct(gone);
    const now = Date.now();
    for (const t of gone) {
      if (this.tracker.checkMarker(t, this.withState)) continue;
      const s = states !== null ? this.stateOf(t, states) : undefined;
      if (s) {
        this.applyState(t, s, now);
        // sacct is behind: it still says queued/running although squeue forgot the job; look again later.
        if (isActive(classifyState(s.state))) t.goneSince = now;
      } else if (now - t.goneSince! >= this.o.vanishGraceMs) {
        const job = t.jobId !== '' ? `Slurm job ${t.jobId}` : `Slurm job ${t.jobName ?? this.jobPrefix} (array task ${t.arrayTask ?? '?'}; its id was never journaled)`;
        this.tracker.fail(t, { kind: 'infrastructure', reason: `${job} vanished: not in the queue, not in accounting, and no marker after ${Math.round((now - t.goneSince!) / 1000)} s` });
      }
    }
  }

  private applyState(t: Tracked, s: JobState, now: number): void {
    t.state = s.state;
    if (s.exitCode !== undefined) t.exitCode = s.exitCode;
    if (s.reqMem !== undefined) t.reqMem = s.reqMem;
    if (s.timelimit !== undefined) t.timelimit = s.timelimit;
    const c = classifyState(s.state);
    if (isActive(c)) {
      t.goneSince = undefined;
      t.finishedSeenAt = undefined;
      // With packing a running task may not have reached this chunk yet: started files tell.
      if (c === 'running' && this.o.chunksPerJob === 1) this.tracker.markStarted(t);
    } else {
      t.goneSince = undefined;
      t.finishedSeenAt ??= now;
    }
  }

  /** The failure of a job Slurm says is over (state, exit code, the task's output). */
  private failureOf(t: Tracked, what: string): TaskFailure {
    const asked: Resources = {};
    const mem = t.reqMem !== undefined ? parseSlurmMem(t.reqMem) : null;
    const time = t.timelimit !== undefined ? parseSlurmMinutes(t.timelimit) : null;
    if (mem !== null) asked.memMB = mem;
    if (time !== null) asked.timeMin = time;
    this.asked.set(t.job.nodeId, asked);
    return slurmFailure(t.jobId, t.state ?? 'unknown', t.exitCode, t.taskLog !== undefined ? tailOf(t.taskLog) : '', what);
  }

  /** Jobs Slurm says are over, still without a marker after the grace period, have failed. */
  private async judgeFinished(now: number): Promise<void> {
    const over: Tracked[] = [];
    for (const t of [...this.tracker.inflight.values()]) {
      if (t.killedSeenAt !== undefined && this.tracker.checkMarker(t, this.withState)) continue;
      if (t.finishedSeenAt === undefined || now - t.finishedSeenAt < this.o.markerGraceMs) continue;
      if (this.tracker.checkMarker(t, this.withState)) continue;
      over.push(t);
    }
    // squeue knows the state only: sacct adds the exit code and what the job asked for (one call).
    const unknown = over.filter((t) => classifyState(t.state ?? '') !== 'done' && t.exitCode === undefined);
    if (unknown.length > 0) {
      const acct = await this.q.sacct(unknown);
      for (const t of unknown) {
        const s = acct?.get(t.jobId);
        if (s && !isActive(classifyState(s.state))) this.applyState(t, s, now);
      }
    }
    for (const t of over) {
      const what = classifyState(t.state ?? '') === 'done' ? 'finished' : 'ended';
      const f = this.failureOf(t, what);
      this.tracker.fail(t, { ...f, reason: `${f.reason} without writing the chunk's marker` });
    }
    if (this.q.failingSince !== null && now - this.q.failingSince >= 5 * this.o.vanishGraceMs) {
      for (const t of [...this.tracker.inflight.values()]) {
        if (!this.tracker.checkMarker(t)) this.tracker.fail(t, { kind: 'infrastructure', reason: `Slurm does not answer (${this.q.lastError}); job ${t.jobId} is lost to heppy` });
      }
    }
  }
}

/** The last 16 KB of a job's output (slurmstepd's messages come at the end), '' when unreadable. */
function tailOf(file: string): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const n = Math.min(size, 16_384);
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, size - n);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
