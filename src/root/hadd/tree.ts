// Concatenates one TTree (one key cycle) from several files, whatever its branches hold (numbers,
// strings, std::vector, objects, split class members): as ROOT's fast merge does, the stored
// baskets of every branch are copied as they are (entry offsets inside a basket count from the
// basket, so compressed bytes stay untouched; only the key's own seek fields change). Branches
// are matched by their path of names. The merged TTree is the first input's, with every
// branch's basket lists, entry counts and byte totals rewritten, streamed back in the class
// versions the inputs use. Baskets embedded in an input's TTree key are written out as keys.
// Here: the copy of the baskets; tree-match.ts opens and matches the inputs, tree-describe.ts
// rewrites the merged TTree's description.
import type { FileHandle } from '../read/basket.js';
import { RootError } from '../errors.js';
import { START_BIG_FILE, type RootFileWriter } from '../write/file.js';
import { WBuf } from '../write/wbuf.js';
import { ObjectWriter, SerializeError, type InfoLookup } from '../write/objects.js';
import type { Source } from './keys.js';
import { BasketCopier, allBigKeys, fillEntries, placeRun, type Placed } from './basket-copy.js';
import { mark } from './timing.js';
import { MergedBaskets, RUN_BYTES, isEmbedded, refAt, runsOf, type BranchBaskets } from './basket-runs.js';
import { basketLists, match, openTree, refuseDropped, type Node, type Opened, type TreeInput } from './tree-match.js';
import { describeTree } from './tree-describe.js';
export type { TreeInput } from './tree-match.js';

export interface TreeMergeOptions {
  lookup: InfoLookup;
  /** Recompress baskets of inputs whose compression setting differs from the writer's (hadd -f<N>, -ff). */
  recompress: boolean;
}

/** Where one tree's baskets go: the writer, the merged tree's directory, and the merged basket lists. */
interface CopyTo { w: RootFileWriter; seekDir: number; copier: BasketCopier; treePath: string; out: MergedBaskets[] }
/** Records basket i of branch j of the input being copied at its place in the merged lists. */
type Put = (j: number, i: number, p: Placed) => void;

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
