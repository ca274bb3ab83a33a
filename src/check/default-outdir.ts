// `heppy check` with no argument checks the build's Outdir: the Config's `outdir` when a
// ./heppyfile.ts is there (relative to it), else ./Outdir, as `heppy build` decides it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadHeppyfile } from '../config/load.js';
import { resolveOutdir, resolvePaths } from '../cli/engine/context.js';
import { formatFailure } from '../util/result.js';

export async function defaultOutdir(): Promise<{ dir: string; note?: string }> {
  const paths = resolvePaths(undefined, undefined);
  if (!existsSync(paths.heppyfile)) return { dir: resolve('Outdir') };
  const loaded = await loadHeppyfile(paths.heppyfile, paths.cacheDir, {});
  if (!loaded.ok) {
    // A broken heppyfile must not stop a look at the results: its default Outdir is checked.
    return { dir: resolveOutdir(undefined, null, paths.heppyfile), note: `heppyfile not loaded (${formatFailure(loaded.error)}); checking the default Outdir` };
  }
  return { dir: resolveOutdir(undefined, loaded.value.config.outdir, paths.heppyfile) };
}
