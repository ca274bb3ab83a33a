// What a Slurm job's end means as a TaskFailure, and the resources of its next attempt after a
// resource failure (Snakemake's attempt-scaled resources, CRAB's --maxmemory): memory or time
// times 1.5, up to a bound.
import type { TaskFailure } from '../../util/failure.js';
import type { Resources } from '../executor.js';
import { parseSlurmTime } from '../batch/time.js';
import { assertNever } from '../../util/result.js';

/** slurmstepd's words when it kills a step over its --mem (jobacct_gather, OverMemoryKill), or the cgroup OOM killer's. */
const OVER_MEMORY = /exceeded (?:job )?memory limit|oom[_-]kill|out of memory/i;

/**
 * The failure of Slurm job `jobId` that ended in `state` (squeue/sacct word, e.g. "CANCELLED by 0")
 * with sacct's `exitCode` ("code:signal"), given the end of its output (slurmstepd writes there).
 */
export function slurmFailure(jobId: string, state: string, exitCode: string | undefined, output: string, what: string): TaskFailure {
  const word = state.trim().split(/\s+/)[0]?.replace(/\+$/, '') ?? '';
  const reason = `Slurm job ${jobId} ${what} as ${state}${exitCode ? `, exit code ${exitCode}` : ''}`;
  // FAILED 0:9 with slurmstepd's "exceeded memory limit" is how a job over --mem ends (its step is
  // CANCELLED, the job FAILED): the output says which, whatever the state word.
  if (word === 'OUT_OF_MEMORY' || OVER_MEMORY.test(output)) return { kind: 'resource', resource: 'memory', reason: `${reason}: over its memory limit` };
  switch (word) {
    case 'TIMEOUT':
    case 'DEADLINE':
      return { kind: 'resource', resource: 'time', reason: `${reason}: over its time limit` };
    case 'CANCELLED':
      return { kind: 'interrupted', reason: `${reason} (scancel)` };
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'PREEMPTED':
    case 'REVOKED':
    case 'LAUNCH_FAILED':
      return { kind: 'infrastructure', reason };
    default: {
      // FAILED by a signal with no word about memory: killed (resource); COMPLETED or FAILED with an
      // exit code but no marker: the job script never got to run heppy (infrastructure).
      const sig = exitCode !== undefined ? Number(exitCode.split(':')[1] ?? 0) : 0;
      if (sig > 0) return { kind: 'resource', resource: 'signal', signal: `signal ${sig}`, reason };
      return { kind: 'infrastructure', reason };
    }
  }
}

/** Slurm memory ("2G", "500M", "2048", "1T", "2048Mc"/"2Gn" as sacct's ReqMem prints it) in MB, or null. */
export function parseSlurmMem(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)[nc]?\s*$/i.exec(s);
  if (!m) return null;
  const v = Number(m[1]);
  const mult: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, '': 1 };
  const mb = v * mult[m[2]!.toUpperCase()]!;
  return mb > 0 ? mb : null;
}

/** Minutes of a Slurm time (sacct's Timelimit too), or null (also for UNLIMITED). */
export function parseSlurmMinutes(s: string): number | null {
  const ms = parseSlurmTime(s);
  return ms === null ? null : ms / 60_000;
}

export const formatMem = (mb: number): string => `${Math.ceil(mb)}M`;

/** Whole minutes, as sbatch --time takes them. */
export const formatMinutes = (min: number): string => `${Math.ceil(min)}`;

export const SCALE_FACTOR = 1.5;

/**
 * The next value of a resource after a failure for it: `current` × 1.5, at most `max`; null when
 * `current` is unknown or already at the bound (asking again would fail again).
 */
export function scaleUp(current: number | undefined, max: number | undefined): number | null {
  if (current === undefined || max === undefined || current >= max) return null;
  return Math.min(max, Math.ceil(current * SCALE_FACTOR));
}

/**
 * Resources for the attempt after `failure`, from `current` (this attempt's). Memory or time are
 * scaled; a kill by a signal with nothing more known is retried as it was.
 */
export function nextResources(current: Resources, failure: Extract<TaskFailure, { kind: 'resource' }>,
  max: { memMB?: number; timeMin?: number }): Resources | null {
  switch (failure.resource) {
    case 'memory': {
      const mem = scaleUp(current.memMB, max.memMB);
      return mem === null ? null : { ...current, memMB: mem };
    }
    case 'time': {
      const time = scaleUp(current.timeMin, max.timeMin);
      return time === null ? null : { ...current, timeMin: time };
    }
    case 'signal':
      return current;
    case 'disk':
      return null; // more memory or time does not free a disk
    default:
      return assertNever(failure.resource, 'resource');
  }
}
