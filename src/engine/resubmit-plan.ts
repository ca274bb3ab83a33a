// `heppy check --resubmit` on an Outdir with a recorded plan: the bad chunks (and missing ones) run
// again as a build would run them — same scheduler (retries by failure kind, journal, Ctrl-C,
// detach), same executor factory, the spec of the last build's plan (its bundle, options, -N) —
// and the merges of their components (and bad merges) follow as the build's hadd nodes. Results are
// recorded in the build's store, so the next `heppy build` finds them up to date. The caller holds
// the Outdir lock and judged the directories under it (check/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseChunkName } from '../chunkdir/layout.js';
import { plannedDir, type PlanFile } from '../chunkdir/plan-file.js';
import type { RetryPolicy } from '../exec/retry-policy.js';
import type { Graph, GraphNode } from '../graph/dag.js';
import type { KeyParts } from '../graph/keys.js';
import type { BuildEvent, Summary } from '../report/events.js';
import { openStore } from '../store/open.js';
import { refuseNewer } from '../cache/format.js';
import { adoptChunk, adoptMerge } from './decide.js';
import { readMarker } from '../chunkdir/marker.js';
import { makeExecutor, type ExecutorFlags } from './executors.js';
import type { BuildPlan, PlannedNode } from './plan.js';
import { runPlan } from './run.js';
import { MemoryStore, type TaskStore } from './store.js';

export interface ResubmitOptions {
  executor: ExecutorFlags;
  retry: RetryPolicy;
  signal?: AbortSignal;
  detach?: boolean;
  /** The store to record the runs in (`--cache-dir`, checked by the caller); default the one the plan names. */
  cacheDir?: string;
  emit(e: BuildEvent): void;
}

/** The build's plan again, from plan.json: the nodes to run are the bad chunks and the merges they feed (and bad merges). */
export function planFromFile(p: PlanFile, badChunks: ReadonlySet<string>, badMerges: ReadonlySet<string>, store: TaskStore): BuildPlan {
  const outdir = p.outdir;
  const nodes = new Map<string, PlannedNode>();
  const graphNodes = new Map<string, GraphNode>();
  const order: string[] = [];
  const tree = new Map<string, string>();
  const merged = new Set(p.nodes.filter((n) => n.kind === 'hadd').map((n) => n.component));
  const noParts: KeyParts = { parts: {}, files: {} };
  const records = store.allTasks();
  for (const n of p.nodes) {
    const dir = plannedDir(outdir, n);
    order.push(n.id);
    if (n.kind === 'chunk') {
      tree.set(n.component, n.tree);
      graphNodes.set(n.id, { kind: 'chunk', id: n.id, deps: [],
        plan: { name: n.id, component: n.component, index: parseChunkName(n.id)?.index ?? 0, files: n.files, fineSplit: n.fineSplit, split: merged.has(n.component) } });
      const parts = (): KeyParts => store.getParts(n.id) ?? noParts;
      const run = badChunks.has(dir);
      const rec = records.get(n.id);
      // A good chunk whose run the store does not know (run by hand, by an older heppy, or not
      // recorded): adopted from its marker as the build would, so its merge gets the same key.
      const adopted = run ? undefined : adoptChunk(n.id, dir, n.key, parts, rec) ?? undefined;
      nodes.set(n.id, { id: n.id, kind: 'chunk', component: n.component, dir, key: n.key, parts, upToDate: !run, why: run ? ['bad (heppy check)'] : [],
        ...(adopted ? { adopted } : {}) });
    } else {
      graphNodes.set(n.id, { kind: 'hadd', id: n.id, component: n.component, deps: n.deps, level: n.level ?? 0, dir: n.dir ?? n.component, chunks: n.chunks ?? n.deps.length });
      // A merge runs when one of its inputs runs (plan.json lists every merge after its inputs).
      const run = badMerges.has(dir) || n.deps.some((d) => badChunks.has(join(outdir, d)) || nodes.get(d)?.upToDate === false) || !existsSync(dir);
      // An intact merge of a tree the store does not know (an in-memory store): adopted from its
      // marker, so that the merge above it can be keyed over its result.
      const rec = records.get(n.id);
      const m = run || rec?.status === 'ok' ? null : readMarker(dir);
      const adopted = m?.ok && m.value?.kind === 'hadd' && m.value.status === 'ok' ? adoptMerge(n.id, dir, m.value.key, () => noParts, rec) ?? undefined : undefined;
      nodes.set(n.id, { id: n.id, kind: 'hadd', component: n.component, dir, key: null, parts: () => null, upToDate: !run, why: run ? ['its chunks were run again'] : [],
        ...(adopted ? { adopted } : {}) });
    }
  }
  const graph: Graph = { nodes: graphNodes, order };
  return { graph, nodes, tree, dropped: [] };
}

/**
 * Opens the build's store when it is there (the plan names it), else an in-memory one. A store the
 * user named (`cacheDir`, as build's --cache-dir) is opened, created when missing, as a build would.
 */
export function planStore(p: PlanFile, note: (line: string) => void, cacheDir?: string): TaskStore {
  const dir = cacheDir ?? p.cacheDir;
  if (cacheDir === undefined && !existsSync(dir)) return new MemoryStore(p.outdir);
  refuseNewer('cache', dir);
  const opened = openStore(dir, p.outdir, false);
  if (!opened.ok) {
    note(`heppy: the store ${dir} cannot be opened (${opened.error.reason}); the results are not recorded there`);
    return new MemoryStore(p.outdir);
  }
  if (opened.value.notice) note(opened.value.notice);
  return opened.value.store;
}

/** Runs the bad chunks and the merges that depend on them; returns the build-like summary. */
export async function resubmitPlanned(p: PlanFile, badChunks: ReadonlySet<string>, badMerges: ReadonlySet<string>, o: ResubmitOptions,
  note: (line: string) => void): Promise<Summary> {
  const store = planStore(p, note, o.cacheDir);
  try {
    const plan = planFromFile(p, badChunks, badMerges, store);
    const executor = await makeExecutor(o.executor, p.outdir, (e) => store.putJob(e));
    try {
      return await runPlan({ plan, store, executor, outdir: p.outdir, bundle: p.bundle, heppyVersion: p.heppyVersion, options: p.options,
        maxEvents: p.maxEvents, retry: o.retry, keepGoing: true, emit: o.emit, cache: null,
        ...(o.signal ? { signal: o.signal } : {}), ...(o.detach !== undefined ? { detach: o.detach } : {}) });
    } finally {
      await executor.close();
    }
  } finally {
    await store.close();
  }
}
