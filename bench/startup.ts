// Start-up of the CLI: `heppy --version`, `heppy root inspect` of a small file (uproot-HZZ.root,
// 0.2 MB) and the no-op build of a small project (3 components × 10 tiny files: 30 chunks and their
// merges, the demo's size), next to `node -e 0` (the floor: Node's own start-up); last, what a batch
// job starts per chunk: `node <heppy_js> run-chunk <chunk>` on one of that project's chunks, with
// the entry its batchScript.sh names (the bundle's dist/cli/main.js since session 17, dist/src's
// unbundled CLI before).
// Usage: node dist/bench/startup.js [rounds=9] [--base DIR]
// With --base DIR (another built checkout of heppy): each command alternates with DIR's heppy,
// round by round; medians of wall (spawn to exit) and CPU (user+sys, /usr/bin/time), the ratios
// this tree / base, and the load average. HEPPY_BUNDLE=0 in the environment runs this tree unbundled.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeBenchProject, median, repo } from './build-setup.js';

const args = process.argv.slice(2);
const bi = args.indexOf('--base');
const baseDir = bi >= 0 ? args[bi + 1]! : null;
if (bi >= 0) args.splice(bi, 2);
const rounds = Number(args[0] ?? 9);
const small = join(repo, '..', 'shared', 'data', 'root', 'uproot-HZZ.root');

interface Run { wall: number; cpu: number }

function time(argv: string[], cwd: string, check: (out: string) => boolean): Run {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t;
  const m = /@@time (\S+) (\S+)/.exec(r.stderr);
  if (r.status !== 0 || m === null || !check(r.stdout)) throw new Error(`${argv.join(' ')} (in ${cwd}) exited ${r.status}: ${r.stdout.slice(-500)} ${r.stderr.slice(-500)}`);
  return { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000 };
}

/** A small project for the heppy of `tree`, built once (its first build runs every chunk). */
async function project(tree: string): Promise<string> {
  const dir = join(tree, '.bench-tmp', 'startup-3x10');
  await makeBenchProject(dir, 3, 10);
  const r = spawnSync(process.execPath, [join(tree, 'bin', 'heppy.js'), 'build', '-j', '2'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`first build in ${dir} failed: ${r.stderr}`);
  return dir;
}

interface Case { name: string; argv: (bin: string) => string[]; cwd: (tree: string) => string; check: (out: string) => boolean }

const trees = [{ label: 'this tree', dir: repo }, ...(baseDir !== null ? [{ label: 'base', dir: baseDir }] : [])];
const projects = new Map<string, string>();
for (const t of trees) projects.set(t.dir, await project(t.dir));
const cases: Case[] = [
  { name: 'node -e 0', argv: () => [process.execPath, '-e', '0'], cwd: (t) => t, check: () => true },
  { name: 'heppy --version', argv: (bin) => [process.execPath, bin, '--version'], cwd: (t) => t, check: (o) => /^\d+\.\d+\.\d+/.test(o) },
  ...(existsSync(small) ? [{ name: 'heppy root inspect uproot-HZZ.root', argv: (bin: string) => [process.execPath, bin, 'root', 'inspect', small], cwd: (t: string) => t,
    check: (o: string) => o.includes('events') }] : []),
  { name: 'heppy build (no-op, 30 chunks)', argv: (bin) => [process.execPath, bin, 'build'], cwd: (t) => projects.get(t)!, check: (o) => / 0 run, /.test(o) },
  { name: 'batch job: run-chunk of one chunk (10 events)', argv: (bin) => [process.execPath, jobEntry(bin), 'run-chunk', chunkOf(bin)], cwd: (t) => projects.get(t)!,
    check: (o) => / events processed/.test(o) },
];
/** The tree of a bin/heppy.js. */
const treeOf = (bin: string): string => join(bin, '..', '..');
/** Its project's first chunk directory. */
function chunkOf(bin: string): string {
  const out = join(projects.get(treeOf(bin))!, 'Outdir');
  const name = ['A_Chunk0', 'c0_Chunk0'].find((n) => existsSync(join(out, n, 'batchScript.sh')));
  if (name === undefined) throw new Error(`no chunk with a batchScript.sh in ${out}`);
  return join(out, name);
}
/** The CLI entry that chunk's batchScript.sh runs (heppy_js=…). */
function jobEntry(bin: string): string {
  const m = /^heppy_js=(?:'([^']+)'|(\S+))$/m.exec(readFileSync(join(chunkOf(bin), 'batchScript.sh'), 'utf8'));
  if (m === null) throw new Error(`no heppy_js in ${chunkOf(bin)}/batchScript.sh`);
  return (m[1] ?? m[2])!;
}
if (!existsSync(small)) process.stdout.write(`(no ${small}: root inspect not measured)\n`);

const fmt = (r: Run[]): string => `${median(r.map((x) => x.wall)).toFixed(0)} ms wall, ${median(r.map((x) => x.cpu)).toFixed(0)} ms CPU`;
process.stdout.write(`start-up, ${rounds} rounds alternating (load ${loadavg()[0]!.toFixed(1)})\n`);
for (const c of cases) {
  const runs = new Map<string, Run[]>(trees.map((t) => [t.dir, []]));
  for (const t of trees) time(c.argv(join(t.dir, 'bin', 'heppy.js')), c.cwd(t.dir), c.check); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const t of trees) runs.get(t.dir)!.push(time(c.argv(join(t.dir, 'bin', 'heppy.js')), c.cwd(t.dir), c.check));
  }
  const mine = runs.get(repo)!;
  let line = `${c.name}: this tree ${fmt(mine)}`;
  if (baseDir !== null) {
    const base = runs.get(baseDir)!;
    const ratio = (k: 'wall' | 'cpu'): string => (median(mine.map((x) => x[k])) / median(base.map((x) => x[k]))).toFixed(2);
    line += `; base ${fmt(base)}; ratio ${ratio('wall')}× wall, ${ratio('cpu')}× CPU`;
  }
  process.stdout.write(`${line} (load ${loadavg()[0]!.toFixed(1)})\n`);
}
