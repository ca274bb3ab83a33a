// A `-b` template job killed by a signal: SIGINT (the user's) and a local job's SIGTERM are
// interrupted (not retried); a batch system's SIGTERM stays a resource failure (a cancel and a time
// limit look alike) with its reason saying so; other failures and successes pass unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { templateEnd, templateSignalFailure } from '../../../../src/exec/command/signal-end.js';
import { retriedByDefault, type TaskFailure } from '../../../../src/util/failure.js';

const killed = (signal: string): TaskFailure => ({ kind: 'resource', resource: 'signal', signal, reason: `the job was killed by ${signal}` });

test('SIGINT from any template and SIGTERM of a local one: interrupted, not retried', () => {
  for (const [sig, kind] of [['SIGINT', 'lsf'], ['SIGINT', 'local'], ['SIGTERM', 'local']] as const) {
    const f = templateSignalFailure(killed(sig), kind);
    assert.equal(f, { kind: 'interrupted', reason: `the job was killed by ${sig}: a ${sig} the user sent (cancelled), not retried` }, `${sig} ${kind}`);
    assert.not.ok(retriedByDefault(f.kind));
  }
});

test("a batch system's SIGTERM stays resource/signal (retried), its reason saying a template cannot tell", () => {
  for (const kind of ['lsf', 'condor', 'slurm', 'sge', 'other'] as const) {
    const f = templateSignalFailure(killed('SIGTERM'), kind);
    assert.is(f.kind, 'resource', kind);
    assert.match(f.reason, /a cancel and a time limit both send SIGTERM, and a template cannot tell which: retried$/);
  }
  assert.equal(templateSignalFailure(killed('SIGKILL'), 'local'), killed('SIGKILL'), 'SIGKILL: memory or a hard limit, unchanged');
  const analysis: TaskFailure = { kind: 'analysis', reason: 'boom' };
  assert.is(templateSignalFailure(analysis, 'local'), analysis);
});

test('templateEnd: a failed end refined, a succeeded end unchanged', () => {
  const adjust = templateEnd('local');
  const failed = adjust(null, { nodeId: 'A_Chunk0', attempt: 1, status: 'failed', failure: killed('SIGTERM') });
  assert.ok(failed.status === 'failed' && failed.failure.kind === 'interrupted');
  const okEnd = { nodeId: 'A_Chunk0', attempt: 1, status: 'succeeded' as const, eventsProcessed: 5 };
  assert.is(adjust(null, okEnd), okEnd);
});

test.run();
