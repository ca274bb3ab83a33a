// Run by batchScript.sh after `heppy run-chunk` returns: when run-chunk died without writing this
// attempt's marker (crash, out of memory, killed by the batch system), write a `failed` marker
// naming the exit status, so that the executor and `heppy check` see the failure at once instead
// of waiting for a time limit. Usage: node exit-marker.js CHUNK_DIR EXIT_STATUS [SIGNAL [ATTEMPT [KEY]]]
import { constants, hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { TaskFailure } from '../util/failure.js';
import { readMarker, writeMarker, type ChunkMarker } from './marker.js';
import { readChunkSpec } from './spec.js';

/** The name of signal number `n` ('SIGKILL' for 9), or `signal n`. */
function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

/**
 * Why run-chunk died without its marker. A signal is a resource failure (the batch system's kill at
 * its time or memory limit, the OOM killer; the executor refines it with the job's state); any
 * other exit (node missing, a crash before the chunk started) an infrastructure one.
 */
export function exitFailure(exitStatus: number, signal: string | undefined, reason: string): TaskFailure {
  if (signal) return { kind: 'resource', resource: 'signal', signal: `SIG${signal}`, reason };
  if (exitStatus > 128) return { kind: 'resource', resource: 'signal', signal: signalName(exitStatus - 128), reason };
  return { kind: 'infrastructure', reason };
}

/**
 * Writes the failed marker if needed; returns true when it wrote one. `forAttempt` and `forKey`
 * are what the job was started for (baked into batchScript.sh): when chunk.json has moved on to a
 * newer attempt meanwhile (the build already resubmitted), the directory belongs to that attempt.
 */
export function writeExitMarker(chunkDir: string, exitStatus: number, signal?: string, forAttempt?: number, forKey?: string, why?: string): boolean {
  const id = readChunkSpec(chunkDir);
  if (!id.ok) return false; // no chunk.json: nothing to attribute the failure to
  if (forAttempt !== undefined && id.value.attempt !== forAttempt) return false;
  if (forKey !== undefined && id.value.key !== forKey) return false;
  const cur = readMarker(chunkDir);
  if (cur.ok && cur.value !== null && cur.value.kind === 'chunk' && cur.value.key === id.value.key && cur.value.attempt === id.value.attempt) {
    return false;
  }
  const what = why !== undefined
    ? why
    : signal
      ? `the job was killed by SIG${signal} (cancelled, time limit or node shutdown)`
      : exitStatus > 128
        ? `heppy run-chunk was killed by signal ${exitStatus - 128} (out of memory or killed)`
        : `heppy run-chunk exited with status ${exitStatus} without writing its marker (crash)`;
  const now = new Date().toISOString();
  const marker: ChunkMarker = {
    kind: 'chunk',
    status: 'failed',
    key: id.value.key,
    attempt: id.value.attempt,
    exitCode: exitStatus,
    eventsProcessed: 0,
    expectedEvents: null,
    userStop: false,
    reason: what,
    failure: exitFailure(exitStatus, signal, what),
    outputs: [],
    host: hostname(),
    pid: process.pid,
    startedAt: now,
    finishedAt: now,
    writtenBy: 'batchScript.sh',
  };
  writeMarker(chunkDir, marker);
  return true;
}

/** The command line (the module run as a script, or the bundle's exit-marker entry). */
export function main(argv: string[]): void {
  if (argv[0] === '--each') {
    // A packed array task: STATUS SIGNAL then DIR ATTEMPT KEY triples.
    const [, status, signal, ...rest] = argv;
    if (status === undefined || !/^\d+$/.test(status) || rest.length % 3 !== 0) {
      process.stderr.write('usage: exit-marker.js --each EXIT_STATUS SIGNAL DIR ATTEMPT KEY...\n');
      process.exit(2);
    }
    for (let i = 0; i < rest.length; i += 3) {
      try {
        writeExitMarker(rest[i]!, Number(status), signal || undefined, Number(rest[i + 1]), rest[i + 2] || undefined);
      } catch (err) {
        process.stderr.write(`heppy: could not write the failed marker in ${rest[i]}: ${(err as Error).message}\n`);
      }
    }
    return;
  }
  const [dir, status, signal, attempt, key] = argv;
  if (dir === undefined || status === undefined || !/^\d+$/.test(status) || (attempt !== undefined && attempt !== '' && !/^\d+$/.test(attempt))) {
    process.stderr.write('usage: exit-marker.js CHUNK_DIR EXIT_STATUS [SIGNAL [ATTEMPT [KEY]]]\n');
    process.exit(2);
  }
  try {
    const a = attempt ? Number(attempt) : undefined;
    if (writeExitMarker(dir, Number(status), signal || undefined, a, key || undefined)) process.stdout.write(`heppy: wrote a failed marker in ${dir}\n`);
  } catch (err) {
    process.stderr.write(`heppy: could not write the failed marker in ${dir}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
