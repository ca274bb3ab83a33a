import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Counter } from '../../../src/stats/counter.js';

test('levels in order; a level registered twice or not registered is an error naming it', () => {
  const c = new Counter('cuts').register('all').register('twoMuons');
  assert.throws(() => c.register('all'), /Counter cuts: level 'all' registered twice/);
  assert.throws(() => c.inc('nope'), /Counter cuts: level 'nope' is not registered/);
  assert.throws(() => c.count('nope'), /not registered/);
  c.inc('all', 2421);
  c.inc('twoMuons', 1000);
  c.inc('twoMuons');
  assert.equal(c.levels, [['all', 2421], ['twoMuons', 1001]]);
  assert.ok(c.has('all'));
  assert.not.ok(c.has('none'));
  assert.is(c.count('twoMuons'), 1001);
});

test('weights: each inc counts the current event weight into sumw and sumw2 (1 without an event)', () => {
  const c = new Counter('w').register('all').register('sel');
  const src: { event: { eventWeight?: number } | null } = { event: null };
  c.weightFrom = src;
  c.inc('all'); // no event: weight 1
  src.event = { eventWeight: 0.5 };
  c.inc('all', 2);
  c.inc('sel');
  src.event = {}; // an event without a weight: 1
  c.inc('sel');
  assert.equal([...c.sumw], [2, 1.5]);
  assert.equal([...c.sumw2], [1.5, 1.25]);
  assert.equal(c.levels, [['all', 3], ['sel', 2]]);
});

test('JSON round trip; a sidecar without weight sums (older versions) counted unit weights', () => {
  const c = new Counter('cf').register('a').register('b');
  c.weightFrom = { event: { eventWeight: 2 } };
  c.inc('a', 3); c.inc('b');
  const j = c.toJSON();
  assert.equal(j, { type: 'Counter', name: 'cf', levels: [['a', 3], ['b', 1]], sumw: [6, 2], sumw2: [12, 4] });
  const back = Counter.fromJSON(JSON.parse(JSON.stringify(j)));
  assert.equal(back.toJSON(), j);
  assert.is(back.toString(), c.toString());
  const old = Counter.fromJSON({ type: 'Counter', name: 'cf', levels: [['a', 7], ['b', 4]] });
  assert.equal([...old.sumw], [7, 4]);
  assert.equal([...old.sumw2], [7, 4]);
});

test("text: heppy's cut flow (tab-separated, efficiencies to the previous and the first level); empty counter: header only", () => {
  const c = new Counter('flow').register('all').register('sel');
  c.inc('all', 2421); c.inc('sel', 605);
  assert.is(c.toString(), 'Counter flow :\n' +
    '\t all' + ' '.repeat(6) + '     2421 \t 1.00 \t 1.0000\n' +
    '\t sel' + ' '.repeat(6) + '      605 \t 0.25 \t 0.2499\n');
  assert.is(c.fileText(), c.toString() + '\n');
  assert.is(new Counter('e').toString(), 'Counter e :\n');
});

test.run();
