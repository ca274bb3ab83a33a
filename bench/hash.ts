// Input hashing throughput: N files of S MiB hashed the way a cold plan digests inputs
// (FileDigests.digestAll, store cache empty), one thread vs the hash threads (HEPPY_HASH_THREADS),
// next to `cat` of the same files to /dev/null (page cache warm: the CPU cost of hashing only).
// Usage: node dist/bench/hash.js [files=8] [MiB=256] [repeats=3]
import { mkdirSync, openSync, writeSync, closeSync, existsSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repo, median } from './build-setup.js';

const nFiles = Number(process.argv[2] ?? 8);
const mib = Number(process.argv[3] ?? 256);
const repeats = Number(process.argv[4] ?? 3);
const dir = join(repo, '.bench-tmp', `hash-${nFiles}x${mib}`);
mkdirSync(dir, { recursive: true });
const files: string[] = [];
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < nFiles; i++) {
  const p = join(dir, `f${i}.root`);
  files.push(p);
  if (existsSync(p) && statSync(p).size === mib << 20) continue;
  const fd = openSync(p, 'w');
  for (let m = 0; m < mib; m++) { for (let j = 0; j < chunk.length; j += 512) chunk[j] = (i + m + j) & 0xff; writeSync(fd, chunk); }
  closeSync(fd);
}
const bytes = nFiles * (mib << 20);
const script = `
  const { FileDigests } = await import(${JSON.stringify(join(repo, 'dist', 'src', 'fingerprint', 'digests.js'))});
  const { initHash } = await import(${JSON.stringify(join(repo, 'dist', 'src', 'fingerprint', 'hash.js'))});
  await initHash();
  const store = { getDigest: () => undefined, putDigest: async () => {}, getDigestSet: () => undefined, putDigestSet: async () => {} };
  const files = ${JSON.stringify(files)};
  const t = performance.now();
  const r = await new FileDigests(store).digestAll(files, 8);
  for (const x of r.values()) if (!x.ok) throw new Error(JSON.stringify(x.error));
  console.log(performance.now() - t);
  process.exit(0);
`;
function run(threads: string): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, HEPPY_HASH_THREADS: threads }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}
spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
const one: number[] = [], many: number[] = [], cat: number[] = [];
for (let k = 0; k < repeats; k++) {
  one.push(run('1'));
  many.push(run(String(Math.max(2, (await import('node:os')).availableParallelism()))));
  const t = performance.now();
  spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] });
  cat.push(performance.now() - t);
}
const gbs = (ms: number): string => (bytes / 1e9 / (ms / 1000)).toFixed(2);
console.log(`${nFiles} files × ${mib} MiB (${(bytes / 2 ** 30).toFixed(1)} GiB), median of ${repeats}, alternated:`);
console.log(`  one thread:   ${median(one).toFixed(0)} ms  ${gbs(median(one))} GB/s`);
console.log(`  hash threads: ${median(many).toFixed(0)} ms  ${gbs(median(many))} GB/s`);
console.log(`  cat:          ${median(cat).toFixed(0)} ms  ${gbs(median(cat))} GB/s`);
if (process.argv.includes('--clean')) rmSync(dir, { recursive: true, force: true });
