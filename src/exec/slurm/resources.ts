// What a Slurm attempt asks for and what the next one asks for after an out-of-memory or
// time-limit failure: --mem/--time, their bounds --max-mem/--max-time, and, when those were not
// given, what sacct said the last attempt of each node asked for.
import type { JobSpec, Resources } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import { nextResources, parseSlurmMem, parseSlurmMinutes } from './failure.js';
import type { ResolvedSlurmOptions } from './options.js';

export class SlurmResources {
  /** --mem/--time and their bounds (MB, minutes); undefined: the cluster's default / no bound given. */
  private readonly base: Resources;
  private readonly max: Resources;
  /** Per node: what its last attempt asked for, as sacct said (when --mem/--time were not given). */
  private readonly asked = new Map<string, Resources>();

  constructor(o: ResolvedSlurmOptions) {
    this.base = known(o.mem, o.time);
    this.max = known(o.maxMem, o.maxTime);
  }

  /** Records what a node's attempt asked for, as Slurm reports it (ReqMem, Timelimit). */
  note(nodeId: string, reqMem: string | undefined, timelimit: string | undefined): void {
    const asked: Resources = {};
    const mem = reqMem !== undefined ? parseSlurmMem(reqMem) : null;
    const time = timelimit !== undefined ? parseSlurmMinutes(timelimit) : null;
    if (mem !== null) asked.memMB = mem;
    if (time !== null) asked.timeMin = time;
    this.asked.set(nodeId, asked);
  }

  /**
   * After an out-of-memory or time-limit failure: 1.5 times what the attempt had (its resources,
   * else --mem/--time, else what sacct said it asked for), up to --max-mem/--max-time (default 4
   * times the first value). null when the bound is reached or nothing is known to scale.
   */
  scale(job: JobSpec, failure: Extract<TaskFailure, { kind: 'resource' }>): Resources | null {
    const asked = this.asked.get(job.nodeId) ?? {};
    const first = { memMB: this.base.memMB ?? asked.memMB, timeMin: this.base.timeMin ?? asked.timeMin };
    const current: Resources = {};
    const mem = job.resources?.memMB ?? first.memMB;
    const time = job.resources?.timeMin ?? first.timeMin;
    if (mem !== undefined) current.memMB = mem;
    if (time !== undefined) current.timeMin = time;
    const max: Resources = {};
    const maxMem = this.max.memMB ?? (first.memMB !== undefined ? first.memMB * 4 : undefined);
    const maxTime = this.max.timeMin ?? (first.timeMin !== undefined ? first.timeMin * 4 : undefined);
    if (maxMem !== undefined) max.memMB = maxMem;
    if (maxTime !== undefined) max.timeMin = maxTime;
    return nextResources(current, failure, max);
  }
}

/** Slurm's memory and time strings as MB and minutes; an absent or unreadable one is left out. */
function known(mem: string | undefined, time: string | undefined): Resources {
  const m = mem !== undefined ? parseSlurmMem(mem) : null;
  const t = time !== undefined ? parseSlurmMinutes(time) : null;
  return { ...(m !== null ? { memMB: m } : {}), ...(t !== null ? { timeMin: t } : {}) };
}
