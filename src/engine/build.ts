// `heppy build` once its session is open (session.ts: heppyfile loaded, lock held, store open, plan
// made): report the plan, record it (plan-record.ts) and the build record, publish the bundle, run
// what is not up to date through the one executor factory and the scheduler (run.ts).
import { readdirSync } from 'node:fs';
import { parseChunkName } from '../chunkdir/layout.js';
import { optionsRead } from '../config/options.js';
import type { RetryPolicy } from '../exec/retry-policy.js';
import type { OutputCache } from '../cache/output-cache.js';
import type { BuildEvent, Summary } from '../report/events.js';
import { componentRecord, resolveLumi, writeBuildRecord, type BuildRecord } from './build-record.js';
import { defaultJobs, executorKind, makeExecutor, type ExecutorFlags } from './executors.js';
import { recordPlan } from './plan-record.js';
import { publishBundle, runPlan } from './run.js';
import { heap, type Session } from './session.js';
import { writeTrace } from './trace.js';
import type { ChunkMarker } from '../chunkdir/marker.js';
import { heppyVersion } from './workspace.js';
import { timingMark } from '../util/timing.js';
import { countFates, damagedLine, predictSession, type Fate } from './predict-merge.js';

export interface BuildOptions {
  executor: ExecutorFlags;
  retry: RetryPolicy;
  keepGoing: boolean;
  detach: boolean;
  dryRun: boolean;
  signal: AbortSignal;
  emit(e: BuildEvent): void;
  /** The output cache: nodes whose key it holds are restored instead of run (null: --no-cache). */
  cache?: OutputCache | null;
}

export interface BuildOutcome {
  /** Absent for --dry-run. */
  summary?: Summary;
  /** Batch jobs left queued or running (detached or interrupted). */
  queued: number;
}

/** Chunk directories of a component of this build that are not nodes of it (an earlier split). */
export function staleChunkDirs(outdir: string, nodes: ReadonlySet<string>, components: ReadonlySet<string>): string[] {
  let names: string[];
  try {
    names = readdirSync(outdir);
  } catch {
    return [];
  }
  return names.filter((d) => {
    const p = parseChunkName(d);
    return p !== null && components.has(p.component) && !nodes.has(d);
  }).sort();
}

function announce(s: Session, o: BuildOptions, fates: ReadonlyMap<string, Fate> | null): number {
  for (const c of s.plan.dropped) o.emit({ type: 'warning', message: `component ${c} has no input files: dropped` });
  // -o lumi is read by heppy itself (the normalisation of yields), not necessarily by the heppyfile.
  const unread = Object.keys(s.options).filter((k) => k !== 'lumi' && !optionsRead().includes(k));
  if (unread.length) o.emit({ type: 'warning', message: `-o ${unread.join(', ')}: not read by the heppyfile while it loaded (a typo? an analyzer may still read it at run time)` });
  const nodes = [...s.plan.nodes.values()];
  const perComp = new Map<string, { name: string; chunks: number; toRun: number }>();
  for (const n of nodes) {
    if (n.kind !== 'chunk') continue;
    const c = perComp.get(n.component) ?? { name: n.component, chunks: 0, toRun: 0 };
    c.chunks++;
    if (!n.upToDate) c.toRun++;
    perComp.set(n.component, c);
  }
  const toRun = nodes.filter((n) => !n.upToDate).length;
  const toRestore = fates === null ? 0 : countFates(fates).restore;
  o.emit({ type: 'plan', total: nodes.length, toRun, ...(toRestore ? { toRestore } : {}), upToDate: nodes.length - toRun, components: [...perComp.values()] });
  // Directories of an earlier split stay on disk (check reports them stale, hadd leaves them out).
  // Said only when something runs: a changed split always changes keys.
  if (toRun > 0) {
    const stale = staleChunkDirs(s.outdir, new Set(s.plan.nodes.keys()), new Set(perComp.keys()));
    if (stale.length) o.emit({ type: 'warning', message: `chunk directories not in this build (an earlier split?): ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ` and ${stale.length - 5} more` : ''}; heppy clean removes them` });
  }
  return toRun;
}

