// Event-loop benchmark: events/s of one worker running the demo analysis (LeptonSelector +
// ZZSelector) through runChunk over the demo's sample data, next to the floor set by reading the
// same branches alone and a sequence that only touches the event. One process = one worker.
// Run: npx tsc -p . && node dist/examples/make-data.js && node dist/bench/loop.js
// Figures are recorded in bench/README.md ("Event loop").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, Config, DataComponent, MCComponent, Sequence, type Event } from '../src/index.js';
import { runChunk } from '../src/loop/run-chunk.js';
import type { ChunkSpec } from '../src/chunkdir/spec.js';
import { openRootFile } from '../src/root/read/index.js';
import { LeptonSelector } from '../examples/analyzers/lepton-selector.js';
import { ZZSelector } from '../examples/analyzers/zz-selector.js';
import { glob } from '../src/config/component.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.HEPPY_DEMO_DATA ?? join(repo, 'examples', 'data');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

class Touch extends Analyzer {
  static branches = LeptonSelector.branches;
  override process(e: Event): void { e.scalar('NMuon'); }
}

const leptonParams = { minLeptons: 4, muonPt: 5, electronPt: 7, maxEta: 2.5, maxIso: 0.35 };
const zzParams = { z1Window: [40, 120] as [number, number], z2Window: [12, 120] as [number, number], minM4l: 70 };

function config(comp: string, files: string[], seq: () => Sequence): Config {
  const c = comp.startsWith('data')
    ? new DataComponent(comp, { files, intLumi: 69 })
    : new MCComponent(comp, { files, xSection: 1, nGenEvents: 200_000 });
  return new Config({ components: [c], sequence: seq() });
}

interface Timing { events: number; s: number; cpu: number }

const cpuSeconds = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;

async function timeRun(out: string, comp: string, files: string[], seq: () => Sequence): Promise<Timing> {
  const cfg = config(comp, files, seq);
  const spec: ChunkSpec = { name: comp, component: comp, files, tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'bench', attempt: 1 };
  const t0 = performance.now(), c0 = process.cpuUsage();
  const r = await runChunk(spec, join(out, comp), { loadConfig: async () => cfg });
  const s = (performance.now() - t0) / 1000, cpu = cpuSeconds(process.cpuUsage(c0));
  if (!r.ok) throw new Error(`${comp}: ${r.error.reason}`);
  return { events: r.value.marker.eventsProcessed ?? 0, s, cpu };
}

async function readOnly(files: string[]): Promise<Timing> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  let events = 0;
  for (const f of files) {
    const file = await openRootFile(f);
    const tree = await file.tree('events');
    for await (const b of tree.batches([...LeptonSelector.branches], 0, tree.entries)) events += b.stop - b.start;
    file.close();
  }
  return { events, s: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

const best = (xs: Timing[]): Timing => xs.reduce((a, b) => (b.s < a.s ? b : a));

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'heppy-bench-loop-'));
  try {
    console.log(`event loop, one worker, best of ${RUNS} (data: ${dataDir})`);
    console.log('events/s by wall time (and by CPU time of the process, which includes zlib threads)');
    console.log('component          events       read only            touch             demo');
    for (const comp of ['data_period_A', 'ggH_125']) {
      const files = glob(join(dataDir, comp, '*.root'));
      if (files.length === 0) throw new Error(`no demo data in ${join(dataDir, comp)}: run node dist/examples/make-data.js`);
      const rd: Timing[] = [], touch: Timing[] = [], demo: Timing[] = [];
      for (let i = 0; i < RUNS; i++) {
        rd.push(await readOnly(files));
        touch.push(await timeRun(out, comp, files, () => new Sequence(new Analyzer(Touch))));
        demo.push(await timeRun(out, comp, files, () => new Sequence(new Analyzer(LeptonSelector, leptonParams), new Analyzer(ZZSelector, zzParams))));
      }
      const k = (v: number): string => `${Math.round(v / 1000)}k`;
      const rate = (x: Timing): string => `${k(x.events / x.s)} (${k(x.events / x.cpu)})`.padStart(16);
      const d = best(demo);
      console.log(`${comp.padEnd(16)} ${String(d.events).padStart(8)} ${rate(best(rd))} ${rate(best(touch))} ${rate(d)}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
