import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { PlainReporter } from '../../../src/report/plain.js';
import { JsonReporter } from '../../../src/report/json.js';
import { TtyReporter } from '../../../src/report/tty.js';
import { formatSummary, planLine, wouldRunLine } from '../../../src/report/summary.js';
import type { BuildEvent, Summary } from '../../../src/report/events.js';

function sink(): { s: Writable & { text: string; isTTY?: boolean; columns?: number } } {
  const s = new Writable({ write(chunk, _e, cb) { s.text += String(chunk); cb(); } }) as Writable & { text: string };
  s.text = '';
  return { s };
}

const summary: Summary = { run: 3, adopted: 0, upToDate: 5, failed: 1, skipped: 1, notRun: { failed: 1, interrupted: 0, detached: 0 }, eventsProcessed: 1234, wallMs: 2500,
  failures: [{ id: 'B_Chunk1', reason: 'Sum_1: event 3: calibration missing', log: '/o/B_Chunk1/log.txt', attempts: 1,
    failure: { kind: 'analysis', analyzer: 'Sum_1', event: 3, reason: 'calibration missing' } }] };
const events: BuildEvent[] = [
  { type: 'plan', total: 9, toRun: 4, upToDate: 5, components: [{ name: 'A', chunks: 4, toRun: 1 }, { name: 'B', chunks: 2, toRun: 2 }] },
  { type: 'up-to-date', id: 'A_Chunk0', kind: 'chunk', component: 'A' },
  { type: 'start', id: 'B_Chunk1', kind: 'chunk', component: 'B', attempt: 1 },
  { type: 'retry', id: 'B_Chunk1', component: 'B', attempt: 2, reason: 'calibration missing', failure: { kind: 'infrastructure', reason: 'calibration missing' }, delayMs: 0 },
  { type: 'done', id: 'B_Chunk0', kind: 'chunk', component: 'B', eventsProcessed: 1234, durationMs: 1500 },
  { type: 'failed', id: 'B_Chunk1', kind: 'chunk', component: 'B', reason: 'calibration missing', failure: { kind: 'infrastructure', reason: 'calibration missing' }, log: '/o/B_Chunk1/log.txt', attempts: 3 },
  { type: 'skipped', id: 'hadd:B', kind: 'hadd', component: 'B', reason: 'not merged: a chunk of B failed' },
  { type: 'summary', summary },
];

test('summary names every failure with its log and counts everything', () => {
  assert.is(formatSummary(summary),
    'heppy: 3 run, 5 up to date, 1 failed, 1 not run (a chunk failed); 1234 events processed; 2.50 s\n' +
    '  FAILED B_Chunk1: Sum_1: event 3: calibration missing\n         log: /o/B_Chunk1/log.txt\n');
});

test('summary: the true reason for nodes not run, re-attached jobs counted apart from run', () => {
  const base = { run: 2, adopted: 0, upToDate: 1, failed: 0, skipped: 0, notRun: { failed: 0, interrupted: 0, detached: 0 }, eventsProcessed: 10, wallMs: 1000, failures: [] };
  // Ctrl-C, nothing failed.
  assert.is(formatSummary({ ...base, skipped: 4, notRun: { failed: 0, interrupted: 4, detached: 0 } }),
    'heppy: 2 run, 1 up to date, 0 failed, 4 not run (interrupted); 10 events processed; 1.00 s\n');
  assert.is(formatSummary({ ...base, skipped: 3, notRun: { failed: 0, interrupted: 0, detached: 3 } }),
    'heppy: 2 run, 1 up to date, 0 failed, 3 not run (detached); 10 events processed; 1.00 s\n');
  // Several reasons: each counted.
  assert.is(formatSummary({ ...base, failed: 1, skipped: 5, notRun: { failed: 2, interrupted: 3, detached: 0 },
    failures: [{ id: 'A_Chunk0', reason: 'boom', failure: { kind: 'infrastructure', reason: 'boom' }, attempts: 1 }] }),
    'heppy: 2 run, 1 up to date, 1 failed, 5 not run (2 a chunk failed, 3 interrupted); 10 events processed; 1.00 s\n  FAILED A_Chunk0: boom\n');
  // Jobs of an earlier build re-attached to: not "run" by this build.
  assert.is(formatSummary({ ...base, run: 1, adopted: 3 }),
    'heppy: 1 run, 3 re-attached, 1 up to date, 0 failed; 10 events processed; 1.00 s\n');
  // The plain reporter prints the same text.
  const { s } = sink();
  new PlainReporter(s).event({ type: 'summary', summary: { ...base, skipped: 4, notRun: { failed: 0, interrupted: 4, detached: 0 } } });
  assert.match(s.text, /^heppy: 2 run, 1 up to date, 0 failed, 4 not run \(interrupted\);/);
});

