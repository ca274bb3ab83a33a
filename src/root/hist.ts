// The in-memory histogram model shared by analyzers (filling), the writer (TH1F/TH1D/TH2F/TH2D
// streaming), the reader (histograms read back) and hadd (adding). Semantics follow ROOT's TH1:
// cells include under/overflow, statistics (fTsumw…) count in-range fills only, fEntries counts all.

export type HistKind = 'TH1F' | 'TH1D' | 'TH2F' | 'TH2D';

export interface Axis {
  nbins: number;
  min: number;
  max: number;
  /** Variable bin edges (nbins+1 values), or null for equal-width bins. */
  edges: Float64Array | null;
  /** Alphanumeric bin labels (index 0 = bin 1), or null. */
  labels: string[] | null;
  title: string;
}

export interface Hist {
  kind: HistKind;
  name: string;
  title: string;
  x: Axis;
  /** Present for TH2*. */
  y: Axis | null;
  /** Cell contents including under/overflow; 2D cell index = ix + (nx+2)*iy. */
  contents: Float64Array;
  /** Sum of squared weights per cell (always kept, as ROOT does after Sumw2()). */
  sumw2: Float64Array;
  entries: number;
  tsumw: number;
  tsumw2: number;
  tsumwx: number;
  tsumwx2: number;
  tsumwy: number;
  tsumwy2: number;
  tsumwxy: number;
}

export function makeAxis(nbins: number, min: number, max: number, title = ''): Axis {
  if (!Number.isInteger(nbins) || nbins < 1) throw new RangeError(`axis needs a positive whole number of bins, got ${nbins}`);
  if (!(max > min)) throw new RangeError(`axis needs max > min, got [${min}, ${max}]`);
  return { nbins, min, max, edges: null, labels: null, title };
}

export function makeVariableAxis(edges: ArrayLike<number>, title = ''): Axis {
  const e = Float64Array.from(edges);
  if (e.length < 2) throw new RangeError('a variable axis needs at least 2 edges');
  for (let i = 1; i < e.length; i++) if (!(e[i]! > e[i - 1]!)) throw new RangeError('variable axis edges must increase');
  return { nbins: e.length - 1, min: e[0]!, max: e[e.length - 1]!, edges: e, labels: null, title };
}

export function makeHist1(kind: 'TH1F' | 'TH1D', name: string, title: string, x: Axis): Hist {
  const n = x.nbins + 2;
  return blank(kind, name, title, x, null, n);
}

export function makeHist2(kind: 'TH2F' | 'TH2D', name: string, title: string, x: Axis, y: Axis): Hist {
  return blank(kind, name, title, x, y, (x.nbins + 2) * (y.nbins + 2));
}

function blank(kind: HistKind, name: string, title: string, x: Axis, y: Axis | null, ncells: number): Hist {
  return {
    kind, name, title, x, y,
    contents: new Float64Array(ncells), sumw2: new Float64Array(ncells),
    entries: 0, tsumw: 0, tsumw2: 0, tsumwx: 0, tsumwx2: 0, tsumwy: 0, tsumwy2: 0, tsumwxy: 0,
  };
}

/** ROOT's TAxis::FindBin: 0 = underflow, nbins+1 = overflow (NaN goes to overflow). */
export function findBin(a: Axis, v: number): number {
  if (v < a.min) return 0;
  if (!(v < a.max)) return a.nbins + 1;
  if (a.edges === null) {
    const b = 1 + Math.floor((a.nbins * (v - a.min)) / (a.max - a.min));
    return b > a.nbins ? a.nbins : b; // rounding at the upper edge
  }
  let lo = 0, hi = a.nbins; // edges[lo] <= v < edges[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v < a.edges[mid]!) hi = mid; else lo = mid;
  }
  return lo + 1;
}

export function fill1(h: Hist, x: number, w = 1): void {
  const b = findBin(h.x, x);
  h.contents[b]! += w;
  h.sumw2[b]! += w * w;
  h.entries += 1;
  if (b === 0 || b === h.x.nbins + 1) return;
  h.tsumw += w; h.tsumw2 += w * w; h.tsumwx += w * x; h.tsumwx2 += w * x * x;
}

export function fill2(h: Hist, x: number, y: number, w = 1): void {
  const ya = h.y;
  if (ya === null) throw new TypeError(`fill2 on 1D histogram ${h.name}`);
  const bx = findBin(h.x, x), by = findBin(ya, y);
  const c = bx + (h.x.nbins + 2) * by;
  h.contents[c]! += w;
  h.sumw2[c]! += w * w;
  h.entries += 1;
  if (bx === 0 || bx === h.x.nbins + 1 || by === 0 || by === ya.nbins + 1) return;
  h.tsumw += w; h.tsumw2 += w * w; h.tsumwx += w * x; h.tsumwx2 += w * x * x;
  h.tsumwy += w * y; h.tsumwy2 += w * y * y; h.tsumwxy += w * x * y;
}

function sameAxis(a: Axis, b: Axis): boolean {
  if (a.nbins !== b.nbins || a.min !== b.min || a.max !== b.max) return false;
  if ((a.edges === null) !== (b.edges === null)) return false;
  if (a.edges && b.edges) for (let i = 0; i < a.edges.length; i++) if (a.edges[i] !== b.edges[i]) return false;
  return true;
}

/** Why two histograms cannot be added, or null when they can (same kind and binning). */
export function incompatibility(a: Hist, b: Hist): string | null {
  if (a.kind !== b.kind) return `class differs (${a.kind} vs ${b.kind})`;
  if (!sameAxis(a.x, b.x)) return `x binning differs (${a.x.nbins} bins [${a.x.min}, ${a.x.max}] vs ${b.x.nbins} bins [${b.x.min}, ${b.x.max}])`;
  if (a.y && b.y && !sameAxis(a.y, b.y)) return `y binning differs (${a.y.nbins} bins [${a.y.min}, ${a.y.max}] vs ${b.y.nbins} bins [${b.y.min}, ${b.y.max}])`;
  return null;
}

/** a += b, bin by bin with every statistic. Callers check incompatibility() first. */
export function addInto(a: Hist, b: Hist): void {
  const why = incompatibility(a, b);
  if (why !== null) throw new Error(`cannot add histogram ${b.name} into ${a.name}: ${why}`);
  for (let i = 0; i < a.contents.length; i++) {
    a.contents[i]! += b.contents[i]!;
    a.sumw2[i]! += b.sumw2[i]!;
  }
  a.entries += b.entries;
  a.tsumw += b.tsumw; a.tsumw2 += b.tsumw2; a.tsumwx += b.tsumwx; a.tsumwx2 += b.tsumwx2;
  a.tsumwy += b.tsumwy; a.tsumwy2 += b.tsumwy2; a.tsumwxy += b.tsumwxy;
}

export function cloneHist(h: Hist): Hist {
  return { ...h, contents: h.contents.slice(), sumw2: h.sumw2.slice() };
}
