// heppy's UserStop: an analyzer throws it to end the loop cleanly; everything is still written.
export class UserStop extends Error {
  constructor(message = 'UserStop') {
    super(message);
    this.name = 'UserStop';
  }
}

/** Recognises UserStop also from a bundle that carries its own copy of this module. */
export function isUserStop(e: unknown): e is Error {
  return e instanceof Error && e.name === 'UserStop';
}
