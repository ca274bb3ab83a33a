// Big-file check (> 2 GB, 64-bit seeks): writes an uncompressed tree past 2.1 GB with
// heppy's writer, then reads the last entries back with heppy's reader and with jsroot, and
// merges the file with itself (4.3 GB) and reads the end of the merge. Opt-in (disk and time):
// node dist/bench/write-big.js [dir=/tmp]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter } from '../src/root/write/index.js';
import { openRootFile } from '../src/root/read/index.js';
import { mergeRootFiles } from '../src/root/hadd/index.js';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'heppy-big-'));
const path = join(dir, 'big.root');
const perEntry = 8 * 32; // one f8[32] fixed array
const entries = Math.ceil(2.15e9 / perEntry);
try {
  let t0 = performance.now();
  const w = RootFileWriter.create(path, { compression: { algorithm: 'none' } });
  const t = w.createTree({ name: 'big', basketBytes: 1 << 20, branches: [{ name: 'i', type: 'i8' }, { name: 'a', type: 'f8', shape: { fixed: 32 } }] });
  const a = new Float64Array(32);
  for (let e = 0; e < entries; e++) { a[0] = e; a[31] = -e; t.fill({ i: BigInt(e), a }); }
  await w.close();
  const size = statSync(path).size;
  console.log(`wrote ${entries} entries, ${(size / 1e9).toFixed(2)} GB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const check = async (p: string, n: number) => {
    const f = await openRootFile(p);
    try {
      const tr = await f.tree('big');
      if (tr.entries !== n) throw new Error(`${p}: ${tr.entries} entries, expected ${n}`);
      const last = await tr.column('a', n - 2, n);
      const iv = await tr.column('i', n - 1, n);
      const want = (n - 1) % entries;
      const v = last.values as Float64Array;
      if (v[32] !== want || v[63] !== -want || (iv.values as BigInt64Array)[0] !== BigInt(want)) throw new Error(`${p}: last entry reads ${v[32]}, ${v[63]}, ${(iv.values as BigInt64Array)[0]}; expected ${want}`);
      console.log(`${p}: heppy reader reads entry ${n - 1} (past ${(size / 1e9).toFixed(1)} GB) correctly`);
    } finally { f.close(); }
    const { openFile } = await import('jsroot');
    const jf = await openFile(p);
    const jt = await jf.readObject('big') as { fEntries: number; fBranches: { arr: { fBasketSeek: number[]; fWriteBasket: number }[] } };
    const b = jt.fBranches.arr[1]!;
    console.log(`${p}: jsroot sees ${jt.fEntries} entries, last basket of 'a' at byte ${b.fBasketSeek[b.fWriteBasket - 1]}`);
  };
  await check(path, entries);
  t0 = performance.now();
  const r = await mergeRootFiles(join(dir, 'merged.root'), [path, path]);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  console.log(`merged to ${(statSync(join(dir, 'merged.root')).size / 1e9).toFixed(2)} GB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await check(join(dir, 'merged.root'), 2 * entries);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
