// Where things are for one build: the heppyfile, the cache (store), the Outdir; heppy's version.
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadHeppyfile } from '../config/load.js';
import { formatFailure } from '../util/result.js';

export const heppyVersion: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Paths {
  heppyfile: string;
  cacheDir: string;
}

/** The heppyfile (default ./heppyfile.ts) and the cache dir (default `cache/` next to it). */
export function resolvePaths(file: string | undefined, cacheDir: string | undefined): Paths {
  const heppyfile = resolve(file ?? 'heppyfile.ts');
  return { heppyfile, cacheDir: cacheDir !== undefined ? resolve(cacheDir) : join(dirname(heppyfile), 'cache') };
}

/** `--outdir` (relative to the working directory) wins; else the Config's (relative to the heppyfile); else Outdir. */
export function resolveOutdir(flag: string | undefined, fromConfig: string | null, heppyfile: string): string {
  if (flag !== undefined) return resolve(flag);
  const d = fromConfig ?? 'Outdir';
  return isAbsolute(d) ? d : resolve(dirname(heppyfile), d);
}

/** `-o key=value` / `-o flag` → options (a bare flag is true, as heppy's). */
export function parseOptions(list: readonly string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const o of list) {
    const i = o.indexOf('=');
    if (i < 0) out[o] = true;
    else out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}

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
