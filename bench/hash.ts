// Input hashing throughput: N files of S MiB hashed the way a cold plan digests inputs
// (FileDigests.digestAll, store cache empty), one thread vs the hash threads (HEPPY_HASH_THREADS),
// next to `cat` of the same files to /dev/null and, when installed, `xxhsum -H64` (C xxHash, one
// core; its digests must equal heppy's). Page cache warm: the cost of hashing, not of the disk.
// Each round runs every contender once, alternated; medians of wall time and of CPU time
// (user + sys of the process, all its threads).
// The hash threads' own CPU is printed per thread (are both busy all the time?); "heppy wasm" is the
// portable fallback (HEPPY_HASH_IMPL=wasm: hash-wasm, a copy into its memory per 16 KiB).
// Usage: node dist/bench/hash.js [files=8] [MiB=256] [rounds=5] [--base DIR] [--clean]
//   --base DIR: also the same digest path of another built checkout (e.g. the previous commit's
//   `git worktree`, built with `npx tsc -p .`), alternated with this one.
import { mkdirSync, openSync, writeSync, closeSync, existsSync, statSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repo, median } from './build-setup.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const clean = args.includes('--clean') ? (args.splice(args.indexOf('--clean'), 1), true) : false;
const base = flag('--base');
const nFiles = Number(args[0] ?? 8);
const mib = Number(args[1] ?? 256);
const rounds = Number(args[2] ?? 5);
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

const script = (root: string): string => `
  const { FileDigests } = await import(${JSON.stringify(join(root, 'dist', 'src', 'fingerprint', 'digests.js'))});
  const { initHash } = await import(${JSON.stringify(join(root, 'dist', 'src', 'fingerprint', 'hash.js'))});
  await initHash();
  const store = { getDigest: () => undefined, putDigest: async () => {}, getDigestSet: () => undefined, putDigestSet: async () => {} };
  const files = ${JSON.stringify(files)};
  const c0 = process.cpuUsage(), t = performance.now();
  const r = await new FileDigests(store).digestAll(files, 8);
  const ms = performance.now() - t, c = process.cpuUsage(c0);
  for (const x of r.values()) if (!x.ok) throw new Error(JSON.stringify(x.error));
  // CPU of each thread of the process (Linux: /proc/self/task/*/stat, clock ticks of 10 ms), busiest first.
  const { readdirSync, readFileSync } = await import('node:fs');
  let threads = [];
  try {
    threads = readdirSync('/proc/self/task').map((t) => {
      const f = readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return { name: Number(t) === process.pid ? 'main' : 'thread ' + t, ms: (Number(rest[11]) + Number(rest[12])) * 10 };
    }).filter((t) => t.ms > 0).sort((a, b) => b.ms - a.ms);
  } catch {}
  const { hasherImpl } = await import(${JSON.stringify(join(root, 'dist', 'src', 'fingerprint', 'hash-file.js'))});
  console.log(JSON.stringify({ ms, cpu: (c.user + c.system) / 1000, digests: files.map((f) => r.get(f).value), threads, impl: hasherImpl ? await hasherImpl() : 'wasm' }));
  process.exit(0);
`;

interface Run { ms: number; cpu: number; digests?: string[]; threads?: Array<{ name: string; ms: number }>; impl?: string }

function heppy(root: string, threads: string, impl?: 'wasm'): Run {
  const env = { ...process.env, HEPPY_HASH_THREADS: threads, ...(impl ? { HEPPY_HASH_IMPL: impl } : {}) };
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(root)], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim()) as Run;
}

/** A command's wall and CPU time through /usr/bin/time; its stdout kept. */
function timed(cmd: string, argv: string[], discard = false): Run & { out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', discard ? 'ignore' : 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  const [e, u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms: e! * 1000, cpu: (u! + s!) * 1000, out: r.stdout ?? '' };
}

const hasXxhsum = spawnSync('xxhsum', ['-V'], { stdio: 'ignore' }).status === 0;
const threads = String(Math.max(2, availableParallelism()));
spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
const results = new Map<string, Run[]>();
const add = (k: string, r: Run): void => { results.set(k, [...(results.get(k) ?? []), r]); };
const load: number[] = [];
for (let k = 0; k < rounds; k++) {
  load.push(loadavg()[0]!);
  add('heppy, one thread', heppy(repo, '1'));
  add(`heppy, ${threads} hash threads`, heppy(repo, threads));
  add(`heppy wasm, ${threads} threads`, heppy(repo, threads, 'wasm'));
  if (base !== undefined) {
    add('base, one thread', heppy(resolve(base), '1'));
    add(`base, ${threads} hash threads`, heppy(resolve(base), threads));
  }
  add('cat > /dev/null', timed('cat', files, true));
  if (hasXxhsum) {
    const x = timed('xxhsum', ['-H64', ...files]);
    const want = results.get('heppy, one thread')![0]!.digests!;
    const got = x.out.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    if (got.join() !== want.join()) throw new Error(`xxhsum and heppy disagree: ${got.join()} vs ${want.join()}`);
    add('xxhsum -H64 (C, one core)', x);
  }
}
const gbs = (ms: number): string => (bytes / 1e9 / (ms / 1000)).toFixed(2);
console.log(`${nFiles} files × ${mib} MiB (${(bytes / 2 ** 30).toFixed(1)} GiB), median of ${rounds} alternated rounds, load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}`);
console.log('                                   wall ms    GB/s      CPU ms   GB/s per CPU-s');
const ref = median(results.get('heppy, one thread')!.map((r) => r.ms));
for (const [k, rs] of results) {
  const w = median(rs.map((r) => r.ms)), c = median(rs.map((r) => r.cpu));
  console.log(`  ${k.padEnd(31)} ${w.toFixed(0).padStart(7)} ${gbs(w).padStart(7)} ${c.toFixed(0).padStart(11)} ${gbs(c).padStart(8)}   (${(ref / w).toFixed(2)}× one thread's speed)`);
}
// Are the hash threads busy all the time? Each thread's CPU against the pass's wall (the last round).
for (const [k, rs] of results) {
  const r = rs[rs.length - 1]!;
  if (r.threads === undefined) continue;
  const top = r.threads.slice(0, 4).map((t) => `${t.name} ${t.ms} ms (${((100 * t.ms) / r.ms).toFixed(0)} % of the wall)`).join(', ');
  console.log(`  ${k} [${r.impl}]: threads ${top}`);
}
if (clean) rmSync(dir, { recursive: true, force: true });
