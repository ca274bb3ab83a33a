// Planning a build: split the components, digest the inputs (stat-cached), compute every node's
// key and decide what is up to date by comparing with the store (the no-op path: stats and one
// LMDB range read). Also adopts chunks that finished after the last record was written (a killed
// build): a marker with status ok and today's key, whose outputs are intact, counts as done.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidConfig } from '../config/validate.js';
import type { FileDigests } from '../fingerprint/digests.js';
import { hashString } from '../fingerprint/hash.js';
import { buildGraph, nodeDir, type Graph } from '../graph/dag.js';
import { chunkKey, chunkKeyParts, chunkKeyTemplate, componentPart, diffKeyParts, haddKeyParts, keyOf, sharedParts, type ChunkKeyTemplate } from '../graph/keys.js';
import { splitAll } from '../graph/split.js';
import { readMarker } from '../chunkdir/marker.js';
import { readChunkSpec } from '../chunkdir/spec.js';
import type { KeyParts, OutputRecord, TaskRecord, TaskSummary } from '../store/records.js';
import { fail, ok, type Failure, type Result } from '../util/result.js';
import { outputsChanged } from './outputs.js';
import { assistOutputCheck } from './output-check.js';

export interface PlannedNode {
  id: string;
  kind: 'chunk' | 'hadd';
  component: string;
  dir: string;                   // absolute
  key: string | null;            // hadd: null until its chunks are known
  /** The named parts of the key (computed on demand: only run or explained nodes need them). */
  parts(): KeyParts | null;
  upToDate: boolean;
  why: string[];                 // why it must run (empty when up to date)
  adopted?: TaskRecord;          // a record rebuilt from a marker (to be written)
}

export interface BuildPlan {
  graph: Graph;
  nodes: Map<string, PlannedNode>;
  tree: Map<string, string>;     // component → input tree name
  dropped: string[];
}

export interface PlanInputs {
  config: ValidConfig;
  codeDigest: string;
  heppyVersion: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  outdir: string;
  force: boolean;
  records: Map<string, TaskSummary>;
  /** The recorded key parts of a node (read only when a key differs). */
  partsOf(id: string): KeyParts | undefined;
  digests: FileDigests;
  /** Nodes whose recorded outputs changed (started early, see output-check.ts); default: checked here. */
  changedOutputs?: Promise<Map<string, string>>;
}

export { outputsChanged } from './outputs.js';

/** Stats a node's outputs (as listed by its marker) plus the marker and log themselves. */
/** Written by the build itself before a run: not results. */
const NOT_RESULTS = new Set(['chunk.json', 'batchScript.sh']);

export function statOutputs(dir: string, listed: ReadonlyArray<{ path: string }>): Result<OutputRecord[]> {
  const names = new Set([...listed.map((o) => o.path).filter((p) => !NOT_RESULTS.has(p)), 'heppy-status.json']);
  const out: OutputRecord[] = [];
  for (const path of names) {
    try {
      const st = statSync(join(dir, path));
      out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      return fail({ file: join(dir, path), reason: 'an output listed in the marker is missing' });
    }
  }
  return ok(out);
}

/**
 * What a merge's key is computed from: the node's key and its result files (names, sizes, mtimes).
 * The marker is left out: it is rewritten for each attempt, also when a node is restored from the
 * output cache, whose files keep their mtimes (hard links), so a restored chunk gives its merge
 * the key it had when it ran.
 */
export function resultDigest(key: string, outputs: readonly OutputRecord[]): string {
  return hashString(JSON.stringify([key, outputs.filter((o) => o.path !== 'heppy-status.json').map((o) => [o.path, o.size, o.mtimeMs])]));
}

/**
 * A record rebuilt from the chunk's marker, when it says ok for exactly this key, for the current
 * attempt (chunk.json's, when there is one) and newer than `after` (a recorded success's attempt).
 * Covers a build killed after the chunk finished and a chunk re-run by `heppy check --resubmit`.
 */
function adoptFromMarker(id: string, dir: string, key: string, kp: KeyParts, after = 0): TaskRecord | null {
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.kind !== 'chunk' || m.value.status !== 'ok' || m.value.key !== key || m.value.attempt <= after) return null;
  const spec = readChunkSpec(dir);
  if (spec.ok && (spec.value.key !== key || spec.value.attempt !== m.value.attempt)) return null;
  const outs = statOutputs(dir, m.value.outputs);
  if (!outs.ok) return null;
  // chunk.json and batchScript.sh are not results (statOutputs leaves them out): not compared.
  const sizes = new Map(outs.value.map((x) => [x.path, x.size]));
  for (const o of m.value.outputs) if (!NOT_RESULTS.has(o.path) && sizes.get(o.path) !== o.size) return null;
  return { nodeId: id, kind: 'chunk', status: 'ok', key, keyParts: kp, resultDigest: resultDigest(key, outs.value), outputs: outs.value,
    attempts: m.value.attempt, eventsProcessed: m.value.eventsProcessed ?? 0, finishedAt: Date.now(), durationMs: 0 };
}

const timing = process.env.HEPPY_TIMING === '1';
let last = 0;
function phase(name: string): void {
  if (!timing) return;
  const now = performance.now();
  if (last) process.stderr.write(`[timing]   plan: ${name}: ${(now - last).toFixed(1)} ms\n`);
  last = now;
}

