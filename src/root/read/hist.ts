// jsroot's TH1/TH2 objects → heppy's Hist model (src/root/hist.ts).
import type { Axis, Hist, HistKind } from '../hist.js';
import type { JsAxis, JsHist } from './jsroot.js';

const kinds: Record<string, HistKind | undefined> = { TH1F: 'TH1F', TH1D: 'TH1D', TH2F: 'TH2F', TH2D: 'TH2D' };

/** The Hist for a TH1F/TH1D/TH2F/TH2D object, null for any other class; throws Error(reason) if inconsistent. */
export function toHist(o: JsHist): Hist | null {
  const kind = kinds[o._typename];
  if (kind === undefined) return null;
  const x = toAxis(o.fXaxis);
  const y = kind === 'TH2F' || kind === 'TH2D' ? toAxis(o.fYaxis) : null;
  const ncells = (x.nbins + 2) * (y ? y.nbins + 2 : 1);
  if (!o.fArray || o.fArray.length !== ncells) throw new Error(`${o._typename} has ${o.fArray?.length ?? 0} cells, its axes need ${ncells}`);
  const contents = Float64Array.from(o.fArray);
  // Without fSumw2 (no Sumw2() call) ROOT's errors are sqrt(content): sumw2 = contents.
  const sumw2 = o.fSumw2 && o.fSumw2.length === ncells ? Float64Array.from(o.fSumw2) : contents.slice();
  return {
    kind, name: o.fName, title: o.fTitle ?? '', x, y, contents, sumw2,
    entries: o.fEntries, tsumw: o.fTsumw, tsumw2: o.fTsumw2, tsumwx: o.fTsumwx, tsumwx2: o.fTsumwx2,
    tsumwy: o.fTsumwy ?? 0, tsumwy2: o.fTsumwy2 ?? 0, tsumwxy: o.fTsumwxy ?? 0,
  };
}

function toAxis(a: JsAxis): Axis {
  const nbins = a.fNbins;
  if (!Number.isInteger(nbins) || nbins < 1) throw new Error(`axis has ${nbins} bins`);
  const edges = a.fXbins && a.fXbins.length === nbins + 1 ? Float64Array.from(a.fXbins) : null;
  let labels: string[] | null = null;
  const ls = a.fLabels?.arr ?? [];
  if (ls.length > 0) {
    labels = new Array<string>(nbins).fill('');
    for (const l of ls) if (l && l.fUniqueID >= 1 && l.fUniqueID <= nbins) labels[l.fUniqueID - 1] = l.fString;
  }
  return { nbins, min: a.fXmin, max: a.fXmax, edges, labels, title: a.fTitle ?? '' };
}
