// The program a packed Slurm array task runs, in this checkout's dist/ (the Outdir layout and the
// job script's own programs are chunkdir/'s: layout.ts, batch-script.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledOr } from '../../util/bundled.js';

/** Runs a packed Slurm array task's chunks in one process. */
export const runChunksJs = bundledOr('run-chunks', join(dirname(fileURLToPath(import.meta.url)), 'run-chunks.js'));
