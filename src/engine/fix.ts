// `heppy check --resubmit`: the bad chunks run again through the chosen executor, then the merged
// components that are out of date (or damaged) are merged again, and everything is checked again.
import { dirname } from 'node:path';
import type { ChunkVerdict } from '../check/chunk-check.js';
import type { MergedVerdict } from '../check/merged-check.js';
import type { RootProbe } from '../check/root-probe.js';
import { describeExecutor, makeExecutor, type ExecutorFlags } from './executors.js';
import { remergeBad, type RemergeResult } from './remerge.js';
import { displayPath, formatText } from '../check/report.js';
import { resubmit, type ResubmitResult } from './resubmit.js';
import { assertNever } from '../util/result.js';

export interface CheckState {
  verdicts: ChunkVerdict[];
  merged: MergedVerdict[];
  resubmitted?: ResubmitResult[];
  remerged?: RemergeResult[];
}

export interface FixOptions {
  choice: ExecutorFlags;
  probe: RootProbe;
  /** Checks everything again. */
  recheck: () => Promise<[ChunkVerdict[], MergedVerdict[]]>;
  /** Progress lines (text mode). */
  out: (line: string) => void;
}

export function resubmitLine(r: ResubmitResult): string {
  const where = displayPath(r.dir);
  switch (r.status) {
    case 'not-resubmitted': return `${where}: not resubmitted: ${r.detail}\n`;
    case 'succeeded': return `${where}: attempt ${r.attempt} succeeded (${r.detail})\n`;
    case 'failed': return `${where}: attempt ${r.attempt} failed: ${r.detail}\n`;
    default: return assertNever(r.status, 'resubmit status');
  }
}

/** Chunk directories by Outdir (their parent), in first-seen order. */
function byOutdir(dirs: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of dirs) m.set(dirname(d), [...(m.get(dirname(d)) ?? []), d]);
  return m;
}

export async function fixBad(state: CheckState, o: FixOptions): Promise<CheckState> {
  let { verdicts, merged } = state;
  let resubmitted: ResubmitResult[] | undefined;
  let remerged: RemergeResult[] | undefined;
  const bad = verdicts.filter((v) => !v.good);
  if (bad.length > 0 || merged.some((m) => !m.good)) o.out(formatText(verdicts, undefined, merged));
  if (bad.length > 0) {
    o.out(`resubmitting ${bad.length} bad chunk${bad.length === 1 ? '' : 's'} ${describeExecutor(o.choice)}\n`);
    const hooks = {
      onSubmitted: (d: string, attempt: number, jobId: string): void => {
        if ((o.choice.executor ?? 'local') !== 'local' || o.choice.batchTemplate !== undefined) o.out(`${displayPath(d)}: attempt ${attempt} submitted as job ${jobId}\n`);
      },
      onEnded: (r: ResubmitResult): void => o.out(resubmitLine(r)),
    };
    // Batch executors work per Outdir; chunks from several Outdirs run side by side.
    const groups = [...byOutdir(bad.map((v) => v.dir))];
    const done = await Promise.all(groups.map(async ([outdir, dirs]) => resubmit(dirs, await makeExecutor(o.choice, outdir), hooks)));
    resubmitted = done.flat();
    for (const r of resubmitted) if (r.status === 'not-resubmitted') o.out(resubmitLine(r));
    [verdicts, merged] = await o.recheck();
  }
  const rerun = (resubmitted ?? []).filter((r) => r.status === 'succeeded').map((r) => r.dir);
  if (merged.some((m) => !m.good) || rerun.length > 0) {
    remerged = await remergeBad(merged, verdicts, { probe: o.probe, rerun });
    for (const r of remerged) o.out(`${displayPath(r.dir)}: ${r.status === 'merged' ? 'merged' : 'not merged'} (${r.detail})\n`);
    [verdicts, merged] = await o.recheck();
  }
  if (remerged?.length === 0) remerged = undefined;
  if (resubmitted || remerged) o.out('after resubmission:\n');
  return { verdicts, merged, ...(resubmitted ? { resubmitted } : {}), ...(remerged ? { remerged } : {}) };
}
