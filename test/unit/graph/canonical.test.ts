import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonical } from '../../../src/graph/canonical.js';

test('canonical: scalars', () => {
  assert.is(canonical(undefined), 'u');
  assert.is(canonical(null), 'null');
  assert.is(canonical(true), 't');
  assert.is(canonical(false), 'f');
  assert.is(canonical(1.5), '1.5');
  assert.is(canonical(-0), '-0');
  assert.is(canonical(0), '0');
  assert.is(canonical(NaN), 'NaN');
  assert.is(canonical(12n), '12n');
  assert.is(canonical('a"b'), '"a\\"b"');
  assert.is(canonical(Symbol('s')), 'sym(s)');
  assert.is(canonical(function named() { /* empty */ }), 'fn(named)');
});

test('canonical: object keys sorted, so key order does not matter', () => {
  assert.is(canonical({ b: 1, a: [1, 'x'] }), '{"a":[1,"x"],"b":1}');
  assert.is(canonical({ a: [1, 'x'], b: 1 }), canonical({ b: 1, a: [1, 'x'] }));
  assert.is.not(canonical({ a: 1 }), canonical({ a: '1' }));
});

test('canonical: class instances carry their class name; typed arrays, dates, maps, sets, regexps', () => {
  class Cut { constructor(readonly min: number) {} }
  assert.is(canonical(new Cut(3)), 'Cut{"min":3}');
  assert.is.not(canonical(new Cut(3)), canonical({ min: 3 }));
  assert.is(canonical(new Float32Array([1, 2.5])), 'Float32Array[1,2.5]');
  assert.is(canonical(new Date(Date.UTC(2020, 0, 2))), 'Date(2020-01-02T00:00:00.000Z)');
  assert.is(canonical(new Map<unknown, unknown>([['b', 1], ['a', 2]])), canonical(new Map<unknown, unknown>([['a', 2], ['b', 1]])));
  assert.is(canonical(new Map([['a', 2]])), 'Map{"a":2}');
  assert.is(canonical(new Set([2, 1])), 'Set{1,2}');
  assert.is(canonical(/ab+/g), 'RegExp(/ab+/g)');
  assert.is(canonical(Object.create(null) as object), '{}');
});

test('canonical: a cycle is cut, a value seen twice without a cycle is encoded twice', () => {
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  assert.is(canonical(a), '{"self":cycle,"x":1}');
  const shared = { v: 1 };
  assert.is(canonical([shared, shared]), '[{"v":1},{"v":1}]');
});

test('canonical: skip leaves out top-level keys only', () => {
  const v = { name: 'a', files: ['f'], inner: { name: 'b' } };
  assert.is(canonical(v, new Set(['files', 'name'])), '{"inner":{"name":"b"}}');
});

test.run();
