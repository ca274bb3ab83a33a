import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSummary, planLine, wouldRunLine } from '../../../src/report/summary.js';
import type { Summary } from '../../../src/report/events.js';

const base: Summary = { run: 3, adopted: 0, upToDate: 2, failed: 0, skipped: 0, notRun: { failed: 0, interrupted: 0, detached: 0 }, eventsProcessed: 1500, wallMs: 1234, failures: [] };

test('formatSummary: counts, events, seconds', () => {
  assert.is(formatSummary(base), 'heppy: 3 run, 2 up to date, 0 failed; 1500 events processed; 1.23 s\n');
});

test('formatSummary: re-attached, restored, not run with one or several reasons, failures with their log', () => {
  const s: Summary = {
    ...base, adopted: 1, restored: 4, failed: 1, skipped: 5, notRun: { failed: 2, interrupted: 3, detached: 0 },
    failures: [{ id: 'ttbar_Chunk1', reason: 'input: a.root: truncated', failure: { kind: 'input', file: 'a.root', reason: 'truncated' }, attempts: 1, log: '/o/ttbar_Chunk1/log.txt' },
      { id: 'ttbar', reason: 'r', failure: { kind: 'infrastructure', reason: 'r' }, attempts: 2 }],
  };
  assert.is(formatSummary(s), [
    'heppy: 3 run, 1 re-attached, 4 restored from cache, 2 up to date, 1 failed, 5 not run (2 a chunk failed, 3 interrupted); 1500 events processed; 1.23 s',
    '  FAILED ttbar_Chunk1: input: a.root: truncated',
    '         log: /o/ttbar_Chunk1/log.txt',
    '  FAILED ttbar: r',
    '',
  ].join('\n'));
  assert.ok(formatSummary({ ...base, skipped: 2, notRun: { failed: 0, interrupted: 0, detached: 2 } }).includes('2 not run (detached)'));
});

test('formatSummary: interrupted after every node had ended (a quick restore) still says interrupted; once when nodes were not run', () => {
  assert.is(formatSummary({ ...base, run: 0, upToDate: 0, restored: 9, interrupted: true }),
    'heppy: 0 run, 9 restored from cache, 0 up to date, 0 failed, interrupted; 1500 events processed; 1.23 s\n');
  const s = formatSummary({ ...base, skipped: 2, notRun: { failed: 0, interrupted: 2, detached: 0 }, interrupted: true });
  assert.is(s.split('interrupted').length, 2, s);
});

test('planLine and wouldRunLine', () => {
  assert.is(planLine({ type: 'plan', total: 10, toRun: 6, upToDate: 4, components: [] }), 'heppy: 10 nodes, 6 to run, 4 up to date');
  assert.is(planLine({ type: 'plan', total: 10, toRun: 6, toRestore: 2, upToDate: 4, components: [] }), 'heppy: 10 nodes, 4 to run, 2 to restore from cache, 4 up to date');
  assert.is(wouldRunLine({ type: 'would-run', id: 'z_Chunk0', kind: 'chunk', why: ['new', 'input changed'] }), 'would run z_Chunk0: new; input changed');
  assert.is(wouldRunLine({ type: 'would-run', id: 'z', kind: 'hadd', why: ['inputs changed'], restore: { builtAt: '2026-01-01' } }),
    'would restore z from cache (built at 2026-01-01): inputs changed');
});

test.run();
