// The build graph: one chunk node per chunk, and per split component a merge tree of hadd nodes
// with a fan-in F: a component of at most F chunks has one hadd node over its chunks (as before);
// a bigger one gets levels of intermediate merges of F consecutive inputs each, topped by the
// component's hadd node, so one changed chunk re-merges ceil(log_F N) nodes, not N inputs.
// Pure data; keys and state are attached by the build.
import { mergeNodeDir } from '../chunkdir/layout.js';
import type { ChunkPlan } from './split.js';

export interface ChunkNode {
  kind: 'chunk';
  id: string;            // the chunk name: also its directory under Outdir
  plan: ChunkPlan;
  deps: string[];
}

export interface HaddNode {
  kind: 'hadd';
  /** 'hadd:<component>' (the final merge), or 'hadd:<component>/L<level>-<index>' (intermediate). */
  id: string;
  component: string;
  /** Its inputs in chunk order: chunks (level 1, or a final merge of <= fan-in chunks) or merges below. */
  deps: string[];
  /** 0 for the final merge; else its level in the tree (1: merges chunks). */
  level: number;
  /** Its directory relative to Outdir: <component> for the final merge, under .heppy/merge/ otherwise. */
  dir: string;
  /** How many chunks it covers (processing.yaml's nfiles). */
  chunks: number;
}

export type GraphNode = ChunkNode | HaddNode;

export interface Graph {
  nodes: Map<string, GraphNode>;
  /** Node ids in a topological order (chunks first, then the merges level by level, finals last). */
  order: string[];
}

/** Inputs per merge node unless configured (`--merge-fan-in`, Config.mergeFanIn). */
export const DEFAULT_FAN_IN = 16;

export const haddId = (component: string): string => `hadd:${component}`;
export const mergeNodeId = (component: string, level: number, index: number): string => `hadd:${component}/L${level}-${index}`;

/** The directory of a node, relative to Outdir. */
export function nodeDir(n: GraphNode): string {
  return n.kind === 'chunk' ? n.id : n.dir;
}

/**
 * The directory of a node from its id alone (relative to Outdir): what the records of the last
 * build are checked against before today's graph exists.
 */
export function dirOfNodeId(id: string): string {
  if (!id.startsWith('hadd:')) return id;
  const m = /^hadd:(.+)\/L(\d+)-(\d+)$/.exec(id);
  return m ? mergeNodeDir(m[1]!, Number(m[2]), Number(m[3])) : id.slice('hadd:'.length);
}

/** The merge nodes of one component over its chunks (in chunk order), bottom level first. */
export function mergeTree(component: string, chunks: readonly string[], fanIn: number): HaddNode[] {
  if (!Number.isInteger(fanIn) || fanIn < 2) throw new Error(`mergeTree: fan-in must be an integer >= 2, got ${fanIn}`);
  const out: HaddNode[] = [];
  let inputs = chunks.map((id) => ({ id, chunks: 1 }));
  for (let level = 1; inputs.length > fanIn; level++) {
    const next: Array<{ id: string; chunks: number }> = [];
    for (let i = 0; i < inputs.length; i += fanIn) {
      const group = inputs.slice(i, i + fanIn);
      const index = next.length;
      const n: HaddNode = { kind: 'hadd', id: mergeNodeId(component, level, index), component, deps: group.map((g) => g.id), level,
        dir: mergeNodeDir(component, level, index), chunks: group.reduce((s, g) => s + g.chunks, 0) };
      out.push(n);
      next.push({ id: n.id, chunks: n.chunks });
    }
    inputs = next;
  }
  out.push({ kind: 'hadd', id: haddId(component), component, deps: inputs.map((g) => g.id), level: 0, dir: component, chunks: chunks.length });
  return out;
}

export function buildGraph(chunks: readonly ChunkPlan[], fanIn = DEFAULT_FAN_IN): Graph {
  const nodes = new Map<string, GraphNode>();
  const order: string[] = [];
  const byComponent = new Map<string, string[]>();
  for (const plan of chunks) {
    nodes.set(plan.name, { kind: 'chunk', id: plan.name, plan, deps: [] });
    order.push(plan.name);
    if (plan.split) {
      const list = byComponent.get(plan.component) ?? [];
      list.push(plan.name);
      byComponent.set(plan.component, list);
    }
  }
  for (const [component, deps] of byComponent) {
    for (const n of mergeTree(component, deps, fanIn)) {
      nodes.set(n.id, n);
      order.push(n.id);
    }
  }
  return { nodes, order };
}

/** The chunks under a node, in chunk order (a chunk: itself). */
export function chunksUnder(g: Graph, id: string): string[] {
  const n = g.nodes.get(id);
  if (n === undefined || n.kind === 'chunk') return [id];
  return n.deps.flatMap((d) => chunksUnder(g, d));
}

/** Every node that (transitively) depends on one of `ids`. */
export function dependents(g: Graph, ids: Iterable<string>): Set<string> {
  const rev = new Map<string, string[]>();
  for (const n of g.nodes.values()) for (const d of n.deps) rev.set(d, [...(rev.get(d) ?? []), n.id]);
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    for (const u of rev.get(stack.pop()!) ?? []) if (!out.has(u)) { out.add(u); stack.push(u); }
  }
  return out;
}
