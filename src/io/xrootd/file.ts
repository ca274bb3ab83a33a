// An XRootD file opened for reading (a ByteSource): read/readv on its handle, reopened on a fresh
// connection when the network fails, closed without waiting for the server.
import { RemoteError } from '../errors.js';
import { coalesce, type ByteRange, type ByteSource } from '../source.js';
import type { Connection, Reply } from './connection.js';
import { OPEN_READ, OPEN_RETSTAT, READV_MAX_ELEMENT, READV_MAX_ELEMENTS, REQ, STATUS, STAT_IS_DIR, parseStat } from './protocol.js';
import { counters, pathRequest, retrying, serverError, settings, type Target } from './requests.js';

/** A file opened for reading: a ByteSource. */
export class XrdFile implements ByteSource {
  readonly remote = true;
  private closed = false;

  private constructor(private readonly t: Target, private conn: Connection, private fh: Buffer, readonly size: number) {}

  get name(): string { return this.t.display; }

  static async open(t: Target): Promise<XrdFile> {
    return retrying(t.display, async () => {
      const { conn, fh, size } = await XrdFile.openHandle(t);
      return new XrdFile(t, conn, fh, size);
    });
  }

  private static async openHandle(t: Target): Promise<{ conn: Connection; fh: Buffer; size: number }> {
    const params = Buffer.alloc(16);
    params.writeUInt16BE(OPEN_READ | OPEN_RETSTAT, 2);
    const { conn, body } = await pathRequest(t, REQ.open, params);
    if (body.length < 4) throw new RemoteError('protocol', t.display, 'malformed kXR_open reply');
    const fh = Buffer.from(body.subarray(0, 4));
    let st = body.length > 12 ? parseStat(body.subarray(12).toString('latin1')) : null;
    if (st === null) {
      const sp = Buffer.alloc(16);
      fh.copy(sp, 12);
      const r = await conn.send(REQ.stat, sp, null, settings.timeoutMs);
      st = r.status === STATUS.ok ? parseStat(r.body.toString('latin1')) : null;
      if (st === null) throw new RemoteError('protocol', t.display, 'the server gave no size for the file');
    }
    if (st.flags & STAT_IS_DIR) throw new RemoteError('not-found', t.display, 'is a directory, not a file');
    return { conn, fh, size: st.size };
  }

  /** After a network failure: a new connection and a new handle (the old handle died with its connection). */
  private async reopen(): Promise<void> {
    const { conn, fh, size } = await XrdFile.openHandle(this.t);
    if (size !== this.size) throw new RemoteError('protocol', this.t.display, `the file changed on the server while being read (${this.size} → ${size} bytes)`);
    this.conn = conn; this.fh = fh;
  }

  private async onHandle<T>(fn: (conn: Connection, fh: Buffer) => Promise<T>): Promise<T> {
    if (this.closed) throw new RemoteError('protocol', this.t.display, 'file is closed');
    return retrying(this.t.display, async (attempt) => {
      if (attempt > 1 && !this.conn.alive) await this.reopen();
      return fn(this.conn, this.fh);
    });
  }

  private check(reply: Reply, what: string): Buffer {
    if (reply.status === STATUS.ok) return reply.body;
    if (reply.status === STATUS.error) throw serverError(this.t.display, what, reply.body);
    // A redirect or wait on an open handle: treated as a lost connection (reopen and retry).
    this.conn.close();
    throw new RemoteError('network', this.t.display, `${what}: unexpected status ${reply.status}`);
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    if (pos < 0 || len < 0 || pos + len > this.size) throw new RemoteError('protocol', this.t.display, `read of ${len} bytes at ${pos} is outside the file (${this.size} bytes)`);
    if (len === 0) return new Uint8Array(0);
    if (len > 8 << 20) return (await this.readv([{ pos, len }]))[0]!;
    return this.onHandle(async (conn, fh) => {
      const params = Buffer.alloc(16);
      fh.copy(params, 0);
      params.writeBigInt64BE(BigInt(pos), 4);
      params.writeInt32BE(len, 12);
      counters.requests++; counters.reads++;
      const body = this.check(await conn.send(REQ.read, params, null, settings.timeoutMs, len), 'kXR_read');
      if (body.length !== len) throw new RemoteError('protocol', this.t.display, `kXR_read of ${len} bytes at ${pos} returned ${body.length}`);
      counters.bytes += len;
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    });
  }

