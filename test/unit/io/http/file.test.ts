// HTTP byte source against a scripted server: the open is one range GET (no HEAD) whose
// Content-Range gives the size, also against XrdHttp 5.5.3's broken reply to a range past the end
// of a small file; 206 range and multi-range replies, a redirect, the bearer token sent as a header
// (and kept out of errors), a server ignoring ranges (a clear error, no download), 404 and 5xx
// (retried, then a server error).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpFile, OPEN_PROBE, OPEN_RANGE, httpStat } from '../../../../src/io/http/file.js';
import { httpCounters, httpSettings } from '../../../../src/io/http/request.js';
import { RemoteError } from '../../../../src/io/errors.js';

const SIZE = 1_000_000;
const SMALL = 10_000; // /small.root: the first SMALL bytes of the data
const data = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 31) % 256));
const seen: { auth: (string | undefined)[]; ranges: string[]; methods: string[]; fails: number } = { auth: [], ranges: [], methods: [], fails: 0 };

function handler(req: IncomingMessage, res: ServerResponse): void {
  seen.auth.push(req.headers.authorization);
  seen.methods.push(req.method ?? '');
  const url = req.url ?? '';
  if (url === '/moved.root') { res.writeHead(302, { Location: '/data.root' }); res.end(); return; }
  if (url === '/missing.root') { res.writeHead(404); res.end(); return; }
  if (url === '/flaky.root' && seen.fails++ < 1) { res.writeHead(503); res.end(); return; }
  if (url === '/broken.root') { res.writeHead(500); res.end(); return; }
  if (req.method === 'HEAD') { res.writeHead(200, { 'Content-Length': SIZE, Digest: 'adler32=0badcafe', 'Last-Modified': 'Sun, 29 Nov 2026 10:00:00 GMT' }); res.end(); return; }
  const range = req.headers.range;
  if (url === '/norange.root' || range === undefined) { res.writeHead(200, { 'Content-Length': SIZE }); res.end(data); return; }
  seen.ranges.push(range);
  const size = url === '/small.root' || url === '/merged-small.root' ? SMALL : url === '/empty.root' ? 0 : SIZE;
  let asked = range.replace(/^bytes=/, '').split(',').map((r) => r.split('-').map(Number) as [number, number]);
  if (url === '/empty.root' && asked.length > 1) {
    // XrdHttp 5.5.3 on an empty file: one part header, a Content-Length it never sends, the connection kept.
    const body = '\r\n--BND\r\nContent-type: text/plain\r\nContent-range: bytes 0--1/0\r\n\r\n';
    res.writeHead(206, { 'Content-Type': 'multipart/byteranges; boundary=BND', 'Content-Length': body.length + 14 });
    res.write(body);
    return;
  }
  // A server may merge adjacent ranges into one.
  if (url === '/merged-small.root' || url === '/merged.root') asked = [[asked[0]![0], asked[asked.length - 1]![1]]];
  // A correct server clips a range to the file (RFC 9110 14.1.2).
  const parts = asked.map(([a, b]) => [a, Math.min(b, size - 1)] as [number, number]);
  if (parts.length === 1) {
    const [a, b] = parts[0]!;
    if ((url === '/small.root' || url === '/merged-small.root') && b !== asked[0]![1]) {
      // XrdHttp 5.5.3 on one range past the end: announces the range asked for, sends nothing and closes.
      const last = asked[0]![1];
      res.writeHead(206, { 'Content-Range': `bytes ${a}-${last}/${size}`, 'Content-Length': last - a + 1 });
      res.flushHeaders();
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${size}`, 'Content-Length': b - a + 1 });
    res.end(data.subarray(a, b + 1));
    return;
  }
  const chunks: Buffer[] = [];
  for (const [a, b] of parts) chunks.push(Buffer.from(`\r\n--BND\r\nContent-Range: bytes ${a}-${b}/${size}\r\n\r\n`), data.subarray(a, b + 1));
  chunks.push(Buffer.from('\r\n--BND--\r\n'));
  res.writeHead(206, { 'Content-Type': 'multipart/byteranges; boundary=BND' });
  res.end(Buffer.concat(chunks));
}

const server = createServer(handler);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const open = (p: string): Promise<HttpFile> => HttpFile.open(new URL(base + p), base + p);
httpSettings.backoffMs = 10;

test('stat from HEAD: size, mtime, the Digest header as checksum', async () => {
  assert.equal(await httpStat(new URL(`${base}/data.root`), 'F'), { size: SIZE, mtime: Date.parse('Sun, 29 Nov 2026 10:00:00 GMT') / 1000, checksum: 'adler32:0badcafe' });
});

test('open: one range GET, no HEAD; the size from Content-Range, the first bytes kept (two parts joined, or one merged)', async () => {
  seen.methods.length = 0; seen.ranges.length = 0;
  const f = await open('/data.root');
  assert.is(f.size, SIZE);
  assert.equal(seen.methods, ['GET']);
  assert.equal(seen.ranges, [OPEN_RANGE]);
  assert.is(OPEN_RANGE, `bytes=0-0,1-${OPEN_PROBE - 1}`);
  const m = await open('/merged.root');
  assert.is(m.size, SIZE);
  assert.ok(Buffer.from(await m.read(0, OPEN_PROBE)).equals(data.subarray(0, OPEN_PROBE)));
  const n0 = httpCounters.requests;
  assert.ok(Buffer.from(await f.read(1000, 5000)).equals(data.subarray(1000, 6000)));
  assert.ok(Buffer.from((await f.readv([{ pos: 0, len: 10 }, { pos: OPEN_PROBE - 10, len: 10 }]))[1]!).equals(data.subarray(OPEN_PROBE - 10, OPEN_PROBE)));
  assert.is(httpCounters.requests, n0, 'reads within the first bytes cross no network');
  // A range across the end of the first bytes: only its rest is asked for.
  assert.ok(Buffer.from(await f.read(OPEN_PROBE - 100, 300)).equals(data.subarray(OPEN_PROBE - 100, OPEN_PROBE + 200)));
  assert.is(seen.ranges[seen.ranges.length - 1], `bytes=${OPEN_PROBE}-${OPEN_PROBE + 199}`);
});

test('open of a file smaller than the first read: one request (the ranges clipped); asked again after a broken single-range reply (XrdHttp 5.5.3)', async () => {
  for (const [path, requests] of [['/small.root', 1], ['/merged-small.root', 2]] as const) {
    seen.ranges.length = 0;
    const f = await open(path);
    assert.is(f.size, SMALL, path);
    assert.equal(seen.ranges, [OPEN_RANGE, `bytes=0-${SMALL - 1}`].slice(0, requests), path);
    const n0 = httpCounters.requests;
    assert.ok(Buffer.from((await f.readv([{ pos: SMALL - 100, len: 100 }, { pos: 0, len: 4 }]))[0]!).equals(data.subarray(SMALL - 100, SMALL)));
    assert.is(httpCounters.requests, n0, 'the whole file was read at open');
  }
});

test('open of an empty file on XrdHttp (a multi-range reply that never ends): size 0 at once, no timeout', async () => {
  const saved = httpSettings.timeoutMs;
  httpSettings.timeoutMs = 30_000;
  try {
    const t0 = Date.now();
    const f = await open('/empty.root');
    assert.is(f.size, 0);
    assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
  } finally { httpSettings.timeoutMs = saved; }
});

test('read: one 206 range (after a redirect); readv: far ranges in one multi-range GET', async () => {
  const f = await open('/moved.root');
  assert.ok(Buffer.from(await f.read(600_500, 1000)).equals(data.subarray(600_500, 601_500)));
  seen.ranges.length = 0;
  const ranges = [{ pos: 900_000, len: 100 }, { pos: 0, len: 10 }, { pos: 700_000, len: 5000 }];
  const got = await f.readv(ranges);
  ranges.forEach((r, i) => assert.ok(Buffer.from(got[i]!).equals(data.subarray(r.pos, r.pos + r.len)), `range ${i}`));
  assert.equal(seen.ranges, ['bytes=700000-704999,900000-900099']);
});

test('BEARER_TOKEN goes in the Authorization header, never in an error', async () => {
  process.env.BEARER_TOKEN = 'tok-SECRET-123';
  try {
    seen.auth.length = 0;
    const f = await open('/data.root');
    await f.read(800_000, 10);
    assert.ok(seen.auth.length >= 2 && seen.auth.every((a) => a === 'Bearer tok-SECRET-123'), JSON.stringify(seen.auth));
    try { await open('/missing.root'); assert.unreachable(); } catch (e) {
      assert.ok(e instanceof RemoteError && e.kind === 'not-found');
      assert.not.match((e as Error).message, /SECRET/);
    }
  } finally {
    delete process.env.BEARER_TOKEN;
  }
});

test('a server that ignores ranges is a protocol error (no download); 5xx retried, then a server error', async () => {
  try { await open('/norange.root'); assert.unreachable(); } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'protocol');
    assert.match((e as Error).message, /ignores range requests \(HTTP 200 instead of 206\)/);
  }
  seen.fails = 0;
  assert.is((await open('/flaky.root')).size, SIZE); // one 503, then fine
  try { await open('/broken.root'); assert.unreachable(); } catch (e) {
    assert.ok(e instanceof RemoteError && e.kind === 'server', String(e));
  }
});

test.after(() => { server.close(); });
test.run();
