// Concatenates one TTree (one key cycle) from several files, whatever its branches hold (numbers,
// strings, std::vector, objects, split class members): as ROOT's fast merge does, the stored
// baskets of every branch are copied as they are (entry offsets inside a basket count from the
// basket, so compressed bytes stay untouched; only the key's own seek fields change). Branches
// are matched by their path of names. The merged TTree is the first input's, with every
// branch's basket lists, entry counts and byte totals rewritten, streamed back in the class
// versions the inputs use. Baskets embedded in an input's TTree key are written out as keys.
import type { FileHandle } from '../read/basket.js';
import type { JsBranch, JsLeaf, JsTree } from '../read/jsroot.js';
import { RootError } from '../errors.js';
import { START_BIG_FILE, type RootFileWriter } from '../write/file.js';
import { WBuf } from '../write/wbuf.js';
import { ObjectWriter, SerializeError, type InfoLookup } from '../write/objects.js';
import type { Source } from './keys.js';
import type { AppendedInput } from './in-place.js';
import { BasketCopier, allBigKeys, fillEntries, placeRun, type Placed } from './basket-copy.js';
import { mark } from './timing.js';
import { MergedBaskets, RUN_BYTES, branchBaskets, isEmbedded, refAt, runsOf, type BranchBaskets } from './basket-runs.js';

/**
 * One input's tree: its file, raw byte source, compression setting, the TTree as jsroot shapes
 * it, and, when the input was appended whole to the output, where (its baskets are used there).
 */
export interface TreeInput { path: string; source: Source; compress: number; object: () => Promise<Record<string, unknown>>; appended: AppendedInput | null }

export interface TreeMergeOptions {
  lookup: InfoLookup;
  /** Recompress baskets of inputs whose compression setting differs from the writer's (hadd -f<N>, -ff). */
  recompress: boolean;
}

type Obj = Record<string, unknown>;
interface Node { path: string; b: JsBranch & Obj }

/** Every branch of the tree (parents included: split objects and collections keep data there too), depth first. */
function allBranches(t: JsTree): Node[] {
  const out: Node[] = [];
  const seen = new Set<object>();
  const walk = (bs: (JsBranch | null)[], prefix: string, depth: number): void => {
    if (depth > 64) throw new Error('branches nested more than 64 deep');
    for (const b of bs) {
      if (b === null || typeof b !== 'object' || seen.has(b)) continue;
      seen.add(b);
      const path = prefix + b.fName;
      out.push({ path, b: b as JsBranch & Obj });
      walk(Array.isArray(b.fBranches?.arr) ? b.fBranches.arr : [], path + '/', depth + 1);
    }
  };
  walk(t.fBranches.arr, '', 0);
  return out;
}

function leavesOf(b: JsBranch): (JsLeaf & Obj)[] {
  return (b.fLeaves?.arr ?? []).filter((l): l is JsLeaf => l !== null) as (JsLeaf & Obj)[];
}

/** What must agree for baskets of one input to continue another's. */
function signature(b: JsBranch & Obj): string {
  const leaves = leavesOf(b).map((l) => `${l._typename} ${l.fName} len ${l.fLen} size ${l.fLenType} ${l.fIsUnsigned ? 'unsigned' : ''} count ${l.fLeafCount?.fName ?? '-'}`);
  const cls = b.fClassName ? ` class ${String(b.fClassName)}` : '';
  const st = b.fStreamerType !== undefined ? ` streamer type ${b.fStreamerType}` : '';
  const ty = b.fType !== undefined ? ` type ${b.fType}` : '';
  return `${b._typename}${cls}${st}${ty} [${leaves.join('; ')}]`;
}

interface Opened { input: TreeInput; tree: JsTree & Obj; nodes: Map<string, Node>; order: Node[]; entries: number }

async function openTree(inp: TreeInput, treePath: string): Promise<Opened> {
  const file = inp.path;
  const t = (await inp.object()) as JsTree & Obj;
  const entries = Number(t.fEntries);
  if (!Number.isSafeInteger(entries) || entries < 0 || !t.fBranches || !Array.isArray(t.fBranches.arr)) {
    throw new RootError(file, treePath, 'TTree metadata is corrupt (entries or branch list)');
  }
  let order: Node[];
  try { order = allBranches(t); } catch (e) { throw new RootError(file, treePath, (e as Error).message); }
  const nodes = new Map<string, Node>();
  for (const n of order) if (!nodes.has(n.path)) nodes.set(n.path, n);
  return { input: inp, tree: t, nodes, order, entries };
}

/**
 * ROOT's hadd re-sorts a TTreeIndex over the merged entries and merges a TBranchRef's reference
 * table; heppy does neither, and a merged tree silently without them would answer GetEntryWithIndex
 * and TRef lookups wrongly: such a tree is refused, naming the file and what it holds.
 */
