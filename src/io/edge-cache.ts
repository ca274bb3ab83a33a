// The head and the tail of a remote file, read in one vector read when it is opened: a ROOT file's
// header, directory, keys list, StreamerInfo and TTree metadata are near its start and its end,
// and jsroot asks for them one after another (a round trip each). A file smaller than both
// together is read whole in that one request. Reads outside are passed to the source.
// The head is 576 kB, not just the header and the directory: a writer puts the first baskets right
// after them, so the first batch of a read is decoded without another round trip (over root://,
// one fewer per file; http:// reads these bytes with its open anyway, HttpFile.first). Each round
// trip waits for the server to be scheduled, which on a busy machine costs milliseconds.
import type { ByteRange, ByteSource } from './source.js';

/** Bytes read at each end (bench/remote-open.ts sets the head to compare sizes, as httpSettings is set). */
export const edgeSettings = { head: 576 << 10, tail: 512 << 10 };

export class EdgeCache implements ByteSource {
  readonly remote: boolean;
  private constructor(private readonly inner: ByteSource, private readonly segs: { pos: number; bytes: Uint8Array }[]) {
    this.remote = inner.remote;
  }

  get name(): string { return this.inner.name; }
  get size(): number { return this.inner.size; }

  static async over(inner: ByteSource): Promise<EdgeCache> {
    const size = inner.size;
    const HEAD = edgeSettings.head, TAIL = edgeSettings.tail;
    const ranges: ByteRange[] = size <= HEAD + TAIL ? [{ pos: 0, len: size }] : [{ pos: 0, len: HEAD }, { pos: size - TAIL, len: TAIL }];
    const got = await inner.readv(ranges);
    return new EdgeCache(inner, ranges.map((r, i) => ({ pos: r.pos, bytes: got[i]! })));
  }

  private cached(pos: number, len: number): Uint8Array | null {
    for (const s of this.segs) if (pos >= s.pos && pos + len <= s.pos + s.bytes.length) return s.bytes.subarray(pos - s.pos, pos - s.pos + len);
    return null;
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    return this.cached(pos, len) ?? this.inner.read(pos, len);
  }

  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const out: (Uint8Array | null)[] = ranges.map((r) => this.cached(r.pos, r.len));
    const missing = ranges.filter((_, i) => out[i] === null);
    if (missing.length > 0) {
      const got = await this.inner.readv(missing);
      let k = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === null) out[i] = got[k++]!;
    }
    return out as Uint8Array[];
  }

  close(): Promise<void> { return this.inner.close(); }
}
