// Which failed attempts the scheduler tries again, when, and with what: decided by the failure's
// kind, never by its text. Input, analysis and schema failures fail the same way again (retried
// only with --retry-all); infrastructure failures are retried after an exponential back-off (a
// batch system that is down is not hammered); resource failures are retried at once, by a batch
// executor with more memory or time (Snakemake's attempt-scaled resources), locally as they are.
import { assertNever } from '../util/result.js';
import { retriedByDefault, type TaskFailure } from '../util/failure.js';
import type { Resources } from './executor.js';

export interface RetryPolicy {
  /** Retries after the first attempt (--retries). */
  retries: number;
  /** Retry input, analysis and schema failures too (--retry-all). Interrupted ones never. */
  retryAll: boolean;
  /** Infrastructure failures: the n-th retry waits base × 2^(n-1), at most maxMs (--retry-delay). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 5_000;
export const DEFAULT_BACKOFF_MAX_MS = 5 * 60_000;

export function defaultRetryPolicy(retries: number): RetryPolicy {
  return { retries, retryAll: false, backoffBaseMs: DEFAULT_BACKOFF_BASE_MS, backoffMaxMs: DEFAULT_BACKOFF_MAX_MS };
}

export type RetryDecision =
  | { retry: false; why: 'kind' | 'exhausted' | 'no-more-resources' }
  | { retry: true; delayMs: number; resources?: Resources };

/** The wait before retry number `n` (1-based) of an infrastructure failure. */
export function backoffMs(policy: RetryPolicy, n: number): number {
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, n - 1));
}

/**
 * What to do after attempt `attempt` (1-based) failed with `f`. `scale` is the executor's
 * Executor.scaleResources for this job (absent: a resource failure is retried as it is).
 */
export function decideRetry(f: TaskFailure, attempt: number, policy: RetryPolicy,
  scale?: (f: Extract<TaskFailure, { kind: 'resource' }>) => Resources | null): RetryDecision {
  if (f.kind === 'interrupted') return { retry: false, why: 'kind' };
  if (!retriedByDefault(f.kind) && !policy.retryAll) return { retry: false, why: 'kind' };
  if (attempt > policy.retries) return { retry: false, why: 'exhausted' };
  switch (f.kind) {
    case 'input':
    case 'analysis':
    case 'schema':
      return { retry: true, delayMs: 0 };
    case 'infrastructure':
      return { retry: true, delayMs: backoffMs(policy, attempt) };
    case 'resource': {
      // A full disk or quota fails the same way again (outputs go to the same filesystem).
      if (f.resource === 'disk') return { retry: false, why: 'no-more-resources' };
      if (scale === undefined) return { retry: true, delayMs: 0 };
      const r = scale(f);
      return r === null ? { retry: false, why: 'no-more-resources' } : { retry: true, delayMs: 0, resources: r };
    }
    default:
      return assertNever(f, 'failure');
  }
}

/** The scheduler's view of time: real by default, injected by tests (no real waiting). */
export interface SchedClock {
  now(): number;
  /** Resolves after `ms` (at once when ms <= 0), or when `cancel` aborts (the timer is cleared). */
  sleep(ms: number, cancel?: AbortSignal): Promise<void>;
}

export const realClock: SchedClock = {
  now: () => Date.now(),
  sleep: (ms, cancel) => new Promise((res) => {
    if (ms <= 0 || cancel?.aborted) return res();
    const t = setTimeout(res, ms);
    cancel?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
  }),
};
