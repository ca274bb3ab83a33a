// hadd's native decoder of trees and histograms (fast-decode.ts) against jsroot: on every tree
// and histogram of the shared files and of files heppy writes, each member the fast decoder gives
// equals jsroot's (numbers, strings, arrays, nested branches and leaves, leaf-count references);
// baskets kept inside a TTree's key included (their bytes compared); nothing is refused there.
// Then a merge of many inputs (the fast path for all but the first) equals the sums of its inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { decompress, initDecompression } from '../../../../src/root/read/decompress.js';
import { readRawKeys, Source } from '../../../../src/root/hadd/keys.js';
import { decodeKeyObject, decodeStreamerInfoList, FastPathUnsupported, InfoSet } from '../../../../src/root/read/fast-decode.js';
import { decodeInfoList } from '../../../../src/root/read/jsroot.js';
import { streamerInfoPayload } from '../../../../src/root/write/streamers.js';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';
import { fill1, makeAxis, makeHist1 } from '../../../../src/root/hist.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { sharedRootDir } from '../../../util/shared.js';

const shared = sharedRootDir();
const dir = mkdtempSync(join(tmpdir(), 'heppy-fast-decode-'));
const DECODED = /^(TTree|TNtuple|TNtupleD|TH[123][CSILFD]|TProfile|TProfile2D|TProfile3D)$/;

