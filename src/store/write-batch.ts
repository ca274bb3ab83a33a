// Task records are written in batches: one LMDB commit (one fdatasync) per batch instead of one per
// finished chunk. A batch is committed when it is `maxMs` old or holds `maxCount` writes, and on
// flush()/close() (the end of a build, Ctrl-C). A record lost with a batch (kill -9, a crash) is
// not lost work: the chunk's directory is in place with its marker, and the next build adopts it
// (engine/decide.ts adoptChunk), so it does not run again.
import { envNumber } from '../util/env.js';

/** A pending write: the value to put, or null for a removal. */
type Pending = { value: unknown } | null;

export interface BatchPolicy {
  /** Longest time a write waits for its commit. */
  maxMs: number;
  /** Most writes in one batch. */
  maxCount: number;
}

/** HEPPY_STORE_BATCH_MS overrides the wait (tests of a kill before the commit set it high). */
export function batchPolicy(env: NodeJS.ProcessEnv = process.env): BatchPolicy {
  return { maxMs: envNumber('HEPPY_STORE_BATCH_MS', 500, env), maxCount: 512 };
}

export class WriteBatch {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private waiters: Array<(v: boolean) => void> = [];
  /** A commit started by the timer that failed: reported by the next flush(). */
  private failed: unknown = null;

  /** `commit` writes every entry in one event turn (lmdb makes one transaction of it) and resolves once durable. */
  constructor(private readonly policy: BatchPolicy, private readonly commit: (writes: Map<string, Pending>) => Promise<unknown>) {}

  /** The value waiting for its commit: `{value}`, null (a removal), or undefined (nothing pending). */
  get(key: string): Pending | undefined {
    return this.pending.get(key);
  }

  /** Pending writes whose key starts with `prefix`. */
  *entries(prefix: string): Iterable<[string, Pending]> {
    for (const e of this.pending) if (e[0].startsWith(prefix)) yield e;
  }

  put(key: string, value: unknown): Promise<boolean> {
    return this.add(key, { value });
  }

  remove(key: string): Promise<boolean> {
    return this.add(key, null);
  }

  private add(key: string, p: Pending): Promise<boolean> {
    this.pending.delete(key); // re-inserted last: the batch keeps the order of the last writes
    this.pending.set(key, p);
    const done = new Promise<boolean>((res) => this.waiters.push(res));
    if (this.pending.size >= this.policy.maxCount) this.background();
    else if (this.timer === null) {
      // Not unref'd: a process that forgets flush() still commits before it exits.
      this.timer = setTimeout(() => this.background(), this.policy.maxMs);
    }
    return done;
  }

  private background(): void {
    this.flush().catch((err: unknown) => { this.failed ??= err; });
  }

  /** Commits what is pending now; resolves when it is durable (rejects if this or an earlier batch failed). */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const writes = new Map(this.pending);
    const waiters = this.waiters;
    this.pending.clear();
    this.waiters = [];
    let err: unknown = this.failed;
    this.failed = null;
    let committed = true;
    if (writes.size > 0) {
      try {
        await this.commit(writes);
      } catch (e) {
        committed = false;
        err ??= e;
      }
    }
    for (const w of waiters) w(committed);
    if (err !== null) throw err;
  }
}
