// The merged TTree's own description: the first input's TTree and branches rewritten for the
// concatenation (basket lists, entry and byte counts, leaf ranges over every input, cluster ranges
// shifted input by input), to be streamed back as the merged tree's key.
import type { JsBranch, JsLeaf, JsTree } from '../read/jsroot.js';
import type { MergedBaskets } from './basket-runs.js';
import { leavesOf, type Node, type Obj, type Opened } from './tree-match.js';

/** Cluster ranges of the concatenation: each input's ranges, shifted, closed at its last entry. */
export function clusterRanges(parts: Opened[]): { ends: number[]; sizes: number[] } {
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
export function describeTree(opened: Opened[], matched: Node[][], out: MergedBaskets[], entries: number): JsTree & Obj {
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
