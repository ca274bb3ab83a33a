// Listing the files of an output directory, as check and hadd both need it.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Relative paths of every regular file under dir, sorted, skipping dot entries (heppy's own .heppy dirs). */
export function filesUnder(dir: string): string[] {
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