function refuseDropped(o: Opened, treePath: string): void {
  const t = o.tree;
  const idx = t.fTreeIndex as Obj | null | undefined;
  if (idx !== null && idx !== undefined) {
    const what = idx.fMajorName !== undefined ? ` on ${String(idx.fMajorName)}${idx.fMinorName ? `, ${String(idx.fMinorName)}` : ''}` : '';
    throw new RootError(o.input.path, treePath, `has an index (${String(idx._typename ?? 'TVirtualIndex')}${what}), which heppy cannot merge: merge without it and call BuildIndex on the merged tree`);
  }
  if (t.fBranchRef !== null && t.fBranchRef !== undefined) {
    throw new RootError(o.input.path, treePath, 'has a TBranchRef (a table of TRef references), which heppy cannot merge');
  }
}

/** The branch of `o` matching each branch of the first input, or the reason they differ. */
function match(first: Opened, o: Opened, treePath: string): Node[] {
  const f0 = first.input.path, f = o.input.path;
  for (const n of o.order) {
    if (!first.nodes.has(n.path)) throw new RootError(f, `${treePath}/${n.path}`, `branch is not in ${f0} (branches are matched by name)`);
  }
  return first.order.map((n) => {
    const m = o.nodes.get(n.path);
    if (m === undefined) throw new RootError(f, `${treePath}/${n.path}`, `branch is missing (it is in ${f0})`);
    const a = signature(n.b), b = signature(m.b);
    if (a !== b) throw new RootError(f, `${treePath}/${n.path}`, `branch differs: ${b}, in ${f0}: ${a}`);
    return m;
  });
}

/** Checks that a branch's baskets cover its entries once, in order, and that it has the tree's entries. */
function checkBaskets(file: string, where: string, b: JsBranch, l: BranchBaskets, treeEntries: number): void {
  const entries = Number(b.fEntries);
  if (l.n === 0) return; // a branch without data of its own (the top of a split object)
  if (entries !== treeEntries) throw new RootError(file, where, `branch has ${entries} entries, the tree ${treeEntries}: cannot be concatenated`);
  let at = 0;
  for (let i = 0; i < l.n; i++) {
    const start = l.start[i]!, stop = l.stop[i]!;
    if (start !== at || stop < start) throw new RootError(file, where, `basket ${l.index[i]!} covers entries ${start}-${stop}, expected to start at ${at}`);
    at = stop;
  }
  if (at !== entries) throw new RootError(file, where, `baskets cover ${at} entries, the branch has ${entries}`);
}

/** Cluster ranges of the concatenation: each input's ranges, shifted, closed at its last entry. */
function clusterRanges(parts: Opened[]): { ends: number[]; sizes: number[] } {
  const ends: number[] = [], sizes: number[] = [];
  let offset = 0;
  for (const o of parts) {
    const t = o.tree;
    if (o.entries === 0) continue;
    const n = Number(t.fNClusterRange ?? 0);
    const e = (t.fClusterRangeEnd ?? []) as ArrayLike<number>, s = (t.fClusterSize ?? []) as ArrayLike<number>;
    for (let i = 0; i < n && i < e.length; i++) { ends.push(offset + Number(e[i])); sizes.push(Number(s[i] ?? 0)); }
    const af = Number(t.fAutoFlush ?? 0);
    if (ends.length === 0 || ends[ends.length - 1]! < offset + o.entries - 1) { ends.push(offset + o.entries - 1); sizes.push(af > 0 ? af : o.entries); }
    offset += o.entries;
  }
  return { ends, sizes };
}

function sumField(objs: Obj[], f: string): number { return objs.reduce((s, o) => s + Number(o[f] ?? 0), 0); }

/** Where one tree's baskets go: the writer, the merged tree's directory, and the merged basket lists. */
interface CopyTo { w: RootFileWriter; seekDir: number; copier: BasketCopier; treePath: string; out: MergedBaskets[] }
/** Records basket i of branch j of the input being copied at its place in the merged lists. */
type Put = (j: number, i: number, p: Placed) => void;

/** Every input's basket lists (checked), first: the merged lists are then allocated once, at their size. */
function basketLists(opened: Opened[], matched: Node[][], treePath: string): BranchBaskets[][] {
  return opened.map((o, x) => matched[x]!.map((n) => {
    const where = `${treePath}/${n.path}`;
    let r: BranchBaskets;
    try { r = branchBaskets(n.b); } catch (e) { throw new RootError(o.input.source.path, where, (e as Error).message); }
    checkBaskets(o.input.source.path, where, n.b, r, o.entries);
    return r;
  }));
}

