// hadd -j N, as ROOT's hadd does it: the inputs are split into N consecutive groups, each merged
// into a partial file by a worker thread at the same time, then the partial files are merged in
// order into the output (so tree entries keep the input order and histograms add up the same).
// What it gains: the per-input work (reading metadata, adding histograms, and above all
// recompressing baskets with -f<N>/-ff) runs on N cores. What it costs: every basket is copied
// twice (into a partial, then into the output), so a plain copy-bound merge does not gain on a
// machine with few cores (bench/README.md, "ROOT write and merge").
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { workerThreadsModule } from '../../util/lazy-node.js';
import { fail, ok, type Failure, type Result } from '../../util/result.js';
import type { Compression } from '../write/compress.js';

/** What a worker is given (options that cross a thread: no callbacks). */
export interface PartJob {
  out: string;
  inputs: string[];
  opts: { skipUnreadable: boolean; compression: Compression; recompress: boolean; maxOpenFiles?: number };
}

/** What a worker sends back: warnings as they come, then the merge's result. */
export type PartMessage = { warning: string } | { result: Result<PartStats> };
export interface PartStats { inputs: number; skipped: string[] }

/** Consecutive groups of nearly equal size (the first ones one longer), never empty. */
export function splitInputs(inputs: readonly string[], jobs: number): string[][] {
  const n = Math.max(1, Math.min(jobs, inputs.length));
  const out: string[][] = [];
  const base = Math.floor(inputs.length / n), extra = inputs.length % n;
  for (let g = 0, at = 0; g < n; g++) {
    const len = base + (g < extra ? 1 : 0);
    out.push(inputs.slice(at, at + len));
    at += len;
  }
  return out;
}

function runPart(job: PartJob, onWarning: (m: string) => void): Promise<Result<PartStats>> {
  return new Promise((resolve) => {
    const w = new (workerThreadsModule().Worker)(new URL('./part-worker.js', import.meta.url), { workerData: job });
    let done = false;
    w.on('message', (m: PartMessage) => {
      if ('warning' in m) { onWarning(m.warning); return; }
      done = true;
      resolve(m.result);
    });
    w.on('error', (e) => { done = true; resolve(fail({ file: job.out, reason: `merge worker failed: ${e.message}` })); });
    w.on('exit', (code) => { if (!done) resolve(fail({ file: job.out, reason: `merge worker exited with code ${code} before finishing` })); });
  });
}

/**
 * Merges the groups into partial files in parallel; `final` then merges those (in order) into
 * the output. Partial files are removed in every case.
 */
export async function mergeParallel<T>(out: string, inputs: string[], jobs: number, opts: PartJob['opts'], onWarning: (m: string) => void,
  final: (partials: string[]) => Promise<Result<T>>): Promise<Result<{ final: T; inputs: number; skipped: string[] }>> {
  const groups = splitInputs(inputs, jobs);
  const parts = groups.map((_, i) => join(dirname(out), `.${basename(out)}.heppy-j${i}-${process.pid}`));
  try {
    const results = await Promise.all(groups.map((g, i) => runPart({ out: parts[i]!, inputs: g, opts }, onWarning)));
    let n = 0;
    const skipped: string[] = [];
    for (const r of results) {
      if (!r.ok) return r as { ok: false; error: Failure };
      n += r.value.inputs;
      skipped.push(...r.value.skipped);
    }
    const f = await final(parts);
    if (!f.ok) return f;
    return ok({ final: f.value, inputs: n, skipped });
  } finally {
    for (const p of parts) rmSync(p, { force: true });
  }
}
