// How mergeComponent merges one ROOT file across chunks: src/root/hadd's mergeRootFiles, behind a
// small injected type so that tests can count calls or simulate a failure. Many inputs are merged
// in groups first (heppy_hadd split long command lines in halves): each input is an open file in
// mergeRootFiles, and a component of thousands of chunks must not run out of file descriptors.
// Histograms are still added as one merge adds them, in input order (sumsFrom), never group by group.
import { rmSync } from 'node:fs';
import { mergeRootFiles } from '../root/hadd/index.js';
import { fail, type Result } from '../util/result.js';

export interface RootMergeOptions {
  onWarning?: (m: string) => void;
  /** The files whose histograms are added, in order, when `inputs` are partial merges of them. */
  sumsFrom?: string[];
  /** Stops a merge in groups between groups (heppy hadd's Ctrl-C); the merger itself ignores it. */
  signal?: AbortSignal;
}

export type RootMerger = (out: string, inputs: string[], opts: RootMergeOptions) => Promise<Result<unknown>>;

export const defaultRootMerger: RootMerger = (out, inputs, opts) =>
  mergeRootFiles(out, inputs, { ...(opts.onWarning ? { onWarning: opts.onWarning } : {}), ...(opts.sumsFrom ? { sumsFrom: opts.sumsFrom } : {}) });

/** Inputs merged by one call at most. */
export const MAX_INPUTS_PER_MERGE = 200;

/**
 * Merges `inputs` into `out` with at most `maxInputs` inputs per call: consecutive groups into
 * `out.L<level>.part<K>.root` files, then those (recursively), so tree entries keep the chunk order;
 * the last call adds the histograms from the original inputs (opts.sumsFrom, else `inputs`), in order.
 */
export async function mergeInGroups(merger: RootMerger, out: string, inputs: string[], opts: RootMergeOptions, maxInputs = MAX_INPUTS_PER_MERGE, level = 0): Promise<Result<unknown>> {
  if (maxInputs < 2) throw new Error('mergeInGroups: maxInputs must be at least 2');
  if (inputs.length <= maxInputs) return merger(out, inputs, opts);
  const parts: string[] = [];
  try {
    for (let i = 0; i < inputs.length; i += maxInputs) {
      if (opts.signal !== undefined) {
        await new Promise((r) => setImmediate(r));
        if (opts.signal.aborted) return fail({ file: out, reason: 'interrupted: nothing written' });
      }
      const part = `${out}.L${level}.part${parts.length}.root`;
      parts.push(part);
      const r = await merger(part, inputs.slice(i, i + maxInputs), opts.onWarning ? { onWarning: opts.onWarning } : {});
      if (!r.ok) return r;
    }
    return await mergeInGroups(merger, out, parts, { ...opts, sumsFrom: opts.sumsFrom ?? inputs }, maxInputs, level + 1);
  } finally {
    for (const p of parts) rmSync(p, { force: true });
  }
}

