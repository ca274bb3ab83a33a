// heppy_hadd's grouping: the `<comp>_Chunk<N>` directories of a source directory, by component,
// in chunk order. Names that are not exactly that (heppy's `X_Chunk0_1` leftovers) are skipped.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseChunkName } from '../chunkdir/layout.js';

export interface ChunkGroup {
  component: string;
  chunks: { index: number; dir: string }[];   // sorted by index
}

export interface Grouping {
  groups: ChunkGroup[];                        // sorted by component name
  skipped: string[];                           // `_Chunk` directories with a name that is not a chunk's
}

export function groupChunkDirs(src: string): Grouping {
  const byComp = new Map<string, { index: number; dir: string }[]>();
  const skipped: string[] = [];
  for (const name of readdirSync(src).sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(src, name);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const p = parseChunkName(name);
    if (!p) {
      if (name.includes('_Chunk')) skipped.push(name);
      continue;
    }
    const list = byComp.get(p.component) ?? [];
    list.push({ index: p.index, dir });
    byComp.set(p.component, list);
  }
  const groups = [...byComp.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([component, chunks]) => ({ component, chunks: chunks.sort((x, y) => x.index - y.index) }));
  return { groups, skipped };
}
