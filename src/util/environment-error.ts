// Failures of the machine rather than of heppy or of the user's input: a full or read-only disk, no
// permission, too many open files. The CLI reports them in one line (Node's message names the
// system call and, where it has one, the file), never with a stack trace.

const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']);

/** A failed system call (it has an errno code and a syscall) whose code says the machine refused. */
export function isEnvironmentError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && ENVIRONMENT_ERRORS.has(e.code);
}

/** A failed system call because the disk or the user's quota is full (ENOSPC, EDQUOT): a resource, not retried. */
export function isDiskFull(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && (code === 'ENOSPC' || code === 'EDQUOT');
}
