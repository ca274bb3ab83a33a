// A store write that LMDB cannot commit (a full disk or quota under the cache) must end the
// command with one line, not crash it. lmdb-js rejects every write of a failed commit with
// "Commit failed (see commitError for details)" and attaches `commitError`, a second promise that
// rejects with the system error: left unhandled, either one kills the process with a stack trace
// at whatever moment the commit failed. StoreWrites handles both for every write it tracks, keeps
// the first failure, and turns it into a UserError at flush/close, where the command stops.
// lmdb-js also makes commit promises of its own that no caller holds (the start of each event-turn
// batch, lmdb-js 3): their rejection reaches the process as unhandled; a handler installed while a
// store is open takes those (known by their `commitError` promise) and rethrows anything else.
// lmdb-js also prints a failed commit's error (console.error, with its stack) before rejecting:
// the bundle leaves that call out (scripts/bundle-lmdb.mjs). The C library's own "Write error: …"
// (fprintf to stderr in mdb.c's page flush) cannot be kept out from JavaScript.
import { constants } from 'node:os';
import { UserError } from '../util/result.js';

const live = new Set<StoreWrites>();
let handlerInstalled = false;

function isCommitFailure(reason: unknown): boolean {
  return reason instanceof Error && (reason as { commitError?: unknown }).commitError instanceof Promise;
}

function onUnhandled(reason: unknown): void {
  if (!isCommitFailure(reason) || live.size === 0) throw reason;  // as without a handler: the process stops
  for (const w of live) w.failed(reason);
}

export class StoreWrites {
  private first: unknown = null;
  private cause: unknown = null;
  private signal: (() => void) | null = null;
  /** Resolves at the first failed write: lmdb's `flushed` and `close()` never settle after one. */
  private readonly failure = new Promise<void>((r) => { this.signal = r; });

  constructor(private readonly dataFile: string) {}

  /** From the store's open to its close: lmdb's own commit promises' failures are noted here. */
  open(): void {
    live.add(this);
    if (!handlerInstalled) {
      handlerInstalled = true;
      process.on('unhandledRejection', onUnhandled);
    }
  }

  /** A store closed cleanly; one whose writes failed keeps taking lmdb's late rejections of them. */
  closed(): void {
    if (this.first === null) live.delete(this);
  }

  /** `p`, with its rejection (and its commitError's) noted here instead of left unhandled. */
  track<T>(p: Promise<T>): Promise<T> {
    p.catch((err: unknown) => this.failed(err));
    return p;
  }

  /** Notes a failed write (the first one is reported). */
  failed(err: unknown): void {
    this.first ??= err;
    this.signal?.();
    const commitError = (err as { commitError?: unknown } | null)?.commitError;
    if (commitError instanceof Promise) commitError.catch((c: unknown) => { this.cause ??= c; });
  }

  /** `p`, or nothing once a write has failed (an LMDB wait that would never end then). */
  async unlessFailed(p: PromiseLike<unknown>): Promise<void> {
    await Promise.race([p, this.failure]);
  }

  /** Throws the one-line failure when a write failed. */
  check(): void {
    if (this.first !== null) throw this.error();
  }

  /** Runs `fn` (a flush or close); any failure of it, or of a write before, becomes the one-line failure. */
  async settle(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.failed(err);
    }
    // commitError settles in the same turn as the write's rejection or just after it.
    if (this.first !== null && this.cause === null) await new Promise((r) => setImmediate(r));
    this.check();
  }

  private error(): UserError {
    const err = (this.cause ?? this.first) as { code?: unknown; message?: string } | null;
    const code = codeName(err?.code);
    const why = describe(err, code);
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    const todo = full ? 'free space there (or give another --cache-dir) and build again' : 'build again';
    return new UserError(`the store ${this.dataFile} could not be written (${why}): this command's records were not saved; ${todo} (complete chunk directories are adopted from their markers)`, 1);
  }
}

/** The errno name of a code: Node gives 'ENOSPC', lmdb-js the number (28 on Linux). */
export function codeName(code: unknown): string | undefined {
  if (typeof code === 'string') return code;
  if (typeof code !== 'number') return undefined;
  for (const [name, n] of Object.entries(constants.errno)) if (n === code) return name;
  return undefined;
}

/** The failure in words: lmdb's first line ("No space left on device: Attempting to write page…"), with its errno name. */
function describe(err: { message?: string } | null, code: string | undefined): string {
  if (err === null) return 'unknown error';
  const text = (err.message ?? String(err)).split('\n')[0]!.split(': Attempting')[0]!;
  return code === undefined || text.startsWith(code) ? text : `${code}: ${text}`;
}
