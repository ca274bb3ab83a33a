// The frame reader fed as a socket with onread feeds it: into the buffer it hands out (its scratch
// buffer, or the rest of a big body), in reads of any size. Every frame must come out whole and in
// order, big bodies in the buffer the sink gave, whatever the cuts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameReader, type FrameSink } from '../../../../src/io/xrootd/frames.js';

const frame = (sid: number, status: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sid, 0); h.writeUInt16BE(status, 2); h.writeInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};
const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256));

interface Got { sid: number; status: number; body: Buffer }

/** Feeds `stream` in reads of at most `cut(k)` bytes; returns the frames and the bodies the sink allocated. */
function feed(stream: Buffer, cut: (k: number) => number, scratch = 4096): { got: Got[]; given: Buffer[]; reads: number; direct: number } {
  const got: Got[] = [], given: Buffer[] = [];
  const sink: FrameSink = {
    bodyFor: (_sid, _status, dlen) => { const b = Buffer.alloc(dlen); given.push(b); return b; },
    frame: (sid, status, body) => got.push({ sid, status, body }),
    bad: (reason) => { throw new Error(reason); },
  };
  const scratchBuf = Buffer.alloc(scratch);
  const r = new FrameReader(sink, scratchBuf);
  let p = 0, k = 0, direct = 0;
  while (p < stream.length) {
    const buf = r.next();
    if (buf !== scratchBuf) direct++;
    const n = Math.min(buf.length, stream.length - p, Math.max(1, cut(k++)));
    stream.copy(buf, 0, p, p + n);
    r.onRead(n, buf);
    p += n;
  }
  return { got, given, reads: k, direct };
}

const FRAMES: [number, number, Buffer][] = [
  [0, 0, bytes(8, 1)], [7, 4000, bytes(100_000, 2)], [7, 0, bytes(3, 3)], [9, 4003, Buffer.alloc(0)],
  [2, 0, bytes(40_000, 4)], [3, 0, bytes(1, 5)], [4, 0, bytes(250_000, 6)],
];
const STREAM = Buffer.concat(FRAMES.map(([s, st, b]) => frame(s, st, b)));

for (const [name, cut] of [
  ['one byte at a time', () => 1],
  ['odd sizes', (k: number) => 1 + ((k * 7919) % 9000)],
  ['as much as fits', () => 1 << 30],
  ['header cut in the middle', (k: number) => (k % 2 === 0 ? 5 : 70_001)],
] as [string, (k: number) => number][]) {
  test(`frames come out whole and in order: ${name}`, () => {
    const { got, given } = feed(STREAM, cut);
    assert.is(got.length, FRAMES.length);
    got.forEach((g, i) => {
      const [sid, status, body] = FRAMES[i]!;
      assert.is(g.sid, sid); assert.is(g.status, status);
      assert.ok(g.body.equals(body), `frame ${i}: ${g.body.length} bytes`);
      assert.ok(g.body === given[i], 'the body is the buffer the sink gave');
    });
  });
}

test('big bodies are read into directly: few reads, none through the scratch buffer for their bulk', () => {
  const { got, reads, direct } = feed(STREAM, () => 1 << 30);
  assert.is(got.length, FRAMES.length);
  // 100 kB, 40 kB and 250 kB bodies: each rest of ≥ 32 kB after the scratch read is one direct read.
  assert.is(direct, 3);
  assert.ok(reads < 12, `${reads} reads`);
});

test('a negative length is reported and nothing more is delivered', () => {
  const bad = Buffer.alloc(8); bad.writeInt32BE(-5, 4);
  const reasons: string[] = [];
  const got: number[] = [];
  const r = new FrameReader({
    bodyFor: (_s, _st, dlen) => Buffer.alloc(dlen),
    frame: (sid) => got.push(sid),
    bad: (reason) => reasons.push(reason),
  }, Buffer.alloc(64));
  const s = Buffer.concat([frame(1, 0, bytes(4, 0)), bad, frame(2, 0, bytes(4, 0))]);
  const buf = r.next();
  s.copy(buf);
  r.onRead(s.length, buf);
  assert.equal(got, [1]);
  assert.equal(reasons, ['bad response length -5']);
});

test.run();
