// Merge cost per input file: `heppy root merge` of many small files vs `cp` of the same files.
//
// Writes one small input (a tree x/f8, n/i4, pt[n]/f4 and a TH1D; not timed) and copies it to F
// files. Each round, alternating, with the inputs in the page cache:
//   1. cp of the F files into a fresh directory (through /usr/bin/time: wall, user+sys);
//   2. mergeRootFiles of the F files in this process (wall, process.cpuUsage);
//   3. `node bin/heppy.js root merge -f OUT IN…` of the F files, and of 2 of them: the difference
//      over F-2 files is the CLI's cost per additional input, without Node's start-up.
// Prints medians over the rounds, per input file, and the ratios merge / cp.
// Usage: node dist/bench/merge-many.js [files=500] [entries per file=1000] [rounds=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFileWriter } from '../src/root/write/index.js';
import { mergeRootFiles } from '../src/root/hadd/index.js';
import { makeAxis, makeHist1, fill1 } from '../src/root/hist.js';

const files = Number(process.argv[2] ?? 500);
const entries = Number(process.argv[3] ?? 1000);
const rounds = Number(process.argv[4] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-merge-many-'));
const heppy = fileURLToPath(new URL('../../bin/heppy.js', import.meta.url));

async function input(path: string): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm: 'zlib' } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(100, 0, 10));
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } }] });
  const a = new Float32Array([1.5, 2.5, 3.5]);
  for (let i = 0; i < entries; i++) { const x = ((i * 13) % 10000) * 0.001; t.fill({ x, n: i % 4, pt: a.subarray(0, i % 4) }); fill1(h, x); }
  w.writeHist(h);
  await w.close();
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

function timed(cmd: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c = spawnSync('/usr/bin/time', ['-f', '%U %S', ...cmd], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (c.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${c.status}: ${c.stderr}`);
  const [u, s] = (c.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wall, cpu: u! + s! };
}

try {
  const ins = Array.from({ length: files }, (_, i) => join(dir, `in${i}.root`));
  await input(ins[0]!);
  for (const p of ins.slice(1)) copyFileSync(ins[0]!, p);
  execFileSync('cat', ins, { stdio: ['ignore', 'ignore', 'inherit'] });
  const out = join(dir, 'out.root');
  const r: { cp: number; cpCpu: number; lib: number; libCpu: number; cli: number; cliCpu: number; cli2: number; cli2Cpu: number }[] = [];
  const loads: number[] = [];
  for (let k = 0; k < rounds; k++) {
    loads.push(loadavg()[0]!);
    const dest = join(dir, 'cp');
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest);
    const cp = timed(['cp', ...ins, dest]);
    rmSync(out, { force: true });
    const c0 = process.cpuUsage(), t0 = performance.now();
    const m = await mergeRootFiles(out, ins, { force: true });
    const lib = (performance.now() - t0) / 1000, cu = process.cpuUsage(c0);
    if (!m.ok || m.value.entries !== files * entries) throw new Error(`merge: ${JSON.stringify(m)}`);
    const cli = timed([process.execPath, heppy, 'root', 'merge', '-f', out, ...ins]);
    const cli2 = timed([process.execPath, heppy, 'root', 'merge', '-f', out, ...ins.slice(0, 2)]);
    r.push({ cp: cp.wall, cpCpu: cp.cpu, lib, libCpu: (cu.user + cu.system) / 1e6, cli: cli.wall, cliCpu: cli.cpu, cli2: cli2.wall, cli2Cpu: cli2.cpu });
    const x = r[r.length - 1]!;
    console.log(`round ${k + 1} (load ${loads[k]!.toFixed(1)}): cp ${x.cp.toFixed(3)} s (cpu ${x.cpCpu.toFixed(2)}), in-process ${x.lib.toFixed(3)} s (cpu ${x.libCpu.toFixed(2)}), CLI ${x.cli.toFixed(3)} s (cpu ${x.cliCpu.toFixed(2)}), CLI of 2 files ${x.cli2.toFixed(3)} s (cpu ${x.cli2Cpu.toFixed(2)})`);
  }
  const ms = (s: number): string => `${(s * 1000).toFixed(2)} ms`;
  const per = (f: (x: (typeof r)[number]) => number, n = files): number => median(r.map(f)) / n;
  const cpW = per((x) => x.cp), cpC = per((x) => x.cpCpu);
  console.log(`merge of ${files} files of ${entries} entries (${(statSync(ins[0]!).size / 1024).toFixed(1)} kB each), medians of ${rounds} rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; per input file:`);
  console.log(`  cp                          ${ms(cpW)} wall, ${ms(cpC)} cpu`);
  const line = (what: string, w: number, c: number): void => console.log(`  ${what} ${ms(w)} wall, ${ms(c)} cpu: ${(w / cpW).toFixed(2)}× cp wall, ${(c / cpC).toFixed(2)}× cp cpu`);
  line('in-process mergeRootFiles  ', per((x) => x.lib), per((x) => x.libCpu));
  line('CLI, all of it             ', per((x) => x.cli), per((x) => x.cliCpu));
  line('CLI, each input beyond 2   ', per((x) => x.cli - x.cli2, files - 2), per((x) => x.cliCpu - x.cli2Cpu, files - 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
