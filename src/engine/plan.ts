// Planning a build: split the components, digest the inputs (stat-cached), compute every node's
// key and decide each node (decide.ts: fresh, adopt, why) against the store's records (the no-op
// path: stats and one LMDB range read).
import { readdirSync } from 'node:fs';
import type { ValidConfig } from '../config/validate.js';
import type { CodeParts } from '../config/load-code.js';
import type { FileDigests } from '../fingerprint/digests.js';
import { buildGraph, nodeDir, type ChunkNode, type Graph, type GraphNode, type HaddNode } from '../graph/dag.js';
import { chunkKey, chunkKeyParts, chunkKeyTemplate, componentPart, haddKey, haddKeyParts, keyContext, sharedParts, type ChunkKeyTemplate, type DigestLookup, type KeyParts } from '../graph/keys.js';
import { splitAll, type ChunkPlan, type SplitResult } from '../graph/split.js';
import type { TaskRecord, TaskSummary } from '../store/records.js';
import type { RecordHeads } from '../store/heads.js';
import { decideChunk, decideMerge } from './decide.js';
import { fail, ok, type Failure, type Result } from '../util/result.js';
import { headOutputsChanged } from './outputs.js';
import { assistOutputCheck } from './output-check.js';
import { digestInputs, type NetRetry } from './input-digests.js';
import { envFlag } from '../util/env.js';

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
  /** What every chunk key was computed from (graph/keys.ts keyContext; makePlan's plans): recorded in the no-op snapshot. */
  keyContext?: string;
}

export interface PlanInputs {
  config: ValidConfig;
  /** The code parts of the chunks' keys (config/load-code.ts). */
  code: CodeParts;
  heppyVersion: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  outdir: string;
  force: boolean;
  /** The components split into chunks (splitAll of config.components), when the caller made it already. */
  split?: SplitResult;
  /** Every task record's head (status, key, result digest, outputs), in columns. */
  records: RecordHeads;
  /**
   * The key context under which every chunk's record in `records` has the key its plan computed
   * (the trusted no-op snapshot's); when today's context is the same, chunk keys are taken from
   * the records instead of being hashed again.
   */
  recordedKeyContext?: string | null;
  /** A node's whole record (read only for a node that is not up to date by its head). */
  recordOf(id: string): TaskSummary | undefined;
  /** The recorded key parts of a node (read only when a key differs). */
  partsOf(id: string): KeyParts | undefined;
  digests: FileDigests;
  /** Remote inputs whose server did not answer are digested again after this back-off (none: no retry). */
  netRetry?: NetRetry;
  /** Inputs per merge node of a component's merge tree (default graph/dag.ts DEFAULT_FAN_IN). */
  fanIn?: number;
  /** Nodes whose recorded outputs changed (started early, see output-check.ts); default: checked here. */
  changedOutputs?: Promise<Map<string, string>>;
}

const timing = envFlag('HEPPY_TIMING') === true;
let last = 0;
let lastCpu = process.cpuUsage();
function phase(name: string): void {
  if (!timing) return;
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  if (last) process.stderr.write(`[timing]   plan: ${name}: ${(now - last).toFixed(1)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms\n`);
  last = now;
  lastCpu = process.cpuUsage();
}

/** The `why` of every up-to-date node (never mutated). */
const NO_WHY: string[] = [];
const noParts = (): null => null;

// A planned node keeps what its key parts are computed from (on demand: only run or explained
// nodes need them) in fields, not in a closure per node: a closure made inside makePlan would keep
// makePlan's whole scope (the records of every node, the output check's answer) alive for as long
// as the build keeps its plan, and one per node is two more objects for 10,000 chunks.
class ChunkNodePlan implements PlannedNode {
  readonly kind = 'chunk' as const;
  private kp: KeyParts | null = null;
  upToDate = true;
  why = NO_WHY;
  adopted: TaskRecord | undefined = undefined;
  constructor(readonly id: string, readonly component: string, readonly dir: string, readonly key: string, private readonly shared: Record<string, string>,
    private readonly componentDigest: string, private readonly plan: ChunkPlan, private readonly digests: DigestLookup) {}

  parts(): KeyParts {
    return (this.kp ??= chunkKeyParts(this.shared, this.componentDigest, this.plan, this.digests));
  }
}

function mergePartsOf(heppyVersion: string, component: string, chunks: readonly string[], results: readonly string[], level: number): () => KeyParts {
  let kp: KeyParts | null = null;
  return () => (kp ??= haddKeyParts(heppyVersion, component, chunks.map((x, i) => [x, results[i]!] as [string, string]), level));
}

