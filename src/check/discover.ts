// Which directories are chunks: `heppy check Outdir` scans Outdir's children, `heppy check dirs…`
// takes chunk directories as given (heppy_check's habit) and scans any other directory it is given.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readMarker } from '../chunkdir/marker.js';

import { compareChunkNames, parseChunkName } from '../chunkdir/layout.js';

export { CHUNK_NAME, compareChunkNames, parseChunkName } from '../chunkdir/layout.js';

export type DirKind = 'chunk' | 'merged' | 'other';

/**
 * A chunk is a `_ChunkN` directory, or an unsplit component that ran in place (it has the
 * build's chunk.json or a chunk marker). A directory with a hadd marker is a merged component.
 */
export function classifyDir(dir: string): DirKind {
  const m = readMarker(dir);
  if (m.ok && m.value?.kind === 'hadd') return 'merged';
  if (parseChunkName(basename(dir))) return 'chunk';
  if (existsSync(join(dir, 'chunk.json'))) return 'chunk';
  if (m.ok && m.value?.kind === 'chunk') return 'chunk';
  if (!m.ok) return 'chunk'; // an unreadable marker: let the check report it
  return 'other';
}

function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export interface Discovery {
  chunks: string[];      // absolute, sorted
  merged: string[];      // merged component directories (hadd marker), absolute, sorted
  missing: string[];     // arguments that do not exist
}

export function discoverChunkDirs(args: string[]): Discovery {
  const chunks = new Set<string>();
  const merged = new Set<string>();
  const missing: string[] = [];
  for (const arg of args) {
    const dir = resolve(arg);
    if (!isDir(dir)) {
      missing.push(arg);
      continue;
    }
    const kind = classifyDir(dir);
    if (kind === 'chunk') chunks.add(dir);
    if (kind === 'merged') merged.add(dir);
    if (kind !== 'other') continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue; // .heppy/ holds tmp and trash dirs
      const p = join(dir, name);
      if (!isDir(p)) continue;
      const k = classifyDir(p);
      if (k === 'chunk') chunks.add(p);
      else if (k === 'merged') merged.add(p);
    }
  }
  const list = [...chunks].sort((a, b) => {
    const c = compareChunkNames(basename(a), basename(b));
    return c !== 0 ? c : a < b ? -1 : a > b ? 1 : 0;
  });
  return { chunks: list, merged: [...merged].sort(), missing };
}
