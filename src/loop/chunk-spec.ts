// One chunk's spec (docs/internals.md "Chunks: spec, directory, marker"): written by the build as
// `<chunkDir>/chunk.json`, read by `heppy run-chunk` and passed in-process to runChunk by workers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';

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

export const CHUNK_SPEC_FILE = 'chunk.json';

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

function specProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'not an object';
  const s = v as Record<string, unknown>;
  for (const k of ['name', 'component', 'tree', 'bundle', 'key'] as const) if (typeof s[k] !== 'string') return `'${k}' must be a string`;
  if (!Array.isArray(s.files) || s.files.some((f) => typeof f !== 'string')) return "'files' must be a list of paths";
  if (s.fineSplit !== null && !(Array.isArray(s.fineSplit) && s.fineSplit.length === 2 && s.fineSplit.every(Number.isInteger))) return "'fineSplit' must be null or [i, F]";
  if (s.maxEvents !== null && !Number.isInteger(s.maxEvents)) return "'maxEvents' must be null or an integer";
  if (typeof s.options !== 'object' || s.options === null) return "'options' must be an object";
  if (!Number.isInteger(s.attempt)) return "'attempt' must be an integer";
  return null;
}
