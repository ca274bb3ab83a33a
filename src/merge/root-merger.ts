// How mergeComponent merges one ROOT file across chunks: src/root/hadd's mergeRootFiles, behind a
// small injected type so that tests can count calls or simulate a failure. Many inputs are merged
// in groups first (heppy_hadd split long command lines in halves): each input is an open file in
// mergeRootFiles, and a component of thousands of chunks must not run out of file descriptors.
import { rmSync } from 'node:fs';
import { fail, type Result } from '../util/result.js';

export type RootMerger = (out: string, inputs: string[], opts: { onWarning?: (m: string) => void }) => Promise<Result<unknown>>;

export const defaultRootMerger: RootMerger = async (out, inputs, opts) => {
  // Resolved at run time until src/root/hadd is in the tree (it is being written in parallel).
  const modPath = '../root/hadd/index.js';
  let mod: { mergeRootFiles?: (o: string, i: string[], x: object) => Promise<Result<unknown>> };
  try {
    mod = (await import(modPath)) as typeof mod;
  } catch {
    return fail({ file: out, reason: 'ROOT merging is not available (src/root/hadd missing from this build)' });
  }
  if (!mod.mergeRootFiles) return fail({ file: out, reason: 'src/root/hadd has no mergeRootFiles' });
  return mod.mergeRootFiles(out, inputs, { onWarning: opts.onWarning });
};

/** Inputs merged by one call at most. */
export const MAX_INPUTS_PER_MERGE = 200;

/**
 * Merges `inputs` into `out` with at most `maxInputs` inputs per call: consecutive groups into
 * `out.L<level>.part<K>.root` files, then those (recursively), so tree entries keep the chunk order.
 */
export async function mergeInGroups(merger: RootMerger, out: string, inputs: string[], opts: { onWarning?: (m: string) => void }, maxInputs = MAX_INPUTS_PER_MERGE, level = 0): Promise<Result<unknown>> {
  if (maxInputs < 2) throw new Error('mergeInGroups: maxInputs must be at least 2');
  if (inputs.length <= maxInputs) return merger(out, inputs, opts);
  const parts: string[] = [];
  try {
    for (let i = 0; i < inputs.length; i += maxInputs) {
      const part = `${out}.L${level}.part${parts.length}.root`;
      parts.push(part);
      const r = await merger(part, inputs.slice(i, i + maxInputs), opts);
      if (!r.ok) return r;
    }
    return await mergeInGroups(merger, out, parts, opts, maxInputs, level + 1);
  } finally {
    for (const p of parts) rmSync(p, { force: true });
  }
}

