// Generates the demo's sample data deterministically (seeded per file) and writes it with heppy's
// own ROOT writer: examples/data/<component>/<component>_<i>.root, tree `events` with HZZ-like
// branches. Idempotent: when examples/data/manifest.json matches the plan and every file is there
// with its recorded size, nothing is written. Files appear atomically (written as .tmp, renamed).
//
//   node dist/examples/make-data.js [--out DIR] [--scale F] [--force]
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFileWriter, type BranchSpec } from '../src/root/write/index.js';
import { generate, pickProcess, type Lepton } from './generate.js';
import { Rng } from './physics.js';

export const GENERATOR_VERSION = 'heppy-demo-hzz4l-1';

export interface ComponentPlan { name: string; files: number; eventsPerFile: number }

/** 1,000,000 events in total at scale 1. */
export const DEFAULT_PLAN: ComponentPlan[] = [
  { name: 'data_period_A', files: 10, eventsPerFile: 25_000 },
  { name: 'data_period_B', files: 10, eventsPerFile: 25_000 },
  { name: 'ggH_125', files: 10, eventsPerFile: 20_000 },
  { name: 'ZZ', files: 15, eventsPerFile: 20_000 },
];

const MAX_LEP = 64;
const f4 = 'f4' as const, i4 = 'i4' as const;

function leptonBranches(prefix: string, counter: string): BranchSpec[] {
  const shape = { counter };
  return [
    { name: counter, type: i4 },
    ...['Px', 'Py', 'Pz', 'E'].map((v) => ({ name: `${prefix}_${v}`, type: f4, shape })),
    { name: `${prefix}_Charge`, type: i4, shape },
    { name: `${prefix}_Iso`, type: f4, shape },
  ];
}

export const BRANCHES: BranchSpec[] = [
  { name: 'RunNumber', type: i4 },
  { name: 'EventNumber', type: i4 },
  ...leptonBranches('Muon', 'NMuon'),
  ...leptonBranches('Electron', 'NElectron'),
  { name: 'MET_px', type: f4 },
  { name: 'MET_py', type: f4 },
  { name: 'EventWeight', type: f4 },
];

/** FNV-1a of a string: the seed of one file. */
function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

class LeptonBuf {
  px = new Float32Array(MAX_LEP); py = new Float32Array(MAX_LEP); pz = new Float32Array(MAX_LEP); e = new Float32Array(MAX_LEP);
  q = new Int32Array(MAX_LEP); iso = new Float32Array(MAX_LEP);
  set(ls: Lepton[]): number {
    const n = Math.min(ls.length, MAX_LEP);
    for (let i = 0; i < n; i++) {
      const l = ls[i]!;
      this.px[i] = l.p.px; this.py[i] = l.p.py; this.pz[i] = l.p.pz; this.e[i] = l.p.e; this.q[i] = l.charge; this.iso[i] = l.iso;
    }
    return n;
  }
}

/** Writes one file of `n` events of `component` (seeded by component and index). */
export async function writeSampleFile(path: string, component: string, index: number, n: number): Promise<void> {
  const rng = new Rng(seedOf(`${component}/${index}`));
  const tmp = `${path}.tmp`;
  const w = RootFileWriter.create(tmp);
  const tree = w.createTree({ name: 'events', title: `heppy demo sample ${component}`, branches: BRANCHES });
  const mu = new LeptonBuf(), el = new LeptonBuf();
  const run = 1000 + seedOf(component) % 1000;
  for (let i = 0; i < n; i++) {
    const ev = generate(rng, pickProcess(rng, component));
    const nm = mu.set(ev.muons), ne = el.set(ev.electrons);
    tree.fill({
      RunNumber: run, EventNumber: index * n + i,
      NMuon: nm, Muon_Px: mu.px.subarray(0, nm), Muon_Py: mu.py.subarray(0, nm), Muon_Pz: mu.pz.subarray(0, nm), Muon_E: mu.e.subarray(0, nm),
      Muon_Charge: mu.q.subarray(0, nm), Muon_Iso: mu.iso.subarray(0, nm),
      NElectron: ne, Electron_Px: el.px.subarray(0, ne), Electron_Py: el.py.subarray(0, ne), Electron_Pz: el.pz.subarray(0, ne), Electron_E: el.e.subarray(0, ne),
      Electron_Charge: el.q.subarray(0, ne), Electron_Iso: el.iso.subarray(0, ne),
      MET_px: ev.metx, MET_py: ev.mety, EventWeight: ev.weight,
    });
  }
  await w.close();
  renameSync(tmp, path);
}

interface Manifest { generator: string; plan: ComponentPlan[]; files: Record<string, number> }

function manifestOk(outDir: string, plan: ComponentPlan[]): boolean {
  const mpath = join(outDir, 'manifest.json');
  if (!existsSync(mpath)) return false;
  try {
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
    if (m.generator !== GENERATOR_VERSION || JSON.stringify(m.plan) !== JSON.stringify(plan)) return false;
    return Object.entries(m.files).every(([f, size]) => existsSync(join(outDir, f)) && statSync(join(outDir, f)).size === size);
  } catch {
    return false;
  }
}

export function scaledPlan(scale: number): ComponentPlan[] {
  return DEFAULT_PLAN.map((c) => ({ ...c, eventsPerFile: Math.max(1, Math.round(c.eventsPerFile * scale)) }));
}

/** Generates what is missing; returns the number of events written (0 when up to date). */
export async function makeData(outDir: string, plan: ComponentPlan[], opts: { force?: boolean; log?: (s: string) => void } = {}): Promise<number> {
  const log = opts.log ?? ((s: string) => console.log(s));
  if (!opts.force && manifestOk(outDir, plan)) {
    log(`sample data up to date in ${outDir}`);
    return 0;
  }
  const t0 = Date.now();
  const files: Record<string, number> = {};
  let events = 0;
  for (const c of plan) {
    mkdirSync(join(outDir, c.name), { recursive: true });
    for (let i = 0; i < c.files; i++) {
      const path = join(outDir, c.name, `${c.name}_${i}.root`);
      await writeSampleFile(path, c.name, i, c.eventsPerFile);
      files[relative(outDir, path)] = statSync(path).size;
      events += c.eventsPerFile;
    }
    log(`  ${c.name}: ${c.files} files × ${c.eventsPerFile} events`);
  }
  const m: Manifest = { generator: GENERATOR_VERSION, plan, files };
  writeFileSync(join(outDir, 'manifest.json.tmp'), JSON.stringify(m, null, 2) + '\n');
  renameSync(join(outDir, 'manifest.json.tmp'), join(outDir, 'manifest.json'));
  const s = (Date.now() - t0) / 1000;
  log(`wrote ${events} events in ${s.toFixed(1)} s (${Math.round(events / s)} events/s) into ${outDir}`);
  return events;
}

async function main(argv: string[]): Promise<void> {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let out = join(repo, 'examples', 'data');
  let scale = 1;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') out = resolve(argv[++i] ?? '');
    else if (a === '--scale') scale = Number(argv[++i]);
    else if (a === '--force') force = true;
    else { console.error(`make-data: unknown argument ${a}\nusage: make-data [--out DIR] [--scale F] [--force]`); process.exit(2); }
  }
  if (!(scale > 0)) { console.error('make-data: --scale must be a positive number'); process.exit(2); }
  await makeData(out, scaledPlan(scale), { force });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`make-data: ${(e as Error).message}`);
    process.exit(1);
  });
}
