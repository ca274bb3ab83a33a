// `heppy hadd Outdir [dest]`: heppy_hadd. Merges the good chunks of every component into
// dest/<component>/, names the bad chunks it left out, and exits 1 when there were any.
import { Command, Option } from 'clipanion';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ComponentOutcome, HaddReport } from '../check/hadd-outdir.js';
import type { RootProbe } from '../check/root-probe.js';
import { badLine, displayPath, pprintList } from '../check/report.js';
import { refuseNewer } from '../cache/format.js';
import { acquireLock } from '../store/lock.js';
import { assertNever, formatFailure, UserError } from '../util/result.js';

export class HaddCommand extends Command {
  static override paths = [['hadd']];
  static override usage = Command.Usage({
    description: 'merge the chunks of each component of Outdir, or the chunk directories given',
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

      Given chunk directories instead (\`heppy hadd DIR…\`: copied from another Outdir, made by the
      original heppy_loop, or picked by hand), each one is checked on its own as \`heppy check DIR\`
      does (its marker, or heppy's log.txt line for the old layout; no build plan is consulted),
      they are grouped by component (chunk.json's, else the \`<comp>_Chunk<N>\` name), and each
      component's good chunks are merged in the order given into \`dest/<comp>/\` (\`--dest\`; default:
      the directory holding them). Bad ones are left out and named; the exit code is then 1. A
      directory that does not exist or is not a chunk directory is a usage error (exit 2).
    `,
    examples: [
      ['Merge every component of Outdir in place', '$0 hadd Outdir'],
      ['Merge into another directory', '$0 hadd Outdir Merged'],
      ['Merge, then move the merged good chunks into Outdir/Chunks/', '$0 hadd -c Outdir'],
      ['Merge chunk directories copied from elsewhere, in this order', '$0 hadd --dest Merged Copies/ZZ_Chunk2 Copies/ZZ_Chunk0 Copies/ZZ_Chunk1'],
    ],
  });

  args = Option.Rest({ name: 'Outdir [dest] | chunk dirs…', required: 1 });
  destFlag = Option.String('--dest', { description: 'where the merged components go (default: the Outdir, or the directory holding the given chunk directories)' });
  json = Option.Boolean('--json', false, { description: 'print one JSON document instead of text' });
  force = Option.Boolean('-f,--force', false, { description: 'merge again even the components whose merge is up to date' });
  // heppy_hadd's -r (replace the merged directory): what every merge does here; accepted for habit's sake.
  archive = Option.Boolean('-c', false, { description: "heppy_hadd's -c: move the good chunks of merged components into Outdir/Chunks/ afterwards" });
  replace = Option.Boolean('-r', false, { description: "heppy_hadd's -r, accepted: an out-of-date merge is always replaced (atomically)" });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { givenChunkDirs } = await import('../check/hadd-dirs.js');
    const { ProbeCache } = await import('../check/probe-cache.js');
    const { defaultProbe } = await import('../check/root-probe.js');
    const explicit = givenChunkDirs(this.args);
    const plan = explicit ? await this.explicitPlan() : this.outdirPlan();
    const warnings: string[] = [];
    // Merging writes dest/<comp>/: not while a build (or another hadd) uses the same directory.
    const lock = acquireLock(plan.dest, 'hadd');
    if (!lock.ok) throw new UserError(formatFailure(lock.error), 1);
    // The chunks' ROOT files that opened in an earlier check or hadd and are unchanged are not reopened.
    const cache = new ProbeCache(plan.chunkParents);
    // Ctrl-C/SIGTERM stop the merge at its next file or component (merge-component.ts nextTurn): a
    // merge in progress leaves nothing (its tmp dir removed), finished components stay merged.
    const ac = new AbortController();
    let signalled: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals): void => { signalled ??= sig; ac.abort(); };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const opts = {
      force: this.force,
      signal: ac.signal,
      probe: cache.wrap(defaultProbe),
      onWarning: (m: string) => warnings.push(m),
      onComponent: (c: string, good: number, total: number) => {
        if (!this.json) this.context.stderr.write(`merging ${c} (${good} of ${total} chunks)…\n`);
      },
    };
    const { report, moved } = await plan.run(opts).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      lock.value.release();
    });
    cache.save();
    if (report.notStarted !== undefined || report.components.some((c) => c.status === 'interrupted')) {
      if (this.json) this.context.stdout.write(JSON.stringify({ ...report, warnings, interrupted: signalled }, null, 1) + '\n');
      this.context.stderr.write(`heppy: ${interruptedLine(report)}\n`);
      return signalled === 'SIGTERM' ? 143 : 130;
    }
    if (report.components.length === 0) {
      throw new UserError(`warning: no chunk found in ${this.args[0]} (no <component>_Chunk<N> directory)`);
    }
    if (this.json) this.context.stdout.write(JSON.stringify({ ...report, warnings, ...(this.archive ? { moved } : {}) }, null, 1) + '\n');
    else {
      this.context.stdout.write(formatHadd(report, warnings));
      if (this.archive) this.context.stdout.write(`moved ${moved.length} good chunk${moved.length === 1 ? '' : 's'} into ${displayPath(plan.archiveDir ?? report.src)}\n`);
    }
    const clean = report.components.every((c) => (c.status === 'merged' || c.status === 'up-to-date') && c.bad.length === 0);
    return clean ? 0 : 1;
  }

  /** `heppy hadd Outdir [dest]`: heppy_hadd's form (the chunks found in Outdir, judged against its plan). */
  private outdirPlan(): HaddPlan {
    if (this.args.length > 2) throw new UserError(`${this.args[0]} is not a chunk directory: give one Outdir (and a dest), or chunk directories only`);
    if (this.args.length === 2 && this.destFlag !== undefined) throw new UserError('give dest either as the second argument or as --dest, not both');
    const src = resolve(this.args[0]!);
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`no such directory: ${this.args[0]}`);
    refuseNewer('outdir', src);                            // its plan.json judges the chunks
    const destArg = this.args[1] ?? this.destFlag;
    const dest = resolve(destArg ?? src);
    if (statSync(dest, { throwIfNoEntry: false })?.isFile()) throw new UserError(`dest is a file: ${destArg}`);
    return { dest, chunkParents: [src], archiveDir: join(src, 'Chunks'), run: async (o) => {
      const { haddOutdir } = await import('../check/hadd-outdir.js');
      const { archiveChunks, mergedGoodChunks } = await import('../check/hadd-archive.js');
      const report = await haddOutdir(src, dest, o);
      const stopped = report.notStarted !== undefined || report.components.some((c) => c.status === 'interrupted');
      return { report, moved: this.archive && !stopped ? archiveChunks(src, mergedGoodChunks(report)) : [] };
    } };
  }

  /** `heppy hadd DIR…`: chunk directories made elsewhere, each judged on its own, merged in the order given. */
  private async explicitPlan(): Promise<HaddPlan> {
    const { commonParent, groupExplicitDirs, haddDirs } = await import('../check/hadd-dirs.js');
    if (this.archive) throw new UserError('-c moves the chunks of an Outdir: not with explicit chunk directories');
    const groups = groupExplicitDirs(this.args);
    if (!groups.ok) throw new UserError(formatFailure(groups.error));
    const parent = commonParent(groups.value);
    if (this.destFlag === undefined && parent === null) throw new UserError('the chunk directories are in several directories: give --dest DIR for the merged components');
    const dest = resolve(this.destFlag ?? parent!);
    if (statSync(dest, { throwIfNoEntry: false })?.isFile()) throw new UserError(`dest is a file: ${this.destFlag}`);
    const parents = [...new Set(groups.value.flatMap((g) => g.dirs.map((d) => dirname(d))))];
    return { dest, chunkParents: parents, run: async (o) => ({ report: await haddDirs(groups.value, dest, o), moved: [] }) };
  }
}

