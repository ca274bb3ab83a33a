// One chunk's spec, `<chunkDir>/chunk.json` (docs/internals.md "Chunks: spec, directory, marker"):
// what a run of the chunk runs. The one reader and the one writer. The build hands it to local
// workers in their message and writes it into the chunk directory for batch jobs; every run writes
// the spec it ran into its result, so the directory always names the analysis that made it.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';
import { CHUNK_SPEC_FILE } from './layout.js';

export { CHUNK_SPEC_FILE } from './layout.js';

export interface ChunkSpec {
  name: string;              // 'ggH_125_Chunk3', or 'ggH_125' when unsplit
  component: string;         // component name in the Config
  files: string[];           // absolute paths
  tree: string;              // input tree name
  fineSplit: [number, number] | null;   // (i, F): heppy's window formula, computed by the looper
  maxEvents: number | null;  // -N
  options: Record<string, string | boolean>;
  bundle: string;            // absolute path of the analysis bundle (.mjs), content-addressed
  key: string;               // the node key (hex), recorded in the marker
  attempt: number;
}

export function readChunkSpec(chunkDir: string): Result<ChunkSpec> {
  const file = join(chunkDir, CHUNK_SPEC_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return fail({ file, reason: `cannot read the chunk spec: ${(e as Error).message}` });
  }
  const why = specProblem(raw);
  return why === null ? ok(raw as ChunkSpec) : fail({ file, reason: `invalid chunk spec: ${why}` });
}

/**
 * Writes `spec` as dir/chunk.json, atomically. Into a run's tmp dir (`fresh`: nobody sees it before
 * the directory is swapped into place as a whole) it is written directly.
 */
/** chunk.json's text for `spec`. */
export function chunkSpecText(spec: ChunkSpec): string {
  return JSON.stringify(spec, null, 1) + '\n';
}

export function writeChunkSpec(dir: string, spec: ChunkSpec, fresh = false): void {
  const file = join(dir, CHUNK_SPEC_FILE);
  if (fresh) {
    writeFileSync(file, chunkSpecText(spec));
    return;
  }
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, chunkSpecText(spec));
  renameSync(tmp, file);
}

function specProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const s = v as Record<string, unknown>;
  for (const k of ['name', 'component', 'tree', 'bundle', 'key'] as const) if (typeof s[k] !== 'string') return `'${k}' must be a string`;
  if (!Array.isArray(s.files) || s.files.some((f) => typeof f !== 'string')) return "'files' must be a list of paths";
  if (s.fineSplit !== null && !(Array.isArray(s.fineSplit) && s.fineSplit.length === 2 && s.fineSplit.every(Number.isInteger))) return "'fineSplit' must be null or [i, F]";
  if (s.maxEvents !== null && !Number.isInteger(s.maxEvents)) return "'maxEvents' must be null or an integer";
  if (typeof s.options !== 'object' || s.options === null) return "'options' must be an object";
  if (!Number.isInteger(s.attempt)) return "'attempt' must be an integer";
  return null;
}

/**
 * Makes chunk.json carry `attempt`, so that the marker run-chunk writes names the attempt a batch
 * executor waits for. The engine writes it so already before submitting; this repairs a mismatch.
 */
export function ensureChunkAttempt(chunkDir: string, attempt: number): Result<{ key: string; attempt: number }> {
  const r = readChunkSpec(chunkDir);
  if (!r.ok) return r;
  if (r.value.attempt !== attempt) writeChunkSpec(chunkDir, { ...r.value, attempt });
  return ok({ key: r.value.key, attempt });
}
