// Benchmark of `heppy check` and `heppy hadd` (mergeComponent) on many chunk directories made by a
// real chunk run (runChunk over a file written by heppy's writer), copied N times.
// Usage: node dist/bench/check-hadd.js [chunks=1000] [merge=100]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, fill1, type Event, type Hist, type BookedTree } from '../src/index.js';
import { runChunk } from '../src/loop/run-chunk.js';
import { RootFileWriter } from '../src/root/write/index.js';
import { checkChunks, defaultProbe, discoverChunkDirs, headerProbe } from '../src/check/index.js';
import { ProbeCache } from '../src/check/probe-cache.js';
import { mergeComponent } from '../src/merge/index.js';

const nChunks = Number(process.argv[2] ?? 1000);
const nMerge = Number(process.argv[3] ?? 100);
const root = mkdtempSync(join(tmpdir(), 'heppy-bench-check-'));

class Sel extends Analyzer {
  static branches = ['x', 'n', 'v'];
  private h!: Hist;
  private t!: BookedTree;
  override beginLoop(): void {
    this.counter('cut_flow').register('All'); this.counter('cut_flow').register('x > 0.5');
    this.h = this.hist1('x', 'x', 100, 0, 1);
    this.t = this.tree('sel', [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }]);
  }
  override process(e: Event): boolean {
    const c = this.counter('cut_flow');
    c.inc('All');
    const x = e.scalar('x');
    fill1(this.h, x);
    if (x <= 0.5) return false;
    c.inc('x > 0.5');
    this.t.fill({ x, n: e.scalar('n'), v: e.array('v') });
    return true;
  }
}

async function main(): Promise<void> {
  const input = join(root, 'in.root');
  const w = RootFileWriter.create(input);
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }] });
  for (let i = 0; i < 10_000; i++) { const n = i % 4; t.fill({ x: (i * 0.618) % 1, n, v: Array.from({ length: n }, (_, k) => k + i) }); }
  await w.close();
  const config = new Config({ components: [new Component('c', { files: [input] })], sequence: new Sequence(new Analyzer(Sel)) });
  const out = join(root, 'Outdir');
  const first = join(out, 'c_Chunk0');
  const r = await runChunk({ name: 'c_Chunk0', component: 'c', files: [input], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/x.mjs', key: 'k', attempt: 1 }, first, { loadConfig: async () => config });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  for (let i = 1; i < nChunks; i++) cpSync(first, join(out, `c_Chunk${i}`), { recursive: true });

  let t0 = performance.now();
  const found = discoverChunkDirs([out]);
  const deep = await checkChunks(found.chunks);
  const tDeep = performance.now() - t0;
  t0 = performance.now();
  const cache = new ProbeCache([out]);
  await checkChunks(found.chunks, { probe: cache.wrap(defaultProbe) });
  cache.save();
  const tFill = performance.now() - t0;
  t0 = performance.now();
  const again = new ProbeCache([out]);
  const cached = await checkChunks(discoverChunkDirs([out]).chunks, { probe: again.wrap(defaultProbe) });
  const tCached = performance.now() - t0;
  t0 = performance.now();
  const shallow = await checkChunks(found.chunks, { probe: headerProbe });
  const tShallow = performance.now() - t0;
  console.log(`check, ${nChunks} chunks (2 ROOT files each), opening every ROOT file: ${tDeep.toFixed(0)} ms (${(tDeep / nChunks).toFixed(2)} ms/chunk), ${deep.filter((v) => v.good).length} good`);
  console.log(`check with the probe cache: first ${tFill.toFixed(0)} ms, again ${tCached.toFixed(0)} ms (${(tCached / nChunks).toFixed(2)} ms/chunk, ${again.hits} files not reopened), ${cached.filter((v) => v.good).length} good`);
  console.log(`check, header-only probe: ${tShallow.toFixed(0)} ms (${(tShallow / nChunks).toFixed(2)} ms/chunk), ${shallow.filter((v) => v.good).length} good`);

  t0 = performance.now();
  const m = await mergeComponent(out, 'c', found.chunks.slice(0, nMerge));
  const tMerge = performance.now() - t0;
  if (m.ok) {
    const bytes = m.value.outputs.reduce((a, o) => a + o.size, 0);
    console.log(`mergeComponent of ${nMerge} chunks (a tree of ~${((r.value.marker.eventsProcessed ?? 0) / 2) | 0} entries and a histogram per chunk, groups of 200): ${tMerge.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB written`);
  } else {
    console.log(`mergeComponent failed: ${JSON.stringify(m.error)}`);
  }
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
