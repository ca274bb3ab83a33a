// root/zstd-wasm.ts: one instantiation of libzstd's wasm for reader and writer; its compress
// output decodes through the same module's ZSTD_decompress (the reader's path).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadZstdWasm } from '../../../src/root/zstd-wasm.js';

test('loaded once: concurrent and later calls share the module; a frame compressed by it decodes with it', async () => {
  const [a, b] = await Promise.all([loadZstdWasm(), loadZstdWasm()]);
  assert.ok(a === b, 'one load for concurrent callers');
  assert.ok((await loadZstdWasm()) === a, 'and for later ones');
  const src = new Uint8Array(50_000).map((_, i) => (i * 7) % 251);
  const z = a.compress(src, 5);
  assert.ok(z.length < src.length / 10, `compressed to ${z.length} bytes`);
  const m = a.module;
  const sp = m._malloc(z.length), dp = m._malloc(src.length);
  try {
    m.HEAPU8.set(z, sp);
    const n = m._ZSTD_decompress(dp, src.length, sp, z.length);
    assert.is(m._ZSTD_isError(n), 0);
    assert.is(n >>> 0, src.length);
    assert.equal(Buffer.compare(Buffer.from(m.HEAPU8.subarray(dp, dp + src.length)), Buffer.from(src)), 0);
  } finally { m._free(sp); m._free(dp); }
});

test.run();