/** Differences between the fast decoder's object and jsroot's, for every member the fast one has. */
function diff(a: unknown, b: unknown, path: string, seen: Set<object>, out: string[]): void {
  if (out.length > 5 || a === b) return;
  if (typeof a === 'number') { if (!(Number(b) === a || (Number.isNaN(a) && Number.isNaN(Number(b))))) out.push(`${path}: ${a} vs ${String(b)}`); return; }
  if (typeof a === 'boolean') { if (a !== Boolean(b)) out.push(`${path}: ${a} vs ${String(b)}`); return; }
  if (typeof a === 'string') { if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`); return; }
  if (a === null || a === undefined) { if (b !== null && b !== undefined) out.push(`${path}: null vs ${typeof b}`); return; }
  if (typeof a !== 'object') { out.push(`${path}: unexpected ${typeof a}`); return; }
  if (b === null || typeof b !== 'object') { out.push(`${path}: object vs ${String(b)}`); return; }
  if (seen.has(a)) return;
  seen.add(a);
  if (a instanceof DataView) { // an embedded basket's bytes
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array((b as DataView).buffer, (b as DataView).byteOffset, (b as DataView).byteLength);
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) out.push(`${path}: basket bytes differ`);
    return;
  }
  if ('length' in a) {
    const x = a as ArrayLike<unknown>, y = b as ArrayLike<unknown>;
    if (x.length !== y.length) { out.push(`${path}: length ${x.length} vs ${y.length}`); return; }
    for (let i = 0; i < x.length; i++) diff(x[i], y[i], `${path}[${i}]`, seen, out);
    return;
  }
  for (const k of Object.keys(a)) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, seen, out);
}

async function compareFile(path: string): Promise<{ same: number; refused: string[]; differ: string[] }> {
  await initDecompression();
  const r = await openRootFile(path);
  const src = new Source(path);
  const res = { same: 0, refused: [] as string[], differ: [] as string[] };
  try {
    const set = new InfoSet(r.js.fStreamerInfos?.arr ?? []);
    for (const k of readRawKeys(src).keys) {
      if (!DECODED.test(k.className)) continue;
      const raw = src.read(k.seek + k.keylen, k.nbytes - k.keylen, k.path);
      const bytes = raw.length === k.objlen ? raw : await decompress(raw, k.objlen);
      let fast;
      try { fast = decodeKeyObject(bytes, k.keylen, k.className, set); } catch (e) {
        assert.ok(e instanceof FastPathUnsupported, `${path} ${k.path}: ${(e as Error).message}`);
        res.refused.push(`${k.path}: ${(e as Error).message}`);
        continue;
      }
      const out: string[] = [];
      diff(fast, await r.object(`${k.path};${k.cycle}`), k.path, new Set(), out);
      if (out.length > 0) res.differ.push(`${path} ${out.join(' | ')}`); else res.same++;
    }
  } finally { src.close(); r.close(); }
  return res;
}

/** jsroot's object without its own bookkeeping ($kind, methods), to compare both ways. */
function plain(o: unknown, seen = new Map<object, unknown>()): unknown {
  if (o === null || typeof o !== 'object') return o;
  if (seen.has(o)) return seen.get(o);
  if (ArrayBuffer.isView(o)) return Array.from(o as unknown as ArrayLike<number>);
  if (Array.isArray(o)) { const a: unknown[] = []; seen.set(o, a); for (const x of o) a.push(plain(x, seen)); return a; }
  const r: Record<string, unknown> = {};
  seen.set(o, r);
  for (const [k, v] of Object.entries(o)) if (!k.startsWith('$') && typeof v !== 'function') r[k] = plain(v, seen);
  return r;
}

/** The StreamerInfo list of a file decoded natively, and as jsroot's TFile holds it. */
async function infoLists(path: string): Promise<{ native: unknown; js: unknown }> {
  await initDecompression();
  const src = new Source(path);
  const r = await openRootFile(path);
  try {
    const raw = readRawKeys(src);
    const key = src.read(raw.seekInfo, raw.nbytesInfo, 'StreamerInfo');
    const keylen = new DataView(key.buffer, key.byteOffset).getInt16(14), objlen = new DataView(key.buffer, key.byteOffset).getInt32(6);
    const body = key.subarray(keylen);
    const bytes = body.length === objlen ? body : await decompress(body, objlen);
    const native = decodeStreamerInfoList(bytes, keylen);
    // openRootFile appends heppy's built-in infos of classes the file lacks (read/infos.ts supplementInfos): not the file's.
    return { native: plain(native), js: plain((r.js.fStreamerInfos?.arr ?? []).slice(0, native.length)) };
  } finally { src.close(); r.close(); }
}

async function writeInput(path: string, entries: number, seed: number): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm: 'zlib' } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(20, 0, 10));
  const t = w.createTree({ name: 'events', branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
    { name: 'tag', type: 'string' }, { name: 'v', type: 'f4', shape: 'vector' },
  ] });
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = k + 0.5;
    const x = ((i * 7 + seed) % 100) * 0.1;
    t.fill({ x, n, pt: a.subarray(0, n), tag: `t${i % 5}`, v: a.subarray(0, (n + 1) % 4) });
    fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

test('fast decoder equals jsroot on trees and histograms written by heppy', async () => {
  const p = join(dir, 'heppy.root');
  await writeInput(p, 5000, 1);
  const r = await compareFile(p);
  assert.equal(r.differ, []);
  assert.equal(r.refused, []);
  assert.equal(r.same, 2); // the tree and the histogram
});

if (shared !== null) {
  test('fast decoder equals jsroot on every tree and histogram of the shared files it covers', async () => {
    const files = [...readdirSync(shared).map((f) => join(shared, f)), ...readdirSync(join(shared, 'written-by-uproot')).map((f) => join(shared, 'written-by-uproot', f))]
      .filter((f) => f.endsWith('.root'));
    let same = 0;
    const refused: string[] = [];
    for (const f of files) {
      const r = await compareFile(f);
      assert.equal(r.differ, [], f);
      same += r.same;
      refused.push(...r.refused.map((x) => `${f.split('/').pop()!} ${x}`));
    }
    // Measured: all 87 trees and histograms decoded identically (9 trees with baskets inside their key).
    assert.ok(same >= 87, `only ${same} objects decoded natively`);
    assert.equal(refused, []);
  });
}

test('StreamerInfo decoded natively equals jsroot\'s: a file heppy writes and heppy\'s built-in records', async () => {
  const p = join(dir, 'infos.root');
  await writeInput(p, 100, 1);
  const { native, js } = await infoLists(p);
  assert.equal(native, js);
  assert.ok((native as unknown[]).length >= 5);
  const r = await openRootFile(p);
  try {
    const builtin = streamerInfoPayload(0);
    const n = (decodeStreamerInfoList(builtin, 0) as { _typename: string }[]).filter((x) => x._typename === 'TStreamerInfo');
    assert.equal(plain(n), plain(await decodeInfoList(r.js, builtin, 0)));
    assert.ok(n.length > 20, `${n.length} built-in records`);
  } finally { r.close(); }
});

if (shared !== null) {
  test('StreamerInfo decoded natively equals jsroot\'s on every shared file, or is refused (jsroot then decodes it)', async () => {
    const files = [...readdirSync(shared).map((f) => join(shared, f)), ...readdirSync(join(shared, 'written-by-uproot')).map((f) => join(shared, 'written-by-uproot', f))]
      .filter((f) => f.endsWith('.root'));
    let same = 0;
    const refused: string[] = [];
    for (const f of files) {
      let lists;
      try { lists = await infoLists(f); } catch (e) {
        if (!(e instanceof FastPathUnsupported)) throw e;
        refused.push(`${f.split('/').pop()!}: ${e.message}`);
        continue;
      }
      assert.equal(lists.native, lists.js, f);
      same++;
    }
    // Measured: all 37 decoded natively.
    assert.equal(refused, []);
    assert.is(same, files.length);
  });
}

test('merge of many inputs (native decoding for all but the first) adds up', async () => {
  const base = join(dir, 'in0.root');
  await writeInput(base, 3000, 2);
  const other = join(dir, 'other.root');
  await writeInput(other, 1000, 3);
  const ins = [base];
  for (let i = 1; i < 40; i++) { const p = join(dir, `in${i}.root`); copyFileSync(i % 10 === 5 ? other : base, p); ins.push(p); }
  const out = join(dir, 'many.root');
  const m = await mergeRootFiles(out, ins);
  if (!m.ok) throw new Error(JSON.stringify(m.error));
  assert.equal(m.value.entries, 36 * 3000 + 4 * 1000);
  const sum = async (p: string): Promise<Record<string, Json>> => { const f = await openRootFile(p); try { return await summarizeFile(f); } finally { f.close(); } };
  const [s0, s1, got] = [await sum(base), await sum(other), await sum(out)];
  const tree = (s: Record<string, Json>): Record<string, Record<string, Json>> => ((s.trees as Record<string, Json>)['events;1'] as Record<string, Json>).branches as Record<string, Record<string, Json>>;
  for (const b of ['x', 'n', 'pt', 'v']) {
    const want = 36 * Number(tree(s0)[b]!.sum) + 4 * Number(tree(s1)[b]!.sum);
    assert.ok(Math.abs(Number(tree(got)[b]!.sum) - want) <= 1e-9 * Math.abs(want), `${b}: ${String(tree(got)[b]!.sum)} vs ${want}`);
    assert.equal(Number(tree(got)[b]!.count), 36 * Number(tree(s0)[b]!.count) + 4 * Number(tree(s1)[b]!.count), `${b} count`);
  }
  const hist = (s: Record<string, Json>): Record<string, Json> => (s.histograms as Record<string, Json>)['hx;1'] as Record<string, Json>;
  assert.equal(Number(hist(got).fEntries), 36 * 3000 + 4 * 1000);
  assert.equal(Number(hist(got).sum_all_bins), 36 * 3000 + 4 * 1000);
  const wx = 36 * Number(hist(s0).fTsumwx) + 4 * Number(hist(s1).fTsumwx);
  assert.ok(Math.abs(Number(hist(got).fTsumwx) - wx) <= 1e-9 * wx, `fTsumwx ${String(hist(got).fTsumwx)} vs ${wx}`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
