// Runs several chunks one after another in one Node process: what a packed Slurm array task
// (--chunks-per-job K > 1) executes, so that K tiny chunks cost one Node start and one import of
// the analysis bundle instead of K (as a local worker does). Each chunk still gets its started
// file and its own marker; a chunk whose run throws gets a failed marker naming the error.
// Usage: node run-chunks.js DIR ATTEMPT KEY [DIR ATTEMPT KEY]...
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readChunkSpec } from '../../chunkdir/spec.js';
import { runChunk } from '../../loop/run-chunk.js';
import { formatFailure } from '../../util/result.js';
import { writeExitMarker } from '../../chunkdir/exit-marker.js';
import { batchPaths } from '../../chunkdir/layout.js';

export interface PackedChunk {
  dir: string;
  attempt: number;
  key: string;
}

/** Runs the chunks in order; returns how many failed. */
export async function runChunks(chunks: PackedChunk[], log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  let failed = 0;
  for (const c of chunks) {
    const id = readChunkSpec(c.dir);
    if (!id.ok || id.value.attempt !== c.attempt || id.value.key !== c.key) {
      log(`heppy: ${c.dir}: skipped, chunk.json is for another attempt now`);
      continue;
    }
    try {
      writeFileSync(join(batchPaths(dirname(c.dir)).started, basename(c.dir)), `${hostname()} ${process.pid} ${Math.floor(Date.now() / 1000)} ${c.attempt}\n`);
    } catch {
      // only a progress hint for the executor
    }
    log(`heppy: chunk ${c.dir} (attempt ${c.attempt}) on ${hostname()}, pid ${process.pid}, ${new Date().toISOString()}`);
    try {
      const spec = readChunkSpec(c.dir);
      if (!spec.ok) {
        failed++;
        writeExitMarker(c.dir, 1, undefined, c.attempt, c.key, formatFailure(spec.error));
        continue;
      }
      const r = await runChunk(spec.value, c.dir);
      if (r.ok) log(`heppy: ${spec.value.name}: ${r.value.marker.eventsProcessed ?? 0} events processed`);
      else {
        failed++;
        log(`heppy: ${spec.value.name} failed: ${formatFailure(r.error)}`);
      }
    } catch (err) {
      failed++;
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`heppy: ${c.dir}: crashed: ${msg}`);
      writeExitMarker(c.dir, 1, undefined, c.attempt, c.key, `heppy crashed: ${(err as Error).message ?? String(err)}`);
    }
  }
  return failed;
}

export function parseTriples(args: string[]): PackedChunk[] | null {
  if (args.length === 0 || args.length % 3 !== 0) return null;
  const out: PackedChunk[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const [dir, attempt, key] = [args[i]!, args[i + 1]!, args[i + 2]!];
    if (!/^\d+$/.test(attempt)) return null;
    out.push({ dir, attempt: Number(attempt), key });
  }
  return out;
}

/** The command line (the module run as a script, or the bundle's run-chunks entry). */
export async function main(argv: string[]): Promise<void> {
  const chunks = parseTriples(argv);
  if (chunks === null) {
    process.stderr.write('usage: run-chunks.js DIR ATTEMPT KEY [DIR ATTEMPT KEY]...\n');
    process.exit(2);
  }
  const failed = await runChunks(chunks);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
