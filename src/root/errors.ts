// The one error type of ROOT I/O: it always names the file, the object and the reason.
export class RootError extends Error {
  constructor(readonly file: string, readonly object: string, readonly reason: string) {
    super([file, object, reason].filter((s) => s !== '').join(': '));
    this.name = 'RootError';
  }
}
