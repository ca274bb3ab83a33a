// Submitting a build's attempts to Slurm: each attempt's chunk.json and batchScript.sh are written
// into its chunk directory, then one sbatch job array per set of resources (submit.ts). Every
// attempt is journaled with its sbatch call's name and array task BEFORE sbatch runs: a build
// killed before it journaled the job id finds the job again by that name (adopt.ts).
import { rmSync } from 'node:fs';
import type { JobSpec } from '../executor.js';
import { clearStaleMarker } from '../batch/attempt-marker.js';
import { runChunksJs } from '../batch/paths.js';
import { journalEntry, type Tracked } from '../batch/tracker.js';
import { ensureChunkAttempt } from '../../chunkdir/spec.js';
import { ensureBatchPaths, jobLogPath } from '../../chunkdir/layout.js';
import { exitMarkerJs, writeBatchScript, type BatchScriptOptions } from '../../chunkdir/batch-script.js';
import type { SlurmContext, SlurmRoundStats } from './context.js';
import { formatMem, formatMinutes } from './failure.js';
import { sbatchJobName } from './names.js';
import { submitRound, type PlannedCall, type RoundItem } from './submit.js';

export class SlurmSubmitter {
  private seq = 0;

  constructor(private readonly c: SlurmContext, private readonly script: BatchScriptOptions, private readonly rounds: SlurmRoundStats) {}

  async submit(jobs: JobSpec[]): Promise<void> {
    if (jobs.length === 0) return;
    const paths = ensureBatchPaths(this.c.outdir);
    const items: RoundItem[] = [];
    const ready: Tracked[] = [];
    for (const job of jobs) {
      const id = ensureChunkAttempt(job.chunkDir, job.attempt);
      const jobLog = jobLogPath(this.c.outdir, job.name, job.attempt);
      if (!id.ok) {
        this.c.tracker.emit({ type: 'ended', end: { nodeId: job.nodeId, attempt: job.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: `not submitted: ${id.error.file}: ${id.error.reason}` } } });
        continue;
      }
      const t: Tracked = { job, key: id.value.key, jobId: '', jobLog, submittedAt: Date.now(), started: false };
      clearStaleMarker({ nodeId: job.nodeId, chunkDir: job.chunkDir, attempt: job.attempt, key: t.key });
      writeBatchScript(job.chunkDir, this.script, { attempt: job.attempt, key: t.key });
      rmSync(jobLog, { force: true });
      items.push({ chunkDir: job.chunkDir, jobLog, attempt: job.attempt, key: t.key });
      ready.push(t);
    }
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
    const { tracker, journal } = this.c;
    this.rounds.submitRounds++;
    const roundName = `round-${Date.now()}-${process.pid}-${++this.seq}`;
    const prog = {
      nodeBin: this.script.nodeBin ?? process.env.HEPPY_BATCH_NODE ?? process.execPath,
      runChunksJs: this.script.runChunksJs ?? runChunksJs,
      exitMarkerJs,
    };
    const res = ready[0]!.job.resources;
    const o = { ...this.c.o, ...(res?.memMB !== undefined ? { mem: formatMem(res.memMB) } : {}), ...(res?.timeMin !== undefined ? { time: formatMinutes(res.timeMin) } : {}) };
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
      if (journal) await Promise.all(entries.map((e) => journal(e)));
    };
    const r = await submitRound(this.c.client, o, roundsDir, roundName, () => sbatchJobName(this.c.outdir, ++this.seq), items, prog, before);
    let i = 0;
    for (const { round } of r.done) {
      for (const jobId of round.jobIds) {
        const t = ready[i++]!;
        t.jobId = jobId;
        tracker.add(t);
        tracker.emit({ type: 'submitted', nodeId: t.job.nodeId, attempt: t.job.attempt, jobId, taskLog: t.taskLog });
      }
    }
    // Not awaited: the entries written before sbatch already find these jobs by name.
    if (journal) for (const t of ready) if (t.jobId !== '') journal(journalEntry(t, 'slurm')).catch(() => undefined);
    if (r.failed) {
      for (; i < ready.length; i++) {
        const t = ready[i]!;
        tracker.emit({ type: 'ended', end: { nodeId: t.job.nodeId, attempt: t.job.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: r.failed.reason } } });
      }
    }
  }
}
