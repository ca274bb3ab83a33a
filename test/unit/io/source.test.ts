// Range coalescing (shared by every source), the local source's vector read, and the parsing of
// HTTP 206 replies (single range and multipart/byteranges with binary data containing the boundary).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coalesce, cutRuns } from '../../../src/io/source.js';
import { LocalSource } from '../../../src/io/local.js';
import { parseByteRanges } from '../../../src/io/http/multipart.js';
import type { HttpReply } from '../../../src/io/http/request.js';

test('coalesce: close ranges share a run (any order in), far ones do not, runs bounded', () => {
  const ranges = [{ pos: 100, len: 10 }, { pos: 0, len: 10 }, { pos: 15, len: 5 }, { pos: 5000, len: 10 }];
  const runs = coalesce(ranges, 100, 1 << 20);
  assert.equal(runs.map((r) => [r.pos, r.len, r.members]), [[0, 110, [1, 2, 0]], [5000, 10, [3]]]);
  assert.equal(coalesce(ranges, 100, 50).map((r) => [r.pos, r.len]), [[0, 20], [100, 10], [5000, 10]]);
  const bytes = runs.map((r) => Uint8Array.from({ length: r.len }, (_, i) => (r.pos + i) % 251));
  const cut = cutRuns(ranges, runs, bytes);
  ranges.forEach((r, i) => assert.equal(Array.from(cut[i]!), Array.from({ length: r.len }, (_, k) => (r.pos + k) % 251)));
});

test('LocalSource: read and readv return the file bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-io-'));
  const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);
  writeFileSync(join(dir, 'f'), data);
  const s = LocalSource.open(join(dir, 'f'));
  assert.is(s.size, 300_000);
  assert.equal(Array.from(await s.read(299_990, 10)), Array.from(data.subarray(299_990)));
  const ranges = [{ pos: 200_000, len: 1000 }, { pos: 0, len: 3 }, { pos: 100, len: 100_000 }];
  const got = await s.readv(ranges);
  ranges.forEach((r, i) => assert.ok(Buffer.from(got[i]!).equals(Buffer.from(data.subarray(r.pos, r.pos + r.len)))));
  await s.close();
  rmSync(dir, { recursive: true });
});

const reply = (headers: Record<string, string>, body: Buffer): HttpReply => ({ status: 206, headers, body, url: new URL('http://h/f') });

test('206 with one range: Content-Range gives the position; a length mismatch is an error', () => {
  const parts = parseByteRanges(reply({ 'content-range': 'bytes 10-13/100' }, Buffer.from('abcd')), 'F');
  assert.equal(parts.map((p) => [p.pos, Buffer.from(p.bytes).toString()]), [[10, 'abcd']]);
  assert.throws(() => parseByteRanges(reply({ 'content-range': 'bytes 10-14/100' }, Buffer.from('abcd')), 'F'), /malformed 206/);
});

test('206 multipart/byteranges: parts by their Content-Range, data may contain the boundary', () => {
  const b = 'XyZ';
  const body = Buffer.concat([
    Buffer.from(`\r\n--${b}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-8/1000\r\n\r\n`),
    Buffer.from(`--${b}\r\n\r\n`), // 9 bytes of data that look like a delimiter
    Buffer.from(`\r\n--${b}\r\nContent-range: bytes 500-502/1000\r\n\r\n`),
    Buffer.from([0, 255, 1]),
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  const parts = parseByteRanges(reply({ 'content-type': `multipart/byteranges; boundary=${b}` }, body), 'F');
  assert.equal(parts.map((p) => [p.pos, Array.from(p.bytes)]), [[0, Array.from(Buffer.from(`--${b}\r\n\r\n`))], [500, [0, 255, 1]]]);
});

test.run();