export async function makePlan(p: PlanInputs): Promise<Result<BuildPlan>> {
  phase('start');
  const { chunks, dropped } = splitAll(p.config.components);
  const graph = buildGraph(chunks);
  const allFiles = [...new Set(chunks.flatMap((c) => c.files))];
  phase('split + graph');
  const digests = await p.digests.digestAll(allFiles);
  phase(`${allFiles.length} input digests`);
  const bad: Failure[] = [];
  const ok_ = new Map<string, string>();
  for (const [f, r] of digests) {
    if (r.ok) ok_.set(f, r.value);
    else bad.push(r.error);
  }
  if (bad.length) return fail({ ...bad[0]!, reason: bad[0]!.reason + (bad.length > 1 ? ` (and ${bad.length - 1} more input files)` : '') });

  const tree = new Map<string, string>();
  const compDigest = new Map<string, string>();
  for (const c of p.config.components) {
    tree.set(c.name, c.tree ?? p.config.tree);
    compDigest.set(c.name, componentPart(c.raw));
  }
  const sharedByTree = new Map<string, Record<string, string>>();
  const shared = (t: string): Record<string, string> => {
    let s = sharedByTree.get(t);
    if (!s) {
      s = sharedParts({ heppyVersion: p.heppyVersion, codeDigest: p.codeDigest, sequence: p.config.sequence, tree: t, options: p.options, maxEvents: p.maxEvents });
      sharedByTree.set(t, s);
    }
    return s;
  };
  const templates = new Map<string, ChunkKeyTemplate>();
  const template = (component: string): ChunkKeyTemplate => {
    let t = templates.get(component);
    if (!t) {
      t = chunkKeyTemplate(shared(tree.get(component)!), compDigest.get(component)!);
      templates.set(component, t);
    }
    return t;
  };

  // Keys first (main thread), while the output stats may still be running in their thread.
  const chunkKeys = new Map<string, string>();
  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    if (n.kind === 'chunk') chunkKeys.set(id, chunkKey(template(n.plan.component), n.plan, ok_));
  }
  phase('chunk keys');
  // This thread stats its share of the outputs instead of waiting for the worker alone.
  if (p.changedOutputs) assistOutputCheck();
  const changedOutputs = p.changedOutputs ? await p.changedOutputs : null;
  phase('waited for the output stats');
  const outputsDiffer = (id: string, dir: string, outputs: readonly OutputRecord[]): string | null =>
    changedOutputs ? (changedOutputs.get(id) ?? null) : outputsChanged(dir, outputs);

  const nodes = new Map<string, PlannedNode>();
  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    const dir = p.outdir + '/' + nodeDir(n);
    if (n.kind === 'chunk') {
      const sh = shared(tree.get(n.plan.component)!);
      const cd = compDigest.get(n.plan.component)!;
      const key = chunkKeys.get(id)!;
      const plan = n.plan;
      let kp: KeyParts | null = null;
      const parts = (): KeyParts => (kp ??= chunkKeyParts(sh, cd, plan, ok_));
      const rec = p.records.get(id);
      const why: string[] = [];
      let adopted: TaskRecord | undefined;
      if (p.force) why.push('--force');
      else if (rec === undefined || rec.key !== key || rec.status !== 'ok') {
        const a = adoptFromMarker(id, dir, key, parts());
        if (a) adopted = a;
        else if (rec === undefined) why.push('never built');
        else if (rec.status !== 'ok') why.push(`failed last time: ${rec.reason ?? 'unknown reason'}`);
        else {
          const before = p.partsOf(id);
          const diff = before ? diffKeyParts(before, parts()) : [];
          why.push(...(diff.length ? diff : ['key changed']));
        }
      } else {
        const changed = outputsDiffer(id, dir, rec.outputs);
        // Outputs replaced by a newer attempt for the same key (check --resubmit): adopted.
        const a = changed ? adoptFromMarker(id, dir, key, parts(), rec.attempts) : null;
        if (a) adopted = a;
        else if (changed) why.push(changed);
      }
      nodes.set(id, { id, kind: 'chunk', component: n.plan.component, dir, key, parts, upToDate: why.length === 0, why, adopted });
    } else {
      const why: string[] = [];
      const rec = p.records.get(id);
      let key: string | null = null;
      let kp: KeyParts | null = null;
      const pending = n.deps.filter((d) => !nodes.get(d)!.upToDate);
      if (p.force) why.push('--force');
      else if (pending.length) why.push(`${pending.length} chunk${pending.length > 1 ? 's' : ''} to run`);
      else {
        kp = haddKeyParts(p.heppyVersion, n.component, n.deps.map((d) => {
          const r = nodes.get(d)!.adopted ?? p.records.get(d)!;
          return [d, r.resultDigest] as [string, string];
        }));
        key = keyOf(kp);
        if (rec === undefined) why.push('never merged');
        else if (rec.status !== 'ok') why.push(`failed last time: ${rec.reason ?? 'unknown reason'}`);
        else if (rec.key !== key) {
          const before = p.partsOf(id);
          const diff = before ? diffKeyParts(before, kp).map((s) => s.replace('input', 'chunk')) : [];
          why.push(...(diff.length ? diff : ['key changed']));
        }
        else {
          const changed = outputsDiffer(id, dir, rec.outputs);
          if (changed) why.push(changed);
        }
      }
      const hp = kp;
      nodes.set(id, { id, kind: 'hadd', component: n.component, dir, key, parts: () => hp, upToDate: why.length === 0, why });
    }
  }
  phase('nodes decided');
  return ok({ graph, nodes, tree, dropped });
}
