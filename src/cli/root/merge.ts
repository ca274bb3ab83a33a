// `heppy root merge OUT IN…`: ROOT's hadd usage. Trees of any branch type concatenated (baskets
// copied without recompression unless asked), histograms and profiles added, every key kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import { formatFailure, InfrastructureError, UserError, type Failure } from '../../util/result.js';
import { RemoteError, isTransient } from '../../io/errors.js';
import { isUrl } from '../../io/url.js';

export class RootMergeCommand extends Command {
  static override paths = [['root', 'merge']];
  static override usage = Command.Usage({
    description: 'merge ROOT files like ROOT\'s hadd',
    details: `
      Writes OUT from the inputs IN…: trees with the same branches (matched by name, any type:
      numbers, strings, std::vector, objects) are concatenated, their compressed baskets copied as
      they are; TH1/TH2/TH3 of every precision and TProfile/2D/3D with the same binning are added
      with every statistic; directories are merged recursively; every key name and cycle of the
      inputs is kept; any other object is taken from the first file that has it, with the
      StreamerInfo of its classes. A branch missing in one input, of another type, or a different
      binning stops the merge with the file and the object named. OUT appears only when complete.

      ROOT hadd's flags: -f overwrite; -k skip unreadable inputs; -fk keep the inputs' basket
      compression (heppy's default), -fk<N> with metadata compressed by setting N; -ff recompress
      baskets to the first input's setting; -f<N> (e.g. -f505, -f1) recompress baskets of inputs
      whose setting differs from N; -n N at most N inputs open at once; -j N merge N groups of
      inputs in parallel (worker threads), then the partial files in order (-j alone: one group
      per core): it gains where the work per input is CPU (recompression, many small files), not
      for a plain copy of baskets, which it does twice. --append-inputs auto appends each input
      of 4 MB or more made of tree baskets whole to OUT by a kernel copy in another process,
      which runs while the metadata is merged, and uses its baskets there (their keys' positions
      rewritten; OUT starts with the first such input when its head can hold OUT's): less CPU in
      this process where baskets are large, more in all; OUT is larger by the unused bytes of
      those inputs (at most a tenth of each, free segments as ROOT's). never (the default)
      copies every basket through this process; always appends every input holding a tree.

      Exit status: 0 merged; 2 bad input (an input that cannot be read or whose trees or
      binnings do not match, missing arguments, OUT exists without -f); 1 the merge itself
      failed (e.g. writing OUT). OUT is written under a temporary name and renamed when complete
      (a merge killed half way leaves no OUT); like ROOT's hadd it is not fsynced: run sync
      where OUT must survive a crash of the machine.
    `,
    examples: [
      ['Merge two files', '$0 root merge out.root part1.root part2.root'],
      ['Overwrite OUT and skip unreadable inputs', '$0 root merge -f -k out.root chunk*/tree.root'],
      ['Recompress everything with zstd level 5', '$0 root merge -f505 out.root a.root b.root'],
      ['At most 50 files open at once', '$0 root merge -n 50 out.root chunk*/tree.root'],
      ['Recompress with zstd in 2 parallel jobs', '$0 root merge -j 2 -f505 out.root chunk*/tree.root'],
    ],
  });

