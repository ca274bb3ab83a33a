// Write benchmark: a 10 M-entry tree (f8, f4, i4 and an i4-counted f4 array) written with heppy's
// writer; prints MB/s of file bytes and of uncompressed payload, and the peak RSS (memory must not
// grow with the entries). Usage: node dist/bench/write.js [entries=10000000] [zlib|lz4|zstd|none] [out]
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter, prepareCompression, type Algorithm } from '../src/root/write/index.js';

const entries = Number(process.argv[2] ?? 10_000_000);
const algorithm = (process.argv[3] ?? 'zlib') as Algorithm;
const out = process.argv[4] ?? join(tmpdir(), `heppy-bench-write-${process.pid}.root`);
const keep = process.argv[4] !== undefined;

let peak = 0;
const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
const timer = setInterval(sample, 50);

const t0 = performance.now();
await prepareCompression({ algorithm });
const w = RootFileWriter.create(out, { compression: { algorithm } });
const t = w.createTree({ name: 'events', branches: [
  { name: 'x', type: 'f8' }, { name: 'y', type: 'f4' }, { name: 'run', type: 'i4' },
  { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
] });
const pt = [new Float32Array(0), new Float32Array(1), new Float32Array(2), new Float32Array(3)];
let payload = 0;
for (let i = 0; i < entries; i++) {
  const n = i & 3;
  const a = pt[n]!;
  for (let k = 0; k < n; k++) a[k] = (i % 1000) * 0.1 + k;
  t.fill({ x: i * 0.001, y: (i % 977) * 0.5, run: 1 + (i >> 20), n, pt: a });
  payload += 8 + 4 + 4 + 4 + 4 * n;
  if ((i & 0xfffff) === 0) sample();
}
await w.close();
const secs = (performance.now() - t0) / 1000;
clearInterval(timer);
sample();
const bytes = statSync(out).size;
console.log(`write ${entries} entries (${algorithm}): ${secs.toFixed(2)} s, file ${(bytes / 1e6).toFixed(1)} MB -> ${(bytes / 1e6 / secs).toFixed(1)} MB/s on disk, ` +
  `${(payload / 1e6 / secs).toFixed(1)} MB/s of uncompressed values, ${(entries / secs / 1e6).toFixed(2)} M entries/s, peak RSS ${(peak / 1048576).toFixed(0)} MiB`);
if (!keep) rmSync(out, { force: true });
