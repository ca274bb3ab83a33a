// Slurm job states as squeue and sacct print them, and what heppy makes of them.
import { assertNever } from '../../util/result.js';

/** active: queued or running; done: left normally; bad: ended abnormally (cancel, timeout, ...). */
export type StateClass = 'pending' | 'running' | 'done' | 'bad';

const PENDING = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESV_DEL_HOLD', 'SUSPENDED', 'STOPPED', 'RESIZING']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);
const DONE = new Set(['COMPLETED']);

/** Classifies a state word ("CANCELLED by 0" → CANCELLED). Unknown words count as bad. */
export function classifyState(state: string): StateClass {
  const word = state.trim().split(/\s+/)[0]?.replace(/\+$/, '') ?? '';
  if (PENDING.has(word)) return 'pending';
  if (RUNNING.has(word)) return 'running';
  if (DONE.has(word)) return 'done';
  return 'bad';
}

export const isActive = (c: StateClass): boolean => {
  switch (c) {
    case 'pending':
    case 'running':
      return true;
    case 'done':
    case 'bad':
      return false;
    default:
      return assertNever(c, 'state class');
  }
};

export interface JobState {
  jobId: string;      // '1234_5' for an array task, '1234' for a plain job
  state: string;      // Slurm's word, e.g. RUNNING, CANCELLED, TIMEOUT
  reason?: string;    // squeue's reason (pending) or sacct's
  exitCode?: string;  // sacct's "code:signal"
  reqMem?: string;    // sacct's ReqMem, e.g. "2048M"
  timelimit?: string; // sacct's Timelimit, e.g. "01:00:00" or "UNLIMITED"
  name?: string;      // the job name (a journal entry written before sbatch knows only it)
}

/** squeue -h -r --states=all -o '%i|%T|%r|%j' (the name last: heppy's names have no '|'). */
export const SQUEUE_FORMAT = '%i|%T|%r|%j';

export function parseSqueue(stdout: string): Map<string, JobState> {
  const out = new Map<string, JobState>();
  for (const line of stdout.split('\n')) {
    const [jobId, state, reason, name] = line.trim().split('|');
    if (!jobId || !state) continue;
    out.set(jobId, { jobId, state, ...(reason && reason !== 'None' ? { reason } : {}), ...(name ? { name } : {}) });
  }
  return out;
}

/** sacct -n -P -X -o JobID,State,ExitCode,Reason,ReqMem,Timelimit,JobName */
export const SACCT_FIELDS = 'JobID,State,ExitCode,Reason,ReqMem,Timelimit,JobName';

export function parseSacct(stdout: string): Map<string, JobState> {
  const out = new Map<string, JobState>();
  for (const line of stdout.split('\n')) {
    const [jobId, state, exitCode, reason, reqMem, timelimit, name] = line.trim().split('|');
    if (!jobId || !state) continue;
    // A pending array is printed once as 1234_[3-9]; expand it so each task is found.
    const m = /^(\d+)_\[(.+)\]$/.exec(jobId);
    const ids = m ? expandArrayRange(m[1]!, m[2]!) : [jobId];
    for (const id of ids) {
      out.set(id, { jobId: id, state, ...(exitCode ? { exitCode } : {}), ...(reason && reason !== 'None' ? { reason } : {}),
        ...(reqMem ? { reqMem } : {}), ...(timelimit ? { timelimit } : {}), ...(name ? { name } : {}) });
    }
  }
  return out;
}

/** "1-3,7,9-10%4" → ids base_1, base_2, … (the %limit is dropped). */
export function expandArrayRange(base: string, spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b !== undefined && Number.isInteger(b) ? b : a;
    for (let i = a; i <= end && out.length < 100_000; i++) out.push(`${base}_${i}`);
  }
  return out;
}

/** The array job id of a task id ('1234_5' → '1234'). */
export const arrayJobOf = (jobId: string): string => jobId.split('_')[0] ?? jobId;

/** sbatch --parsable prints "jobid" or "jobid;cluster". */
export function parseSbatchParsable(stdout: string): string | null {
  const m = /^\s*(\d+)(?:;\S+)?\s*$/m.exec(stdout);
  return m ? m[1]! : null;
}
