// Worker thread of output-check.ts: booted early, idle until given a job (the records' outputs),
// or an early check (output-early.ts: the snapshot is read and answered first, then the job over
// its outputs is made and answered); claims blocks of the job alongside the main thread and
// answers 'done'.
import { parentPort } from 'node:worker_threads';
import { workOnJob } from './outputs.js';
import { earlyOutputJob, earlyStart, type WorkerReply, type WorkerRequest } from './output-early.js';

const reply = (m: WorkerReply): void => parentPort!.postMessage(m);

parentPort!.on('message', (m: WorkerRequest) => {
  if (m.kind === 'job') {
    workOnJob(m.job);
  } else {
    // The main thread waits for the start only: the job comes after it.
    const start = earlyStart(m.cacheDir, m.heppyVersion);
    reply({ kind: 'early', start });
    if (start !== null) {
      const job = earlyOutputJob(start.file);
      if (job !== null) {
        reply({ kind: 'job', job });
        workOnJob(job);
      }
    }
  }
  reply({ kind: 'done' });
});
