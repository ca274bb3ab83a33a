// The inputs of one tree merge, opened and matched: every branch of each input's TTree (by its
// path of names), checked against the first input's (same leaves, types, classes), trees with what
// heppy cannot merge (an index, a TBranchRef) refused, and every branch's basket list checked to
// cover its entries once, in order. Every refusal is a RootError naming the file, tree and branch.
import type { JsBranch, JsLeaf, JsTree } from '../read/jsroot.js';
import { RootError } from '../errors.js';
import type { Source } from './keys.js';
import type { AppendedInput } from './in-place.js';
import { branchBaskets, type BranchBaskets } from './basket-runs.js';

/**
 * One input's tree: its file, raw byte source, compression setting, the TTree as jsroot shapes
 * it, and, when the input was appended whole to the output, where (its baskets are used there).
 */
export interface TreeInput { path: string; source: Source; compress: number; object: () => Promise<Record<string, unknown>>; appended: AppendedInput | null }

export type Obj = Record<string, unknown>;
export interface Node { path: string; b: JsBranch & Obj }

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

export function leavesOf(b: JsBranch): (JsLeaf & Obj)[] {
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

export interface Opened { input: TreeInput; tree: JsTree & Obj; nodes: Map<string, Node>; order: Node[]; entries: number }

export async function openTree(inp: TreeInput, treePath: string): Promise<Opened> {
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
export function refuseDropped(o: Opened, treePath: string): void {
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
export function match(first: Opened, o: Opened, treePath: string): Node[] {
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

/** Every input's basket lists (checked), first: the merged lists are then allocated once, at their size. */
export function basketLists(opened: Opened[], matched: Node[][], treePath: string): BranchBaskets[][] {
  return opened.map((o, x) => matched[x]!.map((n) => {
    const where = `${treePath}/${n.path}`;
    let r: BranchBaskets;
    try { r = branchBaskets(n.b); } catch (e) { throw new RootError(o.input.source.path, where, (e as Error).message); }
    checkBaskets(o.input.source.path, where, n.b, r, o.entries);
    return r;
  }));
}
