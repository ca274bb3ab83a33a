/** Typed outcome of an engine operation: failures are values, exceptions are bugs. */
export type Result<T, F = Failure> = { ok: true; value: T } | { ok: false; error: F };

/** A user-facing failure: what went wrong, where. `file`/`object` name the culprit when known. */
export interface Failure {
  reason: string;
  file?: string;
  object?: string;
  detail?: string;
  /**
   * What failed: absent or 'input' is the user's (a bad flag, heppyfile or input file: exit 2);
   * 'infrastructure' is a server or service that did not answer (exit 3: try again later).
   */
  kind?: 'input' | 'infrastructure';
  /** The errno code of the system error behind it (ENOSPC…), kept so that a task's failure is classed by it (util/environment-error.ts systemFailure). */
  errno?: string;
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (f: Failure): { ok: false; error: Failure } => ({ ok: false, error: f });

/** One line for a failure: "file: object: reason". */
export function formatFailure(f: Failure): string {
  return [f.file, f.object, f.reason].filter((s) => s !== undefined && s !== '').join(': ');
}

/** Marks an unreachable branch so that switches over unions stay exhaustive at compile time. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

/** Exit code of a command stopped by infrastructure (a server unreachable while planning): not the user's input. */
export const EXIT_INFRASTRUCTURE = 3;

/** An error caused by bad user input (flags, heppyfile, ROOT files): reported in one line, exit 2. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A command stopped because a server or service it needs did not answer, after its retries
 * (one line, exit 3): nothing is wrong with the input, the same command may succeed later.
 */
export class InfrastructureError extends UserError {
  constructor(message: string) {
    super(message, EXIT_INFRASTRUCTURE);
    this.name = 'InfrastructureError';
  }
}

/** The error a command throws for a failure value: infrastructure (exit 3) or the user's input (exit 2). */
export function failureError(f: Failure): UserError {
  return f.kind === 'infrastructure' ? new InfrastructureError(`infrastructure: ${formatFailure(f)}`) : new UserError(formatFailure(f));
}
