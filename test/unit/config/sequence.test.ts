import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sequence, isSequence } from '../../../src/config/sequence.js';
import { Analyzer } from '../../../src/config/analyzer.js';
import { UserError } from '../../../src/util/result.js';

class Jets extends Analyzer {}
class Muons extends Analyzer {}

const message = (fn: () => unknown): string => {
  try { fn(); return 'no error'; } catch (e) { assert.instance(e, UserError); return (e as Error).message; }
};

test('Sequence: analyzers in order, nested arrays flattened, default labels bumped like heppy', () => {
  const s = new Sequence(new Analyzer(Jets), [new Analyzer(Muons), [new Analyzer(Jets)]], new Analyzer(Jets));
  assert.equal(s.map((a) => a.name), ['Jets_1', 'Muons_1', 'Jets_2', 'Jets_3']);
  assert.is(s.length, 4);
  assert.ok(isSequence(s));
  assert.not.ok(isSequence([...s]));
  assert.not.ok(isSequence(null));
  // map/filter give plain arrays (Symbol.species), not a Sequence that would re-check its elements.
  assert.not.ok(isSequence(s.filter(() => true)));
});

test('Sequence: an explicit label is kept and a default label moves out of its way', () => {
  const s = new Sequence(new Analyzer(Jets), new Analyzer(Jets, {}, 1), new Analyzer(Jets, {}, 'tight'));
  assert.equal(s.map((a) => a.name), ['Jets_2', 'Jets_1', 'Jets_tight']);
});

test('Sequence: two explicit labels that collide, and elements that are not declarations, are one-line errors', () => {
  assert.is(message(() => new Sequence(new Analyzer(Jets, {}, 'a'), new Analyzer(Jets, {}, 'a'))),
    'Sequence: two analyzers are named Jets_a; give them different labels');
  assert.is(message(() => new Sequence(Jets as unknown as Analyzer)),
    'Sequence: every element must be new Analyzer(Class, params), got the class Jets (wrap it: new Analyzer(Jets, {...}))');
  assert.is(message(() => new Sequence(null as unknown as Analyzer)), 'Sequence: every element must be new Analyzer(Class, params), got null');
  assert.is(message(() => new Sequence({} as unknown as Analyzer)), 'Sequence: every element must be new Analyzer(Class, params), got Object');
  assert.is(message(() => new Sequence('x' as unknown as Analyzer)), 'Sequence: every element must be new Analyzer(Class, params), got string');
});

test.run();
