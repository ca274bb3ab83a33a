// The Outdir a read-only command works on: the one named, else the heppyfile's default.
import type { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { refuseNewer } from '../cache/format.js';

/**
 * Resolves an optional Outdir argument; a note about an unloadable heppyfile goes to stderr. An
 * Outdir whose .heppy a newer heppy wrote is refused (one line, exit 2) before anything there is read.
 */
export async function outdirArgument(arg: string | undefined, stderr: Writable): Promise<string> {
  if (arg !== undefined) {
    refuseNewer('outdir', resolve(arg));
    return arg;
  }
  // Loaded here: the heppyfile loader is not needed when the Outdir is named.
  const { defaultOutdir } = await import('../engine/workspace.js');
  const d = await defaultOutdir();
  if (d.note) stderr.write(`heppy: ${d.note}\n`);
  refuseNewer('outdir', d.dir);
  return d.dir;
}
