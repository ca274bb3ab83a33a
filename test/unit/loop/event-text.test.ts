import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventText } from '../../../src/loop/event-text.js';
import type { Event } from '../../../src/loop/event.js';

/** What eventText reads of an Event: its branches (methods on the prototype) and own fields. */
class FakeEvent {
  [attr: string]: unknown;
  eventWeight = 1;
  constructor(readonly iEv: number, private readonly columns: Map<string, number | ArrayLike<number | bigint>>, readonly setup: unknown = {}) {}
  branchNames(): string[] { return [...this.columns.keys()]; }
  get(n: string): unknown { return this.columns.get(n); }
}

test('eventText: header with file and entry, branches with values (6 significant digits), weight, then the attributes set', () => {
  const e = new FakeEvent(12, new Map<string, number | ArrayLike<number | bigint>>([
    ['nMuon', 2], ['Muon_pt', new Float32Array([31.25, 20.123456789])], ['run', new BigInt64Array([5n])],
  ]));
  e.eventWeight = 0.5;
  e.goodMuons = [1, 2];
  const text = eventText(e as unknown as Event, { file: 'a.root', entry: 7 });
  assert.is(text, [
    'Event 12 (a.root, entry 7)',
    '  nMuon       : 2',
    '  Muon_pt     : [31.25, 20.1235]',
    '  run         : [5]',
    '  eventWeight : 0.5',
    '  goodMuons   : [ 1, 2 ]',
    '',
  ].join('\n'));
});

test('eventText: long arrays cut after 10 values with their length; names wider than the default pad the column', () => {
  const e = new FakeEvent(0, new Map([['a_very_long_branch_name', Float64Array.from({ length: 12 }, (_, i) => i)]]));
  const lines = eventText(e as unknown as Event, null).split('\n');
  assert.is(lines[0], 'Event 0');
  assert.is(lines[1], '  a_very_long_branch_name : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (12)]');
  assert.is(lines[2], '  eventWeight             : 1');
});

test.run();
