// `heppy report [Outdir]`: one self-contained HTML file with status, yields, histograms, timeline.
import { Command, Option } from 'clipanion';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatFailure, UserError } from '../util/result.js';
import { outdirArgument } from './outdir-arg.js';

export class ReportCommand extends Command {
  static override paths = [['report']];
  static override usage = Command.Usage({
    description: 'write Outdir/report.html: status of every chunk, yields, every merged histogram, timeline and per-chunk figures',
    details: `
      One self-contained HTML file that opens offline (jsroot is inlined; the page makes no network
      request): the status of every component, chunk and merge (good; failed, with the failure kind and
      the end of its log; stale), the yields table (as \`heppy yields\`), every histogram of the merged
      components drawn with jsroot (TH1: the MC components scaled to the luminosity and stacked, the data
      summed and drawn as points; TH2: colz, one per component), a timeline of the chunks of the last
      build (start, end, worker or batch host) and the per-chunk figures of Outdir/.heppy/trace.tsv
      (wall, CPU, peak memory, events/s, bytes read). \`heppy build --report\` writes it after a build.
    `,
    examples: [
      ['The report of ./Outdir', '$0 report'],
      ['Of another Outdir, written elsewhere', '$0 report Out --out /tmp/report.html'],
    ],
  });

  outdir = Option.String({ required: false, name: 'Outdir' });
  out = Option.String('--out', { description: 'where to write the HTML (default Outdir/report.html)' });

  override async execute(): Promise<number> {
    const dir = resolve(await outdirArgument(this.outdir, this.context.stderr));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`no such output directory: ${dir}`);
    const { writeReport } = await import('../report/html/index.js');
    const r = await writeReport(dir, this.out === undefined ? undefined : resolve(this.out));
    if (!r.ok) throw new UserError(formatFailure(r.error));
    this.context.stdout.write(`heppy: wrote ${r.value.path} (${(r.value.bytes / 1024).toFixed(0)} KiB: ${r.value.nodes} chunks and merges, ${r.value.plots} histograms)\n`);
    return 0;
  }
}
