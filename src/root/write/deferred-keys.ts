// Keys whose payload compresses on the codec thread (codec-ahead.ts) while the writer goes on.
// They are placed in the order they were added, each once it and all before it are compressed;
// settle() places them all (compressing here what the thread has not finished), so a file's
// layout never depends on timing.
import { type Compression, compressPayload } from './compress.js';
import { compressAhead } from '../codec-ahead.js';

/** Builds a key's bytes once its compressed body is there and its place in the file known. */
export type KeyBuilder = (body: Uint8Array, seek: number) => Uint8Array;

interface Deferred {
  data: Uint8Array;
  key: KeyBuilder;
  body: Uint8Array | null;
  /** Placed (by settle() if the thread had not finished). */
  settled: boolean;
  done?: Promise<void>;
}

/** Past this many bytes waiting, the writer's thread catches up (bounded memory). */
const DEFERRED_MAX = 16 << 20;

export class DeferredKeys {
  private readonly queue: Deferred[] = [];
  private bytes = 0;

  /** `place` appends a key's bytes at the file's end; `isClosed` stops late completions. */
  constructor(private readonly compression: Compression, private readonly place: (key: KeyBuilder, body: Uint8Array) => void, private readonly isClosed: () => boolean) {}

  get length(): number { return this.queue.length; }

  add(data: Uint8Array, key: KeyBuilder): void {
    const d: Deferred = { data, key, body: null, settled: false };
    this.queue.push(d);
    this.bytes += data.length;
    d.done = compressAhead(data, this.compression).then((body) => {
      d.body = body;
      if (!this.isClosed() && !d.settled) this.place_(false);
    }, () => undefined); // compressed here by settle() instead
    if (this.bytes > DEFERRED_MAX) this.settle();
  }

  /** Places every waiting key, compressing here what is missing. */
  settle(): void {
    if (this.queue.length > 0) this.place_(true);
  }

  /** Waits for the codec thread's pending compressions, then places their keys. */
  async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.queue[this.queue.length - 1]!.done;
      this.settle();
    }
  }

  /** Places the waiting keys in order: those compressed, or (all) every one. */
  private place_(all: boolean): void {
    while (this.queue.length > 0) {
      const d = this.queue[0]!;
      if (d.body === null && !all) return;
      this.queue.shift();
      d.settled = true;
      this.bytes -= d.data.length;
      this.place(d.key, d.body ?? compressPayload(d.data, this.compression));
    }
  }
}
