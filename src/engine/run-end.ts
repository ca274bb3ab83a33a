// What a run reports: each scheduler event as a build event, counted in the summary (with a
// chunk's failure recorded in the store), and at the end the nodes the scheduler never ran.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE } from '../chunkdir/layout.js';
import type { SchedEvent, TaskOutcome } from '../exec/scheduler.js';
import { formatTaskFailure } from '../util/failure.js';
import { assertNever } from '../util/result.js';
import type { MergeRuns } from './run-merge.js';
import type { RunState } from './run-state.js';

/** Reports one scheduler event; `adopted`: nodes whose journaled job of an earlier build was re-attached. */
export function reportEvent(s: RunState, merges: MergeRuns, adopted: ReadonlySet<string>, e: SchedEvent): void {
  const n = s.node(e.id);
  switch (e.type) {
    case 'start':
      s.emit({ type: 'start', id: e.id, kind: n.kind, component: n.component, attempt: e.attempt });
      break;
    case 'progress':
      s.emit({ type: 'progress', id: e.id, component: n.component, events: e.events, ...(e.expected !== undefined ? { expected: e.expected } : {}) });
      break;
    case 'retry':
      s.emit({ type: 'retry', id: e.id, component: n.component, attempt: e.attempt, reason: formatTaskFailure(e.failure), failure: e.failure,
        delayMs: e.delayMs, ...(e.resources ? { resources: e.resources } : {}) });
      break;
    case 'end':
      if (n.kind === 'chunk') merges.chunkEnded();
      reportEnd(s, adopted, e);
      break;
    default:
      assertNever(e, 'scheduler event');
  }
}

function reportEnd(s: RunState, adopted: ReadonlySet<string>, e: Extract<SchedEvent, { type: 'end' }>): void {
  const n = s.node(e.id);
  const { summary } = s;
  const o = e.outcome;
  if (o.status === 'succeeded') {
    const from = s.restoredAt.get(e.id);
    if (from !== undefined) {
      summary.restored = (summary.restored ?? 0) + 1;
      s.emit({ type: 'done', id: e.id, kind: n.kind, component: n.component, eventsProcessed: 0, durationMs: 0, restored: { builtAt: from } });
      return;
    }
    if (n.kind === 'chunk' && adopted.has(e.id) && !s.prepared.has(e.id)) summary.adopted++;
    else summary.run++;
    summary.eventsProcessed += o.eventsProcessed;
    const cpuMs = s.mergeCpuMs.get(e.id);
    const queueMs = s.ranIn.get(e.id)?.queueMs;
    s.emit({ type: 'done', id: e.id, kind: n.kind, component: n.component, eventsProcessed: o.eventsProcessed, durationMs: s.runTime(e.id),
      ...(queueMs !== undefined ? { queueMs } : {}), ...(cpuMs !== undefined ? { cpuMs: Math.round(cpuMs) } : {}) });
  } else if (o.status === 'failed') {
    summary.failed++;
    const log = n.kind === 'chunk' && existsSync(join(n.dir, LOG_FILE)) ? join(n.dir, LOG_FILE) : o.log;
    const reason = formatTaskFailure(o.failure);
    summary.failures.push({ id: e.id, reason, failure: o.failure, attempts: o.attempts, log });
    if (n.kind === 'chunk') {
      s.record({ nodeId: e.id, kind: 'chunk', status: 'failed', key: n.key!, keyParts: n.parts()!, resultDigest: '', outputs: [], attempts: o.attempt,
        eventsProcessed: 0, reason, failure: o.failure, log, finishedAt: Date.now(), durationMs: s.elapsed(e.id) });
    }
    s.emit({ type: 'failed', id: e.id, kind: n.kind, component: n.component, reason, failure: o.failure, log, attempts: o.attempts });
  } else if (o.status === 'skipped') {
    summary.skipped++;
    summary.notRun.failed++; // the scheduler skips a node only when a dependency failed
    s.emit({ type: 'skipped', id: e.id, kind: n.kind, component: n.component, reason: n.kind === 'hadd' ? `not merged: a chunk of ${n.component} failed` : 'a dependency failed' });
  } else assertNever(o, 'task outcome');
}

/** Counts the nodes the scheduler left without an end event: interrupted, detached or stopped. */
export function countNotRun(s: RunState, outcomes: ReadonlyMap<string, TaskOutcome>): void {
  const { summary } = s;
  const failedIds = new Set(summary.failures.map((f) => f.id));
  for (const [id, o] of outcomes) {
    if (o.status !== 'skipped' || failedIds.has(id)) continue;
    switch (o.why) {
      case 'dependency':
        break; // counted when the scheduler emitted its end
      case 'interrupted':
        summary.skipped++;
        summary.notRun.interrupted++;
        break;
      case 'detached':
        summary.skipped++;
        summary.notRun.detached++;
        break;
      case 'stopped':
        summary.skipped++;
        summary.notRun.failed++;
        break;
      default:
        assertNever(o.why, 'skip reason');
    }
  }
}
