// heppy_hadd's -c: after merging, the good chunks of the merged components are moved into
// `<src>/Chunks/`, out of the way of the merged directories (bad chunks stay, to be fixed and
// merged again). heppy removed ./Chunks in the working directory first; here only a chunk of
// the same name is replaced (through the trash, as every swap), nothing else is removed.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { groupChunkDirs } from '../merge/group.js';
import type { HaddReport } from './hadd-outdir.js';
import { assertNever } from '../util/result.js';

export const CHUNKS_ARCHIVE = 'Chunks';

/** The good chunk directories of the components whose merge is in place (merged or up to date). */
export function mergedGoodChunks(report: HaddReport): string[] {
  const inPlace = new Set<string>();
  const bad = new Set<string>();
  for (const c of report.components) {
    for (const v of c.bad) bad.add(v.dir);
    switch (c.status) {
      case 'merged':
      case 'up-to-date':
        inPlace.add(c.component);
        break;
      case 'no-good-chunk':
      case 'merge-failed':
      case 'interrupted':
        break;
      default:
        assertNever(c, 'component outcome');
    }
  }
  return groupChunkDirs(report.src).groups
    .filter((g) => inPlace.has(g.component))
    .flatMap((g) => g.chunks.map((c) => c.dir).filter((d) => !bad.has(d)));
}

/** Moves each chunk directory into `<src>/Chunks/<name>` (same filesystem: a rename). */
export function archiveChunks(src: string, dirs: readonly string[]): string[] {
  if (dirs.length === 0) return [];
  const into = join(src, CHUNKS_ARCHIVE);
  mkdirSync(into, { recursive: true });
  const moved: string[] = [];
  for (const dir of dirs) {
    const target = join(into, basename(dir));
    if (existsSync(target)) {
      const trashRoot = join(src, '.heppy', 'trash');
      mkdirSync(trashRoot, { recursive: true });
      const trash = mkdtempSync(join(trashRoot, `${basename(dir)}.`));
      renameSync(target, join(trash, 'old'));
      rmSync(trash, { recursive: true, force: true });
    }
    renameSync(dir, target);
    moved.push(target);
  }
  return moved;
}
