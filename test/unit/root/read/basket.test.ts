// decodeBasket on hand-made baskets: a jagged numeric basket's byte offsets become value offsets
// (in place, in the basket's own array) and a misaligned entry is refused, naming the entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BasketError, decodeBasket, type RawBasket } from '../../../../src/root/read/basket.js';
import type { BranchPlan } from '../../../../src/root/read/branches.js';

/** A jagged float branch's plan (only what decodeBasket reads). */
function jaggedF4(): BranchPlan {
  return {
    info: { name: 'pt', type: 'f4', shape: 'jagged' }, layout: { kind: 'leaf' }, mult: 1,
    entries: 3, baskets: [], hasOffsets: true,
  } as unknown as BranchPlan;
}

/** Big-endian floats after `lead` header bytes, and the entries' byte offsets (n + 1). */
function basket(values: number[][], lead: number): RawBasket {
  const flat = values.flat();
  const data = new Uint8Array(lead + 4 * flat.length);
  const dv = new DataView(data.buffer);
  flat.forEach((v, i) => dv.setFloat32(lead + 4 * i, v));
  const offsets = new Int32Array(values.length + 1);
  let at = lead;
  values.forEach((v, i) => { offsets[i] = at; at += 4 * v.length; });
  offsets[values.length] = at;
  return { data, offsets, n: values.length, compression: 'none', owned: true };
}

test('a jagged float basket: values, value offsets from 0, the offsets array reused', () => {
  const raw = basket([[1.5, 2.5], [], [3.25, 4, 5]], 8);
  const own = raw.offsets!;
  const d = decodeBasket(jaggedF4(), raw);
  assert.equal([...d.values], [1.5, 2.5, 3.25, 4, 5]);
  assert.equal([...d.offsets!], [0, 2, 2, 5]);
  assert.is(d.n, 3);
  assert.ok(d.offsets === own, 'converted in the basket\'s own array');
  assert.is(raw.offsets, null, 'no longer byte offsets: taken from the raw basket');
});

test('an entry starting inside a value is refused, naming the entry', () => {
  const raw = basket([[1, 2], [3], [4]], 0);
  raw.offsets![2] = raw.offsets![2]! + 2; // entry 2 starts in the middle of a float
  try {
    decodeBasket(jaggedF4(), raw);
    assert.unreachable('must throw');
  } catch (e) {
    assert.ok(e instanceof BasketError);
    assert.is((e as Error).message, 'entry 2 starts inside a 4-byte value');
  }
});

test.run();
