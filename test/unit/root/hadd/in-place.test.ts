// hadd with inputs appended whole (in-place.ts): the merged file equals a basket-by-basket merge
// (heppy's reader and jsroot), every basket key used in place points at itself, every byte not
// used is a free segment marked as ROOT marks deleted records, and small inputs are not appended
// by default.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';
import { makeAxis, makeHist1, fill1 } from '../../../../src/root/hist.js';
import { jsrootObject, jsrootSums, type JsHist } from '../write/jsroot-check.js';
import { repoRoot } from '../../../util/shared.js';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hadd-inplace-'));

async function input(path: string, entries: number, seed: number, sub = ''): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm: 'zlib' } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(20, 0, 10));
  const t = w.createTree({ name: 'events', dir: sub, branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
    { name: 'tag', type: 'string' }, { name: 'v', type: 'f4', shape: 'vector' },
  ] });
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = ((i * 7 + k) % 100) * 0.5;
    const x = ((i * 13 + seed) % 1000) * 0.01;
    t.fill({ x, n, pt: a.subarray(0, n), tag: `t${(i + seed) % 17}`, v: a.subarray(0, (n + 1) % 4) });
    fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

const in1 = join(dir, 'in1.root'), in2 = join(dir, 'in2.root'), in3 = join(dir, 'in3.root');
type Obj = { [k: string]: Json };
async function summary(path: string): Promise<Obj> {
  const f = await openRootFile(path);
  try { return await summarizeFile(f); } finally { f.close(); }
}

/** The free segments of a file (header → free-segments key → TFree records). */
function freeSegments(path: string): [number, number][] {
  const b = readFileSync(path);
  const big = b.readInt32BE(4) >= 1000000;
  const seekFree = big ? Number(b.readBigInt64BE(20)) : b.readInt32BE(16);
  const nbytesFree = big ? b.readInt32BE(28) : b.readInt32BE(20);
  const keylen = b.readInt16BE(seekFree + 14);
  const out: [number, number][] = [];
  for (let p = seekFree + keylen; p < seekFree + nbytesFree;) {
    const v = b.readInt16BE(p);
    if (v > 1000) { out.push([Number(b.readBigInt64BE(p + 2)), Number(b.readBigInt64BE(p + 10))]); p += 18; } else { out.push([b.readInt32BE(p + 2), b.readInt32BE(p + 6)]); p += 10; }
  }
  return out;
}

test('inputs appended whole: same summaries as the basket-by-basket merge, read by heppy and jsroot', async () => {
  await input(in1, 30000, 1);
  await input(in2, 20000, 2);
  await input(in3, 100, 3); // small: its last baskets stay inside the TTree key (rewritten as keys)
  const a = join(dir, 'appended.root'), c = join(dir, 'copied.root');
  const ra = await mergeRootFiles(a, [in1, in2, in3], { append: 'always' });
  const rc = await mergeRootFiles(c, [in1, in2, in3], { append: 'never' });
  assert.ok(ra.ok && rc.ok, JSON.stringify([ra, rc]));
  if (!ra.ok || !rc.ok) return;
  assert.is(ra.value.entries, 50100);
  const sa = await summary(a), sc = await summary(c);
  assert.equal(sa.keys, sc.keys);
  assert.equal(sa.trees, sc.trees);
  assert.equal(sa.histograms, sc.histograms);
  const names = ['x', 'n', 'pt', 'v'];
  const ja = await jsrootSums(a, 'events', names), jc = await jsrootSums(c, 'events', names);
  assert.is(ja.entries, 50100);
  assert.equal(ja, jc);
  const ha = await jsrootObject<JsHist>(a, 'hx'), hc = await jsrootObject<JsHist>(c, 'hx');
  assert.is(ha.fEntries, 50100);
  assert.equal(Array.from(ha.fArray), Array.from(hc.fArray));
  // The appended file holds the three inputs whole; what the merge did not reuse is free.
  const sizes = [in1, in2, in3].map((p) => statSync(p).size);
  assert.ok(statSync(a).size > sizes.reduce((s, n) => s + n, 0));
  const free = freeSegments(a);
  assert.ok(free.length >= 6, `free segments: ${JSON.stringify(free)}`); // at least each input's head and tail
  const bytes = readFileSync(a);
  for (const [first, last] of free.slice(0, -1)) {
    assert.ok(first > 0 && last >= first && last < bytes.length, `segment ${first}-${last}`);
    if (last - first + 1 >= 4) assert.is(bytes.readInt32BE(first), -(last - first + 1), `marker at ${first}`);
  }
  // Walking the records from the first key, as ROOT's TFile::Map does, meets only keys and free gaps.
  assert.ok(walkRecords(a) > 20);
});

