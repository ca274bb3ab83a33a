// What a cached product of the heppyfile (its bundle, its type-check) was made from: each file's
// size, mtime and content digest. The (size, mtime) pair answers the common case with one stat;
// a file whose mtime moved but whose content is the same (a `touch`, a checkout, a copied
// project, heppy rebuilt with the same declarations) is recognised by its digest, so the product
// is kept and its stamps refreshed instead of bundling or type-checking again.
import { readFileSync, statSync } from 'node:fs';
import { hashBytes } from '../fingerprint/hash.js';
import { racy } from '../fingerprint/racy.js';

/**
 * [path, size, mtimeMs, digest of the content]; entries written before digests were kept have no
 * digest. mtimeMs is RACY when the stamp was taken too close to the mtime (fingerprint/racy.ts): it
 * matches no stat, so the next check compares the digest.
 */
export type FileStamp = [string, number, number, string?];

const RACY = -2;
/** The mtime of a stamp that never holds (no digest): the next build makes the product again. */
const UNKNOWN = -1;

/**
 * The stamp of `p` now (needs initHash()); size -1 when the file does not exist. `readFrom`: when
 * the product began reading its files (ms). The stamp is taken after that read, so a file
 * modified since (or too close before it to tell, racy.ts) may not be what the product was made
 * from: its stamp never holds. Likewise a file that changes while it is digested here.
 */
export function stampFile(p: string, readFrom = Infinity, readDigest?: string | null): FileStamp {
  const st = statSync(p, { throwIfNoEntry: false });
  if (st === undefined) return [p, -1, -1];
  // null: the product read this file more than once, with different contents: no stamp can hold.
  if (readDigest === null) return [p, st.size, UNKNOWN];
  // `readDigest`: the digest of the content the product was made from, when the caller saw it (the
  // bytes esbuild or TypeScript read). A file too close to the read to tell by its stat is then
  // stamped with that digest if its content now is the same (mtime RACY: the next build compares
  // digests), so that a heppyfile saved just before a build is not bundled and checked again.
  if (racy(st.mtimeMs, readFrom) && readDigest === undefined) return [p, st.size, UNKNOWN];
  let digest: string | undefined;
  try {
    digest = hashBytes(readFileSync(p));
  } catch {
    digest = undefined;
  }
  const again = statSync(p, { throwIfNoEntry: false });
  if (again === undefined || again.size !== st.size || again.mtimeMs !== st.mtimeMs) return [p, st.size, UNKNOWN];
  if (readDigest !== undefined && digest !== readDigest) return [p, st.size, UNKNOWN];
  if (racy(st.mtimeMs, readFrom)) return [p, st.size, RACY, readDigest];
  if (digest === undefined) return [p, st.size, st.mtimeMs];
  return [p, st.size, racy(st.mtimeMs) ? RACY : st.mtimeMs, digest];
}

/**
 * Whether every file is still as stamped (needs initHash() when an mtime moved). `stamps` is the
 * list to record from now on: the same array when nothing moved, else with the moved files'
 * new stat; null when a file changed, appeared or disappeared.
 */
export function stampsHold(stamps: readonly FileStamp[]): FileStamp[] | null {
  let out: FileStamp[] | null = null;
  for (let i = 0; i < stamps.length; i++) {
    const [p, size, mtimeMs, digest] = stamps[i]!;
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) {
      if (size === -1) continue;
      return null;
    }
    if (st.size === size && st.mtimeMs === mtimeMs) continue;
    if (digest === undefined || st.size !== size) return null;
    let now: string;
    try {
      now = hashBytes(readFileSync(p));
    } catch {
      return null;
    }
    if (now !== digest) return null;
    out ??= stamps.slice();
    out[i] = [p, st.size, racy(st.mtimeMs) ? RACY : st.mtimeMs, digest];
  }
  return out ?? (stamps as FileStamp[]);
}
