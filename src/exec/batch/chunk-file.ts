// What a batch executor needs from a chunk directory's chunk.json (the ChunkSpec the build wrote):
// the key and attempt that the job's marker must carry to count as this attempt's result.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../util/result.js';

export const CHUNK_FILE = 'chunk.json';

export interface ChunkIdentity {
  key: string;
  attempt: number;
}

export function readChunkIdentity(chunkDir: string): Result<ChunkIdentity & { raw: Record<string, unknown> }> {
  const file = join(chunkDir, CHUNK_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail({ file, reason: `cannot read the chunk spec: ${(err as Error).message}` });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail({ file, reason: 'the chunk spec is not a JSON object' });
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== 'string') return fail({ file, reason: 'the chunk spec has no key' });
  const attempt = typeof r.attempt === 'number' ? r.attempt : 1;
  return ok({ key: r.key, attempt, raw: r });
}

/**
 * Makes chunk.json carry `attempt`, so that the marker run-chunk writes names the attempt the
 * executor waits for. The build normally writes it so already; this only repairs a mismatch.
 */
export function ensureChunkAttempt(chunkDir: string, attempt: number): Result<ChunkIdentity> {
  const r = readChunkIdentity(chunkDir);
  if (!r.ok) return r;
  if (r.value.attempt === attempt) return ok({ key: r.value.key, attempt });
  const file = join(chunkDir, CHUNK_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ...r.value.raw, attempt }, null, 2) + '\n');
  renameSync(tmp, file);
  return ok({ key: r.value.key, attempt });
}
