// `heppy cancel`: cancels the batch jobs of one Outdir — every Slurm array of its builds (found
// among the user's jobs by the Outdir's job-name prefix, so even a submission whose id the journal
// missed) and every job of the journal submitted through a -b template — then empties the
// journal, so the next build submits afresh.
import type { ExecutorKind, JournalEntry } from '../exec/executor.js';
import { assertNever } from '../util/result.js';
import { SlurmClient } from '../exec/slurm/client.js';
import { outdirJobs } from '../exec/slurm/names.js';
import { arrayJobOf } from '../exec/slurm/states.js';
import { lastTemplateKind } from '../exec/command/command-executor.js';
import { cancelCommandJob } from '../exec/command/cancel.js';
import { batchPaths, jobLogPath } from '../chunkdir/layout.js';
import { readdirSync } from 'node:fs';
import type { Workspace } from './workspace.js';

/** Whether the Slurm executor ever submitted for this Outdir (its array driver scripts are there). */
function hasRounds(outdir: string): boolean {
  try {
    return readdirSync(batchPaths(outdir).rounds).length > 0;
  } catch {
    return false;
  }
}

export interface CancelReport {
  /** Slurm jobs (array tasks) that were queued or running and got cancelled. */
  slurm: string[];
  /** Jobs of -b templates that were cancelled. */
  command: string[];
  /** Jobs heppy could not cancel (unknown batch system, another host, already gone), with why. */
  notCancelled: { jobId: string; why: string }[];
  /** Problems talking to the batch system. */
  errors: string[];
}

export async function cancelOutdirJobs(outdir: string, journal: JournalEntry[], opts: { slurm: boolean; client?: SlurmClient }): Promise<CancelReport> {
  const report: CancelReport = { slurm: [], command: [], notCancelled: [], errors: [] };
  const usesSlurm = opts.slurm || journal.some((e) => e.executor === 'slurm') || hasRounds(outdir);
  if (usesSlurm) {
    const client = opts.client ?? new SlurmClient();
    const q = await outdirJobs(client, outdir);
    if (!q.ok) report.errors.push(q.error.reason);
    else report.slurm = q.value.map((j) => j.jobId);
    // Whole arrays: each of them is this Outdir's alone.
    const arrays = [...new Set(report.slurm.map(arrayJobOf))];
    for (let i = 0; i < arrays.length; i += 500) {
      const c = await client.run('scancel', arrays.slice(i, i + 500));
      if (!c.ok || c.value.exitCode !== 0) report.errors.push(`scancel: ${c.ok ? c.value.stderr.trim() : c.error.reason}`);
    }
  }
  const kind = lastTemplateKind(batchPaths(outdir).root);
  for (const e of journal) {
    if (e.executor !== 'command') continue;
    if (await cancelCommandJob(kind, e.jobId, e.jobName, jobLogOf(outdir, e))) report.command.push(e.jobId || (e.jobName ?? ''));
    else report.notCancelled.push({ jobId: e.jobId, why: kind === 'other' ? 'unknown batch system: cancel it with its own command' : 'not running any more, or on another host' });
  }
  return report;
}

/**
 * `heppy cancel` on a workspace (lock held, the build's store open): cancels the Outdir's jobs as
 * its journal and its Slurm rounds name them, then forgets the journal. `forgotten`: journal
 * entries removed.
 */
export async function cancelWorkspace(ws: Workspace, client?: SlurmClient): Promise<CancelReport & { forgotten: number }> {
  const journal = ws.store?.listJobs() ?? [];
  const report = await cancelOutdirJobs(ws.outdir, journal, { slurm: false, ...(client ? { client } : {}) });
  if (ws.store) {
    for (const e of journal) await ws.store.deleteJob(e.nodeId, e.attempt);
    await ws.store.flush();
  }
  return { ...report, forgotten: journal.length };
}

