// What a type-check of the heppyfile depended on, recorded with the cached bundle so that a build
// whose analysis, tsconfig and heppy are unchanged does not type-check again (nor load TypeScript).
// Cheap (one stat per file read by the check): consulted by every build.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The declarations 'heppy' resolves to for the type-checker (next to the bundler's index.js). */
export function heppyTypesPath(heppyIndexPath: string): string {
  return heppyIndexPath.replace(/\.js$/, '.d.ts');
}

/** The tsconfig.json the editor would use for this heppyfile: the nearest one above it. */
export function findTsconfig(heppyfile: string): string | null {
  let dir = dirname(heppyfile);
  for (;;) {
    const p = join(dir, 'tsconfig.json');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * What a past successful check read: the tsconfig that applied (its path, null for none) and
 * every file of the program outside node_modules and TypeScript's libs — the heppyfile, the local
 * modules (also those imported for their types only, which the bundle does not see), heppy's
 * declarations — each as [path, size, mtimeMs] (a tsconfig's `extends` chain is not followed).
 */
export interface TypecheckStamp {
  tsconfig: string | null;
  files: Array<[string, number, number]>;
}

function statLine(p: string): [string, number, number] {
  const st = statSync(p, { throwIfNoEntry: false });
  return [p, st?.size ?? -1, st?.mtimeMs ?? -1];
}

export function makeStamp(heppyfile: string, files: readonly string[], heppyIndexPath: string): TypecheckStamp {
  const tsconfig = findTsconfig(heppyfile);
  const all = new Set([...(tsconfig ? [tsconfig] : []), heppyTypesPath(heppyIndexPath), ...files]);
  return { tsconfig, files: [...all].map(statLine) };
}

/** Whether a check recorded in `stamp` still holds: the same tsconfig applies, no file changed. */
export function stampValid(stamp: TypecheckStamp | undefined, heppyfile: string): boolean {
  if (stamp === undefined || !Array.isArray(stamp.files) || findTsconfig(heppyfile) !== stamp.tsconfig) return false;
  return stamp.files.every(([p, size, mtimeMs]) => {
    const st = statSync(p, { throwIfNoEntry: false });
    return st !== undefined && st.size === size && st.mtimeMs === mtimeMs;
  });
}
