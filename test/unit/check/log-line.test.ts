import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcessedLine } from '../../../src/check/log-line.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-log-line-'));
const withLog = (text: string | null): string => {
  const d = mkdtempSync(join(dir, 'c-'));
  if (text !== null) writeFileSync(join(d, 'log.txt'), text);
  return d;
};

test('readProcessedLine: no log.txt is missing', () => {
  assert.equal(readProcessedLine(withLog(null)), { kind: 'missing' });
});

test('readProcessedLine: a log without a processed line', () => {
  assert.equal(readProcessedLine(withLog('\nComponent: ttbar\nERROR: boom\n')), { kind: 'no-processed-line' });
});

test('readProcessedLine: the count of the success line; the last one wins', () => {
  assert.equal(readProcessedLine(withLog('x\nnumber of events processed: 1200\n')), { kind: 'processed', events: 1200 });
  assert.equal(readProcessedLine(withLog('number of events processed: 5\nretry\nnumber of events processed: 17\n')), { kind: 'processed', events: 17 });
});

test('readProcessedLine: a "processed:" line without a count (heppy_check accepts it) has events null', () => {
  assert.equal(readProcessedLine(withLog('events processed: many\n')), { kind: 'processed', events: null });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
