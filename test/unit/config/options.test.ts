import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configBaseDir, getGlobalOptions, getOption, optionsRead, setConfigBaseDir, setGlobalOptions } from '../../../src/config/options.js';

test('getOption: the -o value, true for a bare flag, the default otherwise; reads are recorded, sorted', () => {
  setGlobalOptions({ year: '2018', fast: true });
  assert.is(getOption('year'), '2018');
  assert.is(getOption('fast', false), true);
  assert.is(getOption('missing'), undefined);
  assert.is(getOption('other', 5), 5);
  // A key named like an Object.prototype member is not an option.
  assert.is(getOption('toString', 'd'), 'd');
  assert.equal(optionsRead(), ['fast', 'missing', 'other', 'toString', 'year']);
});

test('setGlobalOptions: replaces the options (a copy) and forgets what was read', () => {
  const o: Record<string, string | boolean> = { a: '1' };
  setGlobalOptions(o);
  o.a = 'changed';
  assert.equal(getGlobalOptions(), { a: '1' });
  const copy = getGlobalOptions();
  copy.a = 'x';
  assert.is(getOption('a'), '1');
  assert.equal(optionsRead(), ['a']);
  setGlobalOptions({});
  assert.equal(optionsRead(), []);
});

test('the state lives on globalThis: a second copy of the module sees the same values', () => {
  setGlobalOptions({ shared: 'yes' });
  const slot = (globalThis as unknown as Record<symbol, { options: Record<string, unknown> }>)[Symbol.for('heppy.config.options')];
  assert.equal(slot?.options, { shared: 'yes' });
});

test('configBaseDir: the working directory until set', () => {
  assert.is(configBaseDir(), process.cwd());
  setConfigBaseDir('/data/analysis');
  assert.is(configBaseDir(), '/data/analysis');
});

test.run();