/**
 * Cancels particular journaled jobs that are still queued or running (a build found them for an
 * older key of their chunk, or for another executor: left alone they would run the old analysis
 * and swap their result over the new one). Returns the jobs it cancelled, each with its entry.
 */
export async function cancelStaleJobs(outdir: string, entries: JournalEntry[], client = new SlurmClient()): Promise<{ jobId: string; entry: JournalEntry }[]> {
  const cancelled: { jobId: string; entry: JournalEntry }[] = [];
  const slurm = entries.filter((e) => e.executor === 'slurm');
  if (slurm.length > 0) {
    const byId = new Map(slurm.filter((e) => e.jobId !== '').map((e) => [e.jobId, e]));
    // An entry journaled before sbatch answered is found by its call's name and array task.
    const byName = new Map(slurm.filter((e) => e.jobId === '' && e.jobName !== undefined).map((e) => [`${e.jobName}|${e.arrayTask}`, e]));
    const q = await outdirJobs(client, outdir);
    const live = q.ok ? q.value.flatMap((j) => {
      const entry = byId.get(j.jobId) ?? byName.get(`${j.name}|${j.jobId.split('_')[1]}`);
      return entry ? [{ jobId: j.jobId, entry }] : [];
    }) : [];
    if (live.length > 0) {
      const c = await client.run('scancel', live.map((l) => l.jobId));
      if (c.ok && c.value.exitCode === 0) cancelled.push(...live);
    }
  }
  const kind = lastTemplateKind(batchPaths(outdir).root);
  for (const e of entries) {
    if (e.executor === 'command' && (await cancelCommandJob(kind, e.jobId, e.jobName, jobLogOf(outdir, e)))) cancelled.push({ jobId: e.jobId || (e.jobName ?? ''), entry: e });
  }
  return cancelled;
}

/** Where a -b attempt's submission wrote its output (the job id a batch system printed). */
const jobLogOf = (outdir: string, e: JournalEntry): string => jobLogPath(outdir, e.name ?? e.nodeId, e.attempt);

/** Why a journaled job of an earlier build is not this build's: cancelStaleJobs' message says it. */
export type StaleWhy = 'executor' | 'key' | 'not-planned';

export function staleWhy(e: JournalEntry, kind: ExecutorKind, key: string | undefined): StaleWhy {
  if (e.executor !== kind) return 'executor';
  return key !== undefined && e.key !== key ? 'key' : 'not-planned';
}

const how = (k: ExecutorKind): string => {
  switch (k) {
    case 'command': return 'through the -b template';
    case 'slurm': return 'to Slurm';
    case 'local': return 'locally';
    default: return assertNever(k, 'executor kind');
  }
};

/**
 * The warning after cancelStaleJobs: what happened to the earlier build (left its jobs queued or
 * running: killed, interrupted or --detach) and, per reason, why they could not be taken over.
 */
export function staleJobsMessage(cancelled: { jobId: string; why: StaleWhy; executor: ExecutorKind }[], kind: ExecutorKind): string {
  const n = cancelled.length;
  const reasons: string[] = [];
  const by = (w: StaleWhy): typeof cancelled => cancelled.filter((c) => c.why === w);
  for (const k of new Set(by('executor').map((c) => c.executor))) {
    const m = by('executor').filter((c) => c.executor === k).length;
    reasons.push(`${m} submitted ${how(k)} while this build runs ${kind === 'local' ? 'locally' : `its chunks ${how(kind)}`}`);
  }
  if (by('key').length > 0) reasons.push(`${by('key').length} for an older version of their chunks (they would overwrite this build's results)`);
  if (by('not-planned').length > 0) reasons.push(`${by('not-planned').length} for chunks this build does not run`);
  const ids = cancelled.map((c) => c.jobId);
  return `cancelled ${n} batch job${n === 1 ? '' : 's'} that an earlier build left queued or running (it was killed, interrupted or detached): ` +
    `${reasons.join('; ')}: ${ids.slice(0, 8).join(' ')}${ids.length > 8 ? ' …' : ''}`;
}
