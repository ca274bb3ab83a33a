// Adds histograms as jsroot decodes them, whatever their class: TH1/TH2/TH3 of every precision
// (C, S, I, L, F, D) and TProfile/TProfile2D/TProfile3D. Contents, fSumw2, the profiles'
// fBinEntries and fBinSumw2, fEntries and every fTsumw* statistic are summed; an array that no
// input has (fSumw2 of a histogram never given Sumw2()) stays absent. The sum is streamed back
// in the class version the inputs use.

type Obj = Record<string, unknown>;

export const ADDABLE = /^(TH[123][CSILFD]|TProfile|TProfile2D|TProfile3D)$/;

/** Statistics ROOT keeps as plain sums over fills (every one of them that the class has). */
const STATS = ['fEntries', 'fTsumw', 'fTsumw2', 'fTsumwx', 'fTsumwx2', 'fTsumwy', 'fTsumwy2', 'fTsumwxy',
  'fTsumwz', 'fTsumwz2', 'fTsumwxz', 'fTsumwyz', 'fTsumwt', 'fTsumwt2'];

const ranges: Record<string, [number, number] | undefined> = {
  C: [-128, 127], S: [-32768, 32767], I: [-2147483648, 2147483647],
};

function arr(o: Obj, f: string): ArrayLike<number> { const a = o[f]; return (a && typeof a === 'object' && 'length' in a ? a : []) as ArrayLike<number>; }

function axisWhy(name: string, a: Obj | undefined, b: Obj | undefined): string | null {
  if (!a || !b) return a === b ? null : `${name} is missing`;
  if (a.fNbins !== b.fNbins || a.fXmin !== b.fXmin || a.fXmax !== b.fXmax) return `${name} binning differs (${String(a.fNbins)} bins [${String(a.fXmin)}, ${String(a.fXmax)}] vs ${String(b.fNbins)} bins [${String(b.fXmin)}, ${String(b.fXmax)}])`;
  const ea = arr(a, 'fXbins'), eb = arr(b, 'fXbins');
  if (ea.length !== eb.length) return `${name} bin edges differ`;
  for (let i = 0; i < ea.length; i++) if (ea[i] !== eb[i]) return `${name} bin edges differ`;
  const la = ((a.fLabels as { arr?: { fString?: string }[] } | null)?.arr ?? []).map((l) => l?.fString ?? '').join('\u0000');
  const lb = ((b.fLabels as { arr?: { fString?: string }[] } | null)?.arr ?? []).map((l) => l?.fString ?? '').join('\u0000');
  if (la !== lb) return `${name} bin labels differ`;
  return null;
}

/** Why `b` cannot be added into `a`, or null. */
export function histIncompatibility(a: Obj, b: Obj): string | null {
  if (a._typename !== b._typename) return `class differs (${String(a._typename)} vs ${String(b._typename)})`;
  for (const ax of ['fXaxis', 'fYaxis', 'fZaxis']) {
    const why = axisWhy(ax.slice(1, 2).toLowerCase(), a[ax] as Obj | undefined, b[ax] as Obj | undefined);
    if (why !== null) return why;
  }
  if (arr(a, 'fArray').length !== arr(b, 'fArray').length) return `cell counts differ (${arr(a, 'fArray').length} vs ${arr(b, 'fArray').length})`;
  if (arr(a, 'fBuffer').length > 0 && Number(arr(a, 'fBuffer')[0]) > 0) return 'it holds unbinned fills (fBuffer) that heppy does not bin';
  if (arr(b, 'fBuffer').length > 0 && Number(arr(b, 'fBuffer')[0]) > 0) return 'it holds unbinned fills (fBuffer) that heppy does not bin';
  return null;
}

/**
 * The sum of histograms added one at a time, in order (ROOT's hadd order: sequential addition from
 * zero, the first input included), so that a sum streamed over files one open at a time and one over
 * all of them at once (addHists) are the same bit for bit. Callers check histIncompatibility first.
 * An array only some inputs have (fSumw2 after Sumw2() in one file) takes `fallback` from the
 * others (ROOT's errors of an unweighted fill: w² = w): both are accumulated until the end says which.
 */
export class HistSum {
  readonly first: Obj;
  private readonly n: number;
  private readonly arrays = new Map<string, { sum: number[]; seen: boolean }>();
  private readonly stats = new Map<string, number>();

  constructor(first: Obj) {
    this.first = first;
    this.n = arr(first, 'fArray').length;
    for (const s of STATS) if (typeof first[s] === 'number') this.stats.set(s, 0);
  }

  private addArray(h: Obj, f: string, fallback: string | null): void {
    let acc = this.arrays.get(f);
    if (acc === undefined) { acc = { sum: new Array<number>(this.n).fill(0), seen: false }; this.arrays.set(f, acc); }
    const own = arr(h, f);
    if (own.length > 0) acc.seen = true;
    const a = own.length > 0 ? own : fallback !== null ? arr(h, fallback) : [];
    const out = acc.sum;
    for (let i = 0; i < this.n && i < a.length; i++) out[i]! += Number(a[i]);
  }

  add(h: Obj): void {
    const profile = String(this.first._typename).startsWith('TProfile');
    this.addArray(h, 'fArray', null);
    this.addArray(h, 'fSumw2', profile ? null : 'fArray');
    if (profile) {
      this.addArray(h, 'fBinEntries', null);
      this.addArray(h, 'fBinSumw2', 'fBinEntries');
    }
    for (const [s, v] of this.stats) this.stats.set(s, v + Number(h[s] ?? 0));
  }

  /** The first histogram, now holding the sum (an array no input had stays absent). */
  result(): Obj {
    const a = this.first;
    const cls = String(a._typename);
    const contents = this.arrays.get('fArray')?.sum ?? new Array<number>(this.n).fill(0);
    const r = ranges[cls.startsWith('TH') ? cls.slice(-1) : ''];
    a.fArray = r ? contents.map((v) => Math.min(r[1], Math.max(r[0], Math.round(v)))) : contents;
    for (const f of ['fSumw2', 'fBinEntries', 'fBinSumw2']) {
      const acc = this.arrays.get(f);
      if (acc?.seen === true) a[f] = acc.sum;
    }
    for (const [s, v] of this.stats) a[s] = v;
    return a;
  }
}

/** hs[0] becomes the sum of hs (callers check histIncompatibility first). */
export function addHists(hs: Obj[]): Obj {
  const s = new HistSum(hs[0]!);
  for (const h of hs) s.add(h);
  return s.result();
}
