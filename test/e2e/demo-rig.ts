// A small copy of the demo (heppyfile, analyzers, sample data at a fraction of its size) in a
// temp directory, and a way to run heppy there.
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared.js';
import { makeData, scaledPlan } from '../../examples/make-data.js';

export interface DemoRig {
  work: string;
  outdir: string;
  heppy(...args: string[]): { code: number; out: string; stdout: string };
}

export async function demoRig(prefix: string, scale = 0.004): Promise<DemoRig> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  await makeData(join(work, 'examples', 'data'), scaledPlan(scale), { log: () => undefined });
  mkdirSync(join(work, 'examples'), { recursive: true });
  cpSync(join(repoRoot, 'heppyfile.ts'), join(work, 'heppyfile.ts'));
  cpSync(join(repoRoot, 'examples', 'analyzers'), join(work, 'examples', 'analyzers'), { recursive: true });
  const heppy = (...args: string[]): { code: number; out: string; stdout: string } => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: work, encoding: 'utf8', timeout: 300_000 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
  };
  return { work, outdir: join(work, 'Outdir'), heppy };
}