  force = Option.Boolean('-f,--force', false, { description: 'overwrite OUT if it exists' });
  skip = Option.Boolean('-k,--skip-unreadable', false, { description: 'skip inputs that cannot be read, with a warning' });
  compression = Option.String('--compression', { description: 'compression setting of what is written (100 × algorithm + level, or "first"); hadd -fk<N>' });
  recompress = Option.Boolean('--recompress', false, { description: 'recompress baskets whose input setting differs (hadd -f<N>, -ff)' });
  maxOpen = Option.String('-n,--max-open-files', { description: 'at most N input files open at once (N ≥ 2)' });
  jobs = Option.String('-j,--jobs', { description: 'merge N groups of inputs in parallel, then the partial files (hadd -j; -j alone: one per core)' });
  appendInputs = Option.String('--append-inputs', { description: 'auto: append inputs of ≥ 4 MB made of tree baskets whole (a kernel copy) and use their baskets in place; always; never (default): copy every basket' });
  out = Option.String({ name: 'OUT' });
  inputs = Option.Rest({ name: 'IN', required: 1 });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { mergeRootFiles, compressionOf, mark } = await import('../../root/hadd/index.js');
    mark('merge command loaded');
    const c = this.compression;
    if (c !== undefined && c !== 'first' && !/^\d{1,3}$/.test(c)) throw new UserError(`--compression: expected a setting such as 505 or "first", got ${JSON.stringify(c)}`);
    const n = this.maxOpen === undefined ? undefined : Number(this.maxOpen);
    if (n !== undefined && !(Number.isInteger(n) && n >= 2)) throw new UserError(`-n: expected a whole number of files ≥ 2, got ${JSON.stringify(this.maxOpen)}`);
    const a = this.appendInputs;
    if (a !== undefined && a !== 'auto' && a !== 'always' && a !== 'never') throw new UserError(`--append-inputs: expected auto, always or never, got ${JSON.stringify(a)}`);
    const j = this.jobs === undefined ? undefined : Number(this.jobs);
    if (j !== undefined && !(Number.isInteger(j) && j >= 1 && j <= 256)) throw new UserError(`-j: expected a whole number of jobs from 1 to 256, got ${JSON.stringify(this.jobs)}`);
    // Remote inputs (root://, http(s)://) are copied to a temporary directory first; errors name the URL.
    const staged = await this.stageRemote();
    let r;
    try {
      r = await mergeRootFiles(this.out, this.inputs.map((f) => staged.local.get(f) ?? f), {
        force: this.force,
        skipUnreadable: this.skip,
        recompress: this.recompress,
        ...(c !== undefined && c !== 'first' ? { compression: compressionOf(Number(c)) } : {}),
        ...(n !== undefined ? { maxOpenFiles: n } : {}),
        ...(j !== undefined ? { jobs: j } : {}),
        ...(a !== undefined ? { append: a } : {}),
        onWarning: (m) => this.context.stderr.write(`heppy: warning: ${staged.named(m)}\n`),
      });
    } finally {
      staged.cleanup();
    }
    if (!r.ok) {
      const error: Failure = { ...r.error, reason: staged.named(r.error.reason), ...(r.error.file !== undefined ? { file: staged.named(r.error.file) } : {}) };
      // A fault of an input file (unreadable, mismatched) or of the arguments is bad user input: exit 2.
      const inputFault = error.file !== undefined && this.inputs.some((f) => f === error.file || resolve(f) === resolve(error.file!));
      if (inputFault || /output file exists|output file is also an input/.test(error.reason)) throw new UserError(formatFailure(error));
      this.context.stderr.write(`heppy: ${formatFailure(error)}\n`);
      return 1;
    }
    const s = r.value;
    this.context.stdout.write(`${this.out}: merged ${s.inputs} file(s): ${s.trees} tree(s) with ${s.entries} entries, ${s.histograms} histogram(s) added, ${s.copied} object(s) copied${s.skipped.length ? `, ${s.skipped.length} skipped` : ''}\n`);
    return 0;
  }

  /** Copies of the remote inputs; `named` puts the URLs back in place of the copies' paths. */
  private async stageRemote(): Promise<{ local: Map<string, string>; named(text: string): string; cleanup(): void }> {
    const urls = this.inputs.filter(isUrl);
    if (urls.length === 0) return { local: new Map(), named: (t) => t, cleanup: () => undefined };
    const { stageRemote } = await import('../../io/stage.js');
    const dir = mkdtempSync(join(tmpdir(), 'heppy-merge-'));
    const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
    const local = new Map<string, string>();
    try {
      for (const [i, u] of urls.entries()) local.set(u, await stageRemote(u, dir, i));
    } catch (e) {
      cleanup();
      if (e instanceof RemoteError) throw isTransient(e.kind) ? new InfrastructureError(e.message) : new UserError(e.message);
      throw e;
    }
    const named = (text: string): string => {
      for (const [u, l] of local) text = text.split(l).join(u);
      return text;
    };
    return { local, named, cleanup };
  }
}
