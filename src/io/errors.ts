// The one error type of remote byte sources. `kind` decides what a caller does (code never reads
// the message): a network problem is worth retrying (an infrastructure failure of a chunk), a
// missing or forbidden file is the user's input, a protocol problem means this server cannot be
// read the way heppy reads. Messages carry the redacted URL only.
import { assertNever } from '../util/result.js';
import type { FailureKind } from '../util/failure.js';

export type RemoteErrorKind = 'network' | 'timeout' | 'not-found' | 'denied' | 'protocol' | 'server';

export class RemoteError extends Error {
  constructor(readonly kind: RemoteErrorKind, readonly url: string, readonly reason: string) {
    super(`${url}: ${reason}`);
    this.name = 'RemoteError';
  }
}

/** Whether a failed operation may succeed when tried again (connection lost, timeout, server busy). */
export function isTransient(kind: RemoteErrorKind): boolean {
  switch (kind) {
    case 'network': case 'timeout': case 'server': return true;
    case 'not-found': case 'denied': case 'protocol': return false;
    default: return assertNever(kind, 'remote error kind');
  }
}

/** The task failure kind of a remote error: transient ones are infrastructure, the rest input. */
export function failureKindOf(kind: RemoteErrorKind): FailureKind {
  return isTransient(kind) ? 'infrastructure' : 'input';
}
