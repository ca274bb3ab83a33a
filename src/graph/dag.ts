// The build graph: one chunk node per chunk, one hadd node per split component depending on all
// of its chunks. Pure data; keys and state are attached by the build.
import type { ChunkPlan } from './split.js';

export interface ChunkNode {
  kind: 'chunk';
  id: string;            // the chunk name: also its directory under Outdir
  plan: ChunkPlan;
  deps: string[];
}

export interface HaddNode {
  kind: 'hadd';
  id: string;            // 'hadd:<component>'; its directory is Outdir/<component>
  component: string;
  deps: string[];        // its chunks, in chunk order
}

export type GraphNode = ChunkNode | HaddNode;

export interface Graph {
  nodes: Map<string, GraphNode>;
  /** Node ids in a topological order (chunks first, then hadds). */
  order: string[];
}

export const haddId = (component: string): string => `hadd:${component}`;

/** The directory of a node, relative to Outdir. */
export function nodeDir(n: GraphNode): string {
  return n.kind === 'chunk' ? n.id : n.component;
}

export function buildGraph(chunks: readonly ChunkPlan[]): Graph {
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
    const id = haddId(component);
    nodes.set(id, { kind: 'hadd', id, component, deps });
    order.push(id);
  }
  return { nodes, order };
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
