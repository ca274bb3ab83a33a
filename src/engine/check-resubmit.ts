// `heppy check --resubmit`: take the lock of every Outdir concerned FIRST, then judge (check/), then
// run what is bad. An Outdir with a recorded plan goes through the build's engine (resubmit-plan.ts:
// the scheduler, the build's store, its spec); chunk directories without a plan (made elsewhere,
// or by an older heppy) are resubmitted from their own chunk.json (fix.ts).
import { dirname, resolve } from 'node:path';
import { readPlanFile } from '../chunkdir/plan-file.js';
import { classifyDir, discoverChunkDirs } from '../check/discover.js';
import { judge, type Judgement } from '../check/judge.js';
import type { RootProbe } from '../check/root-probe.js';
import type { RetryPolicy } from '../exec/retry-policy.js';
import type { BuildEvent, Summary } from '../report/events.js';
import { initHash } from '../fingerprint/hash.js';
import { acquireLock, type Lock } from '../store/lock.js';
import { formatFailure, UserError } from '../util/result.js';
import type { ExecutorFlags } from './executors.js';
import { fixBad, type CheckState } from './fix.js';
import { resubmitPlanned } from './resubmit-plan.js';

export interface CheckResubmitOptions {
  executor: ExecutorFlags;
  retry: RetryPolicy;
  probe: RootProbe;
  /** The store the runs are recorded in (`--cache-dir`); default the one each Outdir's plan names. */
  cacheDir?: string;
  signal?: AbortSignal;
  /** Progress lines (text mode). */
  out(line: string): void;
  emit(e: BuildEvent): void;
}

export interface CheckResubmitResult extends CheckState {
  stale: string[];
  /** Per Outdir run through the engine, its build-like summary. */
  summaries: Array<{ outdir: string; summary: Summary }>;
}

/** The Outdirs that `args` concern: the ones given, and the parents of chunk directories given. */
export function outdirsOf(args: readonly string[]): string[] {
  const found = discoverChunkDirs([...args]);
  const out = new Set<string>();
  for (const a of args) {
    const d = resolve(a);
    if (classifyDir(d) === 'other') out.add(d);
  }
  for (const d of [...found.chunks, ...found.merged]) out.add(dirname(d));
  return [...out].sort();
}

export function lockAll(outdirs: readonly string[], command: string): Lock[] {
  const locks: Lock[] = [];
  for (const o of outdirs) {
    const l = acquireLock(o, command);
    if (!l.ok) {
      for (const x of locks) x.release();
      throw new UserError(formatFailure(l.error), 1);
    }
    locks.push(l.value);
  }
  return locks;
}

export async function checkAndResubmit(args: readonly string[], o: CheckResubmitOptions): Promise<CheckResubmitResult> {
  await initHash();
  const locks = lockAll(outdirsOf(args), 'check --resubmit');
  try {
    let j: Judgement = await judge(args, o.probe);
    const summaries: CheckResubmitResult['summaries'] = [];
    const badChunks = j.verdicts.filter((v) => !v.good).map((v) => v.dir);
    const badMerged = j.merged.filter((m) => !m.good).map((m) => m.dir);
    const planless: string[] = [];
    for (const outdir of new Set([...badChunks, ...badMerged].map((d) => dirname(d)))) {
      const plan = readPlanFile(outdir);
      if (!plan.ok || plan.value === null) {
        planless.push(outdir);
        continue;
      }
      const chunks = new Set(badChunks.filter((d) => dirname(d) === outdir));
      const merges = new Set(badMerged.filter((d) => dirname(d) === outdir));
      o.out(`resubmitting ${chunks.size} bad chunk${chunks.size === 1 ? '' : 's'} of ${outdir} with the last build's analysis\n`);
      const summary = await resubmitPlanned(plan.value, chunks, merges,
        { executor: o.executor, retry: o.retry, emit: o.emit, ...(o.signal ? { signal: o.signal } : {}), ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}) }, (l) => o.out(l + '\n'));
      summaries.push({ outdir, summary });
    }
    j = await judge(args, o.probe);
    let state: CheckState = { verdicts: j.verdicts, merged: j.merged };
    if (planless.length > 0) {
      const inPlanless = (d: string): boolean => planless.includes(dirname(d));
      const sub: CheckState = { verdicts: j.verdicts.filter((v) => inPlanless(v.dir)), merged: j.merged.filter((m) => inPlanless(m.dir)) };
      const fixed = await fixBad(sub, { choice: o.executor, probe: o.probe, out: o.out, recheck: async () => {
        const again = await judge(args, o.probe);
        return [again.verdicts.filter((v) => inPlanless(v.dir)), again.merged.filter((m) => inPlanless(m.dir))];
      } });
      j = await judge(args, o.probe);
      state = { verdicts: j.verdicts, merged: j.merged, ...(fixed.resubmitted ? { resubmitted: fixed.resubmitted } : {}), ...(fixed.remerged ? { remerged: fixed.remerged } : {}) };
    }
    if (summaries.length > 0 && planless.length === 0) o.out('after resubmission:\n');
    return { ...state, stale: j.stale, summaries };
  } finally {
    for (const l of locks) l.release();
  }
}
