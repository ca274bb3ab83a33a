// Messages between the local pool (parent) and its worker processes (IPC, JSON).
import type { TaskFailure } from '../../util/failure.js';
import type { ReportedResult } from '../executor.js';

/**
 * `run`: a chunk (`keepIn`: the output cache's directory, where the worker keeps a successful
 * result); a worker runs them one at a time in the order sent, the next one sent ahead while it
 * runs one. `hold`: start nothing more on your own (a chunk failed somewhere); `resume`: go on;
 * `drop`: forget the chunks not started (the build stops). A worker holds by itself after a failure.
 */
export type ToWorker =
  | { type: 'run'; nodeId: string; attempt: number; chunkDir: string; spec?: unknown; keepIn?: string }
  | { type: 'hold' | 'resume' | 'drop' };

/**
 * `started` and `ended` bracket each chunk the worker runs, and each has left the worker (is in the
 * channel) before the worker goes on: when the process dies, the pool has heard exactly which chunk
 * it was running (the last `started` without an `ended`), and no end is lost with it.
 */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'started'; nodeId: string; attempt: number }
  | { type: 'progress'; nodeId: string; events: number; expected?: number }
  | { type: 'ended'; nodeId: string; attempt: number; ok: true; eventsProcessed: number; reported?: ReportedResult }
  | { type: 'ended'; nodeId: string; attempt: number; ok: false; failure: TaskFailure };
