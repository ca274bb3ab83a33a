// `heppy cancel`: cancels the batch jobs of one Outdir — every Slurm array of its builds (found
// among the user's jobs by the Outdir's job-name prefix, so even a submission whose id the journal
// missed) and every job of the journal submitted through a -b template — then empties the
// journal, so the next build submits afresh.
import type { JournalEntry } from '../exec/executor.js';
import { SlurmClient } from '../exec/slurm/client.js';
import { outdirJobs } from '../exec/slurm/names.js';
import { arrayJobOf } from '../exec/slurm/states.js';
import { cancelCommandJob, lastTemplateKind } from '../exec/command/command-executor.js';
import { batchPaths } from '../chunkdir/layout.js';
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
    if (await cancelCommandJob(kind, e.jobId, e.jobName)) report.command.push(e.jobId);
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
 * and swap their result over the new one). Returns the job ids it cancelled.
 */
export async function cancelStaleJobs(outdir: string, entries: JournalEntry[], client = new SlurmClient()): Promise<string[]> {
  const cancelled: string[] = [];
  const slurm = entries.filter((e) => e.executor === 'slurm');
  if (slurm.length > 0) {
    const slurmIds = new Set(slurm.map((e) => e.jobId).filter((id) => id !== ''));
    // An entry journaled before sbatch answered is found by its call's name and array task.
    const named = new Set(slurm.filter((e) => e.jobId === '' && e.jobName !== undefined).map((e) => `${e.jobName}|${e.arrayTask}`));
    const q = await outdirJobs(client, outdir);
    const live = q.ok ? q.value.filter((j) => slurmIds.has(j.jobId) || named.has(`${j.name}|${j.jobId.split('_')[1]}`)).map((j) => j.jobId) : [];
    if (live.length > 0) {
      const c = await client.run('scancel', live);
      if (c.ok && c.value.exitCode === 0) cancelled.push(...live);
    }
  }
  const kind = lastTemplateKind(batchPaths(outdir).root);
  for (const e of entries) {
    if (e.executor === 'command' && (await cancelCommandJob(kind, e.jobId, e.jobName))) cancelled.push(e.jobId);
  }
  return cancelled;
}
