// Outdir/.heppy/trace.tsv: one line per node of the build with what its run cost, like Nextflow's
// trace file. Nodes run by this build are described from their markers (the truth for every
// executor); up-to-date nodes keep the line of the build that ran them, with status `cached`.
// A build that ran nothing leaves the file as it is. This module is the file's one writer and reader.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMarker, type Marker } from '../chunkdir/marker.js';

export const TRACE_FILE = 'trace.tsv';

export type TraceStatus = 'ok' | 'failed' | 'cached' | 'not-run';

export interface TraceRow {
  id: string;
  kind: 'chunk' | 'hadd';
  component: string;
  status: TraceStatus;
  /** The failure kind (input, analysis, …) when the marker records one. */
  failure: string;
  attempts: number | null;
  executor: string;
  host: string;
  pid: number | null;
  start: string;
  end: string;
  wallS: number | null;
  cpuS: number | null;
  /** CPU time / wall time, in percent (100 = one core busy). */
  cpuPct: number | null;
  peakRssMB: number | null;
  events: number | null;
  eventsPerS: number | null;
  bytesRead: number | null;
  reason: string;
}

const COLUMNS: Array<[keyof TraceRow, string]> = [
  ['id', 'id'], ['kind', 'kind'], ['component', 'component'], ['status', 'status'], ['failure', 'failure'], ['attempts', 'attempts'],
  ['executor', 'executor'], ['host', 'host'], ['pid', 'pid'], ['start', 'start'], ['end', 'end'], ['wallS', 'wall_s'], ['cpuS', 'cpu_s'],
  ['cpuPct', 'cpu_pct'], ['peakRssMB', 'peak_rss_mb'], ['events', 'events'], ['eventsPerS', 'events_per_s'], ['bytesRead', 'bytes_read'],
  ['reason', 'reason'],
];
const NUMERIC = new Set<keyof TraceRow>(['attempts', 'pid', 'wallS', 'cpuS', 'cpuPct', 'peakRssMB', 'events', 'eventsPerS', 'bytesRead']);

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
const clean = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

/**
 * The line of a node this build ran, from the marker in its directory, or from `known`: the marker
 * as its run wrote it and reported it (a local worker's), which is what the directory holds.
 */
export function rowFromMarker(id: string, kind: 'chunk' | 'hadd', component: string, dir: string, executor: string, known?: Marker): TraceRow {
  const base: TraceRow = { id, kind, component, status: 'not-run', failure: '', attempts: null, executor, host: '', pid: null, start: '', end: '',
    wallS: null, cpuS: null, cpuPct: null, peakRssMB: null, events: null, eventsPerS: null, bytesRead: null, reason: '' };
  const m = known !== undefined ? { ok: true as const, value: known } : readMarker(dir);
  if (!m.ok || m.value === null) return { ...base, status: 'failed', reason: m.ok ? 'no marker' : m.error.reason };
  const v = m.value;
  const iso = (t: string | number | undefined): string => (t === undefined || Number.isNaN(new Date(t).getTime()) ? '' : new Date(t).toISOString());
  const row: TraceRow = { ...base, status: v.status, host: v.host ?? '', pid: v.pid ?? null, start: iso(v.startedAt), end: iso(v.finishedAt),
    failure: v.failure?.kind ?? '' };
  if (row.start && row.end) row.wallS = round((Date.parse(row.end) - Date.parse(row.start)) / 1000, 3);
  if (v.kind === 'chunk') {
    row.attempts = v.attempt;
    row.events = v.eventsProcessed;
    if (v.reason) row.reason = clean(v.reason);
    const x = v.metrics;
    if (x) {
      row.wallS = round(x.wallMs / 1000, 3);
      row.cpuS = round(x.cpuMs / 1000, 3);
      row.cpuPct = x.wallMs > 0 ? round((100 * x.cpuMs) / x.wallMs, 1) : null;
      row.peakRssMB = round(x.peakRssBytes / 2 ** 20, 1);
      row.bytesRead = x.bytesRead;
      if (v.eventsProcessed !== null && x.wallMs > 0) row.eventsPerS = round((v.eventsProcessed * 1000) / x.wallMs, 1);
    }
  } else row.attempts = 1;
  return row;
}

export function formatTrace(rows: readonly TraceRow[]): string {
  const lines = [COLUMNS.map(([, h]) => h).join('\t')];
  for (const r of rows) lines.push(COLUMNS.map(([k]) => { const v = r[k]; return v === null ? '' : clean(String(v)); }).join('\t'));
  return lines.join('\n') + '\n';
}

export function parseTrace(text: string): TraceRow[] {
  const [head, ...lines] = text.split('\n').filter((l) => l !== '');
  if (head === undefined) return [];
  const idx = head.split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    const row: Record<string, unknown> = {};
    for (const [k, h] of COLUMNS) {
      const c = cells[idx.indexOf(h)] ?? '';
      row[k] = NUMERIC.has(k) ? (c === '' ? null : Number(c)) : c;
    }
    return row as unknown as TraceRow;
  });
}

export function readTrace(outdir: string): TraceRow[] {
  try {
    return parseTrace(readFileSync(join(outdir, '.heppy', TRACE_FILE), 'utf8'));
  } catch {
    return [];
  }
}

export interface TraceNode { id: string; kind: 'chunk' | 'hadd'; component: string; dir: string; upToDate: boolean }

/**
 * Writes the trace of a build: `ran` are the ids this build started (their markers say how it
 * went; `known`: markers their runs reported, not read again); the others keep the previous
 * trace's line as `cached` (or an empty one). Returns the rows written, or null when the build
 * ran nothing (the file is left as it is).
 */
export function writeTrace(outdir: string, nodes: readonly TraceNode[], ran: ReadonlySet<string>, executor: string, known?: ReadonlyMap<string, Marker>): TraceRow[] | null {
  if (ran.size === 0) return null; // a no-op build neither reads nor writes it
  const before = new Map(readTrace(outdir).map((r) => [r.id, r]));
  const rows = nodes.map((n): TraceRow => {
    if (ran.has(n.id)) return rowFromMarker(n.id, n.kind, n.component, n.dir, executor, known?.get(n.id));
    const old = before.get(n.id);
    if (old && n.upToDate) return { ...old, status: 'cached' };
    return { id: n.id, kind: n.kind, component: n.component, status: n.upToDate ? 'cached' : 'not-run', failure: '', attempts: null, executor: '', host: '',
      pid: null, start: '', end: '', wallS: null, cpuS: null, cpuPct: null, peakRssMB: null, events: null, eventsPerS: null, bytesRead: null, reason: '' };
  });
  const dir = join(outdir, '.heppy');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${TRACE_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, formatTrace(rows));
  renameSync(tmp, join(dir, TRACE_FILE));
  return rows;
}
