// The Slurm executor's questions to Slurm: squeue about the sbatch calls in flight (by their
// names), sacct by job id or, for an attempt whose id was never journaled, by name. Keeps when the
// last query was made (the executor's rate bound) and since when Slurm has not answered.
import type { Tracked } from '../batch/tracker.js';
import { isOutdirJobName } from '../batch/job-name.js';
import type { SlurmClient } from './client.js';
import { slurmUser } from './names.js';
import { SACCT_FIELDS, SQUEUE_FORMAT, arrayJobOf, classifyState, parseSacct, parseSqueue, type JobState } from './states.js';

export class SlurmQueries {
  lastQueryAt = -Infinity;
  /** Since when squeue has failed (null: it answered last time), and its last error. */
  failingSince: number | null = null;
  lastError = '';

  constructor(private readonly client: SlurmClient, private readonly outdir: string) {}

  /** squeue about these attempts' sbatch calls; null when squeue fails. */
  async squeue(ts: Iterable<Tracked>): Promise<Map<string, JobState> | null> {
    this.lastQueryAt = Date.now();
    const names = namesOf(ts);
    const r = await this.client.run('squeue', ['-h', '-r', '--states=all', '-u', slurmUser(), ...nameArgs(names), '-o', SQUEUE_FORMAT]);
    if (r.ok && r.value.exitCode === 0) {
      this.failingSince = null;
      return this.ours(parseSqueue(r.value.stdout), names);
    }
    this.lastError = r.ok ? (r.value.stderr.trim() || `exit code ${r.value.exitCode}`) : r.error.reason;
    this.failingSince ??= Date.now();
    return null;
  }

  /**
   * sacct about these attempts: by job id (or, when the ids would not fit in one argument, all of
   * the user's jobs since the first submission, kept by id here), and by name for those whose id
   * is not known (since a little before the first such submission: without -j, sacct lists only
   * today's jobs by default).
   * null when sacct gives nothing (no accounting, slurmdbd down: "no record", the vanish grace decides).
   */
  async sacct(ts: Tracked[]): Promise<Map<string, JobState> | null> {
    this.lastQueryAt = Date.now();
    // A task last seen pending is asked with its whole array: a pending task removed by scancel is in
    // no record of its own, only missing from its array's pending range (pendingCancelled).
    const ids = [...new Set(ts.filter((t) => t.jobId !== '').flatMap((t) => (wasPendingTask(t) ? [t.jobId, arrayJobOf(t.jobId)] : [t.jobId])))];
    const byName = ts.filter((t) => t.jobId === '' && t.jobName !== undefined);
    let out: Map<string, JobState> | null = null;
    const ask = async (args: string[], names: string[] | null = null, onlyIds: string[] | null = null): Promise<void> => {
      const r = await this.client.run('sacct', ['-n', '-P', '-X', ...args, '-o', SACCT_FIELDS]);
      if (!r.ok || r.value.exitCode !== 0) return;
      out ??= new Map();
      const states = this.ours(parseSacct(r.value.stdout), names);
      if (onlyIds !== null) keepIds(states, onlyIds);
      for (const [k, v] of states) out.set(k, v);
    };
    const byId = ts.filter((t) => t.jobId !== '');
    if (ids.join(',').length <= NAME_ARG_MAX) {
      if (ids.length > 0) await ask(['-j', ids.join(',')]);
    } else {
      // Too many ids for one argument: the user's jobs since the first submission, kept by id here.
      await ask(['-u', slurmUser(), '-S', slurmTime(since(byId))], null, ids);
    }
    if (byName.length > 0) {
      const names = namesOf(byName);
      await ask(['-u', slurmUser(), ...nameArgs(names), '-S', slurmTime(since(byName))], names);
    }
    return out;
  }

  /**
   * The states of this Outdir's jobs only, and of these names when given (the query may have
   * asked for all of the user's jobs: nameArgs). A state without a name (a scripted client's) is kept.
   */
  private ours(states: Map<string, JobState>, names: string[] | null): Map<string, JobState> {
    const wanted = names === null ? null : new Set(names);
    for (const [k, v] of states) {
      if (v.name === undefined) continue;
      if (!isOutdirJobName(this.outdir, v.name) || (wanted !== null && !wanted.has(v.name))) states.delete(k);
    }
    return states;
  }
}

/** An array task whose last known state was pending. */
const wasPendingTask = (t: Tracked): boolean => t.jobId.includes('_') && t.state !== undefined && classifyState(t.state) === 'pending';

/**
 * Whether array task `t`, last seen pending and now gone from squeue, was cancelled while pending:
 * Slurm keeps no record of such a task (squeue forgets it at once, sacct never lists it) but
 * accounting still knows its array — a pending range without it, or its other tasks — and a task
 * that left the pending range by starting has a record of its own.
 */
export function pendingCancelled(t: Tracked, states: Map<string, JobState>): boolean {
  if (!wasPendingTask(t) || states.has(t.jobId)) return false;
  const array = arrayJobOf(t.jobId);
  for (const id of states.keys()) if (id !== t.jobId && arrayJobOf(id) === array) return true;
  return false;
}

/** A little before the first of these submissions (sacct without -j lists only today's jobs by default). */
const since = (ts: Tracked[]): number => Math.min(...ts.map((t) => t.submittedAt)) - 10 * 60_000;

/** Drops the states of jobs other than these ids (a task id, or its whole array's id). */
function keepIds(states: Map<string, JobState>, ids: string[]): void {
  const wanted = new Set(ids);
  for (const k of [...states.keys()]) if (!wanted.has(k) && !wanted.has(arrayJobOf(k))) states.delete(k);
}

/**
 * The names of the sbatch calls of these attempts; null when one has none (an entry of an older
 * version, or journaled only from a `submitted` event): then every job of this Outdir is asked.
 */
function namesOf(ts: Iterable<Tracked>): string[] | null {
  const names = new Set<string>();
  for (const t of ts) {
    if (t.jobName === undefined) return null;
    names.add(t.jobName);
  }
  return names.size > 0 ? [...names].sort() : null;
}

/**
 * Beyond this many bytes of names (or of job ids), the user's jobs are asked for without --name
 * (-j) and filtered here: the list grows with every sbatch call of the build, and one argument longer than the kernel's
 * MAX_ARG_STRLEN (128 KiB, ~3,000 names) stops squeue/sacct from starting at all.
 */
export const NAME_ARG_MAX = 32 * 1024;

/** squeue/sacct's --name argument for these names: none when there are none or too many. */
function nameArgs(names: string[] | null): string[] {
  if (names === null) return [];
  const list = names.join(',');
  return list.length <= NAME_ARG_MAX ? [`--name=${list}`] : [];
}

/** A time as Slurm's commands read it (local time, YYYY-MM-DDTHH:MM:SS). */
function slurmTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
