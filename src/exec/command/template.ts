// heppy_batch's `-b 'TEMPLATE'`: the command is run verbatim by /bin/sh inside each chunk
// directory. This module knows what the usual batch systems print on submission and how their
// jobs are cancelled; it never edits the template itself.
import { assertNever } from '../../util/result.js';

export type TemplateKind = 'lsf' | 'condor' | 'slurm' | 'sge' | 'local' | 'other';

/** The batch system, from the template's first word (heppy_batch's RunningMode, minus its host checks). */
export function templateKind(template: string): TemplateKind {
  const first = template.trim().split(/\s+/)[0] ?? '';
  const word = first.split('/').pop() ?? first;
  if (word === 'bsub') return 'lsf';
  if (word === 'condor_submit' || word === 'run_condor.sh' || word === 'run_condor_simple.sh') return 'condor';
  if (word === 'sbatch') return 'slurm';
  if (word === 'qsub') return 'sge';
  if (word === 'nohup' || word === 'batchScript.sh' || word === 'bash' || word === 'sh') return 'local';
  return 'other';
}

/** The job id a submission printed, or null (LOCAL templates print none). */
export function parseJobId(output: string): string | null {
  const patterns: RegExp[] = [
    /Submitted batch job (\d+)/,                       // sbatch
    /Job <(\d+)> is submitted/,                         // bsub
    /submitted to cluster (\d+)/,                       // condor_submit ("1 job(s) submitted to cluster 42.")
    /Your job(?:-array)? (\d+)(?:\.[\d:-]+)? \(/,       // SGE qsub
    /^\s*(\d+)(?:;\S+)?\s*$/m,                           // sbatch --parsable
    /^\s*(\d+(?:\[\])?\.[A-Za-z0-9.-]+)\s*$/m,            // PBS/Torque qsub: 1234.server
  ];
  for (const p of patterns) {
    const m = p.exec(output);
    if (m) return m[1]!;
  }
  return null;
}

/** The command that cancels a job of this kind (argv), or null when heppy cannot cancel it. */
export function cancelArgv(kind: TemplateKind, jobId: string): string[] | null {
  switch (kind) {
    case 'lsf':
      return ['bkill', jobId];
    case 'condor':
      return ['condor_rm', jobId];
    case 'slurm':
      return ['scancel', jobId];
    case 'sge':
      return ['qdel', jobId];
    case 'local':
    case 'other':
      return null;
    default:
      return assertNever(kind, 'template kind');
  }
}

/** A job id heppy makes up when the template prints none: the submission's process group. */
export function localJobId(host: string, pgid: number): string {
  return `local:${host}:${pgid}`;
}

export function parseLocalJobId(jobId: string): { host: string; pgid: number } | null {
  const m = /^local:(.+):(\d+)$/.exec(jobId);
  return m ? { host: m[1]!, pgid: Number(m[2]) } : null;
}
