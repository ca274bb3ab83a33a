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

/** `startedNext`: the chunk sent ahead that the worker started right after this one ended. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; nodeId: string; events: number; expected?: number }
  | { type: 'ended'; nodeId: string; attempt: number; ok: true; eventsProcessed: number; reported?: ReportedResult; startedNext?: string }
  | { type: 'ended'; nodeId: string; attempt: number; ok: false; failure: TaskFailure; startedNext?: string };
