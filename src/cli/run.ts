// `heppy run --component NAME`: one component's sequence in the foreground on a slice, into a
// scratch directory (src/engine/debug-run.ts); heppy_loop's -e/-I/-N/-p for debugging.
import { Command, Option } from 'clipanion';
import { UserError } from '../util/result.js';

export class RunCommand extends Command {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: 'run one component in the foreground on a slice (a file, some events), for debugging',
    details: `
      Runs the heppyfile's sequence over the component's files (or only --file F), events A to B-1
      of them together (--events A:B; a single number runs that event), in this process, into a
      scratch directory (a new temporary one, or --scratch DIR; never the Outdir, nothing recorded:
      the next build is not affected). Prints what the analyzers log as they log it, the first N
      events with --print N (their branches and the attributes the analyzers set), then the
      counters. An exception shows the analyzer, the event and its input file, your source line
      and the stack; the exit code is then 1.
    `,
    examples: [
      ['Events 0 to 99 of component ggH_125', '$0 run --component ggH_125 --events 0:100'],
      ['One event of one file, printed', '$0 run --component data_A --file data/data_A/f3.root --events 1234 --print 1'],
    ],
  });

  component = Option.String('-c,--component', { description: 'the component to run (required)' });
  file = Option.String('--file', { description: "one input file instead of the component's (heppy_loop -I)" });
  heppyfile = Option.String('--heppyfile', { description: 'the heppyfile (default ./heppyfile.ts)' });
  events = Option.String('-e,--events', { description: 'A:B (events A … B-1), A:, :B, or A (that event only)' });
  print = Option.String('-p,--print', '0', { description: 'print the first N events (heppy_loop -p)' });
  options = Option.Array('-o,--option', [], { description: 'global option key=value (repeatable), as for build' });
  scratch = Option.String('--scratch', { description: 'where to write (default: a new temporary directory)' });
  cacheDir = Option.String('--cache-dir', { description: 'the cache holding the bundled analysis (default cache/ next to the heppyfile)' });
  typecheck = Option.Boolean('--typecheck', true, { description: 'type-check the heppyfile when it changed (default; --no-typecheck skips it)' });

  override async execute(): Promise<number> {
    if (this.component === undefined) throw new UserError('heppy run needs --component NAME');
    if (!/^\d+$/.test(this.print)) throw new UserError(`--print must be a whole number, got '${this.print}'`);
    const { debugRun } = await import('../engine/debug-run.js');
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    try {
      return await debugRun({
        heppyfile: this.heppyfile, cacheDir: this.cacheDir, component: this.component, file: this.file, events: this.events,
        print: Number(this.print), options: this.options, scratch: this.scratch, typecheck: this.typecheck, signal: ac.signal,
        write: (t) => this.context.stdout.write(t),
      });
    } finally {
      process.off('SIGINT', stop);
    }
  }
}
