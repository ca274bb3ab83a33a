// What the run-*.test.ts files share: a plan of one component X (two chunks and their merge) in a
// temporary Outdir, a RunState over the in-memory store collecting the events it emits, and a chunk
// directory as run-chunk leaves it (result file, chunk.json, marker last).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputCache } from '../../../src/cache/output-cache.js';
import { listOutputs, writeMarker } from '../../../src/chunkdir/marker.js';
import { writeChunkSpec, type ChunkSpec } from '../../../src/chunkdir/spec.js';
import type { BuildPlan, PlannedNode } from '../../../src/engine/plan.js';
import { RunState } from '../../../src/engine/run-state.js';
import { MemoryStore } from '../../../src/engine/store.js';
import { buildGraph } from '../../../src/graph/dag.js';
import type { BuildEvent } from '../../../src/report/events.js';

export const CHUNKS = ['X_Chunk0', 'X_Chunk1'] as const;
export const KEYS: Record<string, string> = { X_Chunk0: 'a0a0a0a0a0a0a0a0', X_Chunk1: 'b1b1b1b1b1b1b1b1' };

export function tmpOutdir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `heppy-${tag}-`));
}

export function planX(outdir: string): BuildPlan {
  const chunks = CHUNKS.map((name, index) => ({ name, component: 'X', index, files: [`/data/in${index}.root`], fineSplit: null, split: true }));
  const nodes = new Map<string, PlannedNode>();
  for (const c of chunks) {
    nodes.set(c.name, { id: c.name, kind: 'chunk', component: 'X', dir: join(outdir, c.name), key: KEYS[c.name]!,
      parts: () => ({ parts: { k: KEYS[c.name]! }, files: {} }), upToDate: false, why: ['never built'] });
  }
  nodes.set('hadd:X', { id: 'hadd:X', kind: 'hadd', component: 'X', dir: join(outdir, 'X'), key: null, parts: () => null, upToDate: false, why: ['2 chunks to run'] });
  return { graph: buildGraph(chunks), nodes, tree: new Map([['X', 'events']]), dropped: [] };
}

export interface Rig { outdir: string; store: MemoryStore; events: BuildEvent[]; s: RunState }

export function rig(tag: string, cache: OutputCache | null = null): Rig {
  const outdir = tmpOutdir(tag);
  const store = new MemoryStore(outdir);
  const events: BuildEvent[] = [];
  return { outdir, store, events, s: new RunState(planX(outdir), store, cache, (e) => events.push(e)) };
}

/** A chunk directory as a successful run-chunk attempt leaves it: `text` in result.yaml, `events` processed. */
export function ranChunk(dir: string, spec: ChunkSpec, text: string, events = 10): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.yaml'), text);
  writeChunkSpec(dir, spec);
  writeMarker(dir, { kind: 'chunk', status: 'ok', key: spec.key, attempt: spec.attempt, exitCode: 0, eventsProcessed: events, expectedEvents: events,
    userStop: false, outputs: listOutputs(dir) });
}

export function specOf(outdir: string, name: string, attempt = 1): ChunkSpec {
  const index = CHUNKS.indexOf(name as typeof CHUNKS[number]);
  return { name, component: 'X', files: [`/data/in${index}.root`], tree: 'events', fineSplit: null, maxEvents: null, options: {},
    bundle: join(outdir, 'bundle.mjs'), key: KEYS[name]!, attempt };
}
