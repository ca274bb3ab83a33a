// One way to open "the tree" of a component: a TTree or an RNTuple of that name, both read
// into the same column batches (the looper does not know which it got).
import type { BranchInfo } from '../types.js';
import type { Batch, RootFileReader } from '../read/index.js';
import { RNTupleReader, RNTUPLE_CLASS } from './reader.js';

export interface EntryReader {
  readonly entries: number;
  readonly branches: BranchInfo[];
  batches(names: string[], start?: number, stop?: number): AsyncIterable<Batch>;
  /** Starts decoding the first window of a later batches() call ahead (TTrees with decodeAhead set). */
  prefetch?(names: string[], start?: number, stop?: number): void;
}

/** The TTree or RNTuple at `path` (throws RootError naming file and key, e.g. when it is neither). */
export async function openEntries(f: RootFileReader, path: string): Promise<EntryReader> {
  const name = path.split(';')[0]!;
  const k = f.keys().filter((x) => x.path === name).sort((a, b) => b.cycle - a.cycle)[0];
  if (k !== undefined && k.className === RNTUPLE_CLASS) return RNTupleReader.open(f, path);
  return f.tree(path);
}
