import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Average } from '../../../src/stats/average.js';

test('weighted mean and its uncertainty sqrt(|<x²>-<x>²|)/sqrt(sumw); null before the first add', () => {
  const a = new Average('m');
  assert.is(a.average(), null);
  for (const x of [1, 2, 3, 4]) a.add(x);
  const [mean, unc] = a.average()!;
  assert.is(mean, 2.5);
  assert.is(unc, Math.sqrt(7.5 - 6.25) / 2);
  const w = new Average('w');
  w.add(10, 3);
  w.add(20, 1);
  assert.equal([w.sumw, w.sumwx, w.sumwx2], [4, 50, 700]);
  assert.is(w.average()![0], 12.5);
  assert.is(w.average()![1], Math.sqrt(700 / 4 - 12.5 * 12.5) / 2);
});

test("text: heppy's str(average) with Python's formatting, and the file's trailing newline", () => {
  const a = new Average('pt');
  a.add(12.5); a.add(13.5);
  assert.is(a.toString(), 'Average pt             :  13.0000 +-   0.3536');
  assert.is(a.fileText(), 'Average pt             :  13.0000 +-   0.3536\n');
  assert.is(new Average('none').fileText(), 'Average none           : undefined (call Average.add)\n');
});

test('JSON round trip keeps the three sums exactly', () => {
  const a = new Average('x');
  a.add(0.1, 0.3); a.add(0.7, 1.9);
  const j = a.toJSON();
  assert.equal(j, { type: 'Average', name: 'x', sumw: 0.3 + 1.9, sumwx: 0.1 * 0.3 + 0.7 * 1.9, sumwx2: 0.1 * 0.1 * 0.3 + 0.7 * 0.7 * 1.9 });
  const b = Average.fromJSON(JSON.parse(JSON.stringify(j)));
  assert.equal(b.toJSON(), j);
  assert.is(b.toString(), a.toString());
});

test.run();
