// Messages between the local pool (parent) and its worker processes (IPC, JSON).
import type { TaskFailure } from '../../util/failure.js';
import type { ReportedResult } from '../executor.js';

/** `keepIn`: the output cache's directory, where the worker keeps a successful result. */
export type ToWorker = { type: 'run'; nodeId: string; attempt: number; chunkDir: string; spec?: unknown; keepIn?: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; nodeId: string; events: number; expected?: number }
  | { type: 'ended'; nodeId: string; attempt: number; ok: true; eventsProcessed: number; reported?: ReportedResult }
  | { type: 'ended'; nodeId: string; attempt: number; ok: false; failure: TaskFailure };
