// The response stream of an XRootD connection cut into frames (8-byte header: stream id, status,
// body length; then the body), with no buffer allocated per socket read. The socket reads into
// buffers this reader hands out (net.connect's `onread`): a reused scratch buffer, or, while a
// big body is arriving, the rest of that body itself, so the bytes of a kXR_read/kXR_readv reply
// go from the kernel straight into the buffer the caller keeps (one copy, no 64 kB chunk per
// read left to the garbage collector, no concatenation).

/** What the reader asks of its connection. */
export interface FrameSink {
  /** Where the body of a frame goes: a buffer of exactly `dlen` bytes (a slice of a request's destination, or its own). */
  bodyFor(sid: number, status: number, dlen: number): Buffer;
  /** A whole frame; `body` is the buffer bodyFor gave. */
  frame(sid: number, status: number, body: Buffer): void;
  /** The stream cannot be parsed (the connection is then useless). */
  bad(reason: string): void;
}

/** Bodies with at least this much left are read into directly (smaller rests go through the scratch buffer with what follows them). */
const DIRECT_MIN = 32 << 10;

export class FrameReader {
  private readonly head = Buffer.alloc(8);
  private headHave = 0;
  private sid = 0;
  private status = 0;
  private body: Buffer | null = null;
  private bodyHave = 0;
  /** The buffer last handed to the socket, when it is the rest of `body`. */
  private direct: Buffer | null = null;
  private stopped = false;

  constructor(private readonly sink: FrameSink, private readonly scratch: Buffer) {}

  /** The buffer the socket reads into next. */
  next(): Buffer {
    const b = this.body;
    if (b !== null && b.length - this.bodyHave >= DIRECT_MIN) {
      this.direct = b.subarray(this.bodyHave);
      return this.direct;
    }
    this.direct = null;
    return this.scratch;
  }

  /** `n` bytes were read into `buf` (a buffer next() gave). */
  onRead(n: number, buf: Buffer): void {
    if (this.stopped) return;
    if (buf === this.direct && this.body !== null) {
      this.direct = null;
      this.bodyHave += n;
      if (this.bodyHave === this.body.length) this.finish();
      return;
    }
    this.consume(buf, n);
  }

  /** No more frames are delivered (the connection failed or closed). */
  stop(): void { this.stopped = true; this.body = null; this.direct = null; }

  private consume(chunk: Buffer, n: number): void {
    let p = 0;
    while (p < n && !this.stopped) {
      if (this.body === null) {
        const k = Math.min(8 - this.headHave, n - p);
        chunk.copy(this.head, this.headHave, p, p + k);
        this.headHave += k; p += k;
        if (this.headHave < 8) return;
        this.headHave = 0;
        this.sid = this.head.readUInt16BE(0);
        this.status = this.head.readUInt16BE(2);
        const dlen = this.head.readInt32BE(4);
        if (dlen < 0) { this.stop(); this.sink.bad(`bad response length ${dlen}`); return; }
        this.body = this.sink.bodyFor(this.sid, this.status, dlen);
        this.bodyHave = 0;
        if (dlen === 0) { this.finish(); continue; }
      }
      const k = Math.min(this.body.length - this.bodyHave, n - p);
      chunk.copy(this.body, this.bodyHave, p, p + k);
      this.bodyHave += k; p += k;
      if (this.bodyHave === this.body.length) this.finish();
    }
  }

  private finish(): void {
    const body = this.body!;
    this.body = null;
    this.sink.frame(this.sid, this.status, body);
  }
}
