// A summary of a ROOT file shaped like ../shared/data/root/summaries/*.json (what
// `heppy root inspect --json` prints): keys, per tree and branch the count, sum, min and
// max of the values, per histogram its axes, statistics and sums of contents.
import type { NumType } from '../types.js';
import type { JsAxis, JsHist } from './jsroot.js';
import type { RootFileReader } from './file.js';
import type { TreeReader } from './tree.js';
import type { BranchPlan } from './branches.js';
import { StatsAcc } from './stats.js';
import { basketLeafList, basketStrings } from './records.js';
import { BasketError, type RawBasket } from './basket.js';
import { MemberError, walkBasket } from './members.js';
import { assertNever } from '../../util/result.js';
import { RootError } from '../errors.js';

export type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

const dtypes: Record<NumType, string> = {
  i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
  f4: 'float32', f8: 'float64', bool: 'bool',
};

const compressionNames: Record<string, string> = { none: 'none', ZL: 'zlib', L4: 'lz4', XZ: 'lzma', ZS: 'zstd' };

function statsKind(t: NumType): 'int' | 'big' | 'float' {
  return t === 'i8' || t === 'u8' ? 'big' : t === 'f4' || t === 'f8' ? 'float' : 'int';
}

export async function summarizeFile(f: RootFileReader): Promise<{ [k: string]: Json }> {
  const js = f.js;
  const out: { [k: string]: Json } = {
    file: f.path.split('/').pop()!,
    size: f.size,
    header: {
      fVersion: js.fVersion, fBEGIN: js.fBEGIN, fEND: js.fEND, fSeekFree: js.fSeekFree, fNbytesFree: js.fNbytesFree,
      fNbytesInfo: js.fNbytesInfo, fSeekInfo: js.fSeekInfo, fCompress: js.fCompress, fUnits: js.fUnits,
    },
  };
  const keys = f.keys();
  out.keys = keys.map((k) => ({ name: `${k.path};${k.cycle}`, class: k.className }));
  const trees: { [k: string]: Json } = {};
  const hists: { [k: string]: Json } = {};
  for (const k of keys) {
    const id = `${k.path};${k.cycle}`;
    if (k.className === 'TTree' || k.className === 'TNtuple' || k.className === 'TNtupleD') {
      trees[id] = await summarizeTree(await f.tree(id), k.className);
    } else if (/^TH[123][CSILFD]$|^TProfile/.test(k.className)) {
      // One damaged histogram is that histogram's error, not the file's.
      try {
        const o = (await f.object(id)) as JsHist;
        try { hists[id] = summarizeHist(o); } catch (e) { throw new RootError(f.path, k.path, `${k.className} is damaged: ${(e as Error).message}`); }
      } catch (e) {
        if (!(e instanceof RootError)) throw e;
        hists[id] = { class: k.className, error: e.reason };
      }
    }
  }
  out.trees = trees;
  out.histograms = hists;
  return out;
}

export async function summarizeTree(t: TreeReader, className = 'TTree'): Promise<{ [k: string]: Json }> {
  const branches: { [k: string]: Json } = {};
  for (const b of t.branches) {
    // A branch that cannot be decoded (or whose baskets are damaged) is that branch's error.
    const p = t.plan(b.name);
    try { branches[b.name] = await summarizeBranch(t, p); } catch (e) {
      if (!(e instanceof RootError)) throw e;
      branches[b.name] = { typename: p.info.typename, num_baskets: p.baskets.length, length: t.entries, kind: 'error', error: e.reason };
    }
  }
  return { class: className, entries: t.entries, branches };
}