function buildRecord(s: Session, kind: string): BuildRecord {
  const chunks = new Map<string, number>();
  for (const n of s.plan.nodes.values()) if (n.kind === 'chunk') chunks.set(n.component, (chunks.get(n.component) ?? 0) + 1);
  const comps = s.analysis.config.components.filter((c) => chunks.has(c.name))
    .map((c) => componentRecord(c.raw, chunks.get(c.name)!, s.plan.nodes.has(`hadd:${c.name}`)));
  return { version: 1, heppyVersion, executor: kind, startedAt: new Date().toISOString(), finishedAt: null,
    lumi: resolveLumi(s.options.lumi, s.analysis.config.lumi, comps), components: comps };
}

export async function runBuild(s: Session, o: BuildOptions): Promise<BuildOutcome> {
  heap(`kept while running ${s.plan.nodes.size} nodes`); // bench/plan-scale: the coordinator's memory per node
  timingMark('output cache opened');
  const kind = executorKind(o.executor);
  // What the output cache will restore (merges: their keys predicted from their inputs' results), for
  // the header and --dry-run. Both verify each entry as a restore would (a damaged one: the node runs,
  // and the header counts it to run); a build keeps the fresh stamps of files it had to hash, so its
  // restores hash nothing twice. A build's header shows counts only (no reasons: no key parts read).
  const fates = o.cache && [...s.plan.nodes.values()].some((n) => !n.upToDate) ? await predictSession(s, o.cache, o.dryRun ? true : 'keep', o.dryRun) : null;
  const toRun = announce(s, o, fates);
  timingMark('predicted and announced');
  if (o.dryRun) {
    for (const n of s.plan.nodes.values()) {
      if (n.upToDate) continue;
      const f = fates?.get(n.id);
      const why = [...(f !== undefined && (f.kind === 'run' || f.kind === 'restore' || f.kind === 'after inputs') && f.why ? f.why : n.why)];
      if (f?.kind === 'damaged') why.push(damagedLine(f));
      o.emit({ type: 'would-run', id: n.id, kind: n.kind, why, ...(f?.kind === 'restore' ? { restore: { builtAt: f.builtAt } } : {}) });
    }
    return { queued: 0 };
  }
  const record = buildRecord(s, kind);
  if (toRun > 0) writeBuildRecord(s.outdir, record); // a no-op build writes it once, at the end
  const bundle = publishBundle(s.outdir, s.analysis.bundle.path);
  recordPlan(s.store, s.plan, { heppyVersion, outdir: s.outdir, cacheDir: s.paths.cacheDir, bundle, options: s.options, maxEvents: s.maxEvents });
  timingMark('build record, bundle, plan record');
  const executor = await makeExecutor(o.executor, s.outdir, (e) => s.store.putJob(e));
  const ran = new Set<string>(); // nodes this build started: their markers make the trace
  const markers = new Map<string, ChunkMarker>(); // the markers local workers reported (not read back)
  const emit = (e: BuildEvent): void => {
    if (e.type === 'start') ran.add(e.id);
    o.emit(e);
  };
  let summary: Summary;
  try {
    summary = await runPlan({ plan: s.plan, store: s.store, executor, outdir: s.outdir, bundle, heppyVersion, options: s.options,
      maxEvents: s.maxEvents, retry: o.retry, keepGoing: o.keepGoing, signal: o.signal, detach: o.detach, emit, cache: o.cache ?? null, markers,
      mergeJobs: o.executor.jobs ?? defaultJobs() });
  } finally {
    await executor.close();
  }
  writeBuildRecord(s.outdir, { ...record, finishedAt: new Date().toISOString() });
  if (ran.size > 0) writeTrace(s.outdir, [...s.plan.nodes.values()].map((n) => ({ id: n.id, kind: n.kind, component: n.component, dir: n.dir, upToDate: n.upToDate })), ran, kind, markers);
  if (o.cache && summary.run > 0) o.cache.pruneAfterBuild();
  timingMark('build record, trace, prune');
  return { summary, queued: kind === 'local' ? 0 : s.store.listJobs().length };
}
