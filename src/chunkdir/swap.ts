// A chunk or merged directory appears only complete: a run builds it in Outdir/.heppy/tmp/ (same
// filesystem), writes the marker last, and swaps it into place: rename(target → .heppy/trash/…),
// rename(tmp → target), remove the trash. A killed run leaves only a tmp dir, never a directory
// that looks good. The one implementation, for chunks (looper) and merges (merge/).
import { randomBuffer, randomHex } from '../util/lazy-node.js';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpRoot, trashRoot } from './layout.js';

// The random part of a tmp dir's name: this process's random prefix and a count (a long-lived
// worker makes one per chunk: no call into crypto each time). Another process (a second worker, a
// batch job) has another prefix; a name left by a killed run is never reused (mkdir fails on it).
let tmpPrefix: string | null = null; // made on first use, from /dev/urandom (a worker need not load node:crypto)
let tmpCount = 0;
/** Tmp roots this process has made (one mkdir each). */
const tmpRootsMade = new Set<string>();

/** `tmp/<label>.<attempt>.<random>`: the build recognises a journaled batch job's own tmp dir by it. */
export function makeTmpDir(outdir: string, label: string, attempt: number | 'hadd'): string {
  const root = tmpRoot(outdir);
  for (;;) {
    const tmp = join(root, `${label}.${attempt}.${(tmpPrefix ??= randomBuffer(4).toString('hex'))}${(++tmpCount).toString(16)}`);
    try {
      if (tmpRootsMade.has(root)) mkdirSync(tmp);
      else {
        mkdirSync(root, { recursive: true });
        tmpRootsMade.add(root);
        mkdirSync(tmp);
      }
      return tmp;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') tmpRootsMade.delete(root); // the root was removed since (heppy clean): made again
      else if (code !== 'EEXIST') throw err;
    }
  }
}

/** Parses a tmp dir name back into its label and attempt (null when it is not one of ours). */
export function parseTmpName(name: string): { label: string; attempt: string } | null {
  const m = /^(.+)\.(\d+|hadd)\.[0-9a-f]+$/.exec(name);
  return m ? { label: m[1]!, attempt: m[2]! } : null;
}

/**
 * Replaces `target` by `tmp` (both under the same Outdir, `outdir`: by default target's parent);
 * the old content goes to the trash first. A new target (the first run) is one rename: rename()
 * refuses to replace a directory that has entries. A missing parent (a merge tree's node under
 * .heppy/merge/<component>/) is made.
 */
export function swapIntoPlace(tmp: string, target: string, outdir = dirname(target)): void {
  try {
    renameSync(tmp, target);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && existsSync(tmp) && !existsSync(dirname(target))) {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(tmp, target);
      return;
    }
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw err;
  }
  let trash: string | null = null;
  if (existsSync(target)) {
    const root = trashRoot(outdir);
    mkdirSync(root, { recursive: true });
    trash = join(root, `${basename(target)}.${randomHex(4)}`);
    renameSync(target, trash);
  }
  renameSync(tmp, target);
  if (trash !== null) rmSync(trash, { recursive: true, force: true });
}
