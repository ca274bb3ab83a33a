import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timeReportLines } from '../../../src/loop/time-report.js';

test('timeReportLines: per analyzer ms per event over (events - 1), share of the total, then TOTAL', () => {
  const lines = timeReportLines([{ name: 'Skimmer', events: 11, time: 0.03 }, { name: 'Jets', events: 6, time: 0.01 }]);
  assert.is(lines.length, 7);
  assert.is(lines[0], '      ---- TimeReport (all times in ms; first evt is skipped) ---- ');
  // Skimmer: 30 ms / 10 = 3.00 per processed and per all; 75 % of 40 ms.
  assert.is(lines[3], '       11          11         3.00        3.00  75.0%   Skimmer');
  // Jets: 10 ms / 5 = 2.00 per processed, 10 ms / 10 = 1.00 per all; 25 %.
  assert.is(lines[4], '        6          11         2.00        1.00  25.0%   Jets');
  // TOTAL: passed 6 (the last analyzer's), 40 ms / 5 = 8.00, 40 ms / 10 = 4.00.
  assert.is(lines[6], '        6          11         8.00        4.00 100.0%   TOTAL');
});

test('timeReportLines: 0 or 1 events and no analyzers never divide by zero', () => {
  const one = timeReportLines([{ name: 'A', events: 1, time: 0.5 }]);
  assert.is(one[3], '        1           1         0.00        0.00 100.0%   A');
  const none = timeReportLines([]);
  assert.is(none.length, 5);
  assert.is(none[4], '        0           0         0.00        0.00 100.0%   TOTAL');
  const zero = timeReportLines([{ name: 'A', events: 0, time: 0 }]);
  assert.is(zero[3], '        0           0         0.00        0.00   0.0%   A');
});

test.run();
