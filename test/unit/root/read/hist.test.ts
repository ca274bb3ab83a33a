import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toHist } from '../../../../src/root/read/hist.js';
import type { JsHist } from '../../../../src/root/read/jsroot.js';

const axis = (n: number, min: number, max: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ fNbins: n, fXmin: min, fXmax: max, fTitle: 'x', ...extra });
const h1 = (extra: Record<string, unknown> = {}): JsHist => ({
  _typename: 'TH1D', fName: 'pt', fTitle: 'p_T', fXaxis: axis(3, 0, 30), fYaxis: axis(1, 0, 1),
  fArray: [0, 1, 2, 3, 4], fEntries: 10, fTsumw: 10, fTsumw2: 10, fTsumwx: 100, fTsumwx2: 1200, ...extra,
}) as unknown as JsHist;

test('toHist: a TH1D with cells, errors sqrt(content) without fSumw2, the statistics', () => {
  const h = toHist(h1())!;
  assert.is(h.kind, 'TH1D');
  assert.is(h.name, 'pt');
  assert.is(h.title, 'p_T');
  assert.equal([h.x.nbins, h.x.min, h.x.max, h.x.edges, h.x.labels, h.y], [3, 0, 30, null, null, null]);
  assert.equal([...h.contents], [0, 1, 2, 3, 4]);
  assert.equal([...h.sumw2], [0, 1, 2, 3, 4]);
  assert.equal([h.entries, h.tsumw, h.tsumwx, h.tsumwx2, h.tsumwy, h.tsumwxy], [10, 10, 100, 1200, 0, 0]);
  assert.equal([...toHist(h1({ fSumw2: [0, 2, 4, 6, 8] }))!.sumw2], [0, 2, 4, 6, 8]);
});

test('toHist: variable bin edges and labels on the axis', () => {
  const labels = { arr: [{ fUniqueID: 2, fString: 'mu' }, { fUniqueID: 9, fString: 'out of range' }, null] };
  const h = toHist(h1({ fXaxis: axis(3, 0, 30, { fXbins: [0, 5, 10, 30], fLabels: labels }) }))!;
  assert.equal([...h.x.edges!], [0, 5, 10, 30]);
  assert.equal(h.x.labels, ['', 'mu', '']);
});

test('toHist: a TH2F has (nx+2)(ny+2) cells; other classes are null; inconsistent objects throw why', () => {
  const h2 = toHist({ ...h1(), _typename: 'TH2F', fYaxis: axis(2, -1, 1), fArray: new Array(5 * 4).fill(1) } as unknown as JsHist)!;
  assert.is(h2.kind, 'TH2F');
  assert.is(h2.y!.nbins, 2);
  assert.is(h2.contents.length, 20);
  assert.is(toHist({ ...h1(), _typename: 'TProfile' } as unknown as JsHist), null);
  assert.throws(() => toHist(h1({ fArray: [1, 2] })), (e: Error) => e.message === 'TH1D has 2 cells, its axes need 5');
  assert.throws(() => toHist(h1({ fXaxis: axis(0, 0, 1) })), (e: Error) => e.message === 'axis has 0 bins');
});

test.run();
