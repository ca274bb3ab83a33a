import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool, hashPool } from '../../../src/fingerprint/hash-pool.js';
import { hashFile, hashFileSync, hasherImpl } from '../../../src/fingerprint/hash-file.js';
import { hashBytes, initHash } from '../../../src/fingerprint/hash.js';
import { FileDigests } from '../../../src/fingerprint/digests.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hashpool-'));

test('the pool gives the digests of the calling thread, several files at once, and names a missing file', async () => {
  const files: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = join(dir, `f${i}`);
    const b = Buffer.alloc((3 << 20) + i * 7919);
    for (let j = 0; j < b.length; j += 4099) b[j] = (i * 31 + j) & 0xff;
    writeFileSync(p, b);
    files.push(p);
  }
  const pool = new HashPool(2);
  const got = await Promise.all(files.map((f) => pool.hash(f)));
  const want = await Promise.all(files.map((f) => hashFile(f)));
  assert.equal(got, want);
  assert.is(new Set(got).size, 5);
  try {
    await pool.hash(join(dir, 'missing'));
    assert.unreachable('a missing file must fail');
  } catch (err) {
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  }
  await pool.close();
});

test('hashFile and hashFileSync give xxh64 of the whole content (hash.ts one-shot) at every size around the read sizes', async () => {
  await initHash();
  for (const n of [0, 1, 31, 32, 33, (256 << 10) - 1, 256 << 10, (256 << 10) + 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (4 << 20) + 17, (5 << 20) + 3]) {
    const p = join(dir, `size-${n}`);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j += 7) b[j] = (j * 131) & 0xff;
    writeFileSync(p, b);
    const want = hashBytes(readFileSync(p));
    assert.is(await hashFile(p), want, `hashFile, ${n} bytes`);
    assert.is(await hashFileSync(p), want, `hashFileSync, ${n} bytes`);
  }
  // Several streams at once keep their own state.
  const ps = [0, 1, 2].map((i) => { const p = join(dir, `par-${i}`); writeFileSync(p, Buffer.alloc((3 << 20) + i, i + 1)); return p; });
  assert.equal(await Promise.all(ps.map((p) => hashFile(p))), ps.map((p) => hashBytes(readFileSync(p))));
});

test('a digest pass with enough to hash sends the files of 1 MiB and more to the hash threads, the small ones not', async () => {
  await initHash();
  const big = [0, 1, 2].map((i) => { const p = join(dir, `big-${i}`); writeFileSync(p, Buffer.alloc((1 << 20) + i * 4099, 7 * i + 3)); return p; });
  const small = join(dir, 'small');
  writeFileSync(small, 'small input');
  const store = { getDigest: () => undefined, putDigest: async () => undefined, getDigestSet: () => undefined, putDigestSet: async () => undefined };
  const d = new FileDigests(store, false, 0);
  const r = await d.digestAll([...big, small]);
  for (const p of [...big, small]) {
    const x = r.get(p)!;
    assert.ok(x.ok);
    if (x.ok) assert.is(x.value, hashBytes(readFileSync(p)));
  }
  assert.is(d.stats.hashed, 4);
  assert.is(d.stats.pooled, hashPool() === null ? 0 : 3); // no threads on one core
  // Below the pass threshold (the default 128 MiB) everything is hashed in the calling thread.
  const d2 = new FileDigests(store);
  await d2.digestAll([...big, small]);
  assert.is(d2.stats.hashed, 4);
  assert.is(d2.stats.pooled, 0);
});


test('the native hasher (where its binary loads), the portable wasm one (HEPPY_HASH_IMPL=wasm) and xxhsum -H64 give the same digests', async () => {
  const files = [0, 77, (256 << 10) + 5, (2 << 20) + 9].map((n, i) => {
    const p = join(dir, `impl-${i}`);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j += 3) b[j] = (j * 7 + i) & 0xff;
    writeFileSync(p, b);
    return p;
  });
  if (process.platform === 'linux' && process.arch === 'x64') assert.is(await hasherImpl(), 'native', '@node-rs/xxhash ships a linux-x64 binary');
  const here = await Promise.all(files.map((f) => hashFileSync(f)));
  const mod = new URL('../../../src/fingerprint/hash-file.js', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(mod)}); const out = [await m.hasherImpl()];
    for (const f of ${JSON.stringify(files)}) out.push(await m.hashFileSync(f), await m.hashFile(f));
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, HEPPY_HASH_IMPL: 'wasm' }, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [impl, ...wasm] = JSON.parse(r.stdout) as string[];
  assert.is(impl, 'wasm');
  assert.equal(wasm, here.flatMap((h) => [h, h]));
  const x = spawnSync('xxhsum', ['-H64', ...files], { encoding: 'utf8' });
  if (x.status !== 0) { console.log('SKIP: xxhsum not installed (native and wasm compared with each other only)'); return; }
  assert.equal(x.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), here);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