async function summarizeBranch(t: TreeReader, p: BranchPlan): Promise<{ [k: string]: Json }> {
  const comp: { [k: string]: number } = {};
  const count = (c: string): void => {
    if (c === 'embedded') return;
    const n = compressionNames[c] ?? c;
    comp[n] = (comp[n] ?? 0) + 1;
  };
  const base: { [k: string]: Json } = { typename: p.info.typename, num_baskets: p.baskets.length, basket_compression: comp, length: t.entries };
  const layout = p.layout;
  switch (layout.kind) {
    case 'leaf': case 'vector': case 'pointer-array': case 'packed': case 'member': {
      // a member path of an object branch holds numbers or strings
      if (layout.kind === 'member' && p.info.type === null) return { ...base, ...(await memberStrings(t, p, layout, count)) };
      const acc = new StatsAcc(statsKind(p.info.type!));
      for (let i = 0; i < p.baskets.length; i++) {
        const { compression, column } = await t.basketColumn(p.info.name, i);
        count(compression);
        acc.add(column.values);
      }
      const s = acc.result();
      const jag: { [k: string]: Json } = p.info.shape === 'jagged' ? { counts_sum: s.count } : {};
      return { ...base, dtype: dtypes[p.info.type!], kind: p.info.shape, ...jag, count: s.count, sum: s.sum, min: s.min, max: s.max };
    }
    case 'string':
      return { ...base, ...await stringStats(t, p, count, (raw) => basketStrings(raw, p.info.typename === 'std::string'), BasketError) };
    case 'leaflist': {
      t.checkCoverage(p);
      const accs = layout.leaves.map((l) => new StatsAcc(statsKind(l.type)));
      for (let i = 0; i < p.baskets.length; i++) {
        const raw = await t.rawBasket(p, i);
        count(raw.compression);
        let cols;
        try { cols = basketLeafList(raw, layout.leaves); } catch (e) {
          if (e instanceof BasketError) throw t.err(p.info.name, `basket ${p.baskets[i]!.index}: ${e.message}`);
          throw e;
        }
        layout.leaves.forEach((l, j) => accs[j]!.add(cols[l.name]!));
      }
      const leaves: { [k: string]: Json } = {};
      layout.leaves.forEach((l, j) => {
        const s = accs[j]!.result();
        leaves[l.name] = { dtype: dtypes[l.type], kind: l.len > 1 ? 'fixed' : 'scalar', count: s.count, sum: s.sum, min: s.min, max: s.max };
      });
      return { ...base, kind: 'leaflist', leaves };
    }
    case 'unsupported':
      // Still read every basket: a damaged basket is an error even where values are not decoded.
      t.checkCoverage(p);
      for (let i = 0; i < p.baskets.length; i++) count((await t.rawBasket(p, i)).compression);
      return { ...base, kind: 'object', count: t.entries, unsupported: layout.why };
    default: return assertNever(layout, 'layout');
  }
}

/** The strings of one member path of an object branch (std::vector<std::string>, map keys, …). */
function memberStrings(t: TreeReader, p: BranchPlan, layout: Extract<BranchPlan['layout'], { kind: 'member' }>, count: (c: string) => void): Promise<{ [k: string]: Json }> {
  return stringStats(t, p, count, (raw) => {
    if (raw.offsets === null && raw.n > 0) throw new MemberError('variable-length basket has no entry offsets');
    return walkBasket(layout.node, [layout.leaf], raw.data, raw.offsets ?? new Int32Array(1), raw.n, layout.root).sink.strs.get(layout.leaf.path)!;
  }, MemberError);
}

/** Count, total length and first value of a string branch, basket by basket; a decoding error names the basket. */
async function stringStats(t: TreeReader, p: BranchPlan, count: (c: string) => void, decode: (raw: RawBasket) => string[],
  DecodeError: new (...a: never[]) => Error): Promise<{ [k: string]: Json }> {
  t.checkCoverage(p);
  let n = 0, total = 0;
  let first: string | null = null;
  for (let i = 0; i < p.baskets.length; i++) {
    const raw = await t.rawBasket(p, i);
    count(raw.compression);
    let strs: string[];
    try { strs = decode(raw); } catch (e) {
      if (e instanceof DecodeError) throw t.err(p.info.name, `basket ${p.baskets[i]!.index}: ${e.message}`);
      throw e;
    }
    for (const v of strs) { if (first === null) first = v; n++; total += v.length; }
  }
  return { kind: 'string', count: n, total_length: total, first };
}

