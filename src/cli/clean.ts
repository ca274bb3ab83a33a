// `heppy clean`: remove the build's outputs in Outdir and its records in the store.
import { Command, Option } from 'clipanion';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadHeppyfile } from '../config/load.js';
import { initHash } from '../fingerprint/hash.js';
import { acquireLock } from '../store/lock.js';
import { cacheDirProblem, openStore } from '../store/open.js';
import { formatFailure, UserError } from '../util/result.js';
import { parseOptions, resolveOutdir, resolvePaths } from '../engine/workspace.js';

export class CleanCommand extends Command {
  static override paths = [['clean']];
  static override usage = Command.Usage({
    description: 'remove the outputs in Outdir and the cache entries of this Outdir',
    details: `
      Removes every chunk and merged directory heppy made in Outdir (directories holding a
      chunk.json or a heppy-status.json marker) and Outdir/.heppy, and forgets the task records and
      batch journal of this Outdir in the store, so the next build runs everything. Other files in
      Outdir are left alone. With --records-only, outputs stay and only the records go (the next
      build re-adopts intact chunks from their markers). Refuses while a build runs on Outdir.
    `,
    examples: [
      ['Start from scratch', '$0 clean'],
      ['Another output directory', '$0 clean --outdir Out2'],
    ],
  });

  file = Option.String('-f,--file', { description: 'the heppyfile (default ./heppyfile.ts)' });
  outdir = Option.String('--outdir', { description: 'output directory (default: the Config\'s, else Outdir next to the heppyfile)' });
  cacheDir = Option.String('--cache-dir', { description: 'the store (default cache/ next to the heppyfile)' });
  recordsOnly = Option.Boolean('--records-only', false, { description: 'keep the outputs, forget the records' });

  override async execute(): Promise<number> {
    const paths = resolvePaths(this.file, this.cacheDir);
    const unusable = existsSync(paths.cacheDir) ? cacheDirProblem(paths.cacheDir) : null;
    if (unusable) throw new UserError(unusable);
    let outdir: string;
    if (this.outdir !== undefined) outdir = resolveOutdir(this.outdir, null, paths.heppyfile);
    else {
      await initHash();
      const l = await loadHeppyfile(paths.heppyfile, paths.cacheDir, parseOptions([]));
      if (!l.ok) throw new UserError(`${formatFailure(l.error)} (give --outdir to clean without loading the heppyfile)`);
      outdir = resolveOutdir(undefined, l.value.config.outdir, paths.heppyfile);
    }
    if (!existsSync(outdir) && !existsSync(paths.cacheDir)) {
      process.stdout.write(`nothing to clean in ${outdir}\n`);
      return 0;
    }
    const lock = acquireLock(outdir, 'clean');
    if (!lock.ok) throw new UserError(formatFailure(lock.error), 1);
    try {
      let n = 0;
      if (existsSync(paths.cacheDir)) {
        const opened = openStore(paths.cacheDir, outdir, false);
        if (!opened.ok) throw new UserError(formatFailure(opened.error));
        if (opened.value.notice) process.stderr.write(opened.value.notice + '\n');
        n = await opened.value.store.clearOutdir();
        await opened.value.store.close();
      }
      let dirs = 0;
      if (!this.recordsOnly) {
        for (const d of readdirSync(outdir, { withFileTypes: true })) {
          if (!d.isDirectory() || d.name === '.heppy') continue;
          const p = join(outdir, d.name);
          if (existsSync(join(p, 'chunk.json')) || existsSync(join(p, 'heppy-status.json'))) {
            rmSync(p, { recursive: true, force: true });
            dirs++;
          }
        }
        for (const d of readdirSync(join(outdir, '.heppy'))) if (d !== 'lock') rmSync(join(outdir, '.heppy', d), { recursive: true, force: true });
      }
      process.stdout.write(`removed ${dirs} output directories and ${n} records of ${outdir}\n`);
      return 0;
    } finally {
      lock.value.release();
    }
  }
}
