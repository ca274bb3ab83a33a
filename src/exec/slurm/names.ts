// Slurm job names (exec/batch/job-name.ts): every sbatch call gets a name of its own,
// `heppy-<sha1(Outdir)[:12]>-<tag>`, journaled with each attempt's array task before sbatch runs,
// so that a build killed before it journaled the job id finds the job by name (squeue/sacct
// --name); the prefix finds every job of one Outdir among the user's jobs (`heppy cancel`).
import { userInfo } from 'node:os';
import type { SlurmClient } from './client.js';
import { fail, ok, type Result } from '../../util/result.js';
import { isOutdirJobName, outdirJobPrefix } from '../batch/job-name.js';

/**
 * The name of one sbatch call: unique among this user's jobs (time, pid and a per-process
 * counter, base 36), short enough for squeue's default columns not to matter.
 */
export function sbatchJobName(outdir: string, seq: number, now = Date.now()): string {
  return `${outdirJobPrefix(outdir)}-${now.toString(36)}-${process.pid.toString(36)}-${seq.toString(36)}`;
}

/** The submitting user (the effective uid's name), for squeue -u: names are only unique per user. */
export function slurmUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? '');
  }
}

export interface NamedJob {
  jobId: string;   // '1234_5' (squeue -r lists every array task)
  name: string;
}

/** The queued or running jobs of this Outdir among the user's jobs (one squeue). */
export async function outdirJobs(client: SlurmClient, outdir: string): Promise<Result<NamedJob[]>> {
  const r = await client.run('squeue', ['-h', '-r', '-u', slurmUser(), '-o', '%i|%j']);
  if (!r.ok) return r;
  if (r.value.exitCode !== 0) return fail({ object: 'squeue', reason: `squeue: ${r.value.stderr.trim() || `exit code ${r.value.exitCode}`}` });
  const jobs: NamedJob[] = [];
  for (const line of r.value.stdout.split('\n')) {
    const bar = line.indexOf('|');
    if (bar <= 0) continue;
    const jobId = line.slice(0, bar).trim();
    const name = line.slice(bar + 1).trim();
    if (isOutdirJobName(outdir, name)) jobs.push({ jobId, name });
  }
  return ok(jobs);
}
