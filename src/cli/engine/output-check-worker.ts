// Worker thread of output-check.ts: stats the recorded outputs it is given, answers once.
import { parentPort, workerData } from 'node:worker_threads';
import { runOutputJob, type OutputJob } from './output-check.js';

parentPort!.postMessage([...runOutputJob(workerData as OutputJob)]);
