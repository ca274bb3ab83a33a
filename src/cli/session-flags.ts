// A base for the commands that look at a build (status, why, graph): the flags that decide the
// plan, as given to `heppy build` (-o and -N are part of the keys).
import { Command, Option } from 'clipanion';
import { UserError } from '../util/result.js';
import type { SessionFlags } from '../engine/session.js';

/** `--merge-fan-in N`: an integer >= 2 (one clear line otherwise). */
export function parseFanIn(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 2) throw new UserError(`--merge-fan-in must be a whole number >= 2, got '${v}'`);
  return Number(v);
}

export abstract class SessionCommand extends Command {
  file = Option.String('-f,--file', { description: 'the heppyfile (default ./heppyfile.ts)' });
  outdir = Option.String('--outdir', { description: 'output directory (default: the Config\'s, else Outdir next to the heppyfile)' });
  cacheDir = Option.String('--cache-dir', { description: 'the store (default cache/ next to the heppyfile)' });
  options = Option.Array('-o,--option', [], { description: 'global options as given to build (they are part of the keys)' });
  nevents = Option.String('-N,--nevents', { description: '-N as given to build' });
  mergeFanIn = Option.String('--merge-fan-in', { description: '--merge-fan-in as given to build (the shape of the merge trees)' });

  protected sessionFlags(): SessionFlags {
    if (this.nevents !== undefined && !/^\d+$/.test(this.nevents)) throw new UserError(`-N must be a whole number, got '${this.nevents}'`);
    return { file: this.file, cacheDir: this.cacheDir, outdir: this.outdir, options: this.options,
      maxEvents: this.nevents === undefined ? undefined : Number(this.nevents), mergeFanIn: parseFanIn(this.mergeFanIn) };
  }
}
