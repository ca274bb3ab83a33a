// Reading the marker `heppy-status.json` that a chunk run (or a merge) writes last.
// Written by other parts (src/loop for chunks, src/merge for merged components); read here
// defensively: a marker that is unreadable or malformed is itself a reason for a chunk to be bad.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';

export const MARKER_FILE = 'heppy-status.json';

export interface OutputRecord {
  path: string; // relative to the chunk directory
  size: number;
}

/** The marker of one chunk run (docs/internals.md, "Chunks: spec, directory, marker"). */
export interface ChunkMarker {
  kind: 'chunk';
  status: 'ok' | 'failed';
  key: string;
  attempt: number;
  exitCode: number | null;
  eventsProcessed: number | null;
  expectedEvents: number | null;
  userStop: boolean;
  reason?: string;
  outputs: OutputRecord[];
}

/** What a merge saw of each chunk: its marker (or log.txt, for chunks made by the original heppy). */
export interface SourceRecord {
  chunk: string;
  file: string;
  size: number;
  mtimeMs: number;
}

/** The marker of a merged component directory. */
export interface HaddMarker {
  kind: 'hadd';
  status: 'ok' | 'failed';
  key: string;
  chunks: string[];
  outputs: OutputRecord[];
  sources: SourceRecord[] | null;
  /** Where the chunks were (absolute) when merged into another directory (`heppy hadd Outdir dest`). */
  chunksDir: string | null;
}

function sourcesOf(v: unknown): SourceRecord[] | null {
  if (!Array.isArray(v)) return null;
  const out: SourceRecord[] = [];
  for (const o of v) {
    if (typeof o !== 'object' || o === null) return null;
    const { chunk, file, size, mtimeMs } = o as Record<string, unknown>;
    if (typeof chunk !== 'string' || typeof file !== 'string' || typeof size !== 'number' || typeof mtimeMs !== 'number') return null;
    out.push({ chunk, file, size, mtimeMs });
  }
  return out;
}

export type Marker = ChunkMarker | HaddMarker;

/** null when there is no marker at all; a Failure when it exists but cannot be trusted. */
export function readMarker(dir: string): Result<Marker | null> {
  const file = join(dir, MARKER_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ok(null);
    return fail({ file, reason: `cannot read the marker: ${(err as Error).message}` });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail({ file, reason: 'the marker is not valid JSON (truncated or overwritten?)' });
  }
  return parseMarker(raw, file);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function outputsOf(v: unknown): OutputRecord[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: OutputRecord[] = [];
  for (const o of v) {
    if (typeof o !== 'object' || o === null) return null;
    const { path, size } = o as Record<string, unknown>;
    if (typeof path !== 'string' || typeof size !== 'number') return null;
    out.push({ path, size });
  }
  return out;
}

export function parseMarker(raw: unknown, file: string): Result<Marker> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail({ file, reason: 'the marker is not a JSON object' });
  }
  const m = raw as Record<string, unknown>;
  if (m.status !== 'ok' && m.status !== 'failed') {
    return fail({ file, reason: `the marker has no valid status (${JSON.stringify(m.status)})` });
  }
  const outputs = outputsOf(m.outputs);
  if (outputs === null) return fail({ file, reason: 'the marker has a malformed outputs list' });
  const key = typeof m.key === 'string' ? m.key : '';
  if (m.kind === 'hadd') {
    const chunks = Array.isArray(m.chunks) ? m.chunks.filter((c): c is string => typeof c === 'string') : [];
    return ok({ kind: 'hadd', status: m.status, key, chunks, outputs, sources: sourcesOf(m.sources), chunksDir: typeof m.chunksDir === 'string' ? m.chunksDir : null });
  }
  return ok({
    kind: 'chunk',
    status: m.status,
    key,
    attempt: num(m.attempt) ?? 0,
    exitCode: num(m.exitCode),
    eventsProcessed: num(m.eventsProcessed),
    expectedEvents: num(m.expectedEvents),
    userStop: m.userStop === true,
    ...(typeof m.reason === 'string' ? { reason: m.reason } : {}),
    outputs,
  });
}
