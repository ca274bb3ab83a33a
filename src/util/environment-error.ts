// Failures of the machine rather than of heppy or of the user's input: a full or read-only disk, no
// permission, too many open files. The CLI reports them in one line (Node's message names the
// system call and, where it has one, the file), never with a stack trace.
import type { TaskFailure } from './failure.js';

const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']);

/** A failed system call (it has an errno code and a syscall) whose code says the machine refused. */
export function isEnvironmentError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && ENVIRONMENT_ERRORS.has(e.code);
}

/**
 * A failed system call because the disk or the user's quota is full (ENOSPC, EDQUOT): a resource, not
 * retried; also an error that wraps one as its `cause` (the ROOT writer's RootError names the file).
 */
export function isDiskFull(err: unknown): err is Error {
  return isDiskFullCode(errnoOf(err));
}

const isDiskFullCode = (code: unknown): boolean => code === 'ENOSPC' || code === 'EDQUOT';

/**
 * The one classing of a task's system error by its errno code, for a chunk (looper, run-chunk) and a
 * merge (run-merge, whose failure carries the code across its thread as `Failure.errno`) alike: a
 * full disk or quota is a resource ('disk', not retried: it fails the same way until space is
 * freed); null for any other code (each caller keeps its own default).
 */
export function systemFailure(code: unknown, reason: string): TaskFailure | null {
  return isDiskFullCode(code) ? { kind: 'resource', resource: 'disk', reason } : null;
}

/**
 * The errno code of a thrown system error (to carry it in a Failure); undefined for anything else.
 * An error that wraps one as its `cause` (RootError, AppendError: they name the file) has its code.
 */
export function errnoOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  }
  return undefined;
}

/** Node's errno message already starts with its code ("ENOSPC: no space left…"): the code is not said twice. */
export function errnoText(code: string, message: string): string {
  return message.startsWith(`${code}:`) ? message : `${code}: ${message}`;
}
