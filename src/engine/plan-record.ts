// Recording the plan of a build (chunkdir/plan-file.ts): in the store (the node set and its
// digest) and in Outdir/.heppy/plan.json (every node with what a run of it needs), so that
// `heppy check`, `heppy hadd` and `heppy check --resubmit` judge an Outdir against what the last
// build planned, without the heppyfile. An unchanged plan (the no-op build) is not rewritten.
import { existsSync } from 'node:fs';
import { planFile } from '../chunkdir/layout.js';
import { writePlanFile, type PlanFile, type PlannedNodeRecord } from '../chunkdir/plan-file.js';
import { hashString } from '../fingerprint/hash.js';
import type { BuildPlan } from './plan.js';
import type { TaskStore } from './store.js';

export interface PlanContext {
  heppyVersion: string;
  outdir: string;
  cacheDir: string;
  bundle: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
}

/** Over everything plan.json holds but its time stamp: node ids, chunk keys, bundle, options, -N. */
export function planDigest(plan: BuildPlan, c: PlanContext): string {
  let s = JSON.stringify([c.heppyVersion, c.outdir, c.cacheDir, c.bundle, c.options, c.maxEvents]);
  for (const id of plan.graph.order) {
    const n = plan.nodes.get(id)!;
    s += `|${id}=${n.kind === 'chunk' ? n.key : ''}`;
  }
  return hashString(s);
}

export function toPlanFile(plan: BuildPlan, c: PlanContext, digest: string): PlanFile {
  const nodes: PlannedNodeRecord[] = plan.graph.order.map((id) => {
    const g = plan.graph.nodes.get(id)!;
    if (g.kind === 'chunk') {
      return { id, kind: 'chunk', component: g.plan.component, key: plan.nodes.get(id)!.key!, files: g.plan.files, tree: plan.tree.get(g.plan.component)!,
        fineSplit: g.plan.fineSplit };
    }
    return { id, kind: 'hadd', component: g.component, deps: g.deps, level: g.level, dir: g.dir, chunks: g.chunks };
  });
  return { version: 1, digest, heppyVersion: c.heppyVersion, outdir: c.outdir, cacheDir: c.cacheDir, bundle: c.bundle, options: c.options,
    maxEvents: c.maxEvents, createdAt: new Date().toISOString(), nodes };
}

/** Writes the plan where it changed (or plan.json is gone); returns true when it wrote. */
export function recordPlan(store: TaskStore, plan: BuildPlan, c: PlanContext): boolean {
  const digest = planDigest(plan, c);
  if (store.getPlan()?.digest === digest && existsSync(planFile(c.outdir))) return false;
  writePlanFile(c.outdir, toPlanFile(plan, c, digest));
  void store.putPlan({ digest, nodes: [...plan.graph.order], createdAt: Date.now() });
  return true;
}
