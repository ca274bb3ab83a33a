import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fmtYield, formatCsv, formatJson, formatLatex, formatText } from '../../../src/yields/format.js';
import type { Yields } from '../../../src/yields/compute.js';

const y: Yields = {
  outdir: '/o',
  lumi: { value: 1000, source: 'option' },
  components: [
    { name: 'ttbar', kind: 'mc', norm: 0.5, xSection: 800, nGenEvents: 1600000, sumGenWeights: null, denominator: 'nGenEvents', problem: null },
    { name: 'W_jets', kind: 'mc', norm: null, xSection: null, nGenEvents: null, sumGenWeights: null, denominator: null, problem: 'no xSection' },
    { name: 'data', kind: 'data', norm: 1, xSection: null, nGenEvents: null, sumGenWeights: null, denominator: null, problem: null },
  ],
  tables: [{
    analyzer: 'Skim_1', counter: 'cutflow',
    rows: [
      { level: 'all', cells: { ttbar: { count: 100, sumw: 100, sumw2: 100, yield: 50, error: 5 }, W_jets: { count: 7, sumw: 7, sumw2: 7, yield: null, error: null }, data: { count: 60, sumw: 60, sumw2: 60, yield: 60, error: 7.745966 } },
        mcSum: { count: 107, yield: 50, error: 5 }, data: { count: 60, yield: 60, error: 7.745966 } },
      { level: 'pt>20', cells: { ttbar: { count: 40, sumw: 39.5, sumw2: 39, yield: 19.75, error: 3.1225 } }, mcSum: { count: 40, yield: 19.75, error: 3.1225 }, data: null },
    ],
  }],
  missing: ['QCD'],
};

test('fmtYield: the error keeps two significant digits, at most 6 decimals', () => {
  assert.is(fmtYield(12.3456, 0.56), '12.35 ± 0.56');
  assert.is(fmtYield(1234.5, 45), '1235 ± 45');
  assert.is(fmtYield(1, 0.000000123), '1.000000 ± 0.000000');
  assert.is(fmtYield(3, 0), '3.00 ± 0.00');
  assert.is(fmtYield(3, NaN, ' \\pm '), '3.00 \\pm NaN');
});

test('formatText: luminosity, normalisation per MC component, missing components, raw and weighted grids', () => {
  const text = formatText(y);
  assert.is(text, [
    'luminosity 1000 (-o lumi)',
    '  ttbar: weight 0.500000 (xSection 800, nGenEvents 1600000)',
    '  W_jets: not normalised: no xSection',
    'not built or not merged (no yields): QCD',
    '',
    'raw counts',
    'Skim_1/cutflow  ttbar  W_jets  data  MC sum  data',
    'all               100       7    60     107    60',
    'pt>20              40                    40',
    '',
    'weighted yields (± statistical error)',
    'Skim_1/cutflow       ttbar  W_jets        data      MC sum        data',
    'all             50.0 ± 5.0     n/a  60.0 ± 7.7  50.0 ± 5.0  60.0 ± 7.7',
    'pt>20           19.8 ± 3.1                      19.8 ± 3.1',
    '',
  ].join('\n'));
});

test('formatText: no luminosity, no counters', () => {
  const t = formatText({ ...y, lumi: { value: null, source: 'none' }, components: [], tables: [], missing: [] });
  assert.is(t, 'no luminosity: MC yields not normalised\n\nno counters found in the merged components\n');
});

test('formatCsv: one line per counter, level and column; sums have no sumw', () => {
  const lines = formatCsv(y).trimEnd().split('\n');
  assert.is(lines[0], 'analyzer,counter,level,column,count,sumw,sumw2,yield,error');
  assert.is(lines[1], 'Skim_1,cutflow,all,ttbar,100,100,100,50,5');
  assert.is(lines[2], 'Skim_1,cutflow,all,W_jets,7,7,7,,');
  assert.is(lines[4], 'Skim_1,cutflow,all,MC sum,107,,,50,5');
  assert.is(lines.length, 1 + 5 + 2);
  assert.is(lines[7], 'Skim_1,cutflow,pt>20,MC sum,40,,,19.75,3.1225');
  const quoted = formatCsv({ ...y, tables: [{ ...y.tables[0]!, rows: [{ ...y.tables[0]!.rows[1]!, level: 'a,"b"' }] }] });
  assert.ok(quoted.includes('Skim_1,cutflow,"a,""b""",ttbar,40,39.5,39,19.75,3.1225'));
});

test('formatJson: the Yields value itself', () => {
  assert.equal(JSON.parse(formatJson(y)), y);
});

test('formatLatex: a tabular per counter, special characters escaped once', () => {
  const tex = formatLatex(y);
  assert.ok(tex.startsWith('% heppy yields: luminosity 1000 (-o lumi)\n% Skim_1/cutflow\n\\begin{tabular}{lrrrrr}\n\\hline\n'));
  assert.ok(tex.includes('cutflow & ttbar & W\\_jets & data & MC sum & data \\\\'));
  assert.ok(tex.includes('all & $50.0 \\pm 5.0$ & 7 & $60.0 \\pm 7.7$ & $50.0 \\pm 5.0$ & $60.0 \\pm 7.7$ \\\\'));
  assert.ok(tex.includes('pt\\textgreater{}20 & $19.8 \\pm 3.1$ &  &  & $19.8 \\pm 3.1$ &  \\\\'));
  assert.ok(tex.endsWith('\\hline\n\\end{tabular}\n'));
});

test.run();
