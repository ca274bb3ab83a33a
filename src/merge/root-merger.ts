// How mergeComponent merges one ROOT file across chunks: src/root/hadd's mergeRootFiles, behind a
// small injected type so that tests can count calls or simulate a failure.
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