interface HaddRunOptions {
  force: boolean;
  signal: AbortSignal;
  probe: RootProbe;
  onWarning(m: string): void;
  onComponent(c: string, good: number, total: number): void;
}

/** What one `heppy hadd` merges: where to, whose probe cache, and how. */
interface HaddPlan {
  dest: string;
  chunkParents: string[];
  /** Where -c moves the good chunks (heppy_hadd's Chunks/ of the Outdir). */
  archiveDir?: string;
  run(o: HaddRunOptions): Promise<{ report: HaddReport; moved: string[] }>;
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
    case 'interrupted':
      lines.push(`${c.component}: interrupted, nothing written`);
      break;
    default:
      assertNever(c, 'component outcome');
  }
  for (const v of c.bad) lines.push(`  left out: ${badLine(v)}`);
  return lines;
}

/** The one line of a hadd a signal stopped: what was merged (where), what was stopped or not reached. */
export function interruptedLine(report: HaddReport): string {
  const names = (st: ComponentOutcome['status']): string[] => report.components.filter((c) => c.status === st).map((c) => c.component);
  const merged = [...names('merged'), ...names('up-to-date')];
  const parts = [`merged ${merged.length === 0 ? 'nothing' : `${merged.join(', ')} (in ${displayPath(report.dest)})`}`];
  const stopped = names('interrupted');
  if (stopped.length > 0) parts.push(`${stopped.join(', ')} stopped, nothing written`);
  const notReached = report.notStarted ?? [];
  if (notReached.length > 0) parts.push(`not merged: ${notReached.join(', ')}`);
  return `interrupted; ${parts.join('; ')}. Run the same heppy hadd again to merge the rest`;
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
