// The chunk directory protocol (docs/internals.md): run in Outdir/.heppy/tmp/<chunk>.<attempt>.<rand>,
// write the marker last, swap into place so that a chunk directory only ever appears complete.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

export const MARKER_FILE = 'heppy-status.json';

export interface OutputRecord { path: string; size: number }

/** What one run of a chunk cost (the trace's per-chunk figures). */
export interface RunMetrics {
  wallMs: number;
  /** User + system CPU of the process running the chunk, over the run. */
  cpuMs: number;
  /** Largest resident set size sampled during the run (after each batch of events). */
  peakRssBytes: number;
  /** Bytes read from the input ROOT files. */
  bytesRead: number;
}

export interface ChunkMarkerData {
  kind: 'chunk';
  status: 'ok' | 'failed';
  key: string;
  attempt: number;
  exitCode: number;
  eventsProcessed: number | null;
  expectedEvents: number | null;
  userStop: boolean;
  reason?: string;
  outputs: OutputRecord[];
  host: string;
  pid: number;
  startedAt: string;
  finishedAt: string;
  metrics?: RunMetrics;
}

export function makeTmpDir(chunkDir: string, name: string, attempt: number): string {
  const tmp = join(dirname(chunkDir), '.heppy', 'tmp', `${name}.${attempt}.${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** Every file under `dir` (relative paths, sorted) with its size; the marker itself excluded. */
export function listOutputs(dir: string): OutputRecord[] {
  const out: OutputRecord[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && p !== join(dir, MARKER_FILE)) out.push({ path: relative(dir, p), size: statSync(p).size });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function writeMarker(dir: string, m: ChunkMarkerData): void {
  const tmp = join(dir, MARKER_FILE + '.tmp');
  writeFileSync(tmp, JSON.stringify(m, null, 2) + '\n');
  renameSync(tmp, join(dir, MARKER_FILE));
}

/** rename(chunkDir → trash), rename(tmp → chunkDir), remove the trash. */
export function swapIntoPlace(tmp: string, chunkDir: string): void {
  const heppyDir = join(dirname(chunkDir), '.heppy');
  let trash: string | null = null;
  if (existsSync(chunkDir)) {
    const trashRoot = join(heppyDir, 'trash');
    mkdirSync(trashRoot, { recursive: true });
    trash = join(trashRoot, `${basename(chunkDir)}.${randomBytes(4).toString('hex')}`);
    renameSync(chunkDir, trash);
  }
  renameSync(tmp, chunkDir);
  if (trash !== null) rmSync(trash, { recursive: true, force: true });
}
