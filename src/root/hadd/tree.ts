// Concatenates one TTree from several files: baskets stored on disk are copied as they are
// (compressed bytes untouched; only the key's own seek fields and the branch's fBasketSeek /
// fBasketEntry change), baskets embedded in an input's TTree key are written out as their own
// keys. One basket is in memory at a time.
import { TreeReader, type RootFileReader } from '../read/index.js';
import { leafBranches, planBranch } from '../read/branches.js';
import type { JsTree } from '../read/jsroot.js';
import type { BranchInfo } from '../types.js';
import type { BasketRef, BranchPlan } from '../read/branches.js';
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

/**
 * The tree's metadata, decoded by jsroot once: reading plans of its leaf branches and the
 * fMaximum of every leaf (the counters' bound). Basket bytes are read through `src`.
 */
async function openTree(inp: TreeInput, treePath: string): Promise<{ tree: TreeReader; maxima: Map<string, number> }> {
  const file = inp.reader.path;
  const t = (await inp.reader.object(treePath)) as JsTree;
  const entries = Number(t.fEntries);
  if (!Number.isSafeInteger(entries) || entries < 0 || !t.fBranches || !Array.isArray(t.fBranches.arr)) {
    throw new RootError(file, treePath, 'TTree metadata is corrupt (entries or branch list)');
  }
  const leaves = leafBranches(t.fBranches.arr);
  let plans: BranchPlan[];
  try {
    plans = leaves.map((b) => planBranch(b, inp.reader.js));
  } catch (e) {
    if (e instanceof RootError) throw e;
    throw new RootError(file, treePath, `cannot understand the branches: ${(e as Error).message}`);
  }
  const maxima = new Map<string, number>();
  for (const b of leaves) {
    const m = (b.fLeaves?.arr[0] as { fMaximum?: unknown } | null | undefined)?.fMaximum;
    if (typeof m === 'number') maxima.set(b.fName, m);
  }
  return { tree: new TreeReader({ fd: inp.source.fd, size: inp.source.size, path: file }, treePath, entries, plans), maxima };
}

/** Baskets are copied in contiguous runs of at most this size (bigger baskets: one per run). */
const RUN_BYTES = 1024 * 1024;

/** Points a copied key at its new place: fSeekKey and fSeekPdir (64-bit or 32-bit form). */
function patchKey(dv: DataView, off: number, seek: number, seekPdir: number): void {
  if (dv.getInt16(off + 4) > 1000) { dv.setBigInt64(off + 18, BigInt(seek)); dv.setBigInt64(off + 26, BigInt(seekPdir)); } else { dv.setInt32(off + 18, seek); dv.setInt32(off + 22, seekPdir); }
}

/** One basket: copied as stored when its key form allows the new position, else decoded and written anew. */
async function copyOne(w: RootFileWriter, src: Source, t: TreeReader, p: BranchPlan, i: number, ref: BasketRef,
  tree: string, dirSeek: number, m: BranchMeta, treePath: string, branch: string): Promise<{ seek: number; nbytes: number; tot: number }> {
  if (ref.embedded === null) {
    const raw = src.read(ref.seek, ref.bytes, `${treePath}/${branch} basket ${ref.index}`);
    const dv = new DataView(raw.buffer);
    if (dv.getInt16(4) > 1000 || w.position + raw.length < START_BIG_FILE) {
      const seek = w.position;
      patchKey(dv, 0, seek, dirSeek);
      w.append(raw);
      return { seek, nbytes: raw.length, tot: dv.getInt16(14) + dv.getInt32(6) };
    }
  }
  // Embedded in the input's TTree key (or a 32-bit key that would land past 2 GB): written out anew.
  const rb = await t.rawBasket(p, i);
  const r = writeBasket(w, {
    branch, tree, dirSeek, values: rb.data, offsets: rb.offsets, n: rb.n,
    nevBufSize: rb.offsets ? 1000 : m.leaf.len * m.leaf.lenType, bufferSize: 32000,
  });
  return { seek: r.seek, nbytes: r.nbytes, tot: r.keylen + r.objlen };
}

interface Stored { j: number; i: number; ref: BasketRef }
interface Run { s0: number; s1: number; seek: number; len: number }

/** Stored baskets of all branches in file order, grouped into contiguous runs of about RUN_BYTES. */
function runsOf(plans: BranchPlan[]): { stored: Stored[]; runs: Run[] } {
  const stored: Stored[] = [];
  plans.forEach((p, j) => p.baskets.forEach((ref, i) => { if (ref.embedded === null) stored.push({ j, i, ref }); }));
  stored.sort((x, y) => x.ref.seek - y.ref.seek);
  const runs: Run[] = [];
  for (let s0 = 0; s0 < stored.length;) {
    let s1 = s0 + 1;
    const seek = stored[s0]!.ref.seek;
    let len = stored[s0]!.ref.bytes;
    while (s1 < stored.length && stored[s1]!.ref.seek === seek + len && len + stored[s1]!.ref.bytes <= RUN_BYTES) { len += stored[s1]!.ref.bytes; s1++; }
    runs.push({ s0, s1, seek, len });
    s0 = s1;
  }
  return { stored, runs };
}

