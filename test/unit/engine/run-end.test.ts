// run-end: each scheduler event reported as a build event and counted in the summary (a chunk's
// failure also recorded in the store, with its log), and the nodes the scheduler never ended
// counted by why they did not run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE } from '../../../src/chunkdir/layout.js';
import { countNotRun, reportEvent } from '../../../src/engine/run-end.js';
import type { MergeRuns } from '../../../src/engine/run-merge.js';
import type { TaskOutcome } from '../../../src/exec/scheduler.js';
import type { TaskFailure } from '../../../src/util/failure.js';
import { rig, type Rig } from './run-rig.js';

const made: string[] = [];

/** MergeRuns as run-end sees it: told when a chunk ends. */
function mergesSeen(): { merges: MergeRuns; ended: () => number } {
  let n = 0;
  return { merges: { chunkEnded: () => { n++; } } as unknown as MergeRuns, ended: () => n };
}

function start(tag: string): Rig {
  const r = rig(tag);
  made.push(r.outdir);
  return r;
}

const boom: TaskFailure = { kind: 'analysis', reason: 'ZeroDivisionError in Sum_1' };

test('start, progress and retry become build events with the node\'s kind and component', () => {
  const { s, events } = start('run-end');
  const { merges, ended } = mergesSeen();
  reportEvent(s, merges, new Set(), { type: 'start', id: 'X_Chunk0', attempt: 2 });
  reportEvent(s, merges, new Set(), { type: 'progress', id: 'X_Chunk0', events: 500, expected: 1000 });
  reportEvent(s, merges, new Set(), { type: 'progress', id: 'X_Chunk0', events: 600 });
  reportEvent(s, merges, new Set(), { type: 'retry', id: 'X_Chunk0', attempt: 3, failure: { kind: 'resource', resource: 'memory', reason: 'out of memory' }, delayMs: 250 });
  assert.equal(events, [
    { type: 'start', id: 'X_Chunk0', kind: 'chunk', component: 'X', attempt: 2 },
    { type: 'progress', id: 'X_Chunk0', component: 'X', events: 500, expected: 1000 },
    { type: 'progress', id: 'X_Chunk0', component: 'X', events: 600 },
    { type: 'retry', id: 'X_Chunk0', component: 'X', attempt: 3, reason: 'resource: out of memory', failure: { kind: 'resource', resource: 'memory', reason: 'out of memory' }, delayMs: 250 },
  ]);
  assert.is(ended(), 0);
});

test('succeeded: run counted with its events; an adopted batch job not prepared by this build counts as adopted; merges tell MergeRuns nothing', () => {
  const { s, events } = start('run-end');
  const { merges, ended } = mergesSeen();
  const done = (id: string, ev: number): { type: 'end'; id: string; outcome: TaskOutcome } =>
    ({ type: 'end', id, outcome: { status: 'succeeded', attempts: 1, attempt: 1, eventsProcessed: ev } });
  s.prepared.add('X_Chunk0');
  reportEvent(s, merges, new Set(['X_Chunk0', 'X_Chunk1']), done('X_Chunk0', 1000)); // adopted, but this build submitted it again
  reportEvent(s, merges, new Set(['X_Chunk0', 'X_Chunk1']), done('X_Chunk1', 250));
  s.mergeCpuMs.set('hadd:X', 12.6);
  reportEvent(s, merges, new Set(), done('hadd:X', 0));
  assert.equal([s.summary.run, s.summary.adopted, s.summary.eventsProcessed, s.summary.failed], [2, 1, 1250, 0]);
  assert.is(ended(), 2, 'two chunks ended');
  const doneEvents = events.filter((e) => e.type === 'done');
  assert.equal(doneEvents.map((e) => e.type === 'done' && [e.id, e.kind, e.eventsProcessed, e.cpuMs]), [['X_Chunk0', 'chunk', 1000, undefined],
    ['X_Chunk1', 'chunk', 250, undefined], ['hadd:X', 'hadd', 0, 13]]);
});

