// Local files: positional reads on a descriptor. Reads are synchronous under the promise (a local
// read is as fast as scheduling it on the thread pool), as the reader always did.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { coalesce, cutRuns, type ByteRange, type ByteSource } from './source.js';

const MAX_GAP = 64 << 10;
const MAX_RUN = 16 << 20;

export class LocalSource implements ByteSource {
  readonly remote = false;
  private closed = false;
  private constructor(readonly name: string, private readonly fd: number, readonly size: number) {}

  /** Throws the system error (ENOENT, EACCES…) for the caller to word. */
  static open(path: string): LocalSource {
    const fd = openSync(path, 'r');
    try {
      return new LocalSource(path, fd, fstatSync(fd).size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  readSync(pos: number, len: number): Uint8Array {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got);
      if (n <= 0) throw new Error(`short read at ${pos + got} of ${this.name}`);
      got += n;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, len);
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    return this.readSync(pos, len);
  }

  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const runs = coalesce(ranges, MAX_GAP, MAX_RUN);
    return cutRuns(ranges, runs, runs.map((r) => this.readSync(r.pos, r.len)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