/** Whether every basket key of a run (read into buf) has the 64-bit form, so that it may be copied anywhere. */
function allBigKeys(buf: Buffer, run: Run, stored: Stored[]): boolean {
  for (let x = run.s0, off = 0; x < run.s1; x++) {
    if (off + 6 > run.len || buf.readInt16BE(off + 4) <= 1000) return false;
    off += stored[x]!.ref.bytes;
  }
  return true;
}

export async function mergeTree(w: RootFileWriter, dir: string, name: string, title: string, treePath: string, inputs: TreeInput[]): Promise<number> {
  const opened: { tree: TreeReader; maxima: Map<string, number> }[] = [];
  for (const i of inputs) opened.push(await openTree(i, treePath));
  const readers = opened.map((o) => o.tree);
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
  for (const o of opened) {
    for (const m of metas) if (m.leaf.isRange) m.leaf.max = Math.max(Number(m.leaf.max), o.maxima.get(m.name) ?? 0);
  }
  const jobs = readers.map((t, k) => {
    const plans = first.branches.map((b) => { const p = t.plan(b.name); t.checkCoverage(p); return p; });
    const placed: { seek: number; nbytes: number; tot: number }[][] = plans.map((p) => new Array(p.baskets.length));
    return { t, src: inputs[k]!.source, plans, placed, ...runsOf(plans) };
  });
  // One reused run buffer, read and written on this thread: at ≤ 1 MiB it stays in the CPU's
  // cache between the read and the write (measured: 16 MB buffers, or reading on the thread pool,
  // cost 1.5-4× the CPU of the copy, more than `cp` itself).
  let buf = Buffer.allocUnsafe(RUN_BYTES);
  let offset = 0, totBytes = 0, zipBytes = 0;
  for (const job of jobs) {
    const { t, src, plans, placed, stored, runs } = job;
    for (const run of runs) {
      const runStart = w.position;
      if (buf.length < run.len) buf = Buffer.allocUnsafe(run.len); // one basket larger than a run
      src.readInto(buf, run.seek, run.len, `${treePath} baskets at ${run.seek}`);
      if (runStart + run.len >= START_BIG_FILE && !allBigKeys(buf, run, stored)) {
        // 32-bit keys may not land past 2 GB: copied one by one, rewritten where needed.
        for (let x = run.s0; x < run.s1; x++) {
          const { j, i, ref } = stored[x]!;
          placed[j]![i] = await copyOne(w, src, t, plans[j]!, i, ref, name, d.seekDir, metas[j]!, treePath, first.branches[j]!.name);
        }
        continue;
      }
      const dv = new DataView(buf.buffer, buf.byteOffset, run.len);
      for (let x = run.s0, off = 0; x < run.s1; x++) {
        const { j, i, ref } = stored[x]!;
        if (dv.getInt32(off) !== ref.bytes) throw new RootError(src.path, `${treePath}/${first.branches[j]!.name}`, `basket ${ref.index} at ${ref.seek}: key says ${dv.getInt32(off)} bytes, branch says ${ref.bytes}`);
        patchKey(dv, off, runStart + off, d.seekDir);
        placed[j]![i] = { seek: runStart + off, nbytes: ref.bytes, tot: dv.getInt16(off + 14) + dv.getInt32(off + 6) };
        off += ref.bytes;
      }
      w.append(buf.subarray(0, run.len));
    }
    for (const [j, p] of plans.entries()) {
      const m = metas[j]!;
      for (const [i, ref] of p.baskets.entries()) {
        const r = placed[j]![i] ?? await copyOne(w, src, t, p, i, ref, name, d.seekDir, m, treePath, p.info.name);
        m.basketBytes.push(r.nbytes);
        m.basketEntry.push(offset + ref.entryStart);
        m.basketSeek.push(r.seek);
        m.totBytes += r.tot; m.zipBytes += r.nbytes;
        totBytes += r.tot; zipBytes += r.nbytes;
      }
    }
    offset += t.entries;
  }
  for (const m of metas) m.entries = offset;
  const meta = { name, title, entries: offset, totBytes, zipBytes, branches: metas };
  w.writeKey({ className: 'TTree', name, title, dir: d, compress: true, payload: (keylen) => treePayload(meta, keylen) });
  return offset;
}
