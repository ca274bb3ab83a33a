// Helpers of the journal e2e tests (slurm-journal, batch-journal): count how often each chunk ran.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { heppyfileText } from './build-rig.js';

export const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

/** Every chunk of the rig's project once. */
export const once: Record<string, number> = Object.fromEntries(CHUNKS.map((c) => [c, 1]));

/** The rig's heppyfile, plus: each chunk run appends its name to the file of option `runlog`. */
export function runlogHeppyfile(dir: string): string {
  return heppyfileText(50)
    .replace("import { existsSync } from 'node:fs';", "import { appendFileSync, existsSync } from 'node:fs';")
    .replace(JSON.stringify('__DIR__/BROKEN'), JSON.stringify(join(dir, 'BROKEN')))
    .replace('override beginLoop(): void {', `override beginLoop(): void {
    const runlog = String(getOption('runlog', ''));
    if (runlog !== '') appendFileSync(runlog, this.component.name + '\\n');`);
}

/** How many times each chunk ran (the runlog lines), by chunk. */
export function runsPerChunk(file: string): Record<string, number> {
  const n: Record<string, number> = {};
  if (!existsSync(file)) return n;
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l !== '') n[l] = (n[l] ?? 0) + 1;
  return n;
}

