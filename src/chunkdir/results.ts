// What a finished run left in its directory, as the build records it: every output its marker
// lists (minus the run files chunk.json and batchScript.sh, rewritten by every run) plus the marker
// itself, with size and mtime; and the digest of that list, which merge keys are computed from.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hashString } from '../fingerprint/hash.js';
import type { OutputRecord } from '../store/records.js';
import { fail, ok, type Result } from '../util/result.js';
import { MARKER_FILE, RUN_FILES } from './layout.js';

export function statOutputs(dir: string, listed: ReadonlyArray<{ path: string }>): Result<OutputRecord[]> {
  const names = new Set([...listed.map((o) => o.path).filter((p) => !RUN_FILES.has(p)), MARKER_FILE]);
  const out: OutputRecord[] = [];
  for (const path of names) {
    const st = statSync(join(dir, path), { throwIfNoEntry: false });
    if (st === undefined) return fail({ file: join(dir, path), reason: 'an output listed in the marker is missing' });
    out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
  }
  return ok(out);
}

/** True when every listed output (run files aside) has the size the marker recorded. */
export function sizesAsListed(outs: readonly OutputRecord[], listed: ReadonlyArray<{ path: string; size: number }>): boolean {
  const sizes = new Map(outs.map((x) => [x.path, x.size]));
  return listed.every((o) => RUN_FILES.has(o.path) || sizes.get(o.path) === o.size);
}

/**
 * What a merge's key is computed from: the node's key and its result files (names, sizes, mtimes).
 * The marker is left out: it is rewritten for each attempt, also when a node is restored from the
 * output cache, whose files keep their mtimes (hard links), so a restored chunk gives its merge
 * the key it had when it ran.
 */
export function resultDigest(key: string, outputs: readonly OutputRecord[]): string {
  return hashString(JSON.stringify([key, outputs.filter((o) => o.path !== MARKER_FILE).map((o) => [o.path, o.size, o.mtimeMs])]));
}
