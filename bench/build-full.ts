// Full build of 1,000 chunks of trivial work with -j 2 (target ≤ 2 s), from a clean Outdir and
// store each time; GNU make over the same 1,000 inputs running a trivial per-file command (a
// `node -e` would be unfair to make, so the make recipe is `cp`, its cheapest honest equivalent).
// Usage: node dist/bench/build-full.js [chunks=1000] [repeats=3]
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { heppy, makeBenchProject, median, repo, timeCmd } from './build-setup.js';

const chunks = Number(process.argv[2] ?? 1000);
const repeats = Number(process.argv[3] ?? 3);
const dir = join(repo, '.bench-tmp', `full-${chunks}`);
mkdirSync(dir, { recursive: true });
await makeBenchProject(dir, 1, chunks);

const times: number[] = [];
for (let i = 0; i < repeats; i++) {
  rmSync(join(dir, 'Outdir'), { recursive: true, force: true });
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  heppy(dir, ['build', '--dry-run']); // bundles and digests once: the timed run is the build itself
  const r = heppy(dir, ['build', '-j', '2']);
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  times.push(r.ms);
  process.stdout.write(`heppy build -j 2, ${chunks} chunks: ${(r.ms / 1000).toFixed(2)} s  ${r.stdout.trim().split('\n').pop()}\n`);
}
process.stdout.write(`median ${(median(times) / 1000).toFixed(2)} s over ${repeats}\n`);

const mk = join(dir, 'make');
rmSync(mk, { recursive: true, force: true });
mkdirSync(mk, { recursive: true });
const targets = Array.from({ length: chunks }, (_, i) => `out/f${String(i).padStart(5, '0')}.txt`);
writeFileSync(join(mk, 'Makefile'), `all: ${targets.join(' ')}\nout/%.txt: ../data/c0/%.root\n\t@mkdir -p out && cp $< $@\n`);
const m = timeCmd('make', ['-j', '2', '-s'], mk);
process.stdout.write(`make -j 2 (cp per file), ${chunks} targets: ${(m.ms / 1000).toFixed(2)} s\n`);
