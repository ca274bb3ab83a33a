// A thread of the merge pool (merge-pool.ts): runs the merges it is given, one at a time, posting
// each one's warnings and then its result with the thread's busy time (its event loop's active
// time while merging: CPU plus the synchronous reads; process.cpuUsage would count every thread).
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { mergeComponent } from './merge-component.js';
import type { MergeJob, MergeMessage } from './merge-pool.js';
import { fail } from '../util/result.js';

const post = (m: MergeMessage): void => parentPort!.postMessage(m);
parentPort!.on('message', (job: MergeJob) => {
  const elu0 = performance.eventLoopUtilization();
  void mergeComponent(job.outdir, job.component, job.inputs, { ...job.opts, onWarning: (warning) => post({ warning }) })
    // mergeComponent returns what it cannot read as a failure: a throw is a bug (as in the build's thread).
    .catch((e: unknown) => fail({ kind: 'infrastructure', file: job.opts.target ?? job.outdir, object: job.component, reason: `bug: merge failed: ${String(e)}` }))
    .then((result) => post({ result, busyMs: performance.eventLoopUtilization(elu0).active }));
});
