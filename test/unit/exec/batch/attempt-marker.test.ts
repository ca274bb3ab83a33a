import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearStaleMarker, judgeMarker, logOf } from '../../../../src/exec/batch/attempt-marker.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-attempt-marker-'));
let n = 0;
function chunk(marker: Record<string, unknown> | string | null, log = false): string {
  const dir = join(root, `c_Chunk${n++}`);
  mkdirSync(dir);
  if (marker !== null) {
    writeFileSync(join(dir, 'heppy-status.json'), typeof marker === 'string' ? marker : JSON.stringify({
      status: 'ok', key: 'K', attempt: 2, exitCode: 0, eventsProcessed: 500, expectedEvents: 500, userStop: false, outputs: [],
      host: 'h', pid: 1, startedAt: 0, finishedAt: 1, ...marker,
    }));
  }
  if (log) writeFileSync(join(dir, 'log.txt'), 'log');
  return dir;
}
const awaited = (chunkDir: string): { nodeId: string; chunkDir: string; attempt: number; key: string } => ({ nodeId: 'c_Chunk', chunkDir, attempt: 2, key: 'K' });

test('judgeMarker: no marker, or one of another key or attempt, is not this attempt\'s end', () => {
  assert.equal(judgeMarker(awaited(chunk(null))), { kind: 'none' });
  assert.equal(judgeMarker(awaited(chunk({ key: 'old' }))), { kind: 'none' });
  assert.equal(judgeMarker(awaited(chunk({ attempt: 1 }))), { kind: 'none' });
});

test('judgeMarker: this attempt\'s ok marker is a success with its events', () => {
  assert.equal(judgeMarker(awaited(chunk({}))), { kind: 'ended', end: { nodeId: 'c_Chunk', attempt: 2, status: 'succeeded', eventsProcessed: 500 } });
});

test('judgeMarker: a failed marker carries its failure, exit code and the chunk log', () => {
  const dir = chunk({ status: 'failed', exitCode: 1, failure: { kind: 'input', file: 'a.root', reason: 'truncated' } }, true);
  assert.equal(judgeMarker(awaited(dir), '/nonexistent/job.out'), {
    kind: 'ended', end: { nodeId: 'c_Chunk', attempt: 2, status: 'failed', failure: { kind: 'input', file: 'a.root', reason: 'truncated' }, exitCode: 1, log: join(dir, 'log.txt') },
  });
});

test('judgeMarker: an unreadable marker is an infrastructure failure of the attempt, with the job log when there is no chunk log', () => {
  const dir = chunk('{not json');
  const jobLog = join(root, 'job.out');
  writeFileSync(jobLog, 'slurm output');
  const v = judgeMarker(awaited(dir), jobLog);
  assert.is(v.kind, 'ended');
  if (v.kind !== 'ended' || v.end.status !== 'failed') return assert.unreachable();
  assert.is(v.end.failure.kind, 'infrastructure');
  assert.is(v.end.log, jobLog);
});

test('logOf: chunk log first, then the job log, else nothing', () => {
  const withLog = chunk(null, true);
  const jobLog = join(root, 'job2.out');
  writeFileSync(jobLog, '');
  assert.equal(logOf({ chunkDir: withLog }, jobLog), { log: join(withLog, 'log.txt') });
  assert.equal(logOf({ chunkDir: chunk(null) }, jobLog), { log: jobLog });
  assert.equal(logOf({ chunkDir: chunk(null) }, join(root, 'absent')), {});
  assert.equal(logOf({ chunkDir: chunk(null) }), {});
});

test('clearStaleMarker: removes only a marker with exactly this key and attempt', () => {
  const same = chunk({});
  const other = chunk({ attempt: 3 });
  clearStaleMarker(awaited(same));
  clearStaleMarker(awaited(other));
  assert.not.ok(existsSync(join(same, 'heppy-status.json')));
  assert.ok(existsSync(join(other, 'heppy-status.json')));
  clearStaleMarker(awaited(chunk(null))); // nothing there: nothing to do
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
