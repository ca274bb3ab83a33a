// Locating ../shared (the ROOT test files) and Slurm for tests that need them.
// On a user's machine a missing resource skips with a message (a line starting "SKIP:");
// CI sets HEPPY_REQUIRE_SHARED=1 / HEPPY_REQUIRE_SLURM=1 so that there it must be present.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

/** The repository root (tests run from dist/test/..., two or three levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Absolute path of ../shared/data/root, or null (after printing a SKIP line) when absent. */
export function sharedRootDir(): string | null {
  const dir = process.env.HEPPY_SHARED_DIR
    ? join(process.env.HEPPY_SHARED_DIR, 'data', 'root')
    : join(repoRoot, '..', 'shared', 'data', 'root');
  if (existsSync(join(dir, 'summaries'))) return dir;
  if (process.env.HEPPY_REQUIRE_SHARED === '1') throw new Error(`HEPPY_REQUIRE_SHARED=1 but ${dir} is missing`);
  console.log(`SKIP: ${dir} not found; tests that read the shared ROOT files are skipped`);
  return null;
}

/** True when a Slurm cluster answers (`sinfo`), else prints a SKIP line; throws if required. */
export function slurmAvailable(): boolean {
  try {
    execFileSync('sinfo', ['-h'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch (err) {
    if (process.env.HEPPY_REQUIRE_SLURM === '1') throw new Error(`HEPPY_REQUIRE_SLURM=1 but sinfo failed: ${(err as Error).message}`);
    console.log('SKIP: no Slurm cluster answers `sinfo`; Slurm tests are skipped');
    return false;
  }
}

/** A small ROOT file kept in the repository (test/data/skhep, see its README). */
export function skhepFile(name: string): string {
  return join(repoRoot, 'test', 'data', 'skhep', name);
}
