// The build's event stream: the engine emits these, reporters (TTY, plain, JSON) render them.
import type { TaskFailure } from '../util/failure.js';
export type NodeKind = 'chunk' | 'hadd';

/** Why nodes were not run. */
export interface NotRun {
  failed: number;         // a chunk they depend on failed, or --no-keep-going stopped after a failure
  interrupted: number;    // Ctrl-C / SIGTERM
  detached: number;       // --detach returned before they could run
}

export interface Summary {
  run: number;            // nodes this build ran (submitted) and that succeeded
  adopted: number;        // batch jobs of an earlier build re-attached to and finished: not counted in run
  /** Nodes restored from the output cache instead of run (not counted in run). */
  restored?: number;
  upToDate: number;
  failed: number;
  skipped: number;        // not run, for any of the reasons in notRun (their sum)
  notRun: NotRun;
  eventsProcessed: number;
  wallMs: number;
  /** `reason` is formatTaskFailure(failure), for people; code reads `failure`. */
  failures: Array<{ id: string; reason: string; failure: TaskFailure; attempts: number; log?: string }>;
  /** Stopped by Ctrl-C / SIGTERM: set even when every node had ended (a restore from the cache is quick). */
  interrupted?: boolean;
}

export type BuildEvent =
  /** toRun: the nodes not up to date; toRestore: how many of them the output cache restores instead of running (engine/predict-merge.ts). */
  | { type: 'plan'; total: number; toRun: number; toRestore?: number; upToDate: number; components: Array<{ name: string; chunks: number; toRun: number }> }
  /** restore: the output cache holds its key (the node is restored from there, not run). */
  | { type: 'would-run'; id: string; kind: NodeKind; why: string[]; restore?: { builtAt: string } }
  | { type: 'up-to-date'; id: string; kind: NodeKind; component: string }
  | { type: 'start'; id: string; kind: NodeKind; component: string; attempt: number }
  | { type: 'progress'; id: string; component: string; events: number; /** the chunk's events in all, when known */ expected?: number }
  /** Attempt `attempt` starts in `delayMs` (back-off), with `resources` when they were raised. */
  | { type: 'retry'; id: string; component: string; attempt: number; reason: string; failure: TaskFailure; delayMs: number; resources?: { memMB?: number; timeMin?: number } }
  | { type: 'done'; id: string; kind: NodeKind; component: string; eventsProcessed: number; restored?: { builtAt: string };
      /** How long it ran: a batch job from its own start (its marker's times), without its time in the queue. */
      durationMs: number;
      /** A batch job: from this build's submission of the attempt to the job's start. */
      queueMs?: number;
      /** A merge (run in the build's process): the process's CPU (user + system) while it ran. */
      cpuMs?: number }
  | { type: 'failed'; id: string; kind: NodeKind; component: string; reason: string; failure: TaskFailure; log?: string; attempts: number }
  | { type: 'skipped'; id: string; kind: NodeKind; component: string; reason: string }
  | { type: 'warning'; message: string }
  | { type: 'summary'; summary: Summary };

export interface Reporter {
  event(e: BuildEvent): void;
  /** Called once at the end (stop timers, clear the live display). */
  close(): void;
}
