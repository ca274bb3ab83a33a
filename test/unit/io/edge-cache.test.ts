// EdgeCache: the head (576 kB) and the tail (512 kB) of a remote file in one vector read at open;
// reads inside them cost no request, a vector read passes only the ranges outside them, and a
// file up to 1,088 kB is read whole by the open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EdgeCache } from '../../../src/io/edge-cache.js';
import type { ByteRange, ByteSource } from '../../../src/io/source.js';

class Recording implements ByteSource {
  readonly remote = true;
  readonly name = 'root://fake//f.root';
  readonly calls: ByteRange[][] = [];
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number { return this.bytes.length; }
  async read(pos: number, len: number): Promise<Uint8Array> { this.calls.push([{ pos, len }]); return this.bytes.slice(pos, pos + len); }
  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> { this.calls.push([...ranges]); return ranges.map((r) => this.bytes.slice(r.pos, r.pos + r.len)); }
  async close(): Promise<void> { /* nothing */ }
}

const file = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) % 251);
const KB = 1024;

test('a 3 MB file: one readv of the first 576 kB and the last 512 kB at open; reads inside cost nothing', async () => {
  const bytes = file(3 * 1024 * KB);
  const src = new Recording(bytes);
  const ec = await EdgeCache.over(src);
  assert.equal(src.calls, [[{ pos: 0, len: 576 * KB }, { pos: bytes.length - 512 * KB, len: 512 * KB }]]);
  // A basket just below the head's end (the first baskets a writer puts after the header).
  assert.equal(await ec.read(500 * KB, 70 * KB), bytes.subarray(500 * KB, 570 * KB));
  assert.equal(await ec.read(bytes.length - 100, 100), bytes.subarray(bytes.length - 100));
  assert.is(src.calls.length, 1);
  // Past the head's end: the source is asked.
  assert.equal(await ec.read(570 * KB, 10 * KB), bytes.subarray(570 * KB, 580 * KB));
  assert.equal(src.calls[1], [{ pos: 570 * KB, len: 10 * KB }]);
});

test('a vector read passes only the ranges outside the cached edges, in order', async () => {
  const bytes = file(3 * 1024 * KB);
  const src = new Recording(bytes);
  const ec = await EdgeCache.over(src);
  const ranges = [{ pos: 10, len: 1000 }, { pos: 1024 * KB, len: 4 * KB }, { pos: 575 * KB, len: 1 * KB }, { pos: 2000 * KB, len: 8 }];
  const got = await ec.readv(ranges);
  ranges.forEach((r, i) => assert.equal(got[i], bytes.subarray(r.pos, r.pos + r.len)));
  assert.equal(src.calls[1], [{ pos: 1024 * KB, len: 4 * KB }, { pos: 2000 * KB, len: 8 }]);
  assert.is(src.calls.length, 2);
});

test('a file of 1,088 kB is read whole by the open, and every later read is served from it', async () => {
  const bytes = file(1088 * KB);
  const src = new Recording(bytes);
  const ec = await EdgeCache.over(src);
  assert.equal(src.calls, [[{ pos: 0, len: bytes.length }]]);
  assert.equal(await ec.read(700 * KB, 300 * KB), bytes.subarray(700 * KB, 1000 * KB));
  assert.equal((await ec.readv([{ pos: 0, len: 5 }, { pos: bytes.length - 5, len: 5 }]))[1], bytes.subarray(bytes.length - 5));
  assert.is(src.calls.length, 1);
});

test.run();
