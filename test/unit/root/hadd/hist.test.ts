// hadd's histogram addition on objects shaped as jsroot decodes them: TH3 and TProfile2D add every
// statistic they keep, integer histograms clamp like ROOT's, fSumw2 is added only where an input
// has it, and incompatible binnings or classes are named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADDABLE, addHists, histIncompatibility } from '../../../../src/root/hadd/hist.js';

type Obj = Record<string, unknown>;
const axis = (n: number, lo = 0, hi = 1): Obj => ({ fNbins: n, fXmin: lo, fXmax: hi, fXbins: [], fLabels: null });

function th3(k: number, sumw2: boolean): Obj {
  const n = 4 * 5 * 3;
  return {
    _typename: 'TH3D', fXaxis: axis(2), fYaxis: axis(3), fZaxis: axis(1), fArray: Array.from({ length: n }, (_, i) => i * k),
    fSumw2: sumw2 ? Array.from({ length: n }, (_, i) => i * k * 2) : [], fBuffer: [],
    fEntries: 10 * k, fTsumw: 1 * k, fTsumw2: 2 * k, fTsumwx: 3 * k, fTsumwx2: 4 * k, fTsumwy: 5 * k, fTsumwy2: 6 * k, fTsumwxy: 7 * k,
    fTsumwz: 8 * k, fTsumwz2: 9 * k, fTsumwxz: 10 * k, fTsumwyz: 11 * k,
  };
}

test('TH3D: cells, fSumw2 and every fTsumw* added; fSumw2 stays absent when no input has it', () => {
  const s = addHists([th3(1, true), th3(2, true), th3(3, true)]);
  assert.equal((s.fArray as number[]).slice(0, 3), [0, 6, 12]);
  assert.equal((s.fSumw2 as number[])[5], 5 * 12);
  assert.equal([s.fEntries, s.fTsumw, s.fTsumwz, s.fTsumwxz, s.fTsumwyz], [60, 6, 48, 60, 66]);
  const none = addHists([th3(1, false), th3(2, false)]);
  assert.equal(none.fSumw2, [], 'no fSumw2 made up');
  // Mixed: the input without fSumw2 contributes its contents (w² = w for unit weights), as ROOT's Sumw2().
  const mixed = addHists([th3(1, true), th3(2, false)]);
  assert.is((mixed.fSumw2 as number[])[5], 5 * 2 + 5 * 2);
});

test('TProfile2D: fBinEntries, fBinSumw2 (only if present), fTsumwz/fTsumwz2 added', () => {
  const p = (k: number): Obj => ({
    _typename: 'TProfile2D', fXaxis: axis(2), fYaxis: axis(2), fArray: new Array(16).fill(k), fSumw2: new Array(16).fill(2 * k),
    fBinEntries: new Array(16).fill(k), fBinSumw2: [], fBuffer: [], fEntries: k, fTsumw: k, fTsumw2: k, fTsumwx: k, fTsumwx2: k,
    fTsumwy: k, fTsumwy2: k, fTsumwxy: k, fTsumwz: 3 * k, fTsumwz2: 4 * k,
  });
  assert.ok(ADDABLE.test('TProfile2D') && ADDABLE.test('TH1C') && ADDABLE.test('TProfile3D') && !ADDABLE.test('TH2Poly'));
  const s = addHists([p(1), p(2)]);
  assert.equal([(s.fBinEntries as number[])[0], (s.fSumw2 as number[])[0], s.fTsumwz, s.fTsumwz2, s.fEntries], [3, 6, 9, 12, 3]);
  assert.equal(s.fBinSumw2, []);
});

test('TH1C contents clamp at the type range; incompatibilities name the axis', () => {
  const c = (v: number): Obj => ({ _typename: 'TH1C', fXaxis: axis(1), fArray: [v, v, v], fSumw2: [], fBuffer: [], fEntries: 1, fTsumw: 1, fTsumw2: 1, fTsumwx: 0, fTsumwx2: 0 });
  assert.equal(addHists([c(100), c(100)]).fArray, [127, 127, 127]);
  const a = th3(1, true), b = th3(1, true);
  (b.fZaxis as Obj).fNbins = 2;
  assert.match(histIncompatibility(a, b) ?? '', /z binning differs \(1 bins \[0, 1\] vs 2 bins \[0, 1\]\)/);
  assert.match(histIncompatibility(a, { ...a, _typename: 'TH3F' }) ?? '', /class differs \(TH3D vs TH3F\)/);
});

test.run();
