// Independent read-back through jsroot (not heppy's reader): sums of every branch, histogram fields.
import { openFile } from 'jsroot';
import { treeProcess, TSelector } from 'jsroot/tree';

export interface JsHist { _typename: string; fEntries: number; fTsumw: number; fTsumw2: number; fTsumwx: number; fTsumwx2: number; fTsumwy?: number; fTsumwxy?: number; fArray: ArrayLike<number>; fSumw2: ArrayLike<number>; fXaxis: { fNbins: number; fXmin: number; fXmax: number; fXbins: ArrayLike<number> } }

export async function jsrootKeys(path: string): Promise<string[]> {
  const f = await openFile(path);
  return (f.fKeys as { fName: string; fClassName: string }[]).map((k) => `${k.fName}:${k.fClassName}`);
}

export async function jsrootObject<T>(path: string, name: string): Promise<T> {
  const f = await openFile(path);
  const quiet = console.log;
  console.log = () => {};
  try { return (await f.readObject(name)) as T; } finally { console.log = quiet; }
}

/** Entries and per-branch sums (arrays summed over their elements) as jsroot reads them. */
export async function jsrootSums(path: string, tree: string, names: string[]): Promise<{ entries: number; count: number; sums: Record<string, number> }> {
  const t = await jsrootObject<{ fEntries: number }>(path, tree);
  const sel = new TSelector();
  for (const n of names) sel.addBranch(n);
  const sums: Record<string, number> = {};
  let count = 0;
  sel.Process = function (this: { tgtobj: Record<string, unknown> }) {
    count++;
    for (const n of names) {
      const v = this.tgtobj[n];
      const add = (a: unknown) => { sums[n] = (sums[n] ?? 0) + Number(a); };
      if (v !== null && typeof v === 'object' && 'length' in (v as object)) Array.from(v as ArrayLike<unknown>).forEach(add); else add(v);
    }
  };
  await treeProcess(t, sel);
  return { entries: t.fEntries, count, sums };
}
