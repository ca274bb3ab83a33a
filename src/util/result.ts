/** Typed outcome of an engine operation: failures are values, exceptions are bugs. */
export type Result<T, F = Failure> = { ok: true; value: T } | { ok: false; error: F };

/** A user-facing failure: what went wrong, where. `file`/`object` name the culprit when known. */
export interface Failure {
  reason: string;
  file?: string;
  object?: string;
  detail?: string;
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

/** An error caused by bad user input (flags, heppyfile, ROOT files): reported in one line, exit 2. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
