// Why a task (chunk or merge) failed, as a value carried from where it happens (the looper, an
// executor, the merge) through the marker, the scheduler, the summary, `heppy check --json` and
// the `--json` events. Code decides by `kind`, never by the text of `reason`.
import { assertNever } from './result.js';

/** A failure of one attempt of a task, tagged by what went wrong. `reason` is for people only. */
export type TaskFailure =
  /** An input file is missing, unreadable or corrupt (local path or URL, never with credentials). */
  | { kind: 'input'; reason: string; file: string; object?: string }
  /** The analysis code threw. `at` is file:line:col in the user's sources when known. */
  | { kind: 'analysis'; reason: string; analyzer?: string; event?: number; file?: string; stack?: string; at?: string }
  /** The tree, or a branch the analysis reads, is not in an input file. */
  | { kind: 'schema'; reason: string; file: string; tree: string; branch?: string }
  /**
   * Out of memory, over the time limit, or killed by a signal: may succeed with more resources. A
   * full disk or quota (ENOSPC, EDQUOT: `disk`) is not retried: it fails the same way until the
   * user frees space.
   */
  | { kind: 'resource'; reason: string; resource: 'memory' | 'time' | 'signal' | 'disk'; signal?: string }
  /** Job vanished, node failure, submission error, server unreachable: may succeed as it is. */
  | { kind: 'infrastructure'; reason: string }
  /** The user (Ctrl-C, SIGUSR2, scancel by hand) or heppy stopped it. */
  | { kind: 'interrupted'; reason: string };

export type FailureKind = TaskFailure['kind'];

export const FAILURE_KINDS: readonly FailureKind[] = ['input', 'analysis', 'schema', 'resource', 'infrastructure', 'interrupted'];

export function isFailureKind(v: unknown): v is FailureKind {
  return typeof v === 'string' && (FAILURE_KINDS as readonly string[]).includes(v);
}

/**
 * Whether the scheduler retries a failure of this kind by default. Input, analysis and schema
 * failures fail the same way again (a flag may ask for retries anyway); infrastructure failures
 * are retried with back-off; resource failures are retried (batch executors with more resources).
 */
export function retriedByDefault(kind: FailureKind): boolean {
  switch (kind) {
    case 'input':
    case 'analysis':
    case 'schema':
    case 'interrupted':
      return false;
    case 'resource':
    case 'infrastructure':
      return true;
    default:
      return assertNever(kind, 'failure kind');
  }
}

/** One line: "kind: file: object: reason" with what is known. */
export function formatTaskFailure(f: TaskFailure): string {
  const parts: string[] = [f.kind];
  switch (f.kind) {
    case 'input':
      parts.push(f.file, ...(f.object ? [f.object] : []));
      break;
    case 'analysis':
      if (f.analyzer) parts.push(f.analyzer);
      if (f.event !== undefined) parts.push(`event ${f.event}${f.file !== undefined ? ` of ${f.file}` : ''}`);
      if (f.at) parts.push(f.at);
      break;
    case 'schema':
      parts.push(f.file, f.tree, ...(f.branch ? [f.branch] : []));
      break;
    case 'resource':
    case 'infrastructure':
    case 'interrupted':
      break;
    default:
      assertNever(f, 'failure');
  }
  parts.push(f.reason);
  return parts.join(': ');
}

/** Parses a failure stored in a marker or a record; null when absent or malformed. */
export function parseTaskFailure(raw: unknown): TaskFailure | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (!isFailureKind(o.kind) || typeof o.reason !== 'string') return null;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const reason = o.reason;
  switch (o.kind) {
    case 'input':
      return { kind: 'input', reason, file: str(o.file) ?? '', ...(str(o.object) ? { object: str(o.object)! } : {}) };
    case 'analysis': {
      const f: TaskFailure = { kind: 'analysis', reason };
      for (const k of ['analyzer', 'file', 'stack', 'at'] as const) if (str(o[k])) f[k] = str(o[k]);
      if (typeof o.event === 'number') f.event = o.event;
      return f;
    }
    case 'schema':
      return { kind: 'schema', reason, file: str(o.file) ?? '', tree: str(o.tree) ?? '', ...(str(o.branch) ? { branch: str(o.branch)! } : {}) };
    case 'resource': {
      const r = o.resource === 'memory' || o.resource === 'time' || o.resource === 'disk' ? o.resource : 'signal';
      return { kind: 'resource', reason, resource: r, ...(str(o.signal) ? { signal: str(o.signal)! } : {}) };
    }
    case 'infrastructure':
      return { kind: 'infrastructure', reason };
    case 'interrupted':
      return { kind: 'interrupted', reason };
    default:
      return assertNever(o.kind, 'failure kind');
  }
}

/** Carries a TaskFailure through code that throws (e.g. from an event source to the chunk runner). */
export class TaskFailureError extends Error {
  constructor(readonly failure: TaskFailure) {
    super(formatTaskFailure(failure));
    this.name = 'TaskFailureError';
  }
}
