import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { segmentRegExp } from '../../../src/util/glob.js';

const matches = (seg: string, names: string[]) => names.filter((n) => segmentRegExp(seg).test(n));

test('* and ? match within one segment only', () => {
  assert.equal(matches('*.root', ['a.root', 'b.root.bak', '.root', 'x/a.root']), ['a.root', '.root']);
  assert.equal(matches('f?.root', ['f1.root', 'f12.root', 'f.root']), ['f1.root']);
});

test('[set], [!set] and ranges; an unclosed [ is literal', () => {
  assert.equal(matches('f[0-2].root', ['f0.root', 'f2.root', 'f3.root']), ['f0.root', 'f2.root']);
  assert.equal(matches('f[!0-2].root', ['f0.root', 'f3.root', 'fa.root']), ['f3.root', 'fa.root']);
  assert.equal(matches('f[1.root', ['f[1.root', 'f1.root']), ['f[1.root']);
});

test('regular-expression characters in names are literal', () => {
  assert.equal(matches('a+b(1).root', ['a+b(1).root', 'aab1.root']), ['a+b(1).root']);
  assert.equal(matches('run$1.root', ['run$1.root']), ['run$1.root']);
});

test.run();
