// Outdir/.heppy/plan.json: the plan of the last build of this Outdir — every node it planned, with
// what a run of each chunk needs (so that `heppy check`, `heppy hadd` and `heppy check --resubmit`
// work from the Outdir alone, without the heppyfile). The plan is the truth of what should exist:
// a planned chunk without a directory is missing; a chunk directory not in it is stale. The one
// reader and the one (atomic) writer.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';
import { planFile } from './layout.js';
import type { ChunkSpec } from './spec.js';

export interface PlannedChunk {
  id: string;                 // the chunk name: its directory under Outdir
  kind: 'chunk';
  component: string;
  key: string;
  files: string[];
  tree: string;
  fineSplit: [number, number] | null;
}

export interface PlannedMerge {
  id: string;                 // 'hadd:<component>' (Outdir/<component>), or an intermediate node of its merge tree
  kind: 'hadd';
  component: string;
  deps: string[];             // its inputs (chunks, or the merges below it), in chunk order
  /** A node of a merge tree: its level (0: the component's final merge; absent in older plans = 0). */
  level?: number;
  /** Its directory relative to the Outdir (absent in older plans: the component's name). */
  dir?: string;
  /** How many chunks it covers (absent in older plans: its deps). */
  chunks?: number;
}

export type PlannedNodeRecord = PlannedChunk | PlannedMerge;

export interface PlanFile {
  version: 1;
  /** Digest of the node ids and keys, the bundle, options and -N (computed by the engine). */
  digest: string;
  heppyVersion: string;
  outdir: string;
  /** The store the build used (absolute), for `heppy check --resubmit`. */
  cacheDir: string;
  /** The analysis bundle published under Outdir/.heppy/bundles/. */
  bundle: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  createdAt: string;
  nodes: PlannedNodeRecord[];
}

/** The directory of a planned node. */
export function plannedDir(outdir: string, n: PlannedNodeRecord): string {
  return join(outdir, n.kind === 'chunk' ? n.id : n.dir ?? n.component);
}

/** The planned chunks under a merge node (in chunk order), through the intermediate merges of its tree. */
export function plannedChunksOf(p: PlanFile, id: string): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const under = (x: string): string[] => {
    const n = byId.get(x);
    return n === undefined || n.kind === 'chunk' ? [x] : n.deps.flatMap(under);
  };
  return under(id);
}

/** The spec of a planned chunk's run. */
export function plannedSpec(p: PlanFile, n: PlannedChunk, attempt: number): ChunkSpec {
  return { name: n.id, component: n.component, files: n.files, tree: n.tree, fineSplit: n.fineSplit, maxEvents: p.maxEvents,
    options: p.options, bundle: p.bundle, key: n.key, attempt };
}

export function writePlanFile(outdir: string, p: PlanFile): void {
  const file = planFile(outdir);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(p) + '\n');
  renameSync(tmp, file);
}

/** null when the Outdir has no recorded plan (made elsewhere, or before plans were recorded). */
export function readPlanFile(outdir: string): Result<PlanFile | null> {
  const file = planFile(outdir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return ok(null);
    return fail({ file, reason: `cannot read the recorded plan: ${(err as Error).message}` });
  }
  const why = problem(raw);
  return why === null ? ok(raw as PlanFile) : fail({ file, reason: `invalid recorded plan: ${why}` });
}

function problem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const p = v as Record<string, unknown>;
  if (p.version !== 1) return `unknown version ${JSON.stringify(p.version)}`;
  for (const k of ['digest', 'heppyVersion', 'outdir', 'cacheDir', 'bundle'] as const) if (typeof p[k] !== 'string') return `'${k}' must be a string`;
  if (typeof p.options !== 'object' || p.options === null) return "'options' must be an object";
  if (p.maxEvents !== null && !Number.isInteger(p.maxEvents)) return "'maxEvents' must be null or an integer";
  if (!Array.isArray(p.nodes)) return "'nodes' must be a list";
  for (const n of p.nodes as unknown[]) {
    if (typeof n !== 'object' || n === null) return 'a node is not an object';
    const o = n as Record<string, unknown>;
    if (typeof o.id !== 'string' || typeof o.component !== 'string') return 'a node has no id or component';
    if (o.kind === 'chunk') {
      if (typeof o.key !== 'string' || typeof o.tree !== 'string' || !Array.isArray(o.files)) return `chunk ${o.id}: key, tree or files missing`;
    } else if (o.kind === 'hadd') {
      if (!Array.isArray(o.deps) || o.deps.some((d) => typeof d !== 'string')) return `merge ${o.id}: deps missing`;
      if (o.level !== undefined && !(Number.isInteger(o.level) && (o.level as number) >= 0)) return `merge ${o.id}: bad level`;
      if (o.dir !== undefined && (typeof o.dir !== 'string' || o.dir === '' || o.dir.split('/').includes('..'))) return `merge ${o.id}: bad dir`;
      if (o.chunks !== undefined && !Number.isInteger(o.chunks)) return `merge ${o.id}: bad chunks`;
    } else return `node ${o.id}: unknown kind ${JSON.stringify(o.kind)}`;
  }
  return null;
}
