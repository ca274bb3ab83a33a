// `heppy check --resubmit`: run the bad chunks again. Locally each one goes through
// `heppy run-chunk DIR` in its own process (a crash fails only that chunk), a few at a time.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readChunkIdentity, ensureChunkAttempt } from '../exec/batch/chunk-file.js';
import { readMarker } from './marker.js';

export interface ResubmitResult {
  dir: string;
  attempt: number;
  exitCode: number | null;
  /** The last lines run-chunk printed on stderr when it failed. */
  detail: string;
}

const HEPPY_BIN = fileURLToPath(new URL('../../../bin/heppy.js', import.meta.url));

/** The next attempt number: one more than both chunk.json's and the marker's. */
export function nextAttempt(dir: string): number | null {
  const id = readChunkIdentity(dir);
  if (!id.ok) return null;
  const m = readMarker(dir);
  const prev = m.ok && m.value?.kind === 'chunk' ? m.value.attempt : 0;
  return Math.max(id.value.attempt, prev) + 1;
}

function runOne(dir: string, bin: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run-chunk', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    child.on('error', (err) => resolve({ code: null, stderr: err.message }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export async function resubmitLocal(
  dirs: string[],
  opts: { jobs?: number; bin?: string; onStart?: (dir: string, attempt: number) => void } = {},
): Promise<ResubmitResult[]> {
  const results: ResubmitResult[] = new Array(dirs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dirs.length) {
      const i = next++;
      const dir = dirs[i]!;
      const attempt = nextAttempt(dir);
      const set = attempt === null ? null : ensureChunkAttempt(dir, attempt);
      if (attempt === null || !set || !set.ok) {
        results[i] = { dir, attempt: 0, exitCode: null, detail: 'cannot resubmit: no readable chunk.json (not made by heppy build)' };
        continue;
      }
      opts.onStart?.(dir, attempt);
      const r = await runOne(dir, opts.bin ?? HEPPY_BIN);
      const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
      results[i] = { dir, attempt, exitCode: r.code, detail: r.code === 0 ? '' : tail };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 2, dirs.length)) }, worker));
  return results;
}
