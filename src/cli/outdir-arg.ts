// The Outdir a read-only command works on: the one named, else the heppyfile's default.
import type { Writable } from 'node:stream';

/** Resolves an optional Outdir argument; a note about an unloadable heppyfile goes to stderr. */
export async function outdirArgument(arg: string | undefined, stderr: Writable): Promise<string> {
  if (arg !== undefined) return arg;
  // Loaded here: the heppyfile loader is not needed when the Outdir is named.
  const { defaultOutdir } = await import('../engine/workspace.js');
  const d = await defaultOutdir();
  if (d.note) stderr.write(`heppy: ${d.note}\n`);
  return d.dir;
}
