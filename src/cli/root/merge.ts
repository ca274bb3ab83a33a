// `heppy root merge OUT IN…`: ROOT's hadd usage. Trees concatenated (baskets copied without
// recompression), histograms added, directories merged, other objects from the first file.
import { resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import { formatFailure, UserError } from '../../util/result.js';

export class RootMergeCommand extends Command {
  static override paths = [['root', 'merge']];
  static override usage = Command.Usage({
    description: 'merge ROOT files like ROOT\'s hadd',
    details: `
      Writes OUT from the inputs IN…: trees with the same branches are concatenated (their
      compressed baskets are copied as they are, not recompressed), TH1F/TH1D/TH2F/TH2D with the
      same binning are added with every statistic, directories are merged recursively, and any
      other object is taken from the first file that has it. Mismatched trees or binnings stop
      the merge with the file and the object named. OUT appears only when complete.

      Exit status: 0 merged; 2 bad input (an input that cannot be read or whose trees or
      binnings do not match, missing arguments, OUT exists without -f); 1 the merge itself
      failed (e.g. writing OUT).
    `,
    examples: [
      ['Merge two files', '$0 root merge out.root part1.root part2.root'],
      ['Overwrite OUT and skip unreadable inputs', '$0 root merge -f -k out.root chunk*/tree.root'],
    ],
  });

  force = Option.Boolean('-f,--force', false, { description: 'overwrite OUT if it exists' });
  skip = Option.Boolean('-k,--skip-unreadable', false, { description: 'skip inputs that cannot be read, with a warning' });
  out = Option.String({ name: 'OUT' });
  inputs = Option.Rest({ name: 'IN', required: 1 });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { mergeRootFiles } = await import('../../root/hadd/index.js');
    const r = await mergeRootFiles(this.out, this.inputs, {
      force: this.force,
      skipUnreadable: this.skip,
      onWarning: (m) => this.context.stderr.write(`heppy: warning: ${m}\n`),
    });
    if (!r.ok) {
      // A fault of an input file (unreadable, mismatched) or of the arguments is bad user input: exit 2.
      const inputFault = r.error.file !== undefined && this.inputs.some((f) => resolve(f) === resolve(r.error.file!));
      if (inputFault || /output file exists|output file is also an input/.test(r.error.reason)) throw new UserError(formatFailure(r.error));
      this.context.stderr.write(`heppy: ${formatFailure(r.error)}\n`);
      return 1;
    }
    const s = r.value;
    this.context.stdout.write(`${this.out}: merged ${s.inputs} file(s): ${s.trees} tree(s) with ${s.entries} entries, ${s.histograms} histogram(s) added, ${s.copied} object(s) copied${s.skipped.length ? `, ${s.skipped.length} skipped` : ''}\n`);
    return 0;
  }
}
