import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRemote, storeSchemaCache } from '../../../src/schema/store-cache.js';
import type { Store } from '../../../src/store/store.js';
import type { DigestRecord } from '../../../src/store/records.js';

test('isRemote: a URL scheme, not a path', () => {
  assert.ok(isRemote('root://eos.cern.ch//a.root'));
  assert.ok(isRemote('https://h/a.root'));
  assert.not.ok(isRemote('/data/a.root'));
  assert.not.ok(isRemote('c:/data/a.root'));
});

/** The three store calls the schema cache makes, over maps. */
function fakeStore(digests: Map<string, DigestRecord>): { store: Store; schemas: Map<string, string> } {
  const schemas = new Map<string, string>();
  const store = {
    getDigest: (f: string) => digests.get(f),
    getSchema: (d: string, t: string) => schemas.get(`${d}/${t}`),
    putSchema: async (d: string, t: string, text: string) => { schemas.set(`${d}/${t}`, text); },
  } as unknown as Store;
  return { store, schemas };
}

test('digestOf: planned digests win; a local record counts while size, mtime and inode match; a remote record only with ino -1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-schema-cache-'));
  try {
    const f = join(dir, 'a.root');
    writeFileSync(f, 'abc');
    const st = statSync(f);
    const digests = new Map<string, DigestRecord>([
      [f, { size: 3, mtimeMs: st.mtimeMs, ino: st.ino, hash: 'h-local' }],
      [join(dir, 'changed.root'), { size: 3, mtimeMs: st.mtimeMs, ino: st.ino, hash: 'h-old' }],
      ['root://h//r.root', { size: 9, mtimeMs: 0, ino: -1, hash: 'h-remote' }],
      ['root://h//s.root', { size: 9, mtimeMs: 0, ino: 5, hash: 'h-odd' }],
    ]);
    writeFileSync(join(dir, 'changed.root'), 'abcd');
    const { store } = fakeStore(digests);
    const c = storeSchemaCache(store, new Map([['/planned.root', 'h-planned']]));
    assert.is(c.digestOf('/planned.root'), 'h-planned');
    assert.is(c.digestOf(f), 'h-local');
    assert.is(c.digestOf(join(dir, 'changed.root')), null);
    assert.is(c.digestOf(join(dir, 'unknown.root')), null);
    assert.is(c.digestOf('root://h//r.root'), 'h-remote');
    assert.is(c.digestOf('root://h//s.root'), null);
    rmSync(f);
    assert.is(c.digestOf(f), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('get/put: schemas stored as JSON by digest and tree; a corrupt or branchless one is a miss', () => {
  const { store, schemas } = fakeStore(new Map());
  const c = storeSchemaCache(store);
  const schema = { branches: [{ name: 'pt', type: 'f4' }] } as never;
  c.put('d1', 'Events', schema);
  assert.equal(c.get('d1', 'Events'), schema);
  assert.is(c.get('d1', 'Other'), undefined);
  schemas.set('d2/Events', '{broken');
  schemas.set('d3/Events', '{"branches": 3}');
  assert.is(c.get('d2', 'Events'), undefined);
  assert.is(c.get('d3', 'Events'), undefined);
});

test.run();
