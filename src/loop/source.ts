// Where events come from: the chunk's files opened with heppy's ROOT reader, seen as one sequence
// (heppy's Events over several files). Injected into the looper so that tests can feed columns.
import { openRootFile, type RootFileReader } from '../root/read/index.js';
import type { Batch } from '../root/read/index.js';
import { RootError } from '../root/errors.js';
import { openEntries, type EntryReader } from '../root/rntuple/open.js';

export interface EventSource {
  /** Entries per input file, in order. */
  readonly entriesPerFile: readonly number[];
  /** Names of the numeric branches (what is read when analyzers do not declare theirs). */
  readonly numericBranches: readonly string[];
  /** Batches of columns of file `file`, entries [start, stop). */
  batches(file: number, names: string[], start: number, stop: number): AsyncIterable<Batch>;
  close(): void;
}

export class RootChainSource implements EventSource {
  private constructor(
    private readonly files: RootFileReader[],
    private readonly trees: EntryReader[],
    readonly entriesPerFile: number[],
    readonly numericBranches: string[],
  ) {}

  /** Opens every file and its tree (throws RootError naming the file). */
  static async open(paths: readonly string[], treeName: string): Promise<RootChainSource> {
    const files: RootFileReader[] = [];
    const trees: EntryReader[] = [];
    try {
      for (const p of paths) {
        const f = await openRootFile(p);
        files.push(f);
        trees.push(await openEntries(f, treeName)); // a TTree or an RNTuple
      }
    } catch (e) {
      for (const f of files) f.close();
      throw e;
    }
    const numeric = trees.length > 0 ? trees[0]!.branches.filter((b) => b.shape !== 'other').map((b) => b.name) : [];
    return new RootChainSource(files, trees, trees.map((t) => t.entries), numeric);
  }

  /** Fails (RootError) when a requested branch is missing from one of the files. */
  check(names: readonly string[], paths: readonly string[], treeName: string): void {
    this.trees.forEach((t, i) => {
      const have = new Set(t.branches.map((b) => b.name));
      for (const n of names) if (!have.has(n)) throw new RootError(paths[i]!, `${treeName}/${n}`, 'branch not found');
    });
  }

  batches(file: number, names: string[], start: number, stop: number): AsyncIterable<Batch> {
    return this.trees[file]!.batches(names, start, stop);
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}
