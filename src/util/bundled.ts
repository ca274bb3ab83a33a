// The processes and threads heppy starts itself (a local chunk worker, a batch job's `run-chunk`, a
// packed array task, the exit-marker helper, the output-check thread) run the bundled CLI's entry
// of the same name (dist/cli/, scripts/bundle-cli.mjs: a few files to load instead of dozens) when
// it is as new as dist/src, else the unbundled module: the same program, slower to start.
// HEPPY_BUNDLE=0 (inherited by those processes) runs everything unbundled.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envFlag } from './env.js';

/** dist/cli/ and dist/src/cli/main.js (tsc rewrites it on every run: the bundle's freshness test, as bin/heppy.js's). */
const cliDir = new URL('../../cli/', import.meta.url);
const srcMain = new URL('../cli/main.js', import.meta.url);
let srcMtime: number | null = null;
const chosen = new Map<string, string>();

/** The bundle's entry `name` (dist/cli/<name>.js) when it is not older than dist/src, else `unbundled`. */
export function bundledOr(name: 'main' | 'worker' | 'run-chunks' | 'exit-marker' | 'output-check', unbundled: string): string {
  if (envFlag('HEPPY_BUNDLE') === false) return unbundled;
  const known = chosen.get(name);
  if (known !== undefined) return known;
  const entry = fileURLToPath(new URL(`${name}.js`, cliDir));
  let use = unbundled;
  try {
    srcMtime ??= statSync(fileURLToPath(srcMain)).mtimeMs;
    if (statSync(entry).mtimeMs >= srcMtime) use = entry;
  } catch {
    // no bundle (never made, or dist/src without its CLI): unbundled
  }
  chosen.set(name, use);
  return use;
}
