// One TCP connection to an XRootD server: the handshake, kXR_protocol, kXR_login and, where the
// server asks, kXR_auth (unix), then requests multiplexed by stream id (several in flight). A
// response may come in pieces (kXR_oksofar) or later (kXR_waitresp, then kXR_attn/asynresp);
// `send` resolves with the final status and the whole body. A timeout or a broken socket ends the
// connection and fails every request in flight with a network error (the client retries).
// Replies are received without a buffer per socket read (frames.ts): a read or readv names the
// size of its reply, which is then received straight into one buffer of that size.
import { connect, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { RemoteError } from '../errors.js';
import { FrameReader } from './frames.js';
import { ATTN_ASYNRESP, CLIENT_PV, HANDSHAKE, LOGIN_CAPVER, REQ, STATUS, encodeRequest } from './protocol.js';

export interface Reply { status: number; body: Buffer }

interface Pending {
  parts: Buffer[];
  /** The reply's bytes when its size was given to send(): ok and oksofar bodies are received into it, in order. */
  dest: Buffer | null;
  /** Bytes of `dest` filled. */
  destOff: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  timeoutMs: number;
}

export interface ConnectOptions { timeoutMs: number }

export class Connection {
  private readonly pending = new Map<number, Pending>();
  private nextSid = 1;
  private reader: FrameReader | null = null;
  /** Whether the body of the frame being received went into its request's `dest` (set by bodyFor, read by frame). */
  private inDest = false;
  private failure: RemoteError | null = null;
  private corked = false;
  /** Requests queued by sendLater, written with the next request or by laterTimer. */
  private later: { code: number; params: Buffer; data: Buffer | null; timeoutMs: number; onReply(r: Reply | RemoteError): void }[] = [];
  private laterTimer: NodeJS.Timeout | null = null;
  /** Requests sent on this connection (tests and benchmarks count round trips with it). */
  requests = 0;

  private constructor(private readonly sock: Socket, readonly label: string, reader: FrameReader) {
    this.reader = reader;
    sock.on('error', (e) => this.fail(new RemoteError('network', label, `connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    sock.on('close', () => this.fail(new RemoteError('network', label, 'connection closed by the server')));
    sock.setNoDelay(true);
  }

  get alive(): boolean { return this.failure === null; }

  /** Connects, handshakes and logs in (authenticating with `unix` if the server requires it). */
  static async open(host: string, port: number, opts: ConnectOptions): Promise<Connection> {
    const label = `root://${host}:${port}`;
    // The reader exists before the socket (the socket asks it where to read); its sink is the connection, made once connected.
    let conn: Connection | null = null;
    const reader = new FrameReader({
      bodyFor: (sid, status, dlen) => conn === null ? Buffer.allocUnsafe(dlen) : conn.bodyFor(sid, status, dlen),
      frame: (sid, status, body) => conn?.dispatch(sid, status, body),
      bad: (reason) => { conn?.fail(new RemoteError('protocol', label, reason)); conn?.sock.destroy(); },
    }, Buffer.allocUnsafe(RECV_BUFFER));
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port, onread: { buffer: () => reader.next(), callback: (n: number, buf: Uint8Array) => { reader.onRead(n, buf as Buffer); return true; } } });
      const t = setTimeout(() => { s.destroy(); reject(new RemoteError('timeout', label, `no connection within ${opts.timeoutMs / 1000} s`)); }, opts.timeoutMs);
      s.once('connect', () => { clearTimeout(t); resolve(s); });
      s.once('error', (e) => { clearTimeout(t); reject(new RemoteError('network', label, `cannot connect: ${(e as NodeJS.ErrnoException).code ?? e.message}`)); });
    });
    const c = new Connection(sock, label, reader);
    conn = c;
    try {
      await c.handshake(opts.timeoutMs);
      await c.login(opts.timeoutMs);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  private async handshake(timeoutMs: number): Promise<void> {
    const hs = this.expect(0, timeoutMs);
    this.sock.write(HANDSHAKE);
    const r = await hs;
    if (r.status !== STATUS.ok || r.body.length < 8) throw new RemoteError('protocol', this.label, 'not an XRootD server (bad handshake reply)');
    const params = Buffer.alloc(16);
    params.writeInt32BE(CLIENT_PV, 0);
    const p = await this.send(REQ.protocol, params, null, timeoutMs);
    if (p.status !== STATUS.ok) throw this.unexpected('kXR_protocol', p);
  }

  private async login(timeoutMs: number): Promise<void> {
    const params = Buffer.alloc(16);
    params.writeInt32BE(process.pid, 0);
    params.write(loginName().padEnd(8, '\0'), 4, 8, 'latin1');
    params[14] = LOGIN_CAPVER;
    const r = await this.send(REQ.login, params, null, timeoutMs);
    if (r.status !== STATUS.ok) throw this.unexpected('kXR_login', r);
    const sec = r.body.length > 16 ? r.body.subarray(16).toString('latin1').replace(/\0.*$/s, '') : '';
    if (sec === '') return;
    const protocols = sec.split('&P=').slice(1).map((p) => p.split(',')[0]!);
    if (protocols.includes('unix')) return this.authUnix(timeoutMs);
    throw new RemoteError('denied', this.label, `the server requires authentication by ${protocols.join(', ') || 'an unknown protocol'}; heppy supports none and unix (use https:// with a bearer token)`);
  }

  private async authUnix(timeoutMs: number): Promise<void> {
    const params = Buffer.alloc(16);
    params.write('unix', 12, 4, 'latin1');
    const who = userInfo();
    const group = String(who.gid);
    const cred = Buffer.from(`unix\0${who.username} ${group}\0`, 'latin1');
    const r = await this.send(REQ.auth, params, cred, timeoutMs);
    if (r.status !== STATUS.ok) throw new RemoteError('denied', this.label, `unix authentication refused${r.status === STATUS.error ? `: ${errorText(r.body)}` : ''}`);
  }

  private unexpected(what: string, r: Reply): RemoteError {
    const detail = r.status === STATUS.error ? errorText(r.body) : `status ${r.status}`;
    return new RemoteError('protocol', this.label, `${what} failed: ${detail}`);
  }

  /**
   * Sends one request; resolves with its final reply (ok, error, redirect, wait). `replySize`: the
   * exact size of an ok reply (reads): it is received into one buffer of that size.
   */
  send(code: number, params: Buffer, data: Buffer | null, timeoutMs: number, replySize = -1): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const sid = this.allocSid();
    const p = this.expect(sid, timeoutMs, replySize);
    this.requests++;
    this.corkTick();
    this.flushLater();
    this.sock.write(encodeRequest(sid, code, params, data));
    return p;
  }

  /**
   * Sends a request whose reply nobody waits for (kXR_close) with the next request on this
   * connection, in the same write, or alone after LATER_MS when none comes: on a loopback or
   * LAN link a write costs as much as the round trip it starts, and the next open usually follows
   * the close at once. A connection that ends first takes the request with it, as the server then
   * releases the handle anyway. `onReply` gets the reply or the connection's failure.
   */
  sendLater(code: number, params: Buffer, data: Buffer | null, timeoutMs: number, onReply: (r: Reply | RemoteError) => void): void {
    if (this.failure) { onReply(this.failure); return; }
    this.later.push({ code, params, data, timeoutMs, onReply });
    if (this.laterTimer === null) {
      this.laterTimer = setTimeout(() => {
        this.laterTimer = null;
        if (this.failure || this.later.length === 0) return;
        this.corkTick();
        this.flushLater();
      }, LATER_MS);
      this.laterTimer.unref(); // an exiting process need not wait for it: the connection's end closes the handle
    }
  }

  /** Requests sent in the same tick leave in one write (one system call, one wake-up of the server). */
  private corkTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.sock.cork();
    process.nextTick(() => { this.corked = false; this.sock.uncork(); });
  }

  private flushLater(): void {
    if (this.later.length === 0) return;
    const queued = this.later;
    this.later = [];
    if (this.laterTimer !== null) { clearTimeout(this.laterTimer); this.laterTimer = null; }
    for (const q of queued) {
      const sid = this.allocSid();
      this.expect(sid, q.timeoutMs).then(q.onReply, q.onReply);
      this.requests++;
      this.sock.write(encodeRequest(sid, q.code, q.params, q.data));
    }
  }

  private allocSid(): number {
    for (let i = 0; i < 0xffff; i++) {
      const sid = this.nextSid;
      this.nextSid = this.nextSid >= 0xffff ? 1 : this.nextSid + 1;
      if (!this.pending.has(sid)) return sid;
    }
    throw new RemoteError('network', this.label, 'too many requests in flight');
  }

  private expect(sid: number, timeoutMs: number, replySize = -1): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = this.arm(timeoutMs);
      const dest = replySize > 0 ? Buffer.allocUnsafeSlow(replySize) : null;
      this.pending.set(sid, { parts: [], dest, destOff: 0, resolve, reject, timer, timeoutMs });
      this.sock.ref();
    });
  }

  private arm(timeoutMs: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.fail(new RemoteError('timeout', this.label, `no reply within ${timeoutMs / 1000} s`));
      this.sock.destroy();
    }, timeoutMs);
  }

  /** Where a frame's body is received: the rest of its request's `dest` when it is part of an ok reply that fits there. */
  private bodyFor(sid: number, status: number, dlen: number): Buffer {
    const p = status === STATUS.ok || status === STATUS.oksofar ? this.pending.get(sid) : undefined;
    if (p !== undefined && p.dest !== null) {
      if (p.destOff + dlen <= p.dest.length) {
        this.inDest = true;
        return p.dest.subarray(p.destOff, p.destOff + dlen);
      }
      // A reply longer than announced: what came so far becomes an ordinary part (the caller checks the length).
      if (p.destOff > 0) p.parts.push(p.dest.subarray(0, p.destOff));
      p.dest = null;
    }
    this.inDest = false;
    return dlen === 0 ? EMPTY : Buffer.allocUnsafe(dlen);
  }

  private dispatch(sid: number, status: number, body: Buffer): void {
    if (status === STATUS.attn) {
      // A deferred response (after kXR_waitresp): action code, 4 reserved bytes, then a whole response.
      if (body.length >= 16 && body.readInt32BE(0) === ATTN_ASYNRESP) {
        const inner = body.subarray(8);
        this.dispatch(inner.readUInt16BE(0), inner.readUInt16BE(2), inner.subarray(8, 8 + inner.readInt32BE(4)));
      }
      return; // other unsolicited messages are informational
    }
    const p = this.pending.get(sid);
    if (p === undefined) return; // a reply to a request given up on
    clearTimeout(p.timer);
    const inDest = this.inDest;
    this.inDest = false;
    if (inDest) p.destOff += body.length;
    else if (p.dest !== null && p.destOff > 0) { p.parts.push(p.dest.subarray(0, p.destOff)); p.dest = null; }
    if (status === STATUS.oksofar) {
      if (!inDest) p.parts.push(body);
      p.timer = this.arm(p.timeoutMs);
      return;
    }
    if (status === STATUS.waitresp) {
      const secs = body.length >= 4 ? body.readInt32BE(0) : 0;
      p.timer = this.arm(p.timeoutMs + Math.max(0, secs) * 1000);
      return;
    }
    this.pending.delete(sid);
    if (this.pending.size === 0) this.sock.unref();
    const whole = inDest ? p.dest!.subarray(0, p.destOff) : p.parts.length === 0 ? body : Buffer.concat([...p.parts, body]);
    p.resolve({ status, body: whole });
  }

  private fail(e: RemoteError): void {
    if (this.failure) return;
    this.failure = e;
    this.reader?.stop();
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(e); }
    this.pending.clear();
    if (this.laterTimer !== null) { clearTimeout(this.laterTimer); this.laterTimer = null; }
    const later = this.later;
    this.later = [];
    for (const q of later) q.onReply(e);
  }

  close(): void {
    this.fail(new RemoteError('network', this.label, 'connection closed'));
    this.sock.destroy();
  }
}

/** The scratch buffer a connection reads headers and small replies into (one per connection). */
const RECV_BUFFER = 256 << 10;
/** How long a sendLater request waits for a request to go with (a worker's next file usually opens within it). */
const LATER_MS = 20;
const EMPTY = Buffer.alloc(0);

/** The text of a kXR_error body: errnum then a message. */
export function errorText(body: Buffer): string {
  return body.length > 4 ? body.subarray(4).toString('utf8').replace(/\0.*$/s, '').trim() : 'unknown error';
}

function loginName(): string {
  let name = 'heppy';
  try { name = userInfo().username; } catch { /* no passwd entry: keep the default */ }
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 8);
  return clean === '' ? 'heppy' : clean;
}
