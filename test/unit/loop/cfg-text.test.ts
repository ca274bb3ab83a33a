import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cfgText, pyRepr, pyStr } from '../../../src/loop/cfg-text.js';

test('pyRepr: values as Python prints them', () => {
  assert.is(pyRepr(null), 'None');
  assert.is(pyRepr(undefined), 'None');
  assert.is(pyRepr(true), 'True');
  assert.is(pyRepr(false), 'False');
  assert.is(pyRepr(3), '3');
  assert.is(pyRepr(0.5), '0.5');
  assert.is(pyRepr(1e21), '1e+21');
  assert.is(pyRepr(1e-7), '1e-7'); // Python prints 1e-07: heppy's logs are not compared on this
  assert.is(pyRepr(NaN), 'nan');
  assert.is(pyRepr(-Infinity), '-inf');
  assert.is(pyRepr(10n), '10');
  assert.is(pyRepr('a'), "'a'");
  assert.is(pyRepr("it's"), '"it\'s"');
  assert.is(pyRepr('both \' and "'), `'both \\' and "'`);
  assert.is(pyRepr('a\\b\n\t'), "'a\\\\b\\n\\t'");
  assert.is(pyRepr(['x.root', 2]), "['x.root', 2]");
  assert.is(pyRepr({ k: [true] }), "{'k': [True]}");
});

test('pyStr: strings unquoted, the rest as repr', () => {
  assert.is(pyStr('plain'), 'plain');
  assert.is(pyStr(['plain']), "['plain']");
});

test("cfgText: heppy's CFG.__str__: class and name, then sorted attributes padded to 15, functions and name left out, fineSplit a tuple", () => {
  const text = cfgText('MCComponent', {
    name: 'ttbar', files: ['a.root', 'b.root'], isMC: true, xSection: 831.76, splitFactor: 2, fineSplit: [1],
    triggers: null, preprocess: () => 0,
  });
  assert.is(text, [
    'MCComponent: ttbar',
    "\tfiles          :   ['a.root', 'b.root']",
    '\tfineSplit      :   (1,)',
    '\tisMC           :   True',
    '\tsplitFactor    :   2',
    '\ttriggers       :   None',
    '\txSection       :   831.76',
  ].join('\n'));
  assert.is(cfgText('Component', { name: 'x', fineSplit: [2, 3] }), 'Component: x\n\tfineSplit      :   (2, 3)');
  assert.is(cfgText('Component', { name: 'x', fineSplit: [2, 3] }, []), 'Component: x\n\tfineSplit      :   [2, 3]');
});

test.run();
