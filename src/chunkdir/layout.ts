// The on-disk layout of an Outdir (docs/internals.md "Chunks: spec, directory, marker"): the file
// names inside a chunk or merged directory, chunk names, and where heppy keeps its own files under
// Outdir/.heppy/. The one place these names are spelled.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The marker, written last by every run of a chunk or merge. */
export const MARKER_FILE = 'heppy-status.json';
/** The chunk spec: what the run that made the directory ran (written into the result). */
export const CHUNK_SPEC_FILE = 'chunk.json';
/** The job script: redoes the chunk with the spec next to it (`nohup ./batchScript.sh &`). */
export const BATCH_SCRIPT = 'batchScript.sh';
export const LOG_FILE = 'log.txt';
/** Written by heppy about a run, not results of it: never compared as outputs, never merged. */
export const RUN_FILES: ReadonlySet<string> = new Set([CHUNK_SPEC_FILE, BATCH_SCRIPT]);

/** `<component>_Chunk<N>`, exactly (heppy's `X_Chunk0_1` leftovers of `-f` are not chunks). */
export const CHUNK_NAME = /^(.+)_Chunk(\d+)$/;

export function chunkName(component: string, index: number): string {
  return `${component}_Chunk${index}`;
}

export function parseChunkName(name: string): { component: string; index: number } | null {
  const m = CHUNK_NAME.exec(name);
  return m ? { component: m[1]!, index: Number(m[2]) } : null;
}

/** Sorts chunk names by component, then by chunk number (Chunk2 before Chunk10). */
export function compareChunkNames(a: string, b: string): number {
  const pa = parseChunkName(a), pb = parseChunkName(b);
  if (pa && pb && pa.component === pb.component) return pa.index - pb.index;
  const ka = pa ? pa.component : a, kb = pb ? pb.component : b;
  return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** Outdir/.heppy: heppy's own files (never a chunk). */
export const heppyDir = (outdir: string): string => join(outdir, '.heppy');
/** Where runs are built before being swapped into place (same filesystem as the Outdir). */
export const tmpRoot = (outdir: string): string => join(outdir, '.heppy', 'tmp');
/** Old contents of a directory being replaced, removed right after the swap. */
export const trashRoot = (outdir: string): string => join(outdir, '.heppy', 'trash');
/**
 * Directories a restore replaced, kept by node label and key for the next restore of that key
 * (engine/restore.ts: one per node; their files are the inodes of their output-cache entries).
 */
export const parkedRoot = (outdir: string): string => join(outdir, '.heppy', 'parked');
/** The recorded plan of the last build (plan.ts of chunkdir). */
export const planFile = (outdir: string): string => join(outdir, '.heppy', 'plan.json');
/**
 * An intermediate node of a component's merge tree (level >= 1, index from 0), relative to the
 * Outdir: under .heppy/ (never a user-visible component directory). Level L node i merges the
 * level L-1 nodes (level 0: the chunks) [i*F, (i+1)*F).
 */
export const mergeNodeDir = (component: string, level: number, index: number): string => join('.heppy', 'merge', component, `L${level}-${index}`);
/** The chunk's Outdir: chunk directories are direct children of it. */
export const outdirOf = (chunkDir: string): string => dirname(chunkDir);

export interface BatchPaths {
  root: string;       // Outdir/.heppy/batch
  logs: string;       // job output (stdout+stderr of batchScript.sh), one file per chunk attempt
  started: string;    // <chunk> files written by batchScript.sh when it starts: "host pid epoch"
  rounds: string;     // Slurm array driver scripts and their chunk lists
}

/** Where batch jobs keep their files: under Outdir/.heppy/batch/, never inside a chunk directory (it is swapped). */
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
