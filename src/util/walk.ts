// Listing the files of an output directory, as check and hadd both need it.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';

/** A directory entry's kind from the listing itself; a symbolic link is followed (as statSync does). */
function kindOf(e: Dirent, p: string): 'dir' | 'file' | null {
  if (e.isDirectory()) return 'dir';
  if (e.isFile()) return 'file';
  if (!e.isSymbolicLink()) return null;
  const st = statSync(p, { throwIfNoEntry: false });
  return st?.isDirectory() ? 'dir' : st?.isFile() ? 'file' : null;
}

/**
 * Relative paths of every regular file under dir, sorted, skipping dot entries (heppy's own .heppy
 * dirs). The kinds come with the listing (one readdir per directory, no stat per entry: merge
 * planning lists every chunk directory); only symbolic links are stat-ed.
 */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      const k = kindOf(e, p);
      if (k === 'dir') walk(p);
      else if (k === 'file') out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}
