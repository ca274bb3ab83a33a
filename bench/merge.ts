// Merge benchmark: writes two input files of N entries each (not timed), then times
// mergeRootFiles on them against `cp` of the same input bytes, and reports the peak RSS of the
// merge. Usage: node dist/bench/merge.js [entries per file=5000000] [zlib|lz4|zstd|none]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter, type Algorithm } from '../src/root/write/index.js';
import { mergeRootFiles } from '../src/root/hadd/index.js';
import { makeAxis, makeHist1, fill1 } from '../src/root/hist.js';

const entries = Number(process.argv[2] ?? 5_000_000);
const algorithm = (process.argv[3] ?? 'zlib') as Algorithm;
const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-merge-'));

async function input(path: string, seed: number): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(100, 0, 10));
  const t = w.createTree({ name: 'events', branches: [
    { name: 'x', type: 'f8' }, { name: 'y', type: 'f4' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
  ] });
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = ((i * 7 + k) % 1000) * 0.01;
    const x = ((i * 13 + seed) % 10000) * 0.001;
    t.fill({ x, y: x * 2, n, pt: a.subarray(0, n) });
    if ((i & 63) === 0) fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

try {
  const ins = [join(dir, 'in1.root'), join(dir, 'in2.root')];
  await input(ins[0]!, 1);
  await input(ins[1]!, 2);
  const inBytes = ins.reduce((s, p) => s + statSync(p).size, 0);
  execFileSync('sync');
  execFileSync('mkdir', [join(dir, 'cp-dest')]);
  let t0 = performance.now();
  execFileSync('cp', [ins[0]!, ins[1]!, join(dir, 'cp-dest')]);
  const cp = (performance.now() - t0) / 1000;
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  t0 = performance.now();
  const r = await mergeRootFiles(join(dir, 'out.root'), ins);
  const merge = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  console.log(`merge 2 x ${entries} entries (${algorithm}), ${(inBytes / 1e6).toFixed(1)} MB of input: merge ${merge.toFixed(2)} s (${(inBytes / 1e6 / merge).toFixed(0)} MB/s), ` +
    `cp ${cp.toFixed(2)} s (${(inBytes / 1e6 / cp).toFixed(0)} MB/s): merge/cp throughput = ${(cp / merge).toFixed(2)}x, ${r.value.entries} entries out, peak RSS ${(peak / 1048576).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
