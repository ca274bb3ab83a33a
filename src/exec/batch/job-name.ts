// The names heppy gives batch jobs, so that a job can be found again by its name alone: an attempt
// is journaled with its job name BEFORE it is submitted, and a build killed before it journaled
// the job id looks the job up by that name. Every name of one Outdir starts with
// `heppy-<sha1(Outdir)[:12]>`, which finds all of them among the user's jobs (`heppy cancel`).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** The prefix of the names of every job of one Outdir (before this version: Slurm's whole name). */
export function outdirJobPrefix(outdir: string): string {
  return `heppy-${createHash('sha1').update(resolve(outdir)).digest('hex').slice(0, 12)}`;
}

/** Whether a job name is one of this Outdir's. */
export function isOutdirJobName(outdir: string, name: string): boolean {
  const prefix = outdirJobPrefix(outdir);
  return name === prefix || name.startsWith(`${prefix}-`);
}

/** The name of one attempt of one chunk (-b templates: $HEPPY_JOB_NAME). */
export function attemptJobName(outdir: string, chunk: string, attempt: number): string {
  return `${outdirJobPrefix(outdir)}-${chunk}-${attempt}`;
}
