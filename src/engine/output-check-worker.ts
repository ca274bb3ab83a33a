// Worker thread of output-check.ts: booted early, idle until given a job, then claims blocks of
// it alongside the main thread and answers 'done'.
import { parentPort } from 'node:worker_threads';
import { workOnJob, type OutputJob } from './outputs.js';

parentPort!.once('message', (job: OutputJob) => {
  workOnJob(job);
  parentPort!.postMessage('done');
});