  /** kXR_readv: the ranges (split to the protocol's element size) in requests of at most 1024 elements, all in flight at once. */
  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    for (const r of ranges) if (r.pos < 0 || r.len < 0 || r.pos + r.len > this.size) throw new RemoteError('protocol', this.t.display, `read of ${r.len} bytes at ${r.pos} is outside the file (${this.size} bytes)`);
    // Adjacent ranges become one element (fewer headers) up to the element limit; only a range
    // bigger than that is cut into several elements (and put together again below).
    const runs = coalesce(ranges, 0, READV_MAX_ELEMENT);
    const elems: ByteRange[] = [];
    for (const run of runs) for (let p = run.pos; p < run.pos + run.len; p += READV_MAX_ELEMENT) elems.push({ pos: p, len: Math.min(READV_MAX_ELEMENT, run.pos + run.len - p) });
    const groups: ByteRange[][] = [];
    let cur: ByteRange[] = [], bytes = 0;
    for (const e of elems) {
      if (cur.length === READV_MAX_ELEMENTS || (cur.length > 0 && bytes + e.len > 16 << 20)) { groups.push(cur); cur = []; bytes = 0; }
      cur.push(e); bytes += e.len;
    }
    if (cur.length > 0) groups.push(cur);
    const parts = await Promise.all(groups.map((g) => this.readvGroup(g)));
    const flat = parts.flat();
    // Reassemble each run from its elements, then cut the requested ranges out of the runs.
    const runBytes: Uint8Array[] = [];
    let k = 0;
    for (const run of runs) {
      const n = Math.ceil(run.len / READV_MAX_ELEMENT) || 1;
      if (n === 1) runBytes.push(flat[k]!);
      else {
        const buf = new Uint8Array(run.len);
        for (let j = 0; j < n; j++) buf.set(flat[k + j]!, j * READV_MAX_ELEMENT);
        runBytes.push(buf);
      }
      k += n;
    }
    const out: Uint8Array[] = new Array(ranges.length);
    runs.forEach((run, i) => { for (const m of run.members) { const r = ranges[m]!; out[m] = runBytes[i]!.subarray(r.pos - run.pos, r.pos - run.pos + r.len); } });
    return out;
  }

  private readvGroup(elems: ByteRange[]): Promise<Uint8Array[]> {
    return this.onHandle(async (conn, fh) => {
      const list = Buffer.alloc(16 * elems.length);
      elems.forEach((e, i) => { fh.copy(list, 16 * i); list.writeInt32BE(e.len, 16 * i + 4); list.writeBigInt64BE(BigInt(e.pos), 16 * i + 8); });
      counters.requests++; counters.readvs++;
      let size = 0;
      for (const e of elems) size += 16 + e.len;
      const body = this.check(await conn.send(REQ.readv, Buffer.alloc(16), list, settings.timeoutMs, size), 'kXR_readv');
      // The reply: for each element its 16-byte header (handle, length, offset), then its bytes.
      const out: Uint8Array[] = [];
      let p = 0;
      for (const e of elems) {
        if (p + 16 > body.length) throw new RemoteError('protocol', this.t.display, 'kXR_readv reply is shorter than requested');
        const len = body.readInt32BE(p + 4), off = Number(body.readBigInt64BE(p + 8));
        if (len !== e.len || off !== e.pos || p + 16 + len > body.length) throw new RemoteError('protocol', this.t.display, `kXR_readv reply element (${len} bytes at ${off}) does not match the request (${e.len} at ${e.pos})`);
        out.push(new Uint8Array(body.buffer, body.byteOffset + p + 16, len));
        p += 16 + len;
      }
      counters.bytes += p;
      return out;
    });
  }

  /**
   * Releases the handle without waiting for the server: the kXR_close goes with the next request on
   * the connection (Connection.sendLater), so closing a file and opening the next is one write.
   * Resolves when the close is queued; a server's refusal is written to stderr with the file's URL
   * (its data were all read by then, so nothing read is wrong; a failed connection releases it anyway).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.conn.alive) return;
    const params = Buffer.alloc(16);
    this.fh.copy(params, 0);
    counters.requests++;
    this.conn.sendLater(REQ.close, params, null, settings.timeoutMs, (r) => {
      if (!(r instanceof RemoteError) && r.status === STATUS.error) process.stderr.write(`heppy: warning: ${serverError(this.t.display, 'kXR_close', r.body).message}\n`);
    });
  }
}
