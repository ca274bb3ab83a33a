// The XRootD client against a scripted server speaking the protocol's wire format: responses in
// pieces (kXR_oksofar), deferred (kXR_waitresp then kXR_attn/asynresp), kXR_wait, kXR_redirect to
// another server, kXR_error, unix authentication, and a connection dropped in the middle of a read
// (reconnect, reopen, retry). The real server (test/e2e/remote-*) covers the common paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { XrdFile, xrdStat, counters, closeAll, settings } from '../../../../src/io/xrootd/client.js';
import { RemoteError } from '../../../../src/io/errors.js';
import { parseLocation, type Location } from '../../../../src/io/url.js';

const xloc = (s: string): Extract<Location, { kind: 'xrootd' }> => parseLocation(s) as Extract<Location, { kind: 'xrootd' }>;

const SIZE = 5000;
const byte = (i: number): number => (i * 13) % 251;
const frame = (sid: number, status: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sid, 0); h.writeUInt16BE(status, 2); h.writeInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};
const int32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };

interface Script { refuseClose?: boolean; requireUnix?: boolean; redirectTo?: number; dropFirstRead?: boolean; extraBytes?: number }
const seen = { auth: [] as string[], waits: 0, drops: 0, opens: [] as string[], writes: [] as number[][] };

function serve(script: Script): Promise<{ server: Server; port: number }> {
  const server = createServer((sock: Socket) => {
    let buf = Buffer.alloc(0), shaken = false;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!shaken) {
        if (buf.length < 20) return;
        buf = buf.subarray(20); shaken = true;
        sock.write(frame(0, 0, Buffer.concat([int32(0x520), int32(1)])));
      }
      const codes: number[] = [];
      seen.writes.push(codes); // the requests that arrived together (one write of the client)
      while (buf.length >= 24 && buf.length >= 24 + buf.readInt32BE(20)) {
        codes.push(buf.readUInt16BE(2));
        const sid = buf.readUInt16BE(0), code = buf.readUInt16BE(2), params = buf.subarray(4, 20), data = buf.subarray(24, 24 + buf.readInt32BE(20));
        buf = buf.subarray(24 + data.length);
        handle(sock, script, sid, code, Buffer.from(params), Buffer.from(data));
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port })));
}

function handle(sock: Socket, script: Script, sid: number, code: number, params: Buffer, data: Buffer): void {
  const path = data.toString('latin1').split('?')[0]!;
  switch (code) {
    case 3006: sock.write(frame(sid, 0, Buffer.concat([int32(0x520), int32(1)]))); return; // protocol
    case 3007: sock.write(frame(sid, 0, Buffer.concat([Buffer.alloc(16), Buffer.from(script.requireUnix ? '&P=unix\0' : '')]))); return; // login
    case 3000: seen.auth.push(data.toString('latin1')); sock.write(frame(sid, 0, Buffer.alloc(0))); return; // auth
    case 3010: { // open
      seen.opens.push(data.toString('latin1'));
      if (path === '/redirect.root' && script.redirectTo) { sock.write(frame(sid, 4004, Buffer.concat([int32(script.redirectTo), Buffer.from('127.0.0.1?tried=first')]))); return; }
      if (path === '/missing.root') { sock.write(frame(sid, 4003, Buffer.concat([int32(3011), Buffer.from('no such file\0')]))); return; }
      if (path === '/wait.root' && seen.waits++ === 0) { sock.write(frame(sid, 4005, Buffer.concat([int32(1), Buffer.from('busy\0')]))); return; }
      sock.write(frame(sid, 0, Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.alloc(8), Buffer.from(`0 ${SIZE} 0 1700000000\0`)])));
      return;
    }
    case 3017: // stat: deferred
      sock.write(frame(sid, 4006, int32(1)));
      setTimeout(() => sock.write(frame(0, 4001, Buffer.concat([int32(5008), Buffer.alloc(4), frame(sid, 0, Buffer.from(`1 ${SIZE} 16 1700000001\0`))]))), 50);
      return;
    case 3013: { // read: in pieces of 1000 bytes
      if (script.dropFirstRead && seen.drops++ === 0) { sock.destroy(); return; }
      const pos = Number(params.readBigInt64BE(4)), len = params.readInt32BE(12);
      const n = len + (script.extraBytes ?? 0);
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => byte(pos + i)));
      for (let p = 0; p < n; p += 1000) sock.write(frame(sid, p + 1000 < n ? 4000 : 0, bytes.subarray(p, p + 1000)));
      return;
    }
    case 3025: { // readv: one message per element, all but the last as oksofar
      const n = data.length / 16;
      for (let k = 0; k < n; k++) {
        const len = data.readInt32BE(16 * k + 4), pos = Number(data.readBigInt64BE(16 * k + 8));
        sock.write(frame(sid, k + 1 < n ? 4000 : 0, Buffer.concat([data.subarray(16 * k, 16 * k + 16), Buffer.from(Array.from({ length: len }, (_, i) => byte(pos + i)))])));
      }
      return;
    }
    case 3003: // close: refused for a file named so
      if (script.refuseClose) { sock.write(frame(sid, 4003, Buffer.concat([int32(3007), Buffer.from('handle busy\0')]))); return; }
      sock.write(frame(sid, 0, Buffer.alloc(0))); return;
    default: sock.write(frame(sid, 4003, Buffer.concat([int32(3013), Buffer.from('unsupported\0')])));
  }
}

const expected = (pos: number, len: number): number[] => Array.from({ length: len }, (_, i) => byte(pos + i));
settings.backoffMs = 20;

