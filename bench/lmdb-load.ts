// Loading lmdb as a store's first open does (src/store/lmdb-load.ts), three ways, each in a fresh
// process, alternated: from node_modules (`require('lmdb')`, LIBC set as heppy sets it), from the
// bundle dist/lmdb/lmdb.<hash>.cjs compiled without its code cache, and with it (what heppy does).
// Each child measures its own CPU (process.cpuUsage) from just before the load to after an open of
// ./cache (or a new store in a tmp dir) and one read: the cost every command that opens the store pays.
// Usage: node dist/bench/lmdb-load.js [rounds=10]   (after `npm run build`, which makes the bundle)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, repo } from './build-setup.js';
import { LMDB_BUNDLE_DIR, libcOfNode, thisTarget, usableBundle } from '../src/store/lmdb-load.js';

const rounds = Number(process.argv[2] ?? 10);
const libc = libcOfNode();
const bundle = libc === null ? null : usableBundle(LMDB_BUNDLE_DIR, thisTarget(libc));
if (libc === null || bundle === null || bundle.codeCache === null) {
  process.stdout.write('no bundle with a code cache in dist/lmdb fits this node: run `npm run build` first\n');
  process.exit(2);
}
const db = mkdtempSync(join(tmpdir(), 'heppy-bench-lmdb-'));
const child = (mode: 'package' | 'bundle' | 'cache'): string => `
  import { readFileSync } from 'node:fs';
  import { createRequire } from 'node:module';
  import { compileBundle } from ${JSON.stringify(join(repo, 'dist', 'src', 'store', 'lmdb-load.js'))};
  const code = ${mode === 'cache' ? `readFileSync(${JSON.stringify(bundle.codeCache)})` : 'undefined'};
  const c0 = process.cpuUsage();
  let l;
  if (${JSON.stringify(mode)} === 'package') { process.env.LIBC = ${JSON.stringify(libc)}; l = createRequire(${JSON.stringify(join(repo, 'package.json'))})('lmdb'); }
  else l = compileBundle(${JSON.stringify(bundle.file)}, code).exports;
  const d = l.open({ path: ${JSON.stringify(db)}, compression: false, noMemInit: true });
  d.get('task:x');
  const c = process.cpuUsage(c0);
  process.stdout.write(String((c.user + c.system) / 1000));
  await d.close();`;
const modes = ['package', 'bundle', 'cache'] as const;
const got: Record<(typeof modes)[number], number[]> = { package: [], bundle: [], cache: [] };
const loads: number[] = [];
for (let i = 0; i < rounds; i++) {
  loads.push(loadavg()[0]!);
  for (const m of modes) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child(m)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${m}: exit ${r.status}: ${r.stderr.slice(-500)}`);
    got[m].push(Number(r.stdout));
  }
}
rmSync(db, { recursive: true, force: true });
const per = (a: number[], b: number[]): string => median(a.map((x, i) => x / b[i]!)).toFixed(2);
process.stdout.write(`load average (1 min) at the rounds' starts: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
for (const m of modes) process.stdout.write(`${m.padEnd(8)} load + open + one read: median ${median(got[m]).toFixed(1)} ms CPU (${got[m].map((x) => x.toFixed(1)).join(', ')})\n`);
process.stdout.write(`bundle / package ${per(got.bundle, got.package)}×, bundle with code cache / package ${per(got.cache, got.package)}× (medians of per-round ratios)\n`);
