import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstPartTotal, parseByteRanges } from '../../../../src/io/http/multipart.js';
import { RemoteError } from '../../../../src/io/errors.js';
import type { HttpReply } from '../../../../src/io/http/request.js';

const reply = (headers: Record<string, string>, body: Buffer): HttpReply => ({ status: 206, headers, body }) as unknown as HttpReply;
const text = (p: { bytes: Uint8Array }): string => Buffer.from(p.bytes).toString('latin1');

test('parseByteRanges: a single range from Content-Range', () => {
  const parts = parseByteRanges(reply({ 'content-range': 'bytes 10-14/100' }, Buffer.from('hello')), 'http://h/f');
  assert.is(parts.length, 1);
  assert.is(parts[0]!.pos, 10);
  assert.is(parts[0]!.total, 100);
  assert.is(text(parts[0]!), 'hello');
  assert.is(parseByteRanges(reply({ 'content-range': 'bytes 0-0/*' }, Buffer.from('x')), 'u')[0]!.total, null);
});

test('parseByteRanges: multipart/byteranges, lengths from each part (a boundary inside the data does not cut it)', () => {
  const b = 'THE_BOUNDARY';
  const body = Buffer.from([
    `--${b}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-3/50\r\n\r\nab--`,
    `\r\n--${b}\r\nContent-Range: bytes 20-42/50\r\n\r\n--${b}\r\n\r\nxyz\r\n`,
    `\r\n--${b}--\r\n`,
  ].join(''), 'latin1');
  const parts = parseByteRanges(reply({ 'content-type': `multipart/byteranges; boundary="${b}"` }, body), 'u');
  assert.equal(parts.map((p) => [p.pos, text(p), p.total]), [[0, 'ab--', 50], [20, `--${b}\r\n\r\nxyz\r\n`, 50]]);
});

test('parseByteRanges: malformed replies are protocol RemoteErrors naming the URL and why', () => {
  const why = (h: Record<string, string>, body: string): string => {
    try { parseByteRanges(reply(h, Buffer.from(body, 'latin1')), 'http://h/f'); return 'no error'; } catch (e) {
      assert.instance(e, RemoteError);
      assert.is((e as RemoteError).kind, 'protocol');
      assert.is((e as RemoteError).url, 'http://h/f');
      return (e as RemoteError).reason;
    }
  };
  assert.is(why({}, 'x'), 'malformed 206 reply: no Content-Range');
  assert.is(why({ 'content-range': 'bytes 0-9/20' }, 'short'), 'malformed 206 reply: Content-Range says 10 bytes, the body has 5');
  assert.is(why({ 'content-type': 'multipart/byteranges' }, ''), 'malformed 206 reply: multipart reply without a boundary');
  const mp = { 'content-type': 'multipart/byteranges; boundary=B' };
  assert.is(why(mp, '--B\r\nContent-Range: bytes 0-1/9'), 'malformed 206 reply: part without headers');
  assert.is(why(mp, '--B\r\nX: y\r\n\r\nab'), 'malformed 206 reply: part without Content-Range');
  assert.is(why(mp, '--B\r\nContent-Range: bytes 0-99/200\r\n\r\nab'), 'malformed 206 reply: part longer than the body');
});

test('firstPartTotal: the file size from the first part header, null until the header is whole', () => {
  assert.is(firstPartTotal(Buffer.from('\r\n--B\r\nContent-Range: bytes 0--1/0\r\n\r\n')), 0);
  assert.is(firstPartTotal(Buffer.from('--B\r\nContent-Range: bytes 0-9/4096\r\n\r\n0123')), 4096);
  assert.is(firstPartTotal(Buffer.from('--B\r\nContent-Range: bytes 0-9/40')), null);
  assert.is(firstPartTotal(Buffer.from('--B\r\nX: 1\r\n\r\n')), null);
});

test.run();
