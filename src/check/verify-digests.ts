// `heppy check --verify`: every result file of a chunk or merged directory compared, by content,
// with the digest recorded when it was built (its output-cache entry, found by the key its marker
// names, in the cache dir its Outdir's last build used). Sizes and a ROOT file that opens do not
// show a file changed in place; and a cached file is a hard link shared by every Outdir restored from
// it, so changing it in one changes all of them. A file that differs is named; a directory whose
// digests are not recorded (built with --no-cache, or its entry evicted) is counted as unverified.
import { dirname, join } from 'node:path';
import { readEntry, type CacheEntry } from '../cache/entry.js';
import { refuseNewer } from '../cache/format.js';
import { readMarker } from '../chunkdir/marker.js';
import { readPlanFile } from '../chunkdir/plan-file.js';
import { hashFileSized } from '../fingerprint/hash-file.js';
import type { Problem } from './chunk-check.js';

export interface DigestCheck {
  /** The files that differ from their recorded digests (empty: all match). null: no digests recorded for it. */
  problems: Problem[] | null;
}

/** The cache dir an Outdir's last build used (its plan.json); null when it has none. */
function cacheDirOf(outdir: string, memo: Map<string, string | null>): string | null {
  let c = memo.get(outdir);
  if (c === undefined) {
    const r = readPlanFile(outdir);
    c = r.ok && r.value !== null ? r.value.cacheDir : null;
    if (c !== null) refuseNewer('cache', c);           // its entries may be of a format this heppy cannot read
    memo.set(outdir, c);
  }
  return c;
}

/** Compares the result files of the node directory `dir` with the digests its cache entry recorded. */
export async function verifyDigests(dir: string, outdir: string = dirname(dir), memo = new Map<string, string | null>()): Promise<DigestCheck> {
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.status !== 'ok') return { problems: null };
  const cacheDir = cacheDirOf(outdir, memo);
  if (cacheDir === null) return { problems: null };
  const key = m.value.key;
  const e: CacheEntry | null = readEntry(join(cacheDir, 'outputs'), key);
  if (e === null) return { problems: null };
  const problems: Problem[] = [];
  for (const f of e.files) {
    const path = join(dir, f.path);
    let why: string | null = null;
    try {
      const h = await hashFileSized(path);
      if (h.size !== f.size) why = `its size is ${h.size} bytes, ${f.size} when it was built`;
      else if (h.hash !== f.hash) why = 'its content differs from the digest recorded when it was built';
    } catch (err) {
      why = `it cannot be read: ${(err as Error).message}`;
    }
    if (why !== null) problems.push({ code: 'digest', file: path, message: `${f.path}: ${why} (cache entry ${key})` });
  }
  return { problems };
}
