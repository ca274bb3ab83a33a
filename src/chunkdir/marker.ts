// The marker `heppy-status.json`: written last by every run of a chunk (the looper, or the job
// script when run-chunk died) and of a merge; the one reader and the one writer. A marker that is
// unreadable or malformed is itself a reason for a directory to be bad.
import { closeSync, fstatSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseTaskFailure, type TaskFailure } from '../util/failure.js';
import { fail, ok, type Result } from '../util/result.js';
import { MARKER_FILE } from './layout.js';

export { MARKER_FILE } from './layout.js';

/** A file of the run, relative to its directory, with its size when the marker was written. */
export interface MarkerOutput {
  path: string;
  size: number;
}

/** What one run of a chunk cost (the trace's per-chunk figures). */
export interface RunMetrics {
  wallMs: number;
  /** User + system CPU of the process running the chunk, over the run. */
  cpuMs: number;
  /** Largest resident set size sampled during the run (after batches of events, at most every 20 ms per process). */
  peakRssBytes: number;
  /** Bytes read from the input ROOT files. */
  bytesRead: number;
}

/** The marker of one chunk run. */
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
  /** Why it failed, typed (src/util/failure.ts); absent on success and in older markers. */
  failure?: TaskFailure;
  outputs: MarkerOutput[];
  host?: string;
  pid?: number;
  startedAt?: string;
  finishedAt?: string;
  /** 'batchScript.sh' when the job script wrote it because run-chunk died without one. */
  writtenBy?: string;
  metrics?: RunMetrics;
  /** When the output cache entry this directory was restored from was built (absent: it ran). */
  restoredFrom?: string;
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
  component: string;
  chunks: string[];
  nfiles: number;
  ngoodfiles: number;
  outputs: MarkerOutput[];
  sources: SourceRecord[] | null;
  /** Where the chunks were (absolute) when merged into another directory (`heppy hadd Outdir dest`). */
  chunksDir: string | null;
  warnings: string[];
  failure?: TaskFailure;
  host?: string;
  pid?: number;
  startedAt?: number;
  finishedAt?: number;
  restoredFrom?: string;
}

export type Marker = ChunkMarker | HaddMarker;

/** null when there is no marker at all; a Failure when it exists but cannot be trusted. */
export function readMarker(dir: string): Result<Marker | null> {
  const file = join(dir, MARKER_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return ok(null);
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

/** Writes the marker atomically (a reader sees the old one or the new one, never half). */
export function writeMarker(dir: string, m: Marker): void {
  const file = join(dir, MARKER_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, markerText(m));
  renameSync(tmp, file);
}

/** The marker file's text for `m`. */
export function markerText(m: Marker): string {
  return JSON.stringify(m, null, 1) + '\n';
}

/**
 * Writes the marker into a run's tmp dir, not yet visible (the swap makes the directory appear
 * whole, so no tmp file and rename); returns its size and mtime as a stat of it would.
 */
export function writeFreshMarker(dir: string, m: Marker): { size: number; mtimeMs: number } {
  const fd = openSync(join(dir, MARKER_FILE), 'w');
  try {
    const bytes = Buffer.from(markerText(m));
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    const st = fstatSync(fd);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Every file under `dir` (relative paths, sorted) with its size; the marker itself excluded. */
export function listOutputs(dir: string): MarkerOutput[] {
  return listOutputStats(dir).map(({ path, size }) => ({ path, size }));
}

/**
 * listOutputs with each file's mtime (what the build records of a result, chunkdir/results.ts).
 * Relative paths are built while walking (POSIX separators), not by path.relative per file: a
 * local worker lists every chunk it runs.
 */
export function listOutputStats(dir: string): Array<{ path: string; size: number; mtimeMs: number }> {
  const out: Array<{ path: string; size: number; mtimeMs: number }> = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(`${d}/${e.name}`, path);
      else if (e.isFile() && path !== MARKER_FILE) {
        const st = statSync(`${d}/${e.name}`);
        out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function outputsOf(v: unknown): MarkerOutput[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: MarkerOutput[] = [];
  for (const o of v) {
    if (typeof o !== 'object' || o === null) return null;
    const { path, size } = o as Record<string, unknown>;
    if (typeof path !== 'string' || typeof size !== 'number') return null;
    out.push({ path, size });
  }
  return out;
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

function metricsOf(v: unknown): RunMetrics | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const [wallMs, cpuMs, peakRssBytes, bytesRead] = [num(o.wallMs), num(o.cpuMs), num(o.peakRssBytes), num(o.bytesRead)];
  return wallMs !== null && cpuMs !== null && peakRssBytes !== null && bytesRead !== null ? { wallMs, cpuMs, peakRssBytes, bytesRead } : null;
}

function common(m: Record<string, unknown>): { failure?: TaskFailure; host?: string; pid?: number; restoredFrom?: string } {
  const failure = parseTaskFailure(m.failure);
  return {
    ...(str(m.restoredFrom) !== undefined ? { restoredFrom: str(m.restoredFrom)! } : {}),
    ...(failure !== null ? { failure } : {}),
    ...(str(m.host) !== undefined ? { host: str(m.host)! } : {}),
    ...(num(m.pid) !== null ? { pid: num(m.pid)! } : {}),
  };
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
    return ok({
      kind: 'hadd', status: m.status, key, component: str(m.component) ?? '', chunks,
      nfiles: num(m.nfiles) ?? chunks.length, ngoodfiles: num(m.ngoodfiles) ?? chunks.length, outputs,
      sources: sourcesOf(m.sources), chunksDir: str(m.chunksDir) ?? null,
      warnings: Array.isArray(m.warnings) ? m.warnings.filter((w): w is string => typeof w === 'string') : [],
      ...common(m),
      ...(num(m.startedAt) !== null ? { startedAt: num(m.startedAt)! } : {}),
      ...(num(m.finishedAt) !== null ? { finishedAt: num(m.finishedAt)! } : {}),
    });
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
    ...common(m),
    ...(str(m.startedAt) !== undefined ? { startedAt: str(m.startedAt)! } : {}),
    ...(str(m.finishedAt) !== undefined ? { finishedAt: str(m.finishedAt)! } : {}),
    ...(str(m.writtenBy) !== undefined ? { writtenBy: str(m.writtenBy)! } : {}),
    ...(metricsOf(m.metrics) !== null ? { metrics: metricsOf(m.metrics)! } : {}),
  });
}

/**
 * The typed failure of a failed chunk marker. A marker without one (older heppy) is counted as
 * an infrastructure failure: nothing says it would fail the same way again.
 */
export function markerFailure(m: ChunkMarker): TaskFailure {
  return m.failure ?? { kind: 'infrastructure', reason: m.reason ?? `the chunk failed (exit code ${m.exitCode ?? 'unknown'})` };
}