test('plain: a restored node says so (not "done … 0 events"); lines of events in separate turns written at once', async () => {
  const { s } = sink();
  let writes = 0;
  const w = s.write.bind(s);
  s.write = ((chunk: unknown, ...rest: unknown[]) => { writes++; return (w as (...a: unknown[]) => boolean)(chunk, ...rest); }) as typeof s.write;
  const r = new PlainReporter(s);
  for (const id of ['A_Chunk0', 'A_Chunk1']) r.event({ type: 'done', id, kind: 'chunk', component: 'A', eventsProcessed: 0, durationMs: 0, restored: { builtAt: '2026-11-30T04:00:00.000Z' } });
  // Another end in a later turn of the event loop (as each local worker's message is): same write.
  await new Promise((res) => setImmediate(res));
  assert.is(writes, 0);
  r.event({ type: 'done', id: 'hadd:A', kind: 'hadd', component: 'A', eventsProcessed: 0, durationMs: 0 });
  await new Promise((res) => setTimeout(res, 150)); // FLUSH_MS (100 ms) later at most
  assert.is(writes, 1);
  assert.equal(s.text.trim().split('\n'), [
    'restored A_Chunk0 from cache (built at 2026-11-30T04:00:00.000Z)',
    'restored A_Chunk1 from cache (built at 2026-11-30T04:00:00.000Z)',
    'done hadd:A',
  ]);
  r.close();
});

test('plain: a batch job\'s done line gives its run time, and its time in the queue apart', () => {
  const { s } = sink();
  const r = new PlainReporter(s);
  r.event({ type: 'done', id: 'B_Chunk0', kind: 'chunk', component: 'B', eventsProcessed: 1234, durationMs: 1250, queueMs: 27_260 });
  r.close();
  assert.equal(s.text.trim().split('\n'), ['done B_Chunk0 (1234 events, 1.25 s, 27.26 s queued)']);
});

test('plain: one line per notable event, up-to-date nodes only counted', () => {
  const { s } = sink();
  const r = new PlainReporter(s);
  for (const e of events) r.event(e);
  r.close();
  const lines = s.text.trim().split('\n');
  assert.equal(lines.slice(0, 5), [
    'heppy: 9 nodes, 4 to run, 5 up to date',
    'retry B_Chunk1 (attempt 2): calibration missing',
    'done B_Chunk0 (1234 events, 1.50 s)',
    'FAILED B_Chunk1 after 3 attempts: calibration missing',
    'not run hadd:B: not merged: a chunk of B failed',
  ]);
  assert.ok(!s.text.includes('A_Chunk0'));
});

test('plain: retries announced together for one cause become one line with the back-off and the resources', () => {
  const { s } = sink();
  const r = new PlainReporter(s);
  const failure = { kind: 'infrastructure' as const, reason: 'sbatch: error: Batch job submission failed: Unable to contact slurm controller' };
  for (let i = 0; i < 25; i++) r.event({ type: 'retry', id: `A_Chunk${i}`, component: 'A', attempt: 2, reason: failure.reason, failure, delayMs: 5000 });
  r.event({ type: 'retry', id: 'B_Chunk0', component: 'B', attempt: 3, reason: 'over memory', failure: { kind: 'resource', resource: 'memory', reason: 'over memory' }, delayMs: 0, resources: { memMB: 450 } });
  r.event({ type: 'warning', message: 'next' });
  r.close();
  assert.equal(s.text.trim().split('\n'), [
    `retry 25 chunks (A_Chunk0, A_Chunk1, A_Chunk2, …) (attempt 2, in 5 s): ${failure.reason}`,
    'retry B_Chunk0 (attempt 3, with 450M memory): over memory',
    'warning: next',
  ]);
});

test('json: one parseable object per event, in order', () => {
  const { s } = sink();
  const r = new JsonReporter(s);
  for (const e of events) r.event(e);
  const objs = s.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(objs.map((o) => o.type), events.map((e) => e.type));
});

test('tty: per-component live lines, failures printed above, summary at the end', () => {
  const { s } = sink();
  const r = new TtyReporter(s as unknown as NodeJS.WriteStream);
  for (const e of events) r.event(e);
  r.close();
  assert.match(s.text, /FAILED B_Chunk1: calibration missing \(log: \/o\/B_Chunk1\/log\.txt\)/);
  assert.match(s.text, /  B\s+1\/2 done, 1 FAILED, 1,234 events, [\d,]+ ev\/s, not merged \(a chunk failed\)\n/);
  // the overall line above the components: 1 up to date + 1 done of 6 chunks; 2 of the 3 to run ended
  assert.match(s.text, /heppy: 2\/6 chunks, 1 FAILED, 1,234 events, [\d,]+ ev\/s, elapsed \d+:\d\d, ETA (\d+:\d\d|\?)\n  A /);
  assert.match(s.text, /  A\s+1\/4 done, 1 up to date\n/);
  assert.ok(s.text.endsWith(formatSummary(summary)));
});

test('the header and --dry-run lines name what the output cache restores', () => {
  assert.is(planLine({ type: 'plan', total: 11, toRun: 11, toRestore: 8, upToDate: 0, components: [] }), 'heppy: 11 nodes, 3 to run, 8 to restore from cache, 0 up to date');
  assert.is(planLine({ type: 'plan', total: 9, toRun: 4, upToDate: 5, components: [] }), 'heppy: 9 nodes, 4 to run, 5 up to date');
  assert.is(wouldRunLine({ type: 'would-run', id: 'hadd:B', kind: 'hadd', why: ['chunk changed: B_Chunk0'], restore: { builtAt: '2026-01-01T00:00:00.000Z' } }),
    'would restore hadd:B from cache (built at 2026-01-01T00:00:00.000Z): chunk changed: B_Chunk0');
  assert.is(wouldRunLine({ type: 'would-run', id: 'A_Chunk0', kind: 'chunk', why: ['code changed', 'options changed'] }), 'would run A_Chunk0: code changed; options changed');
});

test.run();
