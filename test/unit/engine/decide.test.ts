// engine/decide.ts whyRun: why a node whose record is not fresh runs; today's key parts are computed
// only to compare with recorded ones (a build, which explains nothing, reads none and computes none).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { whyRun } from '../../../src/engine/decide.js';
import type { KeyParts } from '../../../src/graph/keys.js';
import type { TaskSummary } from '../../../src/store/records.js';

const rec = (over: Partial<TaskSummary>): TaskSummary => ({ status: 'ok', key: 'k1', resultDigest: 'r', outputs: [], attempts: 1, ...over } as TaskSummary);
const parts = (opt: string): KeyParts => ({ parts: { 'option minLeptons': opt }, files: { '/a.root': 'd1' } });

test('never built, failed last time, unchanged', () => {
  assert.equal(whyRun(undefined, 'k', null, () => undefined, () => null, 'never built'), ['never built']);
  assert.equal(whyRun(rec({ status: 'failed', reason: 'exit 1' } as Partial<TaskSummary>), 'k1', null, () => undefined, () => null, 'x'), ['failed last time: exit 1']);
  assert.equal(whyRun(rec({}), 'k1', null, () => undefined, () => null, 'x'), []);
  assert.equal(whyRun(rec({}), 'k1', 'output changed: a.root', () => undefined, () => null, 'x'), ['output changed: a.root']);
});

test('a changed key: the parts that differ; without recorded parts, "key changed" and today\'s parts never computed', () => {
  const why = whyRun(rec({}), 'k2', null, () => parts('2'), () => parts('3'), 'x');
  assert.is(why.length, 1);
  assert.match(why[0]!, /minLeptons/);
  let computed = 0;
  assert.equal(whyRun(rec({}), 'k2', null, () => undefined, () => { computed++; return parts('3'); }, 'x'), ['key changed']);
  assert.is(computed, 0);
  assert.equal(whyRun(rec({}), 'k2', null, () => parts('2'), () => parts('2'), 'x'), ['key changed'], 'same parts: still a changed key');
});

test.run();
