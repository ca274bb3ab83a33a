// The small sample `heppy init` writes when no input files are given: two ROOT files with a NanoAOD-
// like tree (a jagged muon collection and a scalar), made with heppy's own writer, reproducible
// (fixed seeds), so that a new project builds at once and its analyzer has something to read.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RootFileWriter } from '../root/write/index.js';

export const SAMPLE_TREE = 'events';
export const SAMPLE_FILES = 2;
export const SAMPLE_EVENTS_PER_FILE = 2000;

/** mulberry32: a tiny seeded generator (the sample must be the same on every machine). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `dir/sample_<i>.root` and returns their paths. */
export async function writeSample(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let f = 0; f < SAMPLE_FILES; f++) {
    const path = join(dir, `sample_${f}.root`);
    const r = rng(1000 + f);
    const w = RootFileWriter.create(path);
    const t = w.createTree({
      name: SAMPLE_TREE, title: 'heppy init sample',
      branches: [
        { name: 'nMuon', type: 'i4' },
        { name: 'Muon_pt', type: 'f4', shape: { counter: 'nMuon' } },
        { name: 'Muon_eta', type: 'f4', shape: { counter: 'nMuon' } },
        { name: 'MET_pt', type: 'f4' },
      ],
    });
    for (let i = 0; i < SAMPLE_EVENTS_PER_FILE; i++) {
      const n = Math.floor(r() * 4);
      const pt = Array.from({ length: n }, () => 3 - 20 * Math.log(1 - r())).sort((a, b) => b - a);
      const eta = Array.from({ length: n }, () => (r() - 0.5) * 5);
      t.fill({ nMuon: n, Muon_pt: pt, Muon_eta: eta, MET_pt: -30 * Math.log(1 - r()) });
    }
    await w.close();
    paths.push(path);
  }
  return paths;
}
