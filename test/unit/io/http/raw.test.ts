// heppy's own http:// GET client against a server writing raw HTTP/1.1: Content-Length bodies
// (big ones received straight into their buffer, cut into odd pieces), chunked and
// close-delimited bodies, an interim 100 reply, a kept connection reused, one the server closed
// while idle (the request goes again on a new connection), Connection: close, a timeout, replies
// dropped at the head, and a limit of 8 connections per server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Socket } from 'node:net';
import { closeIdle, rawCounters, rawGet, type RawHooks } from '../../../../src/io/http/raw.js';
import { RemoteError } from '../../../../src/io/errors.js';

const BIG = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 17) % 256));
const seen = { requests: [] as string[], open: 0, maxOpen: 0 };

/** Writes `b` in pieces of odd sizes with pauses (the client sees many partial reads). */
async function dribble(sock: Socket, b: Buffer): Promise<void> {
  for (let p = 0, k = 0; p < b.length; k++) {
    const n = [1, 7, 5000, 100_000, 3][k % 5]!;
    sock.write(b.subarray(p, p + n));
    p += n;
    if (k % 3 === 0) await new Promise((r) => setTimeout(r, 1));
  }
}

const server = createServer((sock) => {
  seen.open++; seen.maxOpen = Math.max(seen.maxOpen, seen.open);
  sock.on('close', () => seen.open--);
  let buf = '';
  sock.on('data', async (d) => {
    buf += d.toString('latin1');
    let end;
    while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
      const head = buf.slice(0, end);
      buf = buf.slice(end + 4);
      const path = head.split(' ')[1]!;
      seen.requests.push(`${path} ${/range: (\S+)/i.exec(head)?.[1] ?? ''}`);
      await reply(sock, path);
    }
  });
  sock.on('error', () => undefined);
});

async function reply(sock: Socket, path: string): Promise<void> {
  switch (path) {
    case '/big': await dribble(sock, Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${BIG.length}\r\nContent-Range: bytes 0-${BIG.length - 1}/${BIG.length}\r\n\r\n`), BIG])); return;
    case '/chunked': sock.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Two: a\r\nx-two: b\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n'); return;
    case '/close': sock.end('HTTP/1.1 200 OK\r\n\r\nuntil the end'); return;
    case '/conn-close': sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'); sock.end(); return;
    case '/idle-close': sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); setTimeout(() => sock.destroy(), 20); return;
    case '/silent': return;
    case '/whole': sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`); sock.write(BIG.subarray(0, 1000)); return;
    case '/slow': setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'), 30); return;
    default: sock.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  }
}

await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const none: RawHooks = { head: () => false };
const get = (path: string, hooks = none, timeoutMs = 5000): ReturnType<typeof rawGet> => rawGet(new URL(base + path), { Range: 'bytes=0-9' }, timeoutMs, base + path, hooks);

test('a big Content-Length body in odd pieces comes whole; the connection is kept and reused', async () => {
  closeIdle();
  const c0 = rawCounters.connects;
  const r = await get('/big');
  assert.is(r.status, 206);
  assert.is(r.headers['content-range'], `bytes 0-${BIG.length - 1}/${BIG.length}`);
  assert.ok(r.body.equals(BIG));
  assert.is((await get('/nothing')).status, 404);
  assert.is(rawCounters.connects - c0, 1);
  assert.is(seen.requests[seen.requests.length - 1], '/nothing bytes=0-9');
});

test('chunked body after an interim 100; repeated headers joined; close-delimited body', async () => {
  const r = await get('/chunked');
  assert.is(r.status, 200);
  assert.is(r.body.toString(), 'hello world');
  assert.is(r.headers['x-two'], 'a, b');
  const c = await get('/close');
  assert.is(c.body.toString(), 'until the end');
});

test('a kept connection the server closed: the request goes again on a new one; Connection: close is not reused', async () => {
  closeIdle();
  await get('/idle-close');
  await new Promise((r) => setTimeout(r, 60));
  const c0 = rawCounters.connects;
  assert.is((await get('/nothing')).status, 404);
  assert.is(rawCounters.connects - c0, 1);
  await get('/conn-close');
  const c1 = rawCounters.connects;
  await get('/nothing');
  assert.is(rawCounters.connects - c1, 1);
});

test('no reply: a timeout naming the URL; a reply dropped at its head leaves nothing half read', async () => {
  try { await get('/silent', none, 100); assert.unreachable(); } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'timeout', String(e));
    assert.is((e as Error).message, `${base}/silent: no reply within 0.1 s`);
  }
  const d = await get('/whole', { head: (status) => status === 200 });
  assert.equal([d.status, d.dropped, d.body.length], [200, true, 0]);
  const f = await get('/big', { head: () => false, firstBytes: (_s, _h, b) => b.length > 0 });
  assert.equal([f.status, f.dropped, f.body.length], [206, true, 0]);
  assert.is((await get('/nothing')).status, 404);
});

test('at most 8 connections to a server; the other requests wait their turn', async () => {
  closeIdle();
  await new Promise((r) => setTimeout(r, 50));
  seen.maxOpen = seen.open;
  const all = await Promise.all(Array.from({ length: 20 }, () => get('/slow')));
  assert.ok(all.every((r) => r.body.toString() === 'x'));
  assert.ok(seen.maxOpen <= 8, `${seen.maxOpen} connections`);
});

test('an unreachable server: a network error', async () => {
  try { await rawGet(new URL('http://127.0.0.1:1/x'), {}, 1000, 'http://127.0.0.1:1/x', none); assert.unreachable(); } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'network', String(e));
    assert.is((e as Error).message, 'http://127.0.0.1:1/x: connection error: ECONNREFUSED');
  }
});

test.after(() => { closeIdle(); server.close(); });
test.run();