function axisJson(a: JsAxis): Json {
  return { fNbins: a.fNbins, fXmin: a.fXmin, fXmax: a.fXmax, variable: !!(a.fXbins && a.fXbins.length > 0) };
}

export function summarizeHist(o: JsHist & { fBinEntries?: ArrayLike<number>; fZaxis?: JsAxis }): { [k: string]: Json } {
  if (!o.fXaxis || !o.fArray || typeof o.fEntries !== 'number') throw new Error('axes or contents missing');
  const ndim = /^TH2|^TProfile2/.test(o._typename) ? 2 : /^TH3|^TProfile3/.test(o._typename) ? 3 : 1;
  const axes = [o.fXaxis, o.fYaxis, o.fZaxis].slice(0, ndim) as JsAxis[];
  if (axes.some((a) => !a || !Number.isInteger(a.fNbins) || a.fNbins < 1)) throw new Error('an axis is missing or has no bins');
  const arr = o.fArray ?? [];
  const sumOf = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]!; return s; };
  // A profile's bin value is its mean (sum of w·y over sum of w), as uproot's values() gives it.
  const be = o._typename.startsWith('TProfile') ? o.fBinEntries : undefined;
  const cells = be ? Array.from(o.fArray, (v, i) => (be[i]! > 0 ? v / be[i]! : 0)) : o.fArray;
  let inner = 0;
  const nx = axes[0]!.fNbins + 2, ny = ndim > 1 ? axes[1]!.fNbins + 2 : 1, nz = ndim > 2 ? axes[2]!.fNbins + 2 : 1;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 1; x < nx - 1; x++) {
    if ((ndim > 1 && (y === 0 || y === ny - 1)) || (ndim > 2 && (z === 0 || z === nz - 1))) continue;
    inner += cells[x + nx * (y + ny * z)] ?? 0;
  }
  const out: { [k: string]: Json } = {
    class: o._typename, title: o.fTitle, ndim, nbins: axes.map((a) => a.fNbins), ncells: arr.length,
    sum_all_bins: sumOf(cells), sum_inner_bins: inner,
    axes: axes.map(axisJson), fEntries: o.fEntries,
    fTsumw: o.fTsumw, fTsumw2: o.fTsumw2, fTsumwx: o.fTsumwx, fTsumwx2: o.fTsumwx2,
  };
  // Every further statistic the class keeps (2D/3D: y, z and cross terms; profiles: the profiled value).
  const oo = o as unknown as Record<string, unknown>;
  for (const f of ['fTsumwy', 'fTsumwy2', 'fTsumwxy', 'fTsumwz', 'fTsumwz2', 'fTsumwxz', 'fTsumwyz', 'fTsumwt', 'fTsumwt2']) {
    if (typeof oo[f] === 'number') out[f] = oo[f] as number;
  }
  out.sumw2_len = o.fSumw2?.length ?? 0;
  out.sumw2_sum = sumOf(o.fSumw2 ?? []);
  out.fArray_len = arr.length;
  out.fArray_sum = sumOf(arr);
  if (o.fBinEntries) out.binentries_sum = sumOf(o.fBinEntries);
  const bs = oo.fBinSumw2 as ArrayLike<number> | undefined;
  if (o._typename.startsWith('TProfile')) { out.binsumw2_len = bs?.length ?? 0; out.binsumw2_sum = sumOf(bs ?? []); }
  return out;
}

/** JSON text with BigInts written as exact integers and NaN as "nan" (as the summaries do). */
export function toJsonText(v: Json): string {
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `__bigint__${x.toString()}`;
    if (typeof x === 'number' && !Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
    return x;
  }, 1);
  return text.replace(/"__bigint__(-?\d+)"/g, '$1');
}
