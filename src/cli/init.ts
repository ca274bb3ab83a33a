// `heppy init [DIR]`: a new analysis project (src/init/), then the one line that makes it run.
import { Command, Option } from 'clipanion';
import { relative } from 'node:path';
import { formatFailure, UserError } from '../util/result.js';

export class InitCommand extends Command {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'start a new analysis project: heppyfile, one analyzer, package.json, tsconfig',
    details: `
      Writes into DIR (default: the current directory, created if needed): \`heppyfile.ts\` with one
      component over the files of --files (one chunk per file) and one analyzer,
      \`analyzers/first-look.ts\`, that reads a few numeric branches of their tree (a cut flow and
      histograms); \`package.json\` depending on this heppy, \`tsconfig.json\` (for the editor and
      \`npx tsc --noEmit\`) and \`.gitignore\` (Outdir/, cache/, node_modules/). Without --files it
      writes a small sample (\`data/sample_*.root\`, tree \`events\`) with heppy's ROOT writer.
      Existing project files are never overwritten (exit 2). Then \`npm install\` and \`npx heppy build\`.
    `,
    examples: [
      ['A project over a small generated sample', '$0 init my-analysis'],
      ['Over your own files (the tree is found when the files hold only one)', "$0 init my-analysis --files '/data/nanoaod/*.root' --tree Events"],
    ],
  });

  dir = Option.String({ name: 'DIR', required: false });
  files = Option.String('--files', { description: 'glob of the input ROOT files (quote it); default: a generated sample' });
  tree = Option.String('--tree', { description: 'the input tree (default: the only tree of the first file)' });
  name = Option.String('--name', { description: "the component's name (default: the files' directory name)" });

  override async execute(): Promise<number> {
    const { initProject } = await import('../init/index.js');
    const r = await initProject({ dir: this.dir ?? '.', files: this.files, tree: this.tree, component: this.name });
    if (!r.ok) throw new UserError(formatFailure(r.error));
    const o = r.value;
    const rel = relative(process.cwd(), o.dir);
    const where = rel === '' ? '.' : rel.startsWith('..') ? o.dir : rel;
    this.context.stdout.write([
      `created ${where}/: ${o.created.join(', ')}`,
      `component ${o.component}: ${o.nfiles} file${o.nfiles === 1 ? '' : 's'}${o.sample ? ' (a generated sample)' : ''}, tree ${o.tree}`,
      `next: ${where === '.' ? '' : `cd ${where} && `}npm install && npx heppy build`,
      '',
    ].join('\n'));
    return 0;
  }
}
