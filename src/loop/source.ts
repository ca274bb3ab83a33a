// Where events come from: the chunk's files opened with heppy's ROOT reader, seen as one sequence
// (heppy's Events over several files). Injected into the looper so that tests can feed columns.
import { openRootFile, TreeReader, type RootFileReader } from '../root/read/index.js';
import type { Batch } from '../root/read/index.js';
import { openEntries, type EntryReader } from '../root/rntuple/open.js';
import { RNTUPLE_CLASS } from '../root/rntuple/reader.js';
import { TaskFailureError } from '../util/failure.js';

export interface EventSource {
  /** Entries per input file, in order. */
  readonly entriesPerFile: readonly number[];
  /** Names of the branches readable as columns, numeric and string (what is read when analyzers do not declare theirs). */
  readonly columnBranches: readonly string[];
  /** The input files, in order, when the events come from files (named in failures). */
  readonly inputFiles?: readonly string[];
  /** Batches of columns of file `file`, entries [start, stop). */
  batches(file: number, names: string[], start: number, stop: number): AsyncIterable<Batch>;
  /** A hint: batches(file, names, start, stop) comes next; its first baskets may start decoding now. */
  prefetch?(file: number, names: string[], start: number, stop: number): void;
  close(): void;
}

export class RootChainSource implements EventSource {
  private constructor(
    private readonly readers: RootFileReader[],
    private readonly trees: EntryReader[],
    readonly inputFiles: readonly string[],
    readonly entriesPerFile: number[],
    readonly columnBranches: string[],
  ) {}

  /**
   * Opens every file and its tree. A file that cannot be read throws RootError (an input failure);
   * a file without the tree throws a schema failure (TaskFailureError), naming the trees it has.
   */
  static async open(paths: readonly string[], treeName: string): Promise<RootChainSource> {
    const files: RootFileReader[] = [];
    const trees: EntryReader[] = [];
    try {
      for (const p of paths) {
        const f = await openRootFile(p);
        files.push(f);
        const name = treeName.split(';')[0]!;
        if (!f.keys().some((k) => k.path === name)) {
          const have = f.keys().filter((k) => ['TTree', 'TNtuple', 'TNtupleD', RNTUPLE_CLASS].includes(k.className)).map((k) => k.path);
          throw new TaskFailureError({ kind: 'schema', file: p, tree: treeName,
            reason: `no tree named ${treeName} in the file${have.length ? ` (it has: ${have.slice(0, 5).join(', ')})` : ''}` });
        }
        const t = await openEntries(f, treeName); // a TTree or an RNTuple
        // The loop works on one window while the next one is decompressed on the codec thread.
        if (t instanceof TreeReader) t.decodeAhead = true;
        trees.push(t);
      }
    } catch (e) {
      for (const f of files) f.close();
      throw e;
    }
    const columns = trees.length > 0 ? trees[0]!.branches.filter((b) => b.shape !== 'other' || b.strings !== undefined).map((b) => b.name) : [];
    return new RootChainSource(files, trees, [...paths], trees.map((t) => t.entries), columns);
  }

  /** Fails (a schema TaskFailureError) when a requested branch is missing from one of the files. */
  check(names: readonly string[], paths: readonly string[], treeName: string): void {
    this.trees.forEach((t, i) => {
      const have = new Set(t.branches.map((b) => b.name));
      for (const n of names) {
        if (!have.has(n)) throw new TaskFailureError({ kind: 'schema', file: paths[i]!, tree: treeName, branch: n, reason: 'branch not found' });
      }
    });
  }

  batches(file: number, names: string[], start: number, stop: number): AsyncIterable<Batch> {
    return this.trees[file]!.batches(names, start, stop);
  }

  prefetch(file: number, names: string[], start: number, stop: number): void {
    this.trees[file]?.prefetch?.(names, start, stop);
  }

  close(): void {
    for (const f of this.readers) f.close();
  }
}
