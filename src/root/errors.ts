// The one error type of ROOT I/O: it always names the file, the object and the reason.
export class RootError extends Error {
  /** `cause`: the system error under it (a write's ENOSPC), so that a full disk is still seen as one. */
  constructor(readonly file: string, readonly object: string, readonly reason: string, cause?: unknown) {
    super([file, object, reason].filter((s) => s !== '').join(': '), cause === undefined ? undefined : { cause });
    this.name = 'RootError';
  }
}