/**
 * Copies an input's stored baskets as runs of adjacent bytes, each placed in one pass; a run that
 * would cross the 2 GB mark with small keys is rewritten basket by basket. Returns the (maybe grown) buffer.
 */
async function copyRuns(c: CopyTo, src: Source, branches: Node[], refs: BranchBaskets[], base: number[], put: Put, buf: Buffer): Promise<Buffer> {
  const { w, treePath } = c;
  const h: FileHandle = { fd: src.fd, size: src.size, path: src.path };
  const runs = runsOf(refs);
  for (let r = 0; r < runs.runs; r++) {
    const s0 = runs.start[r]!, s1 = runs.start[r + 1]!;
    const seek = runs.seek[s0]!, len = runs.seek[s1 - 1]! + runs.bytes[s1 - 1]! - seek;
    const runStart = w.position;
    if (buf.length < len) buf = Buffer.allocUnsafe(len);
    src.readInto(buf, seek, len, `${treePath} baskets at ${seek}`);
    if (runStart + len >= START_BIG_FILE && !allBigKeys(buf, runs, r)) {
      for (let s = s0; s < s1; s++) {
        const j = runs.branch[s]!, i = runs.index[s]!;
        put(j, i, await c.copier.rewrite(h, branches[j]!.b, refAt(refs[j]!, i), `${treePath}/${branches[j]!.path}`));
      }
      continue;
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, len);
    const bad = placeRun(dv, runs, r, runStart, c.seekDir, c.out, base);
    if (bad >= 0) {
      const j = runs.branch[bad]!;
      const off = runs.seek[bad]! - seek;
      throw new RootError(src.path, `${treePath}/${branches[j]!.path}`, `basket ${refs[j]!.index[runs.index[bad]!]!} at ${runs.seek[bad]!}: key says ${dv.getInt32(off)} bytes, branch says ${runs.bytes[bad]!}`);
    }
    w.append(buf.subarray(0, len));
  }
  return buf;
}

/**
 * Copies one input's baskets (in place when it was appended whole, recompressed, or as runs) and
 * then its embedded ones, and adds its entries to the merged lists. Returns the (maybe grown) buffer.
 */
async function copyInput(c: CopyTo, o: Opened, branches: Node[], refs: BranchBaskets[], offset: number, recompress: boolean, buf: Buffer): Promise<Buffer> {
  const { w, treePath, out } = c;
  const src = o.input.source;
  const nb = refs.length;
  // Basket i of branch j of this input is basket base[j] + i of the merged branch.
  const base = out.map((a) => a.n);
  const put: Put = (j, i, p) => out[j]!.put(base[j]! + i, p.seek, p.nbytes, p.tot);
  const appended = o.input.appended;
  if (appended !== null && !recompress) {
    for (let j = 0; j < nb; j++) for (let i = 0; i < refs[j]!.n; i++) {
      if (!isEmbedded(refs[j]!, i)) put(j, i, appended.take(src, refAt(refs[j]!, i), c.seekDir, `${treePath}/${branches[j]!.path}`));
    }
  } else if (recompress) {
    for (let j = 0; j < nb; j++) for (let i = 0; i < refs[j]!.n; i++) {
      if (!isEmbedded(refs[j]!, i)) put(j, i, await c.copier.recompress(src, refAt(refs[j]!, i), `${treePath}/${branches[j]!.path}`, w.compression));
    }
  } else {
    buf = await copyRuns(c, src, branches, refs, base, put, buf);
  }
  const h: FileHandle = { fd: src.fd, size: src.size, path: src.path };
  for (let j = 0; j < nb; j++) {
    const acc = out[j]!, rs = refs[j]!, k0 = base[j]!;
    // Embedded baskets (and any not placed above) are written out as keys now, in branch order.
    if (!fillEntries(acc, rs.start, rs.n, k0, offset)) {
      for (let i = 0; i < rs.n; i++) if (!acc.placed(k0 + i)) put(j, i, await c.copier.rewrite(h, branches[j]!.b, refAt(rs, i), `${treePath}/${branches[j]!.path}`));
    }
    acc.n += rs.n;
    acc.entries += Number(branches[j]!.b.fEntries);
  }
  return buf;
}

