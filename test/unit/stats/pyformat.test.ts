import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fmtD, fmtF, fmtSpaceF, padLeft, padRight, pyFixed } from '../../../src/stats/pyformat.js';

// Every expected string is what Python 3 prints ('{:.{d}f}'.format(x), '%8.3f' % x, ...).
test('pyFixed rounds exact ties to even, as Python does (JavaScript rounds them away from zero)', () => {
  assert.is(pyFixed(0.125, 2), '0.12');
  assert.is((0.125).toFixed(2), '0.13', 'what JavaScript alone gives');
  assert.is(pyFixed(0.375, 2), '0.38');
  assert.is(pyFixed(2.5, 0), '2');
  assert.is(pyFixed(3.5, 0), '4');
  assert.is(pyFixed(0.5, 0), '0');
  assert.is(pyFixed(-0.125, 2), '-0.12');
});

test('pyFixed: values that are not ties, signs of zero, nan and infinities', () => {
  assert.is(pyFixed(1.005, 2), '1.00', '1.005 is 1.00499999... in binary: no tie');
  assert.is(pyFixed(0.1, 1), '0.1');
  assert.is(pyFixed(123456.789, 3), '123456.789');
  assert.is(pyFixed(1e-7, 3), '0.000');
  assert.is(pyFixed(-0, 2), '-0.00');
  assert.is(pyFixed(-0.001, 2), '-0.00');
  assert.is(pyFixed(Number.NaN, 2), 'nan');
  assert.is(pyFixed(Infinity, 1), 'inf');
  assert.is(pyFixed(-Infinity, 1), '-inf');
});

test('widths: %8.3f, {: 8.2f}, %5d, {: .1f}, left and right alignment', () => {
  assert.is(fmtF(3.14159, 8, 3), '   3.142');
  assert.is(fmtSpaceF(2.5, 8, 2), '    2.50');
  assert.is(fmtSpaceF(-2.5, 8, 2), '   -2.50');
  assert.is(fmtSpaceF(0.25, 0, 1), ' 0.2', 'a tie to even, after the sign space');
  assert.is(fmtD(42, 5), '   42');
  assert.is(fmtD(42.9, 1), '42', 'truncated, wider than the width');
  assert.is(padLeft('abc', 2), 'abc');
  assert.is(padRight('ab', 5), 'ab   ');
  assert.is(padRight('abcdef', 3), 'abcdef');
});

test.run();
