// TreeWriter.fill alone: N rows of the demo's candidates row (10 branches, 2 jagged on a counter),
// zlib level 0 so that compression does not hide the fill. Main-thread CPU (/proc) of the fill
// loop in a fresh process per run; alternated runs of this checkout and, with --base, another
// built checkout (see "Event loop" in bench/README.md); medians and the ratio this / base.
// Usage: node dist/bench/tree-fill.js [rows=2000000] [rounds=5] [--base DIR]
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repo, median } from './build-setup.js';

/** CPU milliseconds of this process's main thread (Linux /proc, 10 ms ticks). */
function mainThreadMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function child(root: string, rows: number): Promise<number> {
  const { RootFileWriter } = await import(join(root, 'dist', 'src', 'root', 'write', 'index.js')) as typeof import('../src/root/write/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-fill-'));
  try {
    const w = RootFileWriter.create(join(dir, 'fill.root'), { compressAhead: true, compression: { algorithm: 'zlib', level: 0 } });
    const t = w.createTree({ name: 'candidates', branches: [
      { name: 'm4l', type: 'f8' }, { name: 'mZ1', type: 'f8' }, { name: 'mZ2', type: 'f8' }, { name: 'pt4l', type: 'f8' },
      { name: 'channel', type: 'i4' }, { name: 'weight', type: 'f8' }, { name: 'iEv', type: 'i8' },
      { name: 'nLep', type: 'i4' }, { name: 'lep_pt', type: 'f4', shape: { counter: 'nLep' } },
      { name: 'lep_charge', type: 'i1', shape: { counter: 'nLep' } },
    ] });
    const pts = new Float32Array(4), qs = new Int8Array(4);
    const m0 = mainThreadMs();
    for (let i = 0; i < rows; i++) {
      const m4l = 100 + (i % 97) * 0.37, weight = i % 3 === 0 ? 1 : 0.5 + (i % 7) * 0.01;
      pts[0] = i % 50; qs[0] = (i & 1) ? 1 : -1;
      t.fill({ m4l, mZ1: m4l * 0.6, mZ2: m4l * 0.3, pt4l: m4l * 0.1, channel: i % 3, weight, iEv: i, nLep: 4, lep_pt: pts, lep_charge: qs });
    }
    const ms = mainThreadMs() - m0;
    await w.close();
    if (t.entries !== rows) throw new Error(`filled ${t.entries} rows, expected ${rows}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnRun(root: string, rows: number): number {
  const r = spawnSync(process.execPath, [process.argv[1]!, '--child', root, String(rows)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${root}: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').pop());
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') { console.log(await child(resolve(args[1]!), Number(args[2]))); return; }
  const bi = args.indexOf('--base');
  const base = bi >= 0 ? resolve(args.splice(bi, 2)[1]!) : null;
  const rows = Number(args[0] ?? 2_000_000), rounds = Number(args[1] ?? 5);
  const mine: number[] = [], theirs: number[] = [], load: number[] = [];
  for (let k = 0; k < rounds; k++) {
    load.push(loadavg()[0]!);
    mine.push(spawnRun(repo, rows));
    if (base) theirs.push(spawnRun(base, rows));
  }
  load.push(loadavg()[0]!);
  console.log(`TreeWriter.fill, ${rows} candidates rows, main-thread CPU, median of ${rounds} alternated runs, load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}`);
  console.log(`  ${repo.padEnd(40)} ${median(mine).toFixed(0)} ms (${(median(mine) * 1e6 / rows).toFixed(0)} ns/row)`);
  if (base) {
    console.log(`  ${base.padEnd(40)} ${median(theirs).toFixed(0)} ms (${(median(theirs) * 1e6 / rows).toFixed(0)} ns/row)`);
    console.log(`  this / base: ${(median(mine) / median(theirs)).toFixed(2)}×`);
  }
}

await main();
