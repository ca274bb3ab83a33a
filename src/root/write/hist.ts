// Streams the Hist model as ROOT's TH1F/TH1D/TH2F/TH2D (TH1 v8, TH2 v5, TAxis v10), with every
// statistic ROOT keeps: fEntries, fTsumw, fTsumw2, fTsumwx, fTsumwx2 (+ y, xy for 2D), fSumw2,
// under/overflow cells. Defaults for drawing attributes are ROOT's own.
import type { Axis, Hist } from '../hist.js';
import { assertNever } from '../../util/result.js';
import { WBuf } from './wbuf.js';

function versionOf(kind: Hist['kind']): number {
  switch (kind) {
    case 'TH1F': case 'TH1D': return 3;
    case 'TH2F': case 'TH2D': return 4;
    default: return assertNever(kind, 'histogram class');
  }
}

function axis(b: WBuf, name: string, a: Axis | null): void {
  const ax = a ?? { nbins: 1, min: 0, max: 1, edges: null, labels: null, title: '' };
  const s = b.begin(10);
  b.tnamed(name, ax.title);
  const att = b.begin(4); // TAttAxis
  b.i32(510); b.i16(1); b.i16(1); b.i16(42);
  b.f32(0.005); b.f32(0.035); b.f32(0.03); b.f32(1); b.f32(0.035);
  b.i16(1); b.i16(42);
  b.end(att);
  b.i32(ax.nbins); b.f64(ax.min); b.f64(ax.max);
  if (ax.edges) { b.i32(ax.edges.length); for (const e of ax.edges) b.f64(e); } else b.i32(0);
  b.i32(0); b.i32(0); // fFirst, fLast
  b.u16(0); // fBits2
  b.bool(false); // fTimeDisplay
  b.tstring(''); // fTimeFormat
  if (ax.labels && ax.labels.length > 0) {
    const o = b.beginObject('THashList');
    const l = b.begin(5);
    b.tobject(); b.tstring('');
    b.i32(ax.labels.length);
    ax.labels.forEach((label, i) => {
      const so = b.beginObject('TObjString');
      const sb = b.begin(1);
      b.tobject(0, i + 1); // the bin number lives in fUniqueID
      b.tstring(label);
      b.end(sb);
      b.end(so.start);
      b.u8(0);
    });
    b.end(l);
    b.end(o.start);
  } else b.u32(0);
  b.u32(0); // fModLabs
  b.end(s);
}

/** fFunctions is a `//->` pointer (kObjectp): ROOT streams the list in place, without a class tag. */
function emptyList(b: WBuf): void {
  const l = b.begin(5);
  b.tobject(); b.tstring(''); b.i32(0);
  b.end(l);
}

/** Serialises a histogram into b (the key payload); b.origin must be the key length. */
export function writeHistBody(b: WBuf, h: Hist): void {
  const is2 = h.kind === 'TH2F' || h.kind === 'TH2D';
  const float = h.kind === 'TH1F' || h.kind === 'TH2F';
  const ncells = (h.x.nbins + 2) * (is2 ? (h.y?.nbins ?? 0) + 2 : 1);
  if (h.contents.length !== ncells || h.sumw2.length !== ncells) {
    throw new RangeError(`histogram ${h.name}: ${h.contents.length} cells, expected ${ncells}`);
  }
  const top = b.begin(versionOf(h.kind));
  const th2 = is2 ? b.begin(5) : -1;
  const th1 = b.begin(8);
  b.tnamed(h.name, h.title);
  const line = b.begin(2); b.i16(602); b.i16(1); b.i16(1); b.end(line);
  const fill = b.begin(2); b.i16(0); b.i16(1001); b.end(fill);
  const marker = b.begin(2); b.i16(1); b.i16(1); b.f32(1); b.end(marker);
  b.i32(ncells);
  axis(b, 'xaxis', h.x);
  axis(b, 'yaxis', is2 ? h.y : null);
  axis(b, 'zaxis', null);
  b.i16(0); b.i16(1000); // fBarOffset, fBarWidth
  b.f64(h.entries); b.f64(h.tsumw); b.f64(h.tsumw2); b.f64(h.tsumwx); b.f64(h.tsumwx2);
  b.f64(-1111); b.f64(-1111); b.f64(0); // fMaximum, fMinimum, fNormFactor
  b.i32(0); // fContour
  b.i32(ncells); for (let i = 0; i < ncells; i++) b.f64(h.sumw2[i]!);
  b.tstring(''); // fOption
  emptyList(b); // fFunctions
  b.i32(0); // fBufferSize
  b.u8(0); // fBuffer: empty array (speed bump only)
  b.i32(0); // fBinStatErrOpt = kNormal
  b.i32(2); // fStatOverflows = kNeutral
  b.end(th1);
  if (is2) {
    b.f64(1); // fScalefactor
    b.f64(h.tsumwy); b.f64(h.tsumwy2); b.f64(h.tsumwxy);
    b.end(th2);
  }
  b.i32(ncells);
  if (float) for (let i = 0; i < ncells; i++) b.f32(h.contents[i]!);
  else for (let i = 0; i < ncells; i++) b.f64(h.contents[i]!);
  b.end(top);
}
