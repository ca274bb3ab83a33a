import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FAILURE_KINDS, TaskFailureError, formatTaskFailure, isFailureKind, parseTaskFailure, retriedByDefault, type TaskFailure,
} from '../../../src/util/failure.js';

test('isFailureKind: the six kinds and nothing else', () => {
  assert.equal([...FAILURE_KINDS], ['input', 'analysis', 'schema', 'resource', 'infrastructure', 'interrupted']);
  for (const k of FAILURE_KINDS) assert.ok(isFailureKind(k), k);
  for (const v of ['Input', 'network', '', 3, null, undefined, {}]) assert.not.ok(isFailureKind(v), String(v));
});

test('retriedByDefault: only resource and infrastructure failures are retried', () => {
  assert.equal(FAILURE_KINDS.filter(retriedByDefault), ['resource', 'infrastructure']);
});

test('formatTaskFailure: kind, then what is known, then the reason', () => {
  assert.is(formatTaskFailure({ kind: 'input', file: 'a.root', object: 'Events', reason: 'truncated' }), 'input: a.root: Events: truncated');
  assert.is(formatTaskFailure({ kind: 'input', file: 'a.root', reason: 'missing' }), 'input: a.root: missing');
  assert.is(formatTaskFailure({ kind: 'analysis', analyzer: 'Jets', event: 41, file: 'b.root', at: 'cfg.ts:10:3', reason: 'boom' }),
    'analysis: Jets: event 41 of b.root: cfg.ts:10:3: boom');
  assert.is(formatTaskFailure({ kind: 'analysis', event: 0, reason: 'x' }), 'analysis: event 0: x');
  assert.is(formatTaskFailure({ kind: 'schema', file: 'c.root', tree: 'Events', branch: 'Jet_pt', reason: 'no such branch' }),
    'schema: c.root: Events: Jet_pt: no such branch');
  assert.is(formatTaskFailure({ kind: 'resource', resource: 'memory', reason: 'over 2 GB' }), 'resource: over 2 GB');
  assert.is(formatTaskFailure({ kind: 'infrastructure', reason: 'node died' }), 'infrastructure: node died');
  assert.is(formatTaskFailure({ kind: 'interrupted', reason: 'SIGINT' }), 'interrupted: SIGINT');
});

test('parseTaskFailure: round-trips every kind through JSON', () => {
  const all: TaskFailure[] = [
    { kind: 'input', reason: 'r', file: 'f', object: 'o' },
    { kind: 'analysis', reason: 'r', analyzer: 'A', event: 7, file: 'f', stack: 's', at: 'x.ts:1:2' },
    { kind: 'schema', reason: 'r', file: 'f', tree: 't', branch: 'b' },
    { kind: 'resource', reason: 'r', resource: 'signal', signal: 'SIGKILL' },
    { kind: 'resource', reason: 'r', resource: 'disk' },
    { kind: 'infrastructure', reason: 'r' },
    { kind: 'interrupted', reason: 'r' },
  ];
  for (const f of all) assert.equal(parseTaskFailure(JSON.parse(JSON.stringify(f))), f);
});

test('parseTaskFailure: malformed values are null, missing fields get defaults, unknown resource is signal', () => {
  assert.is(parseTaskFailure(null), null);
  assert.is(parseTaskFailure('input'), null);
  assert.is(parseTaskFailure({ kind: 'input' }), null);
  assert.is(parseTaskFailure({ kind: 'oops', reason: 'r' }), null);
  assert.equal(parseTaskFailure({ kind: 'input', reason: 'r', file: 3 }), { kind: 'input', reason: 'r', file: '' });
  assert.equal(parseTaskFailure({ kind: 'schema', reason: 'r' }), { kind: 'schema', reason: 'r', file: '', tree: '' });
  assert.equal(parseTaskFailure({ kind: 'resource', reason: 'r', resource: 'cpu' }), { kind: 'resource', reason: 'r', resource: 'signal' });
  assert.equal(parseTaskFailure({ kind: 'analysis', reason: 'r', event: '3', analyzer: '' }), { kind: 'analysis', reason: 'r' });
  assert.equal(parseTaskFailure({ kind: 'infrastructure', reason: 'r', extra: 1 }), { kind: 'infrastructure', reason: 'r' });
});

test('TaskFailureError: carries the failure, its message is the formatted line', () => {
  const f: TaskFailure = { kind: 'input', file: 'a.root', reason: 'bad key' };
  const e = new TaskFailureError(f);
  assert.is(e.failure, f);
  assert.is(e.message, 'input: a.root: bad key');
  assert.is(e.name, 'TaskFailureError');
  assert.instance(e, Error);
});

test.run();