function listDir(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

export async function makePlan(p: PlanInputs): Promise<Result<BuildPlan>> {
  phase('start');
  const { chunks, dropped } = p.split ?? splitAll(p.config.components);
  const graph = buildGraph(chunks, p.fanIn);
  const allFiles = inputFiles(chunks);
  phase('split + graph');
  const digests = await digestInputs(p.digests, allFiles, p.netRetry);
  phase(`${allFiles.length} input digests`);
  const bad = digestFailure(digests);
  if (bad !== null) return fail(bad);
  // The digests by path, read through (no second map of 10,000 entries kept with the plan).
  const ok_ = digestLookup(digests);
  const keys = new ComponentKeys(p);

  // Keys first (main thread), while the output stats may still be running in their thread.
  const order = graph.order;
  const graphNodes = order.map((id) => graph.nodes.get(id)!);
  const context = keyContext(p.config.components.map((c) => ({ name: c.name, files: c.files, splitFactor: c.splitFactor, fineSplitFactor: c.fineSplitFactor,
    template: keys.template(c.name) })), allFiles, ok_);
  // The same context as the one the records' keys were computed under: every chunk's key is its
  // record's (a chunk without a record, which that context rules out, is hashed all the same).
  const recorded = p.recordedKeyContext !== undefined && p.recordedKeyContext !== null && p.recordedKeyContext === context;
  const chunkKeys = chunkKeysOf(graphNodes, recorded ? p.records : null, keys, ok_);
  phase(recorded ? 'chunk keys (from the records: same key context)' : 'chunk keys');
  // This thread stats its share of the outputs instead of waiting for the worker alone.
  if (p.changedOutputs) assistOutputCheck();
  const changedOutputs = p.changedOutputs ? await p.changedOutputs : null;
  phase('waited for the output stats');
  const nodes = new NodeDecider(p, graph, keys, ok_, changedOutputs).decideAll(order, graphNodes, chunkKeys);
  phase('nodes decided');
  return ok({ graph, nodes, tree: keys.tree, dropped, keyContext: context });
}

/** Every chunk's input files, each once, in chunk order. */
function inputFiles(chunks: readonly ChunkPlan[]): string[] {
  const allFiles: string[] = [];
  const seen = new Set<string>();
  for (const c of chunks) for (const f of c.files) if (!seen.has(f)) { seen.add(f); allFiles.push(f); }
  return allFiles;
}

/** The failure of the inputs that could not be digested (null: none), the first one named. */
function digestFailure(digests: Map<string, Result<string>>): Failure | null {
  const bad: Failure[] = [];
  for (const r of digests.values()) if (!r.ok) bad.push(r.error);
  // A missing input is named first (the user's to fix); a server still unreachable is infrastructure.
  bad.sort((a, b) => Number(a.kind === 'infrastructure') - Number(b.kind === 'infrastructure'));
  if (!bad.length) return null;
  return { ...bad[0]!, reason: bad[0]!.reason + (bad.length > 1 ? ` (and ${bad.length - 1} more input files)` : '') };
}

function digestLookup(digests: Map<string, Result<string>>): DigestLookup {
  return { get: (f) => { const r = digests.get(f); return r?.ok ? r.value : undefined; } };
}

/** Each chunk's key, by its index in the graph's order: its record's (`recorded`: same key context) or hashed. */
function chunkKeysOf(graphNodes: readonly GraphNode[], recorded: RecordHeads | null, keys: ComponentKeys, digests: DigestLookup): string[] {
  const chunkKeys: string[] = new Array<string>(graphNodes.length);
  for (let i = 0; i < graphNodes.length; i++) {
    const n = graphNodes[i]!;
    if (n.kind !== 'chunk') continue;
    const at = recorded !== null ? recorded.indexOf(n.id) : -1;
    chunkKeys[i] = at >= 0 ? recorded!.key(at) : chunkKey(keys.template(n.plan.component), n.plan, digests);
  }
  return chunkKeys;
}

/** Per component: its input tree, its digest, the key parts it shares with others and its chunk key template. */
class ComponentKeys {
  readonly tree = new Map<string, string>();
  private readonly compDigest = new Map<string, string>();
  // By tree and by code (a component that carries code: the whole bundle's digest).
  private readonly sharedByTree = new Map<string, Record<string, string>>();
  private readonly templates = new Map<string, ChunkKeyTemplate>();

  constructor(private readonly p: PlanInputs) {
    for (const c of p.config.components) {
      this.tree.set(c.name, c.tree ?? p.config.tree);
      this.compDigest.set(c.name, componentPart(c.raw));
    }
  }

  digest(component: string): string {
    return this.compDigest.get(component)!;
  }

  shared(component: string): Record<string, string> {
    const { p } = this;
    const t = this.tree.get(component)!;
    const whole = p.code.wholeFor.has(component);
    const at = whole ? `${t}\u0000whole` : t;
    let s = this.sharedByTree.get(at);
    if (!s) {
      s = sharedParts({ heppyVersion: p.heppyVersion, code: whole ? p.code.whole : p.code.parts, sequence: p.config.sequence, tree: t, options: p.options, maxEvents: p.maxEvents });
      this.sharedByTree.set(at, s);
    }
    return s;
  }

  template(component: string): ChunkKeyTemplate {
    let t = this.templates.get(component);
    if (!t) {
      t = chunkKeyTemplate(this.shared(component), this.digest(component));
      this.templates.set(component, t);
    }
    return t;
  }
}

/** Decides every node in the graph's order (a merge after its inputs): up to date by its head, else by decide.ts. */
class NodeDecider {
  private readonly nodes = new Map<string, PlannedNode>();
  private notUpToDate = 0;
  private adopted = 0;
  private readonly heads: RecordHeads;
  // The Outdir's entries, listed once when a node is not fresh (a cold plan): a node without a
  // directory has no result to adopt (one readdir instead of a failed marker open per node).
  private entries: Set<string> | null = null;

  constructor(private readonly p: PlanInputs, private readonly graph: Graph, private readonly keys: ComponentKeys,
    private readonly digests: DigestLookup, private readonly changedOutputs: Map<string, string> | null) {
    this.heads = p.records;
  }

  decideAll(order: readonly string[], graphNodes: readonly GraphNode[], chunkKeys: readonly string[]): Map<string, PlannedNode> {
    const outdirSlash = this.p.outdir + '/';
    for (let i = 0; i < order.length; i++) {
      const id = order[i]!;
      const n = graphNodes[i]!;
      const dir = outdirSlash + nodeDir(n);
      const at = this.heads.indexOf(id);
      if (n.kind === 'chunk') this.chunk(id, n, dir, at, chunkKeys[i]!);
      else this.merge(id, n, dir, at);
    }
    return this.nodes;
  }

  private readonly present = (dir: string): boolean => {
    const { outdir } = this.p;
    const name = dir.slice(outdir.length + 1);
    if (!dir.startsWith(outdir + '/') || name.includes('/')) return true; // not a direct entry: look
    this.entries ??= listDir(outdir);
    return this.entries.has(name);
  };

  // Without a shared check (one thread): each node's outputs are stat-ed here, from the heads' columns.
  private outputsDiffer(id: string, dir: string, at: number): string | null {
    return this.changedOutputs ? (this.changedOutputs.get(id) ?? null) : headOutputsChanged(this.heads, at, dir);
  }

  // Up to date by its record's head alone: an ok record of today's key whose outputs are unchanged
  // (decide.ts `fresh`, without reading the whole record). Anything else is decided on the record.
  private freshHead(id: string, dir: string, at: number, key: string): boolean {
    const { heads } = this;
    return !this.p.force && at >= 0 && heads.ok(at) && heads.key(at) === key && this.outputsDiffer(id, dir, at) === null;
  }

  private chunk(id: string, n: ChunkNode, dir: string, at: number, key: string): void {
    const { p } = this;
    const component = n.plan.component;
    const node = new ChunkNodePlan(id, component, dir, key, this.keys.shared(component), this.keys.digest(component), n.plan, this.digests);
    this.nodes.set(id, node);
    if (this.freshHead(id, dir, at, key)) return;
    const rec = at >= 0 ? p.recordOf(id) : undefined;
    const d = decideChunk({ id, dir, key, parts: () => node.parts(), rec, changed: () => this.outputsDiffer(id, dir, at), partsOf: p.partsOf, force: p.force, present: this.present });
    node.upToDate = d.upToDate;
    node.why = d.upToDate ? NO_WHY : d.why;
    node.adopted = d.adopted;
    if (!d.upToDate) this.notUpToDate++;
    if (d.adopted) this.adopted++;
  }

  private merge(id: string, n: HaddNode, dir: string, at: number): void {
    const { p, heads, nodes } = this;
    const deps = n.deps;
    let pending = 0;
    // Every node so far up to date and none adopted (a no-op): no lookup of its inputs' nodes.
    if (this.notUpToDate > 0) for (const x of deps) if (!nodes.get(x)!.upToDate) pending++;
    // A merge's key is over its inputs' results (chunks, or the merges below it): known only when
    // none of them runs. Computed from strings; its parts (an entry per input) only when asked for
    // (run, adopted, explained).
    // (The digests themselves are kept, not the records: those are not needed after planning.)
    const results = pending > 0 ? null
      : deps.map(this.adopted > 0 ? (x) => nodes.get(x)!.adopted?.resultDigest ?? heads.resultDigest(heads.indexOf(x)) : (x) => heads.resultDigest(heads.indexOf(x)));
    const key = results === null ? null : haddKey(p.heppyVersion, n.component, deps, (j) => results[j]!, n.level);
    const parts = results === null ? null : mergePartsOf(p.heppyVersion, n.component, deps, results, n.level);
    if (key !== null && this.freshHead(id, dir, at, key)) {
      nodes.set(id, { id, kind: 'hadd', component: n.component, dir, key, parts: parts ?? noParts, upToDate: true, why: NO_WHY });
      return;
    }
    const inputs = this.graph.nodes.get(deps[0]!)?.kind === 'hadd' ? 'merge' : 'chunk';
    const rec = at >= 0 ? p.recordOf(id) : undefined;
    const d = decideMerge({ id, dir, key, parts, pending, inputs, rec, changed: () => this.outputsDiffer(id, dir, at), partsOf: p.partsOf, force: p.force, present: this.present });
    if (!d.upToDate) this.notUpToDate++;
    if (d.adopted) this.adopted++;
    nodes.set(id, { id, kind: 'hadd', component: n.component, dir, key, parts: parts ?? noParts, upToDate: d.upToDate, why: d.upToDate ? NO_WHY : d.why, adopted: d.adopted });
  }
}