/** Rewrites a branch of the first input to describe its merged baskets; leaf ranges over `all` (its match in every input). */
function describeBranch(b: JsBranch & Obj, a: MergedBaskets, all: (JsBranch & Obj)[]): void {
  // Typed arrays, streamed in bulk (WBuf.i32s/i64s); the slot after the last basket holds the entry count, as ROOT's.
  a.entry[a.n] = a.entries;
  b.fBasketBytes = a.bytes as unknown as number[];
  b.fBasketEntry = a.entry as unknown as number[];
  b.fBasketSeek = a.seek as unknown as number[];
  b.fMaxBaskets = a.cap;
  b.fWriteBasket = a.n;
  b.fEntries = a.entries;
  b.fEntryNumber = a.entries;
  b.fTotBytes = a.tot;
  b.fZipBytes = a.zip;
  b.fReadBasket = 0;
  (b as Obj).fBaskets = { _typename: 'TObjArray', name: '', arr: [], fLowerBound: 0, fUniqueID: 0, fBits: 0x03000000 };
  // Leaf ranges (a counter's fMaximum bounds the arrays it sizes) over every input.
  if (typeof b.fMaximum === 'number') b.fMaximum = Math.max(...all.map((x) => Number((x as Obj).fMaximum ?? 0)));
  leavesOf(b).forEach((l, li) => {
    const ls = all.map((x) => leavesOf(x)[li]).filter((y): y is JsLeaf & Obj => y !== undefined);
    if (typeof l.fMaximum === 'number') l.fMaximum = Math.max(...ls.map((y) => Number(y.fMaximum ?? 0)));
    if (typeof l.fMinimum === 'number') l.fMinimum = Math.min(...ls.map((y) => Number(y.fMinimum ?? 0)));
  });
}

/** The first input's tree, rewritten to describe the concatenation of `opened` (`entries` in all). */
function describeTree(opened: Opened[], matched: Node[][], out: MergedBaskets[], entries: number): JsTree & Obj {
  const first = opened[0]!;
  let totBytes = 0, zipBytes = 0;
  first.order.forEach((n, j) => {
    const a = out[j]!;
    describeBranch(n.b, a, matched.map((m) => m[j]!.b));
    totBytes += a.tot; zipBytes += a.zip;
  });
  const t = first.tree;
  const trees = opened.map((o) => o.tree);
  t.fEntries = entries;
  t.fTotBytes = totBytes;
  t.fZipBytes = zipBytes;
  if ('fSavedBytes' in t) t.fSavedBytes = sumField(trees, 'fSavedBytes');
  if ('fFlushedBytes' in t) t.fFlushedBytes = zipBytes;
  if ('fNClusterRange' in t) {
    const c = clusterRanges(opened);
    t.fNClusterRange = c.ends.length; t.fMaxClusterRange = c.ends.length;
    t.fClusterRangeEnd = c.ends; t.fClusterSize = c.sizes;
  }
  if ('fIndexValues' in t) t.fIndexValues = [];
  if ('fIndex' in t) t.fIndex = [];
  return t;
}

type TreeKey = { dir: string; name: string; title: string; className: string; cycle: number };

/**
 * Merges the tree `id` ('dir/name;cycle') of the inputs into `w`, as key `name` with `cycle`
 * in `dir`. Returns the number of entries. Throws RootError naming the file, tree and branch.
 */
export async function mergeTree(w: RootFileWriter, k: TreeKey, treePath: string, inputs: TreeInput[], opts: TreeMergeOptions): Promise<number> {
  const opened: Opened[] = [];
  for (const i of inputs) opened.push(await openTree(i, treePath));
  for (const o of opened) refuseDropped(o, treePath);
  mark(`${treePath}: trees decoded`);
  const first = opened[0]!;
  const matched = opened.map((o) => (o === first ? first.order : match(first, o, treePath)));
  const d = w.dir(k.dir, true);
  const refsOf = basketLists(opened, matched, treePath);
  mark(`${treePath}: basket lists`);
  const out = first.order.map((_, j) => new MergedBaskets(refsOf.reduce((sum, refs) => sum + refs[j]!.n, 0)));
  const to: CopyTo = { w, seekDir: d.seekDir, copier: new BasketCopier(w, d.seekDir, k.name), treePath, out };
  let offset = 0;
  let buf: Buffer = Buffer.allocUnsafe(RUN_BYTES);
  const target = w.compressionSetting;
  for (const [x, o] of opened.entries()) {
    buf = await copyInput(to, o, matched[x]!, refsOf[x]!, offset, opts.recompress && o.input.compress !== target, buf);
    offset += o.entries;
  }
  mark(`${treePath}: baskets copied`);
  const t = describeTree(opened, matched, out, offset);
  const cls = String(t._typename || k.className);
  try {
    w.writeKey({
      className: k.className, name: k.name, title: k.title, dir: d, compress: true, cycle: k.cycle,
      payload: (keylen) => { const b = new WBuf(64 * 1024, keylen); new ObjectWriter(b, opts.lookup).classBody(t, cls); return b.bytes(); },
    });
  } catch (e) {
    if (e instanceof SerializeError) throw new RootError(first.input.path, treePath, `cannot write the merged tree: ${e.message}`);
    throw e;
  }
  mark(`${treePath}: merged tree written`);
  return offset;
}