test('read in kXR_oksofar pieces, readv, several requests in flight on one connection', async () => {
  const { server, port } = await serve({});
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
  assert.is(f.size, SIZE);
  const [a, b] = await Promise.all([f.read(0, 2500), f.read(2500, 2500)]);
  assert.equal(Array.from(a!), expected(0, 2500));
  assert.equal(Array.from(b!), expected(2500, 2500));
  const v = await f.readv([{ pos: 4000, len: 10 }, { pos: 10, len: 5 }, { pos: 15, len: 100 }]);
  assert.equal(v.map((x) => Array.from(x)), [expected(4000, 10), expected(10, 5), expected(15, 100)]);
  await f.close();
  await closeAll(); server.close();
});

test('kXR_waitresp then kXR_attn carries the stat; kXR_wait is honoured; kXR_error NotFound is not-found', async () => {
  const { server, port } = await serve({});
  const st = await xrdStat(xloc(`root://127.0.0.1:${port}//x.root`));
  assert.equal(st, { size: SIZE, flags: 16, mtime: 1700000001 });
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//wait.root`));
  assert.is(seen.waits, 2);
  await f.close();
  try {
    await XrdFile.open(xloc(`root://127.0.0.1:${port}//missing.root`));
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'not-found', String(e));
    assert.is((e as Error).message, `root://127.0.0.1:${port}//missing.root: no such file on the server`);
  }
  await closeAll(); server.close();
});

test('a redirect is followed to the other server with its opaque data; unix authentication there', async () => {
  const target = await serve({ requireUnix: true });
  const front = await serve({ redirectTo: target.port });
  seen.opens.length = 0; seen.auth.length = 0;
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${front.port}//redirect.root`));
  assert.equal(Array.from(await f.read(100, 10)), expected(100, 10));
  assert.equal(seen.opens, ['/redirect.root', '/redirect.root?tried=first']);
  assert.is(seen.auth.length, 1);
  assert.match(seen.auth[0]!, /^unix\0\S+ \S+\0$/);
  await f.close();
  await closeAll(); front.server.close(); target.server.close();
});

test('the connection drops during a read: reconnect, reopen, the read succeeds', async () => {
  const { server, port } = await serve({ dropFirstRead: true });
  seen.drops = 0;
  const connects = counters.connects;
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
  assert.equal(Array.from(await f.read(1234, 2000)), expected(1234, 2000));
  assert.is(seen.drops, 2);
  assert.is(counters.connects - connects, 2);
  await f.close();
  await closeAll(); server.close();
});

test('BEARER_TOKEN_FILE: the token goes with the open as ?authz=, never into an error', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'heppy-tok-'));
  writeFileSync(join(dir, 'tok'), 'xyz-SECRET\n');
  process.env.BEARER_TOKEN_FILE = join(dir, 'tok');
  const { server, port } = await serve({});
  try {
    seen.opens.length = 0;
    const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
    await f.close();
    assert.equal(seen.opens, ['/data.root?authz=Bearer%20xyz-SECRET']);
    try { await XrdFile.open(xloc(`root://127.0.0.1:${port}//missing.root`)); assert.unreachable(); } catch (e) {
      assert.not.match((e as Error).message, /SECRET/);
    }
  } finally {
    delete process.env.BEARER_TOKEN_FILE;
    rmSync(dir, { recursive: true });
    await closeAll(); server.close();
  }
});

test('a reply longer than the read asked for: a protocol error naming the file, the connection still usable', async () => {
  const { server, port } = await serve({ extraBytes: 1500 });
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
  try {
    await f.read(100, 2000);
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'protocol', String(e));
    assert.is((e as Error).message, `root://127.0.0.1:${port}//data.root: kXR_read of 2000 bytes at 100 returned 3500`);
  }
  const v = await f.readv([{ pos: 10, len: 5 }, { pos: 4000, len: 10 }]);
  assert.equal(v.map((x) => Array.from(x)), [expected(10, 5), expected(4000, 10)]);
  await f.close();
  await closeAll(); server.close();
});

test('kXR_close goes with the next request in one write, or alone soon after; a refused close is a warning naming the file', async () => {
  const { server, port } = await serve({});
  const f = await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
  await f.close();
  seen.writes.length = 0;
  const g = await XrdFile.open(xloc(`root://127.0.0.1:${port}//other.root`));
  assert.equal(seen.writes.filter((w) => w.length > 0), [[3003, 3010]]); // close, open
  seen.writes.length = 0;
  await g.close();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(seen.writes.filter((w) => w.length > 0), [[3003]]);
  await closeAll(); server.close();

  const refusing = await serve({ refuseClose: true });
  const h = await XrdFile.open(xloc(`root://127.0.0.1:${refusing.port}//data.root`));
  const written: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => { written.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    await h.close();
    await new Promise((r) => setTimeout(r, 200));
  } finally { process.stderr.write = orig; }
  assert.equal(written.length, 1, written.join(''));
  assert.match(written[0]!, `heppy: warning: root://127.0.0.1:${refusing.port}//data.root: kXR_close:`);
  assert.match(written[0]!, 'handle busy');
  await closeAll(); refusing.server.close();
});

test('an unreachable server: a network error naming the file, after the retries', async () => {
  const { server, port } = await serve({});
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  try {
    await XrdFile.open(xloc(`root://127.0.0.1:${port}//data.root`));
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'network', String(e));
    assert.match((e as Error).message, `root://127.0.0.1:${port}//data.root: cannot connect: ECONNREFUSED`);
  }
});

test.run();