test('succeeded from the output cache: counted as restored, not run; its done event says when it was built', () => {
  const { s, events } = start('run-end');
  const { merges } = mergesSeen();
  s.restoredAt.set('hadd:X', '2026-11-01T10:00:00.000Z');
  reportEvent(s, merges, new Set(), { type: 'end', id: 'hadd:X', outcome: { status: 'succeeded', attempts: 1, attempt: 1, eventsProcessed: 0 } });
  assert.equal([s.summary.run, s.summary.restored], [0, 1]);
  assert.equal(events, [{ type: 'done', id: 'hadd:X', kind: 'hadd', component: 'X', eventsProcessed: 0, durationMs: 0, restored: { builtAt: '2026-11-01T10:00:00.000Z' } }]);
});

test('failed: counted with its reason, attempts and log; a chunk\'s failure recorded in the store (the log in its directory when there is one)', async () => {
  const { s, events, store, outdir } = start('run-end');
  const { merges } = mergesSeen();
  mkdirSync(join(outdir, 'X_Chunk0'), { recursive: true });
  writeFileSync(join(outdir, 'X_Chunk0', LOG_FILE), 'Traceback\n');
  const failed = (id: string, log?: string) => ({ type: 'end' as const, id, outcome: { status: 'failed' as const, attempts: 2, attempt: 5, failure: boom, ...(log ? { log } : {}) } });
  reportEvent(s, merges, new Set(), failed('X_Chunk0', '/elsewhere/slurm-1.out'));
  reportEvent(s, merges, new Set(), failed('X_Chunk1', '/elsewhere/slurm-2.out'));
  reportEvent(s, merges, new Set(), failed('hadd:X'));
  assert.is(s.summary.failed, 3);
  assert.equal(s.summary.failures.map((f) => [f.id, f.reason, f.attempts, f.log]), [
    ['X_Chunk0', 'analysis: ZeroDivisionError in Sum_1', 2, join(outdir, 'X_Chunk0', LOG_FILE)],
    ['X_Chunk1', 'analysis: ZeroDivisionError in Sum_1', 2, '/elsewhere/slurm-2.out'],
    ['hadd:X', 'analysis: ZeroDivisionError in Sum_1', 2, undefined],
  ]);
  await store.flush();
  const rec = store.getTask('X_Chunk0')!;
  assert.equal([rec.status, rec.key, rec.attempts, rec.failure, rec.outputs.length], ['failed', 'a0a0a0a0a0a0a0a0', 5, boom, 0]);
  assert.is(store.getTask('hadd:X'), undefined, 'a failed merge is recorded by MergeRuns, not here');
  assert.equal(events.map((e) => e.type === 'failed' && [e.id, e.kind, e.attempts]), [['X_Chunk0', 'chunk', 2], ['X_Chunk1', 'chunk', 2], ['hadd:X', 'hadd', 2]]);
});

test('skipped by the scheduler (a dependency failed): counted as not run because of a failure; a merge says which component', () => {
  const { s, events } = start('run-end');
  const { merges } = mergesSeen();
  reportEvent(s, merges, new Set(), { type: 'end', id: 'hadd:X', outcome: { status: 'skipped', why: 'dependency' } });
  assert.equal([s.summary.skipped, s.summary.notRun], [1, { failed: 1, interrupted: 0, detached: 0 }]);
  assert.equal(events, [{ type: 'skipped', id: 'hadd:X', kind: 'hadd', component: 'X', reason: 'not merged: a chunk of X failed' }]);
});

test('countNotRun: interrupted, detached and stopped nodes counted by why; dependency skips and failed nodes not counted twice', () => {
  const { s } = start('run-end');
  s.summary.failures.push({ id: 'F', reason: 'r', failure: boom, attempts: 1 });
  const outcomes = new Map<string, TaskOutcome>([
    ['A', { status: 'skipped', why: 'interrupted' }], ['B', { status: 'skipped', why: 'interrupted' }],
    ['C', { status: 'skipped', why: 'detached' }], ['D', { status: 'skipped', why: 'stopped' }],
    ['E', { status: 'skipped', why: 'dependency' }], ['F', { status: 'skipped', why: 'interrupted' }],
    ['G', { status: 'succeeded', attempts: 1, attempt: 1, eventsProcessed: 5 }],
  ]);
  countNotRun(s, outcomes);
  assert.equal([s.summary.skipped, s.summary.notRun], [4, { failed: 1, interrupted: 2, detached: 1 }]);
});

test.after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
test.run();
