// The digests of a build's inputs, with remote inputs that did not answer digested again after the
// build's back-off (the policy of --retries / --retry-delay, as for a chunk's infrastructure
// failure): a server that is back within the retry window costs only the wait. What still fails
// is returned as it is: an infrastructure failure (exit 3), or the user's input (exit 2).
import type { FileDigests } from '../fingerprint/digests.js';
import { backoffMs, type RetryPolicy } from '../exec/retry-policy.js';
import { formatFailure, type Result } from '../util/result.js';

export interface NetRetry {
  policy: Pick<RetryPolicy, 'retries' | 'backoffBaseMs' | 'backoffMaxMs'>;
  /** Waits (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
  /** A line saying what is retried and when (the build prints it on stderr). */
  notice?: (line: string) => void;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function digestInputs(digests: Pick<FileDigests, 'digestAll' | 'forget'>, files: readonly string[], retry?: NetRetry): Promise<Map<string, Result<string>>> {
  const out = await digests.digestAll(files);
  const retries = retry?.policy.retries ?? 0;
  for (let n = 1; n <= retries; n++) {
    const failed = [...out].filter(([, r]) => !r.ok && r.error.kind === 'infrastructure').map(([f]) => f);
    if (failed.length === 0) break;
    const wait = backoffMs(retry!.policy as RetryPolicy, n);
    const first = out.get(failed[0]!)!;
    const what = first.ok ? failed[0]! : formatFailure(first.error);
    retry!.notice?.(`${what}${failed.length > 1 ? ` (and ${failed.length - 1} more input files)` : ''}; digesting again in ${(wait / 1000).toFixed(wait < 10_000 ? 1 : 0)} s (retry ${n} of ${retries})`);
    await (retry!.sleep ?? realSleep)(wait);
    digests.forget(failed);
    for (const [f, r] of await digests.digestAll(failed)) out.set(f, r);
  }
  return out;
}