/** Walks the records from the first key as ROOT's TFile::Map does: only keys (each pointing at itself) and free gaps; returns the keys met. */
function walkRecords(path: string): number {
  const bytes = readFileSync(path);
  let p = 100, keys = 0;
  const end = bytes.readInt32BE(4) >= 1000000 ? Number(bytes.readBigInt64BE(12)) : bytes.readInt32BE(12);
  while (p < end) {
    const n = bytes.readInt32BE(p);
    assert.ok(n !== 0, `record of 0 bytes at ${p}`);
    if (n > 0) {
      keys++;
      const big = bytes.readInt16BE(p + 4) > 1000;
      const seek = big ? Number(bytes.readBigInt64BE(p + 18)) : bytes.readInt32BE(p + 18);
      assert.is(seek, p, `key at ${p} says it is at ${seek}`);
    }
    p += Math.abs(n);
  }
  assert.is(p, end);
  return keys;
}

test('the output starts with the first appended input: its baskets stay where they are, its head is the output\'s', async () => {
  // 'm.root' is shorter than 'in1.root': the output's header and top directory record fit in in1's.
  const m = join(dir, 'm.root'), c = join(dir, 'm-copied.root');
  const rm = await mergeRootFiles(m, [in1, in2], { append: 'always' });
  const rc = await mergeRootFiles(c, [in1, in2], { append: 'never' });
  assert.ok(rm.ok && rc.ok, JSON.stringify([rm, rc]));
  const bm = readFileSync(m), b1 = readFileSync(in1);
  // The top directory record has in1's length (padded); everything after it up to in1's end is in1's bytes but for free-gap markers.
  const head = 100 + b1.readInt32BE(100);
  assert.is(bm.readInt32BE(100), b1.readInt32BE(100));
  const free = freeSegments(m);
  assert.ok(free[0]![0] >= head, `first free segment ${JSON.stringify(free[0])} starts after the head (${head})`);
  // in1's first basket key (right after its head) is unchanged: it already pointed at itself.
  const seekOf = (b: Buffer, p: number): number => (b.readInt16BE(p + 4) > 1000 ? Number(b.readBigInt64BE(p + 18)) : b.readInt32BE(p + 18));
  assert.is(seekOf(bm, head), head);
  assert.ok(bm.subarray(head, head + b1.readInt32BE(head)).equals(b1.subarray(head, head + b1.readInt32BE(head))));
  assert.ok(walkRecords(m) > 20);
  const sm = await summary(m), sc = await summary(c);
  assert.equal(sm.trees, sc.trees);
  assert.equal(sm.histograms, sc.histograms);
  const names = ['x', 'n', 'pt', 'v'];
  assert.equal(await jsrootSums(m, 'events', names), await jsrootSums(c, 'events', names));
});

test('without cat (PATH empty) the inputs are copied through user space: same result, keys patched after the copy', async () => {
  const m = join(dir, 'nocat.root'), c = join(dir, 'm-copied.root');
  const path = process.env.PATH;
  process.env.PATH = '';
  let r;
  try { r = await mergeRootFiles(m, [in1, in2, in3], { append: 'always' }); } finally { process.env.PATH = path; }
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(walkRecords(m) > 20);
  const names = ['x', 'n', 'pt', 'v'];
  const j = await jsrootSums(m, 'events', names);
  assert.is(j.entries, 50100);
  const first2 = await jsrootSums(c, 'events', names);
  assert.is(first2.entries, 50000);
});

