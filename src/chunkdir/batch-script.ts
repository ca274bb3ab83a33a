// batchScript.sh: the per-chunk job script (heppy_batch's habit: users resubmit it by hand). Every
// run of a chunk, local or batch, leaves one in the chunk directory next to the chunk.json it ran:
// it runs `heppy run-chunk` on the directory, i.e. that spec and its analysis bundle, and makes sure
// a marker records the exit status even when run-chunk crashes or the job is killed. Every path is
// shell-quoted.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledOr } from '../util/bundled.js';
import { isPlainPath, shq } from '../util/shell.js';
import { BATCH_SCRIPT, batchPaths, ensureBatchPaths } from './layout.js';

export { BATCH_SCRIPT } from './layout.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The CLI of this checkout a job runs: its bundle (dist/cli/main.js) when fresh, else dist/src/cli/main.js. */
export const heppyMainJs = bundledOr('main', join(here, '..', 'cli', 'main.js'));
/** The helper that writes a failed marker when run-chunk died without one (bundled likewise). */
export const exitMarkerJs = bundledOr('exit-marker', join(here, 'exit-marker.js'));

/** The attempt a script is written for: its exit marker must not speak for a later attempt. */
export interface ScriptAttempt {
  attempt: number;
  key: string;
}

export interface BatchScriptOptions {
  /** Node binary the job runs (default: this process's; HEPPY_BATCH_NODE overrides). */
  nodeBin?: string;
  /** heppy's CLI entry (default: heppyMainJs). */
  heppyJs?: string;
  /** The packed-task runner (default: dist/src/exec/batch/run-chunks.js); tests replace it. */
  runChunksJs?: string;
}

export function batchScriptText(chunkDir: string, opts: BatchScriptOptions = {}, forAttempt?: ScriptAttempt): string {
  const name = basename(chunkDir);
  const outdir = dirname(chunkDir);
  const paths = batchPaths(outdir);
  const nodeBin = opts.nodeBin ?? process.env.HEPPY_BATCH_NODE ?? process.execPath;
  const heppyJs = opts.heppyJs ?? heppyMainJs;
  const slurmLog = join(paths.logs, `${name}.%j.out`);
  const lines = [
    '#!/bin/bash',
    `# heppy batch job for chunk ${name}. Written by heppy build; it runs \`heppy run-chunk\` on this`,
    '# directory with the analysis bundle named in chunk.json (the one current at submission).',
    '# Resubmit it by hand from this directory, e.g.:',
    '#   sbatch batchScript.sh    bsub < batchScript.sh    nohup ./batchScript.sh &',
    `#SBATCH --job-name=heppy-${name}`,
    // sbatch parses #SBATCH lines itself: only a plain path can go there.
    ...(isPlainPath(paths.logs) ? [`#SBATCH --output=${slurmLog}`] : []),
    `chunk_dir=${shq(chunkDir)}`,
    `node_bin=${shq(nodeBin)}`,
    `heppy_js=${shq(heppyJs)}`,
    `exit_marker_js=${shq(exitMarkerJs)}`,
    `started_file=${shq(join(paths.started, name))}`,
    // Written for this attempt: a later attempt's chunk.json is not this job's to mark.
    `attempt=${shq(forAttempt ? String(forAttempt.attempt) : '')}`,
    `key=${shq(forAttempt?.key ?? '')}`,
    'echo "heppy: chunk $chunk_dir on $(hostname) (pid $$), $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    // Lets the executor see that the job started (and, on the same host, whether it still runs).
    'printf \'%s %s %s %s\\n\' "$(hostname)" "$$" "$(date +%s)" "$attempt" > "$started_file" 2>/dev/null || true',
    // run-chunk swaps the chunk directory, so the job must not sit inside it.
    'cd -- "$(dirname -- "$chunk_dir")" || exit 1',
    // A TERM (scancel, time limit) reaches run-chunk too; the trap only remembers it for the marker.
    "sig=''",
    "trap 'sig=TERM' TERM",
    "trap 'sig=INT' INT",
    '"$node_bin" "$heppy_js" run-chunk "$chunk_dir"',
    'status=$?',
    '"$node_bin" "$exit_marker_js" "$chunk_dir" "$status" "$sig" "$attempt" "$key" || echo "heppy: could not record exit status $status in a marker" >&2',
    'echo "heppy: run-chunk exit status $status"',
    'exit "$status"',
    '',
  ];
  return lines.join('\n');
}

/** Outdirs whose batch directories this process made (a run writes a script per chunk: made once). */
const batchPathsMade = new Set<string>();

/**
 * Writes (or rewrites, when its content changed) the chunk's executable batchScript.sh, into the
 * chunk directory or (`into`) the tmp dir that will be swapped into place as the chunk directory:
 * that one is new and seen by nobody before the swap, so the script is written there directly.
 */
export function writeBatchScript(chunkDir: string, opts: BatchScriptOptions = {}, forAttempt?: ScriptAttempt, into: string = chunkDir): string {
  const outdir = dirname(chunkDir);
  const file = join(into, BATCH_SCRIPT);
  const text = batchScriptText(chunkDir, opts, forAttempt);
  if (into !== chunkDir) {
    // The script's log and started/ directories, for when it is resubmitted by hand.
    if (!batchPathsMade.has(outdir)) {
      ensureBatchPaths(outdir);
      batchPathsMade.add(outdir);
    }
    writeFileSync(file, text, { mode: 0o755 });
    return file;
  }
  ensureBatchPaths(outdir);
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  if (current !== text) {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o755 });
    renameSync(tmp, file);
  }
  chmodSync(file, 0o755);
  return file;
}
