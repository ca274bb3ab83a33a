// Concatenates one TTree from several files: baskets stored on disk are copied as they are
// (compressed bytes untouched; only the key's own seek fields and the branch's fBasketSeek /
// fBasketEntry change), baskets embedded in an input's TTree key are written out as their own
// keys. One basket is in memory at a time.
import type { RootFileReader, TreeReader } from '../read/index.js';
import type { BranchInfo } from '../types.js';
import { RootError } from '../errors.js';
import type { RootFileWriter } from '../write/file.js';
import { branchMetaFor, type BranchSpec } from '../write/tree.js';
import { writeBasket } from '../write/basket.js';
import { type BranchMeta, treePayload } from '../write/tree-meta.js';
import type { Source } from './keys.js';
import { START_BIG_FILE } from '../write/file.js';

export interface TreeInput { reader: RootFileReader; source: Source }

function specOf(file: string, tree: string, b: BranchInfo): BranchSpec {
  if (b.type === null || b.shape === 'other' || (b.shape === 'jagged' && b.counter === undefined)) {
    throw new RootError(file, `${tree}/${b.name}`, `branch of type ${b.typename} cannot be merged (only numeric scalar, fixed-size and counter-sized array branches)`);
  }
  switch (b.shape) {
    case 'scalar': return { name: b.name, type: b.type };
    case 'fixed': return { name: b.name, type: b.type, shape: { fixed: b.size ?? 1 } };
    case 'jagged': return { name: b.name, type: b.type, shape: { counter: b.counter! } };
  }
}

function describe(b: BranchInfo): string { return `${b.name} (${b.typename})`; }

function sameBranches(a: BranchInfo[], b: BranchInfo[]): string | null {
  const names = (x: BranchInfo[]) => x.map((y) => y.name).join(',');
  if (names(a) !== names(b)) {
    const onlyA = a.filter((x) => !b.some((y) => y.name === x.name)).map((x) => x.name);
    const onlyB = b.filter((x) => !a.some((y) => y.name === x.name)).map((x) => x.name);
    if (onlyA.length + onlyB.length === 0) return 'branches are in a different order';
    return `branches differ: ${onlyA.length ? `missing ${onlyA.join(', ')}` : ''}${onlyA.length && onlyB.length ? '; ' : ''}${onlyB.length ? `extra ${onlyB.join(', ')}` : ''}`;
  }
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.type !== y.type || x.shape !== y.shape || x.size !== y.size || x.counter !== y.counter) return `branch ${describe(y)} differs from ${describe(x)} in the first file`;
  }
  return null;
}

async function counterMax(r: RootFileReader, treePath: string): Promise<Map<string, number>> {
  const t = (await r.object(treePath)) as { fBranches?: { arr: ({ fName: string; fLeaves?: { arr: ({ fMaximum?: number } | null)[] } } | null)[] } };
  const out = new Map<string, number>();
  for (const b of t.fBranches?.arr ?? []) {
    const m = b?.fLeaves?.arr[0]?.fMaximum;
    if (b && typeof m === 'number') out.set(b.fName, m);
  }
  return out;
}

export async function mergeTree(w: RootFileWriter, dir: string, name: string, title: string, treePath: string, inputs: TreeInput[]): Promise<number> {
  const readers: TreeReader[] = [];
  for (const i of inputs) readers.push(await i.reader.tree(treePath));
  const first = readers[0]!;
  const firstFile = inputs[0]!.reader.path;
  readers.forEach((t, k) => {
    const why = sameBranches(first.branches, t.branches);
    if (why !== null) throw new RootError(inputs[k]!.reader.path, treePath, `${why} (compared with ${firstFile})`);
  });
  const d = w.dir(dir, true);
  const metas: BranchMeta[] = first.branches.map((b) => branchMetaFor(specOf(firstFile, treePath, b), w.compressionSetting, 32000));
  const index = new Map(first.branches.map((b, i) => [b.name, i] as const));
  metas.forEach((m, i) => {
    const b = first.branches[i]!;
    if (b.counter !== undefined) {
      const ci = index.get(b.counter);
      if (ci === undefined || ci > i) throw new RootError(firstFile, `${treePath}/${b.name}`, `counter ${b.counter} is not a branch before it`);
      m.leaf.counter = ci;
      metas[ci]!.leaf.isRange = true;
    }
  });
  for (const inp of inputs) {
    const maxima = await counterMax(inp.reader, treePath);
    for (const m of metas) if (m.leaf.isRange) m.leaf.max = Math.max(Number(m.leaf.max), maxima.get(m.name) ?? 0);
  }
  let offset = 0, totBytes = 0, zipBytes = 0;
  for (const [k, t] of readers.entries()) {
    const src = inputs[k]!.source;
    for (const [j, b] of first.branches.entries()) {
      const plan = t.plan(b.name);
      t.checkCoverage(plan);
      const m = metas[j]!;
      for (const [i, ref] of plan.baskets.entries()) {
        let seek: number, nbytes: number, tot: number;
        const where = `${treePath}/${b.name} basket ${ref.index}`;
        const raw = ref.embedded === null ? src.read(ref.seek, ref.bytes, where) : null;
        const dv = raw ? new DataView(raw.buffer) : null;
        const bigKey = dv !== null && dv.getInt16(4) > 1000;
        if (raw && dv && (bigKey || w.position + raw.length < START_BIG_FILE)) {
          // Copy as stored: only the key's fSeekKey/fSeekPdir change (entry offsets count from the key start, unchanged).
          seek = w.position;
          if (bigKey) { dv.setBigInt64(18, BigInt(seek)); dv.setBigInt64(26, BigInt(d.seekDir)); } else { dv.setInt32(18, seek); dv.setInt32(22, d.seekDir); }
          w.append(raw);
          nbytes = raw.length;
          tot = dv.getInt16(14) + dv.getInt32(6);
        } else {
          // Embedded in the input's TTree key (or a 32-bit key that would land past 2 GB): write it out anew.
          const rb = await t.rawBasket(plan, i);
          const r = writeBasket(w, {
            branch: b.name, tree: name, dirSeek: d.seekDir, values: rb.data, offsets: rb.offsets, n: rb.n,
            nevBufSize: rb.offsets ? 1000 : m.leaf.len * m.leaf.lenType, bufferSize: 32000,
          });
          seek = r.seek; nbytes = r.nbytes; tot = r.keylen + r.objlen;
        }
        m.basketBytes.push(nbytes);
        m.basketEntry.push(offset + ref.entryStart);
        m.basketSeek.push(seek);
        m.totBytes += tot; m.zipBytes += nbytes;
        totBytes += tot; zipBytes += nbytes;
      }
    }
    offset += t.entries;
  }
  for (const m of metas) m.entries = offset;
  const meta = { name, title, entries: offset, totBytes, zipBytes, branches: metas };
  w.writeKey({ className: 'TTree', name, title, dir: d, compress: true, payload: (keylen) => treePayload(meta, keylen) });
  return offset;
}