test('a tree in a subdirectory: baskets used in place point at the subdirectory', async () => {
  const s1 = join(dir, 'sub1.root'), s2 = join(dir, 'sub2.root');
  await input(s1, 5000, 4, 'sel/jets');
  await input(s2, 5000, 5, 'sel/jets');
  const a = join(dir, 'sub-appended.root'), c = join(dir, 'sub-copied.root');
  const ra = await mergeRootFiles(a, [s1, s2], { append: 'always' }), rc = await mergeRootFiles(c, [s1, s2], { append: 'never' });
  assert.ok(ra.ok && rc.ok);
  const sa = await summary(a), sc = await summary(c);
  assert.equal(sa.trees, sc.trees);
  assert.is(((sa.trees as Obj)['sel/jets/events;1'] as Obj).entries, 10000);
  const js = await jsrootSums(a, 'sel/jets/events', ['x', 'n']);
  assert.is(js.entries, 10000);
});

test("'auto' copies small inputs basket by basket (no free segment but the tail)", async () => {
  const out = join(dir, 'auto.root');
  const r = await mergeRootFiles(out, [in1, in2], { append: 'auto' });
  assert.ok(r.ok);
  assert.is(freeSegments(out).length, 1);
  assert.ok(statSync(out).size < statSync(in1).size + statSync(in2).size);
});

test("'auto' appends an input of 4 MB or more made of tree baskets whole", async () => {
  const big = join(dir, 'big.root'), out = join(dir, 'default.root');
  // Incompressible doubles keep the file above APPEND_MIN_BYTES with few entries.
  const w = RootFileWriter.create(big, { compression: { algorithm: 'zlib' } });
  const t = w.createTree({ name: 'events', branches: [{ name: 'r', type: 'f8' }, { name: 'k', type: 'i4' }] });
  let x = 12345;
  for (let i = 0; i < 700_000; i++) { x = (x * 1103515245 + 12345) >>> 0; t.fill({ r: x / 4294967296, k: i }); }
  await w.close();
  assert.ok(statSync(big).size >= 4 * 1024 * 1024, `input of ${statSync(big).size} bytes`);
  const r = await mergeRootFiles(out, [big, big], { append: 'auto' });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  assert.is(r.value.entries, 1_400_000);
  assert.ok(freeSegments(out).length >= 3, 'the unused bytes of the appended inputs are free segments');
  walkRecords(out);
  const js = await jsrootSums(out, 'events', ['k']);
  assert.is(js.entries, 1_400_000);
  assert.is(js.sums.k, 699_999 * 700_000);
});

test('recompressed inputs are not appended (their baskets are rewritten)', async () => {
  const out = join(dir, 'recompressed.root');
  const r = await mergeRootFiles(out, [in1, in2], { append: 'always', recompress: true, compression: { algorithm: 'zstd', level: 5 } });
  assert.ok(r.ok, JSON.stringify(r));
  assert.is(freeSegments(out).length, 1);
  const s = await summary(out);
  assert.is(((s.trees as Obj)['events;1'] as Obj).entries, 50000);
});

test('heppy root merge --append-inputs always: the same entries, free segments in OUT; a bad value exits 2', () => {
  const bin = join(repoRoot, 'bin', 'heppy.js');
  const out = join(dir, 'cli.root');
  let p = spawnSync(process.execPath, [bin, 'root', 'merge', '--append-inputs', 'always', out, in1, in2], { encoding: 'utf8' });
  assert.is(p.status, 0, p.stderr);
  assert.match(p.stdout, /1 tree\(s\) with 50000 entries/);
  assert.ok(freeSegments(out).length >= 5);
  p = spawnSync(process.execPath, [bin, 'root', 'merge', '-f', '--append-inputs', 'sometimes', out, in1, in2], { encoding: 'utf8' });
  assert.is(p.status, 2);
  assert.match(p.stderr, /--append-inputs: expected auto, always or never, got "sometimes"/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
