// The codec thread (src/root/codec-ahead.ts): the same bytes (and errors) as decoding and
// encoding on the calling thread, columns read with decode-ahead equal to those read without,
// and tree files written with compressAhead equal in layout to those written at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecThreadEnabled, compressAhead, decompressAhead } from '../../../src/root/codec-ahead.js';
import { decompress, initDecompression } from '../../../src/root/read/decompress.js';
import { compressPayload, prepareCompression, type Algorithm } from '../../../src/root/write/compress.js';
import { RootFileWriter } from '../../../src/root/write/index.js';
import { openRootFile, TreeReader, type Batch } from '../../../src/root/read/index.js';
import { makeAxis, makeHist1, fill1 } from '../../../src/root/hist.js';

process.env.HEPPY_CODEC_THREAD = 'all'; // the thread (off by default), for work of every size
const dir = mkdtempSync(join(tmpdir(), 'heppy-codec-ahead-'));
const N = 5000;

/** Bytes that compress with every algorithm (rounded floats). */
function sample(n: number, seed: number): Uint8Array {
  const f = new Float32Array(n / 4);
  for (let i = 0; i < f.length; i++) f[i] = Math.round(Math.sin(i * 0.37 + seed) * 8) / 4;
  return new Uint8Array(f.buffer);
}

test('codec thread: same bytes as compressing and decompressing here, for every algorithm', async () => {
  assert.ok(codecThreadEnabled());
  await initDecompression();
  for (const algorithm of ['zlib', 'lz4', 'zstd'] as Algorithm[]) {
    await prepareCompression({ algorithm }); // for the comparison here: the thread prepares its own
    const srcs = [sample(70_000, 1), sample(4096, 2), sample(200_000, 3)];
    // Submitted in one tick: one message for the three.
    const zs = await Promise.all(srcs.map((s) => compressAhead(s, { algorithm })));
    zs.forEach((z, k) => assert.equal(Buffer.compare(Buffer.from(z), Buffer.from(compressPayload(srcs[k]!, { algorithm }))), 0, `${algorithm} compress ${k}`));
    zs.forEach((z, k) => assert.ok(z.length < srcs[k]!.length, `${algorithm} ${k} compresses`));
    const outs = await Promise.all(zs.map((z, k) => decompressAhead(z, srcs[k]!.length)));
    outs.forEach((o, k) => assert.equal(Buffer.compare(Buffer.from(o), Buffer.from(srcs[k]!)), 0, `${algorithm} round trip ${k}`));
  }
});

test('codec thread: a corrupt block fails with the message decompress() gives here', async () => {
  const z = compressPayload(sample(70_000, 4), { algorithm: 'zlib' }).slice();
  z[40] ^= 0xff; z[41] ^= 0xff; z[200] ^= 0x5a;
  let here = '', there = '';
  try { await decompress(z, 70_000); } catch (e) { here = (e as Error).message; }
  try { await decompressAhead(z, 70_000); } catch (e) { there = (e as Error).message; }
  assert.ok(here !== '', 'corrupted input fails');
  assert.is(there, here);
  // The thread is still usable after a failed job.
  const ok = compressPayload(sample(8000, 5), { algorithm: 'zlib' });
  assert.is((await decompressAhead(ok, 8000)).length, 8000);
});

/** A tree with small baskets (several windows), flat, jagged and fixed branches, and a histogram. */
async function writeTree(path: string, compressAhead: boolean, histAfter: boolean): Promise<void> {
  const w = RootFileWriter.create(path, { compressAhead });
  assert.is(w.compressAhead, compressAhead);
  const t = w.createTree({ name: 'events', basketBytes: 4096, branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
    { name: 'q', type: 'i1', shape: { counter: 'n' } }, { name: 'p3', type: 'f4', shape: { fixed: 3 } }, { name: 'id', type: 'i8' },
  ] });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(20, -1, 1));
  for (let i = 0; i < N; i++) {
    const n = (i * 7) % 5;
    t.fill({ x: Math.sin(i), n, pt: Array.from({ length: n }, (_, k) => i + k * 0.5), q: Array.from({ length: n }, (_, k) => (k % 2 ? 1 : -1)), p3: [i, -i, 0.5], id: i * 3 });
    fill1(h, Math.sin(i));
    // A histogram key in the middle: the baskets still compressing are written before it.
    if (histAfter && i === N / 2) w.writeHist(h);
  }
  await w.close();
}

async function readAll(path: string, decodeAhead: boolean, prefetch: boolean): Promise<string> {
  const f = await openRootFile(path);
  try {
    const t = await f.tree('events');
    assert.ok(t instanceof TreeReader);
    t.decodeAhead = decodeAhead;
    const names = ['x', 'n', 'pt', 'q', 'p3', 'id'];
    if (prefetch) t.prefetch(names, 1000, 4000);
    const parts: string[] = [];
    let windows = 0;
    for await (const b of t.batches(names, 1000, 4000) as AsyncIterable<Batch>) {
      windows++;
      for (const n of names) {
        const c = b.columns[n]!;
        parts.push(`${b.start}-${b.stop} ${n} ${Array.from(c.values as ArrayLike<unknown>, String).join(',')}${'offsets' in c ? ` / ${Array.from(c.offsets).join(',')}` : ''}`);
      }
    }
    assert.ok(windows > 3, `several windows (${windows})`);
    return parts.join('\n');
  } finally {
    f.close();
  }
}

test('decode-ahead: the same columns as reading on this thread, with and without prefetch', async () => {
  const p = join(dir, 'read.root');
  await writeTree(p, false, false);
  const plain = await readAll(p, false, false);
  assert.ok(plain.includes('1000-'), 'starts at entry 1000');
  assert.is(await readAll(p, true, false), plain);
  assert.is(await readAll(p, true, true), plain);
});

test('compressAhead: the same file layout as compressing at once, values read back', async () => {
  for (const histAfter of [false, true]) {
    const a = join(dir, `a-${histAfter}.root`), b = join(dir, `b-${histAfter}.root`); // names of one length: the name is in the file
    await writeTree(a, false, histAfter);
    await writeTree(b, true, histAfter);
    const ba = readFileSync(a), bb = readFileSync(b);
    assert.is(bb.length, ba.length, 'same size');
    // Only the file's UUID (random) and the creation times differ: the same bytes elsewhere.
    let diff = 0;
    for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) diff++;
    assert.ok(diff < 200, `${diff} bytes differ`);
    assert.is(await readAll(b, false, false), await readAll(a, false, false));
    if (histAfter) {
      const f = await openRootFile(b);
      try { assert.is((await f.hist('hx'))?.entries, N / 2 + 1); } finally { f.close(); }
    }
  }
});

test.after(() => { if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); });
test.run();
