// Full build of 1,000 chunks of trivial work with -j 2, from a clean Outdir and store each time
// (bundle and input digests warmed by a --dry-run, as a user's second Outdir would find them),
// against GNU make -j 2 over the same 1,000 inputs with a trivial per-file recipe (`cp`: a `node -e`
// would be unfair to make). The two alternate round by round; each round prints wall and CPU
// (user+sys of the command and its children, from /usr/bin/time) and the load average; the end
// prints the medians and the ratios heppy/make (target: ≤ 0.8). With --base DIR (a checkout of an
// earlier heppy, built), that heppy runs too in each round, on the same project (its own fresh
// Outdir and cache), for the ratio this tree / base.
// --aside: the previous round's trees (Outdir and cache, make's out/) are moved into a graveyard
// instead of being deleted before each build, and the graveyard is removed after the last round. This
// machine's ext4 has no journal: allocating an inode then checks every free inode of its group that
// was freed in the last 60 s (300 s while its inode-table block is dirty) and skips it, so a build
// right after `rm -rf` of the last round's ~11,000 inodes spends seconds of system time in that scan
// (find_inode_bit → recently_deleted). --aside measures the build without the benchmark's own deletions.
// Usage: node dist/bench/build-full.js [chunks=1000] [rounds=5] [--base DIR] [--aside]
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY, makeBenchProject, median, repo } from './build-setup.js';

const args = process.argv.slice(2);
const baseAt = args.indexOf('--base');
const baseDir = baseAt >= 0 ? args.splice(baseAt, 2)[1] : undefined;
if (baseAt >= 0 && (baseDir === undefined || !existsSync(join(baseDir, 'bin', 'heppy.js')))) throw new Error(`--base needs a built heppy checkout (no ${baseDir ?? '?'}/bin/heppy.js)`);
const asideAt = args.indexOf('--aside');
const aside = asideAt >= 0;
if (aside) args.splice(asideAt, 1);
const chunks = Number(args[0] ?? 1000);
const rounds = Number(args[1] ?? 5);
const dir = join(repo, '.bench-tmp', `full-${chunks}`);
mkdirSync(dir, { recursive: true });
await makeBenchProject(dir, 1, chunks);

const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error(`${TIME} is needed for the CPU figures (apt-get install time)`);

interface Run { wall: number; cpu: number; user: number; sys: number }

/** Runs cmd under /usr/bin/time: wall and CPU of it and its children (seconds). */
function timed(cmd: string, args: string[], cwd: string): Run & { code: number; out: string } {
  const f = join(dir, '.time');
  const r = spawnSync(TIME, ['-f', '%e %U %S', '-o', f, cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const [wall, user, sys] = readFileSync(f, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? ''), wall, user, sys, cpu: user + sys };
}

const grave = join(dir, 'graveyard');
rmSync(grave, { recursive: true, force: true });
let buried = 0;
/** Clears `p` for the next build: deleted, or with --aside moved into the graveyard (deleted at the end). */
function clear(p: string): void {
  if (!aside) { rmSync(p, { recursive: true, force: true }); return; }
  if (!existsSync(p)) return;
  mkdirSync(grave, { recursive: true });
  renameSync(p, join(grave, String(buried++)));
}

const mk = join(dir, 'make');
mkdirSync(mk, { recursive: true });
const targets = Array.from({ length: chunks }, (_, i) => `out/f${String(i).padStart(5, '0')}.txt`);
writeFileSync(join(mk, 'Makefile'), `all: ${targets.join(' ')}\nout/%.txt: ../data/c0/%.root\n\t@mkdir -p out && cp $< $@\n`);

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
const fmt = (r: Run): string => `wall ${r.wall.toFixed(2)} s, CPU ${r.cpu.toFixed(2)} s (user ${r.user.toFixed(2)} + sys ${r.sys.toFixed(2)})`;
const hs: Run[] = [];
const ms: Run[] = [];
const bs: Run[] = [];
/** A full build with the heppy at `bin` from a fresh Outdir and cache (bundle and digests warmed by a dry run). */
function fullBuild(bin: string, label: string, i: number): Run {
  clear(join(dir, 'Outdir'));
  clear(join(dir, 'cache'));
  const warm = spawnSync(process.execPath, [bin, 'build', '--dry-run'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (warm.status !== 0) throw new Error(`dry run failed: ${warm.stderr}`);
  const l0 = load();
  const h = timed(process.execPath, [bin, 'build', '-j', '2'], dir);
  if (h.code !== 0) throw new Error(`build failed: ${h.out.slice(-2000)}`);
  const last = h.out.trim().split('\n').filter((x) => x.startsWith('heppy:')).pop() ?? '';
  process.stdout.write(`round ${i + 1}  ${label}: ${fmt(h)}  load ${l0}  (${last})\n`);
  return h;
}
for (let i = 0; i < rounds; i++) {
  hs.push(fullBuild(HEPPY, 'heppy build -j 2', i));
  if (baseDir !== undefined) bs.push(fullBuild(join(baseDir, 'bin', 'heppy.js'), 'base  build -j 2', i));
  clear(join(mk, 'out'));
  const l1 = load();
  const m = timed('make', ['-j', '2', '-s'], mk);
  if (m.code !== 0) throw new Error(`make failed: ${m.out.slice(-2000)}`);
  ms.push(m);
  process.stdout.write(`round ${i + 1}  make -j 2:        ${fmt(m)}  load ${l1}\n`);
}
rmSync(grave, { recursive: true, force: true });
const med = (rs: Run[], k: 'wall' | 'cpu'): number => median(rs.map((r) => r[k]));
const [hw, hc, mw, mc] = [med(hs, 'wall'), med(hs, 'cpu'), med(ms, 'wall'), med(ms, 'cpu')];
process.stdout.write(`median over ${rounds} rounds, ${chunks} chunks${aside ? ' (previous trees moved aside, not deleted)' : ''}: heppy wall ${hw.toFixed(2)} s, CPU ${hc.toFixed(2)} s; make wall ${mw.toFixed(2)} s, CPU ${mc.toFixed(2)} s\n`);
process.stdout.write(`system time, medians: heppy ${median(hs.map((r) => r.sys)).toFixed(2)} s, make ${median(ms.map((r) => r.sys)).toFixed(2)} s\n`);
process.stdout.write(`heppy/make: wall ${(hw / mw).toFixed(2)}x, CPU ${(hc / mc).toFixed(2)}x (target wall <= 0.8x); load now ${load()}\n`);
if (bs.length > 0) {
  const [bw, bc] = [med(bs, 'wall'), med(bs, 'cpu')];
  process.stdout.write(`base (${baseDir}): wall ${bw.toFixed(2)} s, CPU ${bc.toFixed(2)} s; this/base: wall ${(hw / bw).toFixed(2)}x, CPU ${(hc / bc).toFixed(2)}x; base/make wall ${(bw / mw).toFixed(2)}x\n`);
}
