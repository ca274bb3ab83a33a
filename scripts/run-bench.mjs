#!/usr/bin/env node
// Runs the benchmarks one after another (they time things, so never in parallel) and prints each
// one's output. Usage: node scripts/run-bench.mjs [names...]   (default: the quick set below)
// Opt-in ones: write-big (writes > 2 GB), slurm (needs the local Slurm cluster), loop-demo and
// hash (issue 11's A/B benchmarks; pass --base DIR by running them directly, see bench/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const quick = ['read', 'write', 'merge', 'loop', 'noop-build', 'build-full', 'check-hadd'];
const names = process.argv.slice(2).length ? process.argv.slice(2) : quick;
let failed = 0;
for (const name of names) {
  const file = join(root, 'dist', 'bench', `${name}.js`);
  if (!existsSync(file)) { console.error(`no benchmark ${name} (${file}); run npm run build`); failed++; continue; }
  if (name === 'loop' || name === 'loop-demo') spawnSync(process.execPath, [join(root, 'dist', 'examples', 'make-data.js')], { stdio: 'inherit', cwd: root });
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) { console.error(`bench/${name} exited ${r.status ?? r.signal}`); failed++; }
}
process.exitCode = failed ? 1 : 0;
