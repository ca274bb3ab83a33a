// What a `-b` template job killed by a signal means. A template gives heppy no job state to ask (as
// Slurm's executor asks sacct), only the signal batchScript.sh saw:
// - SIGINT: an interrupt the user sent (Ctrl-C of a local job, LSF's bkill sends it first); no batch
//   system sends it at a limit → interrupted, not retried.
// - SIGTERM of a local template (nohup, a shell: no batch system, so no time limit) → interrupted.
// - SIGTERM of a batch system's template: a cancel (bkill, condor_rm, scancel) and a run limit
//   (Slurm's, a queue's) send the same signal: heppy cannot tell them apart, so it stays a resource
//   failure (retried) and its reason says so.
import type { AttemptEnd } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import type { TemplateKind } from './template.js';

const USER_SIGNALS = new Set(['SIGINT', 'SIGTERM']);

/** The failure of a template job that ended with `f`, refined by what its signal can tell. */
export function templateSignalFailure(f: TaskFailure, kind: TemplateKind): TaskFailure {
  if (f.kind !== 'resource' || f.resource !== 'signal' || f.signal === undefined || !USER_SIGNALS.has(f.signal)) return f;
  if (f.signal === 'SIGINT' || kind === 'local') return { kind: 'interrupted', reason: `${f.reason}: a ${f.signal} the user sent (cancelled), not retried` };
  return { ...f, reason: `${f.reason}: a cancel and a time limit both send SIGTERM, and a template cannot tell which: retried` };
}

/** The tracker's adjuster for a template's ends. */
export const templateEnd = (kind: TemplateKind) => (_t: unknown, end: AttemptEnd): AttemptEnd =>
  end.status === 'failed' ? { ...end, failure: templateSignalFailure(end.failure, kind) } : end;
