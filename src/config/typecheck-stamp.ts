// What a type-check of the heppyfile depends on besides the bundle's inputs (whose size and mtime
// the bundle cache already compares): the tsconfig.json that applies and heppy's declarations.
// Cheap (a few stats): it is consulted by every build, the type-check itself only when needed.
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
 * What a past successful check depended on besides the bundle's inputs: the tsconfig and heppy's
 * declarations, each as [path, size, mtimeMs] (a config's `extends` chain is not followed).
 */
export type TypecheckStamp = Array<[string, number, number]>;

export function typecheckStamp(heppyfile: string, heppyIndexPath: string): TypecheckStamp {
  const out: TypecheckStamp = [];
  for (const p of [findTsconfig(heppyfile), heppyTypesPath(heppyIndexPath)]) {
    if (p === null) continue;
    const st = statSync(p, { throwIfNoEntry: false });
    out.push([p, st?.size ?? -1, st?.mtimeMs ?? -1]);
  }
  return out;
}

export function sameStamp(a: TypecheckStamp | undefined, b: TypecheckStamp): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1] && x[2] === b[i]![2]);
}

