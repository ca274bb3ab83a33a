// Worker thread of hadd -j (parallel.ts): merges one group of inputs into a partial file and
// posts its warnings, then the result. A thrown error (a bug) reaches the parent as 'error'.
import { parentPort, workerData } from 'node:worker_threads';
import { mergeRootFiles } from './index.js';
import type { PartJob, PartMessage } from './parallel.js';

const job = workerData as PartJob;
const post = (m: PartMessage): void => parentPort!.postMessage(m);
const r = await mergeRootFiles(job.out, job.inputs, { ...job.opts, force: true, onWarning: (warning) => post({ warning }) });
post({ result: r.ok ? { ok: true, value: { inputs: r.value.inputs, skipped: r.value.skipped } } : r });
