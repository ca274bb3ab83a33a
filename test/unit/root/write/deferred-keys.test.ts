import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { DeferredKeys } from '../../../../src/root/write/deferred-keys.js';
import { compressPayload, defaultCompression } from '../../../../src/root/write/compress.js';

// Payloads of 64 kB: half repeated text (compressible), half random (stored).
const payload = (i: number): Uint8Array => Buffer.concat([Buffer.alloc(32 << 10, `basket ${i} `), randomBytes(32 << 10)]);

function rig(closed = false): { keys: DeferredKeys; placed: { tag: number; body: Uint8Array }[] } {
  const placed: { tag: number; body: Uint8Array }[] = [];
  let tag = 0;
  const keys = new DeferredKeys(defaultCompression, (key, body) => { key(body, 0); placed.push({ tag: tag++, body }); }, () => closed);
  return { keys, placed };
}

test('settle() places every waiting key in the order added, with the bytes compressPayload gives', () => {
  const { keys, placed } = rig();
  const data = [0, 1, 2].map(payload);
  const copies = data.map((d) => Uint8Array.from(d));
  const order: number[] = [];
  data.forEach((d, i) => keys.add(d, (body) => { order.push(i); return body; }));
  assert.ok(keys.length <= 3);
  keys.settle();
  assert.is(keys.length, 0);
  assert.equal(order, [0, 1, 2]);
  assert.equal(placed.map((p) => Buffer.from(p.body).equals(Buffer.from(compressPayload(copies[p.tag]!, defaultCompression)))), [true, true, true]);
});

test('drain() waits for the codec thread and places the keys in order; the same bytes either way', async () => {
  const { keys, placed } = rig();
  const data = [3, 4, 5, 6].map(payload);
  // Copies: a payload sent to the codec thread may be handed over (transferred) to it.
  const copies = data.map((d) => Uint8Array.from(d));
  const order: number[] = [];
  data.forEach((d, i) => keys.add(d, (body) => { order.push(i); return body; }));
  await keys.drain();
  assert.is(keys.length, 0);
  assert.equal(order, [0, 1, 2, 3]);
  for (const p of placed) assert.ok(Buffer.from(p.body).equals(Buffer.from(compressPayload(copies[p.tag]!, defaultCompression))), `key ${p.tag}`);
});

test('once the file is closed, a late compression places nothing by itself', async () => {
  const { keys, placed } = rig(true);
  keys.add(payload(7), (body) => body);
  await new Promise((r) => setTimeout(r, 200));
  assert.is(placed.length, 0);
  keys.settle();
  assert.is(placed.length, 1);
});

test.run();
