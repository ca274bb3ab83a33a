// One keep-alive HTTP/1.1 connection of raw.ts: the request written, the reply parsed as it comes
// (Content-Length bodies received straight into their buffer, chunked, or until close), then the
// connection kept idle for the next GET to the same server or dropped.
import { connect, type Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { RemoteError } from '../errors.js';
import { assertNever } from '../../util/result.js';

/** What the caller may decide on a reply's head and first body bytes: true drops the connection unread. */
export interface RawHooks {
  head(status: number, headers: IncomingHttpHeaders): boolean;
  firstBytes?(status: number, headers: IncomingHttpHeaders, bytes: Buffer): boolean;
}

export interface RawReply { status: number; headers: IncomingHttpHeaders; body: Buffer; dropped: boolean }

const HEAD_MAX = 64 << 10;
const DIRECT_MIN = 32 << 10;
const SCRATCH = 256 << 10;
const MAX_IDLE = 8;

export const idle = new Map<string, RawConn[]>();
/** Connections made (tests count reuse with it). */
export const rawCounters = { connects: 0 };

/** Closes the idle connections (tests). */
export function closeIdle(): void {
  for (const list of idle.values()) for (const c of list) c.destroy();
  idle.clear();
}

/** A kept connection found closed before any byte of the reply came: raw.ts asks again on a new one. */
export class StaleConnection extends Error {
  constructor(readonly error: RemoteError) { super(error.message); }
}

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'close';

interface Active {
  display: string;
  hooks: RawHooks;
  resolve(r: RawReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** Whether any byte of the reply came. */
  got: boolean;
}

export class RawConn {
  private readonly sock: Socket;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH);
  private direct: Buffer | null = null;
  private dead = false;
  private active: Active | null = null;
  private phase: Phase = 'head';
  private readonly head = Buffer.allocUnsafe(HEAD_MAX);
  private headLen = 0;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private keepAlive = true;
  private body: Buffer = Buffer.alloc(0);
  private have = 0;
  private parts: Buffer[] = [];
  private chunkLeft = 0;
  private line = '';
  private checked = false;

  constructor(host: string, port: number, private readonly key: string) {
    rawCounters.connects++;
    this.sock = connect({ host, port, onread: { buffer: () => this.next(), callback: (n: number, buf: Uint8Array) => { this.onRead(n, buf as Buffer); return true; } } });
    this.sock.setNoDelay(true);
    this.sock.on('error', (e) => this.lost(`connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    this.sock.on('end', () => this.lost('connection closed by the server'));
    this.sock.on('close', () => this.lost('connection closed by the server'));
  }

  send(request: Buffer, timeoutMs: number, display: string, hooks: RawHooks): Promise<RawReply> {
    return new Promise<RawReply>((resolve, reject) => {
      if (this.dead) { reject(new StaleConnection(new RemoteError('network', display, 'connection closed'))); return; }
      const timer = setTimeout(() => {
        this.fail(new RemoteError('timeout', display, `no reply within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.active = { display, hooks, resolve, reject, timer, got: false };
      this.phase = 'head'; this.headLen = 0; this.parts = []; this.checked = false;
      this.sock.ref();
      this.sock.write(request);
    });
  }

  destroy(): void { this.dead = true; this.sock.destroy(); }

  private next(): Buffer {
    if (this.phase === 'length' && this.active !== null && this.body.length - this.have >= DIRECT_MIN && this.checked) {
      this.direct = this.body.subarray(this.have);
      return this.direct;
    }
    this.direct = null;
    return this.scratch;
  }

  private onRead(n: number, buf: Buffer): void {
    if (this.active === null) { this.destroy(); return; } // bytes nobody asked for: the connection is not reusable
    this.active.got = true;
    if (buf === this.direct && this.phase === 'length') {
      this.direct = null;
      this.have += n;
      if (this.have === this.body.length) this.finish(false);
      return;
    }
    try { this.consume(buf, n); } catch (e) {
      this.fail(e instanceof RemoteError ? e : new RemoteError('protocol', this.active?.display ?? '', `malformed HTTP reply: ${(e as Error).message}`));
    }
  }

  private consume(chunk: Buffer, n: number): void {
    let p = 0;
    while (p < n) {
      if (this.active === null) { this.destroy(); return; } // more than the reply: not reusable
      switch (this.phase) {
        case 'head': p = this.readHead(chunk, p, n); break;
        case 'length': {
          const k = Math.min(this.body.length - this.have, n - p);
          chunk.copy(this.body, this.have, p, p + k);
          this.have += k; p += k;
          if (!this.checked) { this.checked = true; if (this.dropOnFirst(this.body.subarray(0, this.have))) return; }
          if (this.have === this.body.length) this.finish(false);
          break;
        }
        case 'chunk-size': case 'chunk-end': case 'trailer': p = this.readLine(chunk, p, n); break;
        case 'chunk-data': {
          const k = Math.min(this.chunkLeft, n - p);
          this.parts.push(Buffer.from(chunk.subarray(p, p + k)));
          this.chunkLeft -= k; p += k;
          if (!this.checked) { this.checked = true; if (this.dropOnFirst(this.parts[0]!)) return; }
          if (this.chunkLeft === 0) { this.phase = 'chunk-end'; this.line = ''; }
          break;
        }
        case 'close':
          this.parts.push(Buffer.from(chunk.subarray(p, n)));
          p = n;
          break;
        default: assertNever(this.phase, 'HTTP reply phase');
      }
    }
  }

  /** Header bytes up to the blank line; then the body's framing. Returns the position after what it used. */
  private readHead(chunk: Buffer, p: number, n: number): number {
    const old = this.headLen;
    const k = Math.min(n - p, HEAD_MAX - old);
    chunk.copy(this.head, old, p, p + k);
    this.headLen += k;
    const end = this.head.subarray(0, this.headLen).indexOf('\r\n\r\n', Math.max(0, old - 3), 'latin1');
    if (end < 0) {
      if (this.headLen === HEAD_MAX) throw new Error('header longer than 64 kB');
      return p + k;
    }
    const used = end + 4 - old;
    this.headLen = 0;
    this.startBody(this.head.subarray(0, end).toString('latin1'));
    return p + used;
  }

  private startBody(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (m === null) throw new Error(`bad status line ${JSON.stringify(lines[0]!.slice(0, 40))}`);
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return; // an interim reply: the real one follows
    const h: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i]!.indexOf(':');
      if (c <= 0) continue;
      const name = lines[i]!.slice(0, c).trim().toLowerCase(), value = lines[i]!.slice(c + 1).trim();
      const prev = h[name];
      (h as Record<string, string>)[name] = prev === undefined ? value : `${String(prev)}, ${value}`;
    }
    this.status = status; this.headers = h;
    const conn = String(h.connection ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !conn.includes('close') : conn.includes('keep-alive');
    if (this.active!.hooks.head(status, h)) { this.finish(true); return; }
    const te = String(h['transfer-encoding'] ?? '').toLowerCase();
    if (status === 204 || status === 304) { this.body = Buffer.alloc(0); this.finish(false); return; }
    if (te !== '' && te !== 'identity') {
      if (!te.endsWith('chunked')) throw new Error(`unsupported transfer encoding ${te}`);
      this.phase = 'chunk-size'; this.line = '';
      return;
    }
    if (h['content-length'] !== undefined) {
      const len = Number(h['content-length']);
      if (!Number.isSafeInteger(len) || len < 0) throw new Error(`bad Content-Length ${String(h['content-length'])}`);
      this.body = len === 0 ? Buffer.alloc(0) : Buffer.allocUnsafeSlow(len);
      this.have = 0;
      this.phase = 'length';
      if (len === 0) this.finish(false);
      return;
    }
    this.keepAlive = false;
    this.phase = 'close';
  }

  /** A line of the chunked framing (size, the CRLF after data, trailers). */
  private readLine(chunk: Buffer, p: number, n: number): number {
    const nl = chunk.indexOf(10, p);
    const stop = nl < 0 || nl >= n ? n : nl + 1;
    this.line += chunk.toString('latin1', p, stop);
    if (this.line.length > 4096) throw new Error('chunk line too long');
    if (!this.line.endsWith('\n')) return stop;
    const line = this.line.trim();
    this.line = '';
    switch (this.phase) {
      case 'chunk-size': {
        const size = parseInt(line.split(';')[0]!, 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad chunk size ${JSON.stringify(line.slice(0, 20))}`);
        if (size === 0) this.phase = 'trailer'; else { this.phase = 'chunk-data'; this.chunkLeft = size; }
        break;
      }
      case 'chunk-end': this.phase = 'chunk-size'; break;
      case 'trailer':
        if (line === '') { this.body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts); this.finish(false); }
        break;
      case 'head': case 'length': case 'chunk-data': case 'close': break; // onData reads lines only in the three phases above
      default: assertNever(this.phase, 'reply phase');
    }
    return stop;
  }

  private dropOnFirst(bytes: Buffer): boolean {
    const a = this.active!;
    if (a.hooks.firstBytes === undefined || !a.hooks.firstBytes(this.status, this.headers, bytes)) return false;
    this.finish(true);
    return true;
  }

  /** The reply is complete (or dropped unread): resolve, and keep the connection when it can carry another. */
  private finish(dropped: boolean): void {
    const a = this.active!;
    this.active = null;
    clearTimeout(a.timer);
    const body = dropped ? Buffer.alloc(0) : this.phase === 'close' ? Buffer.concat(this.parts) : this.body;
    this.parts = []; this.body = Buffer.alloc(0); this.phase = 'head';
    if (dropped || !this.keepAlive) this.destroy();
    else {
      this.sock.unref();
      const list = idle.get(this.key) ?? [];
      if (list.length < MAX_IDLE) { list.push(this); idle.set(this.key, list); } else this.destroy();
    }
    a.resolve({ status: this.status, headers: this.headers, body, dropped });
  }

  private fail(e: RemoteError): void {
    const a = this.active;
    this.active = null;
    this.destroy();
    if (a === null) return;
    clearTimeout(a.timer);
    a.reject(e);
  }

  /** The socket ended or failed. */
  private lost(why: string): void {
    if (this.dead && this.active === null) return;
    this.dead = true;
    const list = idle.get(this.key);
    if (list !== undefined) { const i = list.indexOf(this); if (i >= 0) list.splice(i, 1); }
    const a = this.active;
    if (a === null) { this.sock.destroy(); return; }
    if (this.phase === 'close' && a.got) { this.finish(false); return; }
    this.active = null;
    clearTimeout(a.timer);
    this.sock.destroy();
    const err = new RemoteError('network', a.display, why);
    a.reject(a.got ? err : new StaleConnection(err));
  }
}
