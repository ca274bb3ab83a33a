import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adoptInfos, cachedInfos, infosKey, storeInfos, type ParsedInfos } from '../../../../src/root/read/streamers.js';
import { initDecompression } from '../../../../src/root/read/decompress.js';

await initDecompression();

test('infosKey: equal bytes give equal keys, different bytes different keys', () => {
  assert.is(infosKey(new Uint8Array([1, 2, 3])), infosKey(Uint8Array.from([1, 2, 3])));
  assert.is.not(infosKey(new Uint8Array([1, 2, 3])), infosKey(new Uint8Array([1, 2, 4])));
});

test('storeInfos / cachedInfos / adoptInfos: a file adopts the shared parsed record; a file without infos is not stored', () => {
  const k = infosKey(new TextEncoder().encode('record A'));
  assert.is(cachedInfos(k), undefined);
  storeInfos(k, { fStreamerInfos: null, fBasicTypes: 1, fStreamers: 2 });
  assert.is(cachedInfos(k), undefined);
  const first: ParsedInfos = { fStreamerInfos: ['TTree'], fBasicTypes: { a: 1 }, fStreamers: { TTree: 'fn' } };
  storeInfos(k, first);
  storeInfos(k, { fStreamerInfos: ['other'], fBasicTypes: null, fStreamers: null }); // the first stays
  const other: ParsedInfos = { fStreamerInfos: undefined, fBasicTypes: undefined, fStreamers: undefined };
  adoptInfos(other, cachedInfos(k)!);
  assert.is(other.fStreamerInfos, first.fStreamerInfos);
  assert.is(other.fStreamers, first.fStreamers);
});

test('the cache keeps the 32 newest records, dropping the oldest', () => {
  const keys = Array.from({ length: 33 }, (_, i) => infosKey(new TextEncoder().encode(`record ${i}`)));
  keys.forEach((k, i) => storeInfos(k, { fStreamerInfos: [i], fBasicTypes: null, fStreamers: null }));
  assert.is(cachedInfos(keys[0]!), undefined);
  assert.equal(cachedInfos(keys[32]!)?.fStreamerInfos, [32]);
  assert.equal(cachedInfos(keys[1]!)?.fStreamerInfos, [1]);
});

test.run();
