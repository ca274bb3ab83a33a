// What hadd does with each file of a chunk, as heppy_hadd does: the first chunk's file tree drives
// the merge; ROOT files are hadd-ed, counter/average sidecars summed (their .txt re-rendered, never
// parsed), .yaml/.py copied from the first chunk, everything else (log.txt included) skipped.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isStatSidecar } from '../stats/index.js';

export type FileAction =
  | { kind: 'root'; rel: string }
  | { kind: 'stat'; rel: string }          // rel is the .json sidecar; the .txt is regenerated
  | { kind: 'copy'; rel: string }
  | { kind: 'skip'; rel: string; why: string };

/** Files the framework writes about a run, not results: never merged. */
const RUN_FILES = new Set(['log.txt', 'heppy-status.json', 'chunk.json', 'batchScript.sh', 'processing.yaml']);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

export function planFiles(firstChunk: string): FileAction[] {
  const files = listFiles(firstChunk);
  const stats = new Set(files.filter((f) => f.endsWith('.json') && isStatSidecar(join(firstChunk, f))));
  return files.map((rel): FileAction => {
    const name = basename(rel);
    if (RUN_FILES.has(name)) return { kind: 'skip', rel, why: 'run file' };
    if (name.endsWith('.root')) return { kind: 'root', rel };
    if (stats.has(rel)) return { kind: 'stat', rel };
    if (name.endsWith('.txt') && stats.has(rel.slice(0, -4) + '.json')) return { kind: 'skip', rel, why: 're-rendered from its sidecar' };
    if (name.endsWith('.yaml') || name.endsWith('.py')) return { kind: 'copy', rel };
    if (name.endsWith('.pck')) return { kind: 'skip', rel, why: "heppy's pickles are not read; counters are summed from .json sidecars" };
    return { kind: 'skip', rel, why: 'not merged' };
  });
}

/** Files that later chunks have and the first does not: they cannot be merged (heppy ignores them). */
export function extraFiles(firstChunk: string, other: string): string[] {
  return listFiles(other).filter((rel) => !existsSync(join(firstChunk, rel)) && !RUN_FILES.has(basename(rel)));
}
