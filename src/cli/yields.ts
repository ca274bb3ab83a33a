// `heppy yields [Outdir]`: the cut-flow table across components, raw and normalised.
import { Command, Option } from 'clipanion';
import { resolve } from 'node:path';
import { formatFailure, UserError } from '../util/result.js';
import { outdirArgument } from './outdir-arg.js';

export class YieldsCommand extends Command {
  static override paths = [['yields']];
  static override usage = Command.Usage({
    description: 'cut-flow yields across components: raw counts and weighted, normalised yields with statistical errors',
    details: `
      Reads the merged counters of every component (Outdir/<component>/<Analyzer>/<counter>.json) and
      prints one table per counter: cut-flow steps as rows, components as columns, then the MC sum and
      the data. Each counter level keeps the number of entries, the sum of their event weights and of the
      squared weights; an MC component's yield is sumw · addWeight · xSection · lumi · effCorrFactor / N
      with N its nGenEvents, or the sum of its generator weights when the component names
      genWeightBranch; its error is the same factor times sqrt(sum of squared weights).

      The luminosity is the build's: -o lumi=, else Config lumi, else the sum of the data components'
      intLumi (recorded by heppy build in Outdir/.heppy/build.json); --lumi overrides it.
    `,
    examples: [
      ['The yields of ./Outdir', '$0 yields'],
      ['As JSON / CSV / LaTeX', '$0 yields Outdir --json'],
      ['Normalised to another luminosity', '$0 yields Outdir --lumi 150'],
    ],
  });

  outdir = Option.String({ required: false, name: 'Outdir' });
  json = Option.Boolean('--json', false, { description: 'the table as JSON' });
  csv = Option.Boolean('--csv', false, { description: 'one CSV line per counter, level and column' });
  latex = Option.Boolean('--latex', false, { description: 'a LaTeX tabular per counter' });
  lumi = Option.String('--lumi', { description: 'luminosity to normalise MC to (overrides the build\'s)' });

  override async execute(): Promise<number> {
    if ([this.json, this.csv, this.latex].filter(Boolean).length > 1) throw new UserError('choose one of --json, --csv, --latex');
    const lumi = this.lumi === undefined ? undefined : Number(this.lumi);
    if (lumi !== undefined && !(Number.isFinite(lumi) && lumi > 0)) throw new UserError(`--lumi must be a positive number, got '${this.lumi}'`);
    const dir = await outdirArgument(this.outdir, this.context.stderr);
    const { computeYields } = await import('../yields/compute.js');
    const f = await import('../yields/format.js');
    const y = computeYields(resolve(dir), lumi === undefined ? {} : { lumi });
    if (!y.ok) throw new UserError(formatFailure(y.error));
    const text = this.json ? f.formatJson(y.value) : this.csv ? f.formatCsv(y.value) : this.latex ? f.formatLatex(y.value) : f.formatText(y.value);
    this.context.stdout.write(text);
    return 0;
  }
}
