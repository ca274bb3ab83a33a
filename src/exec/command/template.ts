// heppy_batch's `-b 'TEMPLATE'`: the command is run verbatim by /bin/sh inside each chunk
// directory. This module knows what the usual batch systems print on submission and how their
// jobs are cancelled; it never edits the template itself.
import { spawnSync } from 'node:child_process';
import { assertNever } from '../../util/result.js';
import { shq } from '../../util/shell.js';

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

/**
 * Why /bin/sh cannot parse the template (an unterminated quote, a stray `&&`), or null: checked
 * once with `sh -n` before anything is submitted, instead of every chunk's submission failing alike.
 */
export function templateSyntaxProblem(template: string): string | null {
  if (template.trim() === '') return 'the template is empty';
  const r = spawnSync('/bin/sh', ['-n', '-c', template], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const why = (r.stderr ?? '').split('\n').find((l) => l.trim() !== '')?.replace(/^\/bin\/sh: (?:\d+: )?/, '') ?? `sh -n exited with ${String(r.status)}`;
  return `/bin/sh cannot parse it: ${why}`;
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

/**
 * The command run in a chunk directory for a template. A template that names batchScript.sh is
 * run as it is (heppy_batch). A bare submit command, as heppy_check's `-b 'bsub -q 1nh'` takes it,
 * gets the chunk's job name and the script in the form its batch system reads: ` -J <chunk> <
 * batchScript.sh` for bsub (as heppy_check ran it), `-J <chunk> batchScript.sh` for sbatch,
 * `-N <chunk> batchScript.sh` for qsub, a submit description on standard input for condor_submit,
 * the script as argument for run_condor.sh; anything else reads the script on standard input.
 */
export function submissionCommand(template: string, chunkName: string): string {
  if (/batchScript\.sh/.test(template)) return template;
  const t = template.trim();
  const name = shq(chunkName);
  const first = (t.split(/\s+/)[0] ?? '').split('/').pop() ?? '';
  const kind = templateKind(t);
  switch (kind) {
    case 'lsf':
      return `${t} -J ${name} < batchScript.sh`;
    case 'slurm':
      return `${t} -J ${name} batchScript.sh`;
    case 'sge':
      return `${t} -N ${name} batchScript.sh`;
    case 'condor':
      return first === 'condor_submit' ? condorFromStdin(t, chunkName) : `${t} batchScript.sh`;
    case 'local':
    case 'other':
      return `${t} < batchScript.sh`;
    default:
      return assertNever(kind, 'template kind');
  }
}

/** condor_submit reads the submit description from standard input when given no file. */
function condorFromStdin(t: string, chunkName: string): string {
  const logs = `../.heppy/batch/logs/${chunkName}.condor`; // never inside the chunk dir (it is swapped)
  const desc = ['executable = batchScript.sh', 'getenv = True', `output = ${logs}.out`, `error = ${logs}.err`, `log = ${logs}.log`, 'queue'];
  return `printf '%s\\n' ${desc.map(shq).join(' ')} | ${t} -batch-name ${shq(chunkName)}`;
}
