// Splitting components into chunks, exactly as heppy's split(comps) (heppy-original §2):
// fineSplitFactor F>1 wins: one chunk per (file, i), file-major, fineSplit=(i,F);
// else splitFactor>1: ceil(nfiles/splitFactor) consecutive files per chunk;
// else one unsplit chunk named after the component. Chunks are named <comp>_Chunk<i>, from 0.
// Components without files are dropped (with a warning, unlike heppy's silence).

export interface SplittableComponent {
  name: string;
  files: readonly string[];
  splitFactor?: number;
  fineSplitFactor?: number;
}

export interface ChunkPlan {
  name: string;
  component: string;
  index: number;          // 0-based chunk index within the component
  files: string[];
  fineSplit: [number, number] | null;
  split: boolean;         // false: the component runs unsplit in Outdir/<component>/
}

export interface SplitResult {
  chunks: ChunkPlan[];
  dropped: string[];      // names of components without files
}

function factor(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : 1;
}

export function splitComponent(c: SplittableComponent): ChunkPlan[] {
  const files = [...c.files];
  if (files.length === 0) return [];
  const fine = factor(c.fineSplitFactor);
  const split = factor(c.splitFactor);
  const chunk = (index: number, fs: string[], fineSplit: [number, number] | null): ChunkPlan => ({
    name: `${c.name}_Chunk${index}`, component: c.name, index, files: fs, fineSplit, split: true,
  });
  if (fine > 1) {
    const out: ChunkPlan[] = [];
    for (const f of files) for (let i = 0; i < fine; i++) out.push(chunk(out.length, [f], [i, fine]));
    return out;
  }
  if (split > 1) {
    const size = Math.ceil(files.length / split);
    const out: ChunkPlan[] = [];
    for (let start = 0; start < files.length; start += size) out.push(chunk(out.length, files.slice(start, start + size), null));
    return out;
  }
  return [{ name: c.name, component: c.name, index: 0, files, fineSplit: null, split: false }];
}

export function splitAll(components: readonly SplittableComponent[]): SplitResult {
  const chunks: ChunkPlan[] = [];
  const dropped: string[] = [];
  for (const c of components) {
    const cs = splitComponent(c);
    if (cs.length === 0) dropped.push(c.name);
    chunks.push(...cs);
  }
  return { chunks, dropped };
}
