// `heppy hadd Outdir [dest]`: heppy_hadd. Merges the good chunks of every component into
// dest/<component>/, names the bad chunks it left out, and exits 1 when there were any.
import { Command, Option } from 'clipanion';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ComponentOutcome, HaddReport } from '../check/hadd-outdir.js';
import { badLine, displayPath, pprintList } from '../check/report.js';
import { acquireLock } from '../store/lock.js';
import { assertNever, formatFailure, UserError } from '../util/result.js';

export class HaddCommand extends Command {
  static override paths = [['hadd']];
  static override usage = Command.Usage({
    description: 'merge the chunks of each component (also for directories made elsewhere)',
    details: `
      Groups the \`<comp>_Chunk<N>\` directories of Outdir by component, checks each chunk as
      \`heppy check\` does, and merges the good ones into \`dest/<comp>/\` (dest defaults to Outdir):
      ROOT files are hadd-ed, counters and averages summed from their JSON sidecars and re-rendered,
      .yaml/.py files copied from the first chunk, log files skipped, and processing.yaml written
      (nfiles: all chunks, ngoodfiles: merged). A merged directory replaces the old one only when
      complete; one that already holds exactly the good chunks, none re-run since, is left as it is
      (\`-f\` merges it again). Bad chunks are listed with their reason; the exit code is then 1.
      \`-c\` (heppy_hadd's): then moves the good chunks of every merged component into
      \`Outdir/Chunks/\`; bad chunks stay. A later \`heppy build\` no longer finds the moved chunks
      in Outdir and runs them again: use it when the production is final.
    `,
    examples: [
      ['Merge every component of Outdir in place', '$0 hadd Outdir'],
      ['Merge into another directory', '$0 hadd Outdir Merged'],
      ['Merge, then move the merged good chunks into Outdir/Chunks/', '$0 hadd -c Outdir'],
    ],
  });

  src = Option.String({ name: 'Outdir' });
  dest = Option.String({ name: 'dest', required: false });
  json = Option.Boolean('--json', false, { description: 'print one JSON document instead of text' });
  force = Option.Boolean('-f,--force', false, { description: 'merge again even the components whose merge is up to date' });
  // heppy_hadd's -r (replace the merged directory): what every merge does here; accepted for habit's sake.
  archive = Option.Boolean('-c', false, { description: "heppy_hadd's -c: move the good chunks of merged components into Outdir/Chunks/ afterwards" });
  replace = Option.Boolean('-r', false, { description: "heppy_hadd's -r, accepted: an out-of-date merge is always replaced (atomically)" });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { haddOutdir } = await import('../check/hadd-outdir.js');
    const { archiveChunks, mergedGoodChunks, CHUNKS_ARCHIVE } = await import('../check/hadd-archive.js');
    const { ProbeCache } = await import('../check/probe-cache.js');
    const { defaultProbe } = await import('../check/root-probe.js');
    const src = resolve(this.src);
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`no such directory: ${this.src}`);
    const dest = resolve(this.dest ?? this.src);
    if (statSync(dest, { throwIfNoEntry: false })?.isFile()) throw new UserError(`dest is a file: ${this.dest}`);
    const warnings: string[] = [];
    // Merging writes dest/<comp>/: not while a build (or another hadd) uses the same directory.
    const lock = acquireLock(dest, 'hadd');
    if (!lock.ok) throw new UserError(formatFailure(lock.error), 1);
    // The chunks' ROOT files that opened in an earlier check or hadd and are unchanged are not reopened.
    const cache = new ProbeCache([src]);
    const done = await haddOutdir(src, dest, {
      force: this.force,
      probe: cache.wrap(defaultProbe),
      onWarning: (m) => warnings.push(m),
      onComponent: (c, good, total) => {
        if (!this.json) this.context.stderr.write(`merging ${c} (${good} of ${total} chunks)…\n`);
      },
    }).then((r) => ({ report: r, moved: this.archive ? archiveChunks(src, mergedGoodChunks(r)) : [] }))
      .finally(() => lock.value.release());
    const { report, moved } = done;
    cache.save();
    if (report.components.length === 0) {
      throw new UserError(`warning: no chunk found in ${this.src} (no <component>_Chunk<N> directory)`);
    }
    if (this.json) this.context.stdout.write(JSON.stringify({ ...report, warnings, ...(this.archive ? { moved } : {}) }, null, 1) + '\n');
    else {
      this.context.stdout.write(formatHadd(report, warnings));
      if (this.archive) this.context.stdout.write(`moved ${moved.length} good chunk${moved.length === 1 ? '' : 's'} into ${displayPath(join(src, CHUNKS_ARCHIVE))}\n`);
    }
    const clean = report.components.every((c) => (c.status === 'merged' || c.status === 'up-to-date') && c.bad.length === 0);
    return clean ? 0 : 1;
  }
}

function componentLines(c: ComponentOutcome): string[] {
  const lines: string[] = [];
  switch (c.status) {
    case 'merged':
      lines.push(`${c.component}: ${c.summary.ngoodfiles} of ${c.nchunks} chunks merged into ${displayPath(c.summary.dir)}`);
      break;
    case 'up-to-date':
      lines.push(`${c.component}: up to date (${c.ngood} of ${c.nchunks} chunks in ${displayPath(c.dir)})`);
      break;
    case 'no-good-chunk':
      lines.push(`${c.component}: no good chunk (of ${c.nchunks}), not merged`);
      break;
    case 'merge-failed':
      lines.push(`${c.component}: merge failed, nothing written: ${formatFailure(c.error)}`);
      break;
    default:
      assertNever(c, 'component outcome');
  }
  for (const v of c.bad) lines.push(`  left out: ${badLine(v)}`);
  return lines;
}

export function formatHadd(report: HaddReport, warnings: string[]): string {
  const lines = report.components.flatMap(componentLines);
  for (const s of report.skipped) lines.push(`skipped ${displayPath(s)}: not a <component>_Chunk<N> name`);
  if (report.stale.length > 0) lines.push(`not merged (not in the last build's plan, e.g. an earlier split): ${report.stale.map((d) => displayPath(d)).join(', ')}`);
  for (const w of warnings) lines.push(`warning: ${w}`);
  const bad = report.components.flatMap((c) => c.bad.map((v) => displayPath(v.dir)));
  if (bad.length > 0) {
    lines.push('list of bad directories:');
    lines.push(pprintList(bad));
  }
  return lines.join('\n') + '\n';
}
