// Messages between the local pool (parent) and its worker processes (IPC, JSON).
import type { TaskFailure } from '../../util/failure.js';

export type ToWorker = { type: 'run'; nodeId: string; attempt: number; chunkDir: string; spec?: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; nodeId: string; events: number; expected?: number }
  | { type: 'ended'; nodeId: string; attempt: number; ok: true; eventsProcessed: number }
  | { type: 'ended'; nodeId: string; attempt: number; ok: false; failure: TaskFailure };
