import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { infoLookupOf } from '../../../../src/root/read/infos.js';
import type { JsStreamerInfo } from '../../../../src/root/read/jsroot.js';

/** A streamer info of class `name`, version `v`, with members (and a base class, which is not a member). */
const info = (name: string, v: number, members: string[]): JsStreamerInfo => ({
  fName: name, fClassVersion: v,
  fElements: { arr: [{ fName: 'TNamed', fTypeName: 'BASE', fType: 67 }, ...members.map((m) => ({ fName: m, fTypeName: 'int', fType: 3 }))] },
}) as unknown as JsStreamerInfo;

test("infoLookupOf: the inputs' info whose members the object has, else the built-in one, else the first known; null for an unknown class", () => {
  const v1 = info('TBranch', 12, ['fCompress', 'fBasketSize']);
  const v13 = info('TBranch', 13, ['fCompress', 'fBasketSize', 'fIOFeatures']);
  const builtinV13 = info('TBranch', 13, ['fCompress', 'fBasketSize', 'fIOFeatures', 'fEntryOffsetLen']);
  const lookup = infoLookupOf([[v13, null], [v1]], [builtinV13, info('TLeafF', 1, ['fMinimum'])]);
  assert.is(lookup('TBranch', { fCompress: 1, fBasketSize: 2, fIOFeatures: 0 }) as unknown, v13);
  assert.is(lookup('TBranch', { fCompress: 1, fBasketSize: 2 }) as unknown, v1);
  assert.is((lookup('TLeafF', { fMinimum: 0 }) as unknown as JsStreamerInfo).fName, 'TLeafF');
  // No candidate fits: the inputs' first.
  assert.is(lookup('TBranch', {}) as unknown, v13);
  assert.is(lookup('TH1D', {}), null);
});

test('infoLookupOf: built-in infos given lazily are asked for once, only when the inputs have no fitting one', () => {
  let calls = 0;
  const own = info('TTree', 20, ['fEntries']);
  const lookup = infoLookupOf([[own]], () => { calls++; return [info('TTree', 20, ['fEntries']), info('TNamed', 1, [])]; });
  assert.is(lookup('TTree', { fEntries: 5 }) as unknown, own);
  assert.is(calls, 0);
  assert.is((lookup('TNamed', {}) as unknown as JsStreamerInfo).fName, 'TNamed');
  lookup('TNamed', {});
  assert.is(calls, 1);
});

test.run();
