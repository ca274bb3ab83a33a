import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROCESSED_PREFIX, failureLog, successLog } from '../../../src/loop/log-text.js';
import { Counter } from '../../../src/stats/counter.js';
import { readProcessedLine } from '../../../src/check/log-line.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test("successLog: early lines, blank, component, blank, TimeReport, blank, counter, then the success line", () => {
  const c = new Counter('analyzers');
  const text = successLog({ early: ['UserStop: enough'], componentText: 'Component: z', timeReport: null, analyzersCounter: c, eventsProcessed: 42 });
  assert.is(text, 'UserStop: enough\n\nComponent: z\n\nCounter analyzers :\n\nnumber of events processed: 42\n');
  const withReport = successLog({ early: [], componentText: 'C', timeReport: [{ name: 'A', events: 3, time: 0.002 }], analyzersCounter: c, eventsProcessed: 3 });
  const lines = withReport.split('\n');
  assert.is(lines[0], '');
  assert.is(lines[1], 'C');
  assert.is(lines[3], '      ---- TimeReport (all times in ms; first evt is skipped) ---- ');
  assert.ok(withReport.endsWith(`${PROCESSED_PREFIX}3\n`));
});

test('successLog is what heppy check reads; failureLog never carries the success line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-log-text-'));
  try {
    writeFileSync(join(dir, 'log.txt'), successLog({ early: [], componentText: 'C', timeReport: null, analyzersCounter: new Counter('a'), eventsProcessed: 1234 }));
    assert.equal(readProcessedLine(dir), { kind: 'processed', events: 1234 });
    const failed = failureLog(['early'], 'Component: z', 'input: a.root: truncated', 'at line 3');
    assert.is(failed, 'early\n\nComponent: z\n\nERROR: input: a.root: truncated\nat line 3\n');
    writeFileSync(join(dir, 'log.txt'), failed);
    assert.equal(readProcessedLine(dir), { kind: 'no-processed-line' });
    assert.is(failureLog([], null, 'r'), '\nERROR: r\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
