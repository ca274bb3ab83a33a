// What a type-check of the heppyfile depended on, recorded with the cached bundle so that a build
// whose analysis, tsconfig and heppy are unchanged does not type-check again (nor load TypeScript).
// Cheap (one stat per file read by the check): consulted by every build. A file whose mtime moved
// with the same content (file-stamps.ts) keeps the check valid.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stampFile, stampsHold, type FileStamp } from './file-stamps.js';

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
 * declarations — each as [path, size, mtimeMs, digest] (a tsconfig's `extends` chain is not followed).
 */
export interface TypecheckStamp {
  tsconfig: string | null;
  files: FileStamp[];
}

/** Needs initHash(). `checkedFrom`: when the check began reading the files (file-stamps.ts stampFile). */
export function makeStamp(heppyfile: string, files: readonly string[], heppyIndexPath: string, checkedFrom = Infinity,
  digests?: ReadonlyMap<string, string>): TypecheckStamp {
  const tsconfig = findTsconfig(heppyfile);
  const all = new Set([...(tsconfig ? [tsconfig] : []), heppyTypesPath(heppyIndexPath), ...files]);
  return { tsconfig, files: [...all].map((p) => stampFile(p, checkedFrom, digests?.get(p))) };
}

/**
 * Whether a check recorded in `stamp` still holds (the same tsconfig applies, no file's content
 * changed): null if not, else the stamp to record from now on (`stamp` itself when no mtime moved).
 * Needs initHash().
 */
export function stampHolds(stamp: TypecheckStamp | undefined, heppyfile: string): TypecheckStamp | null {
  if (stamp === undefined || !Array.isArray(stamp.files) || findTsconfig(heppyfile) !== stamp.tsconfig) return null;
  const files = stampsHold(stamp.files);
  return files === null ? null : files === stamp.files ? stamp : { tsconfig: stamp.tsconfig, files };
}
