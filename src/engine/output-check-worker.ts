// Worker thread of output-check.ts: booted early, idle until given a job (the records' outputs,
// or the early check's: output-early.ts, the last build's inputs first), then claims blocks of it
// alongside the main thread and answers 'done'.
import { parentPort } from 'node:worker_threads';
import { workOnJob } from './outputs.js';
import { earlyJob, runEarly, type WorkerReply, type WorkerRequest } from './output-early.js';

const reply = (m: WorkerReply): void => parentPort!.postMessage(m);

parentPort!.on('message', (m: WorkerRequest) => {
  if (m.kind === 'job') {
    workOnJob(m.job);
  } else {
    const start = earlyJob(m.cacheDir, m.heppyVersion);
    reply({ kind: 'early', start });
    if (start !== null) runEarly(start);
  }
  reply({ kind: 'done' });
});
