// Where batch executors keep their own files: under Outdir/.heppy/batch/, never inside a chunk
// directory (a chunk directory is swapped into place by run-chunk, so files in it do not last).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BatchPaths {
  root: string;       // Outdir/.heppy/batch
  logs: string;       // job output (stdout+stderr of batchScript.sh), one file per chunk attempt
  started: string;    // <chunk> files written by batchScript.sh when it starts: "host pid epoch"
  rounds: string;     // Slurm array driver scripts and their chunk lists
}

export function batchPaths(outdir: string): BatchPaths {
  const root = join(outdir, '.heppy', 'batch');
  return { root, logs: join(root, 'logs'), started: join(root, 'started'), rounds: join(root, 'rounds') };
}

export function ensureBatchPaths(outdir: string): BatchPaths {
  const p = batchPaths(outdir);
  for (const d of [p.logs, p.started, p.rounds]) mkdirSync(d, { recursive: true });
  return p;
}

/** The job output file of one attempt of one chunk. */
export function jobLogPath(outdir: string, name: string, attempt: number): string {
  return join(batchPaths(outdir).logs, `${name}.${attempt}.out`);
}

/** The chunk's Outdir: chunk directories are direct children of it (docs/internals.md). */
export function outdirOf(chunkDir: string): string {
  return dirname(chunkDir);
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/cli/main.js of this checkout: what a batch job runs. */
export const heppyMainJs = join(here, '..', '..', 'cli', 'main.js');
/** The helper that writes a failed marker when run-chunk died without one. */
export const exitMarkerJs = join(here, 'exit-marker.js');
/** Runs a packed Slurm array task's chunks in one process. */
export const runChunksJs = join(here, 'run-chunks.js');
