// HTTP byte source against a scripted server: 206 range and multi-range replies, a redirect, the
// bearer token sent as a header (and kept out of errors), a server ignoring ranges (a clear error,
// no download), 404 and 5xx (retried, then a server error).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpFile, httpStat } from '../../../../src/io/http/file.js';
import { httpSettings } from '../../../../src/io/http/request.js';
import { RemoteError } from '../../../../src/io/errors.js';

const SIZE = 100_000;
const data = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 31) % 256));
const seen: { auth: (string | undefined)[]; ranges: string[]; fails: number } = { auth: [], ranges: [], fails: 0 };

function handler(req: IncomingMessage, res: ServerResponse): void {
  seen.auth.push(req.headers.authorization);
  const url = req.url ?? '';
  if (url === '/moved.root') { res.writeHead(302, { Location: '/data.root' }); res.end(); return; }
  if (url === '/missing.root') { res.writeHead(404); res.end(); return; }
  if (url === '/flaky.root' && seen.fails++ < 1) { res.writeHead(503); res.end(); return; }
  if (url === '/broken.root') { res.writeHead(500); res.end(); return; }
  if (req.method === 'HEAD') { res.writeHead(200, { 'Content-Length': SIZE, Digest: 'adler32=0badcafe', 'Last-Modified': 'Sun, 29 Nov 2026 10:00:00 GMT' }); res.end(); return; }
  const range = req.headers.range;
  if (url === '/norange.root' || range === undefined) { res.writeHead(200, { 'Content-Length': SIZE }); res.end(data); return; }
  seen.ranges.push(range);
  const parts = range.replace(/^bytes=/, '').split(',').map((r) => r.split('-').map(Number) as [number, number]);
  if (parts.length === 1) {
    const [a, b] = parts[0]!;
    res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${SIZE}`, 'Content-Length': b - a + 1 });
    res.end(data.subarray(a, b + 1));
    return;
  }
  const chunks: Buffer[] = [];
  for (const [a, b] of parts) chunks.push(Buffer.from(`\r\n--BND\r\nContent-Range: bytes ${a}-${b}/${SIZE}\r\n\r\n`), data.subarray(a, b + 1));
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

test('read: one 206 range (after a redirect); readv: far ranges in one multi-range GET', async () => {
  const f = await open('/moved.root');
  assert.ok(Buffer.from(await f.read(500, 1000)).equals(data.subarray(500, 1500)));
  seen.ranges.length = 0;
  const ranges = [{ pos: 90_000, len: 100 }, { pos: 0, len: 10 }, { pos: 50_000, len: 5000 }];
  const got = await f.readv(ranges);
  ranges.forEach((r, i) => assert.ok(Buffer.from(got[i]!).equals(data.subarray(r.pos, r.pos + r.len)), `range ${i}`));
  assert.equal(seen.ranges, ['bytes=0-9,50000-54999,90000-90099']);
});

test('BEARER_TOKEN goes in the Authorization header, never in an error', async () => {
  process.env.BEARER_TOKEN = 'tok-SECRET-123';
  try {
    seen.auth.length = 0;
    const f = await open('/data.root');
    await f.read(0, 10);
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
  const f = await open('/norange.root');
  try { await f.read(0, 10); assert.unreachable(); } catch (e) {
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
