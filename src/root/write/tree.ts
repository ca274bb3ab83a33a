// TreeWriter: fills numeric branches entry by entry into per-branch big-endian buffers and
// writes them out as TBasket keys as soon as one branch's buffer reaches basketBytes (all
// branches flush together, so baskets line up into clusters). Memory is bounded by the basket
// size; only the per-basket bookkeeping (3 numbers per basket) grows with the entries.
// The branch layout is in tree-layout.ts, one branch's pending basket in tree-branch.ts, one
// row's all-or-nothing append in tree-row.ts.
import { typeSize } from '../types.js';
import { writeBasket, writeBasketLater, type BasketWritten } from './basket.js';
import { treePayload } from './tree-meta.js';
import type { RootFileWriter } from './file.js';
import { BranchBuf } from './tree-branch.js';
import { DEFAULT_BASKET_BYTES, type TreeFillValue, type TreeSpec } from './tree-layout.js';
import { RowAppender } from './tree-row.js';

export {
  DEFAULT_BASKET_BYTES, branchMetaFor,
  type BranchShape, type BranchSpec, type FillValue, type TreeBranchSpec, type TreeFillValue, type TreeSpec,
} from './tree-layout.js';

interface DirRef { seekDir: number }

export class TreeWriter {
  private readonly branches: BranchBuf[];
  private readonly byName = new Map<string, number>();
  private readonly basketBytes: number;
  private nEntries = 0;
  private basketStart = 0;
  private done = false;
  private totBytes = 0;
  private zipBytes = 0;
  private readonly rows: RowAppender;

  constructor(private readonly file: RootFileWriter, readonly spec: TreeSpec, private readonly dir: DirRef) {
    this.basketBytes = Math.max(1024, Math.floor(spec.basketBytes ?? DEFAULT_BASKET_BYTES));
    this.branches = spec.branches.map((b) => new BranchBuf(b, this.basketBytes, file.compressionSetting));
    this.branches.forEach((b, i) => {
      if (this.byName.has(b.spec.name)) throw new RangeError(`tree ${spec.name}: branch ${b.spec.name} declared twice`);
      this.byName.set(b.spec.name, i);
    });
    for (const b of this.branches) {
      const s = b.spec.shape;
      if (typeof s !== 'object' || !('counter' in s)) continue;
      const ci = this.byName.get(s.counter);
      const c = ci === undefined ? undefined : this.branches[ci]!;
      if (ci === undefined || c === undefined) throw new RangeError(`tree ${spec.name}: branch ${b.spec.name} names counter ${s.counter}, which is not a branch`);
      if (c.spec.type !== 'i4' || (c.spec.shape ?? 'scalar') !== 'scalar') throw new RangeError(`tree ${spec.name}: counter ${s.counter} must be an i4 scalar branch`);
      if (ci > this.byName.get(b.spec.name)!) throw new RangeError(`tree ${spec.name}: counter ${s.counter} must be declared before ${b.spec.name}`);
      b.counterIdx = ci;
      b.meta.leaf.counter = ci;
      c.meta.leaf.isRange = true;
    }
    this.rows = new RowAppender(spec.name, this.branches, this.basketBytes);
  }

  get entries(): number { return this.nEntries; }

  /**
   * Appends one entry to every branch, or to none: a row with a bad value (a missing branch, a
   * string for a number, an array that disagrees with its counter, a non-integer for an i8) throws
   * a RangeError naming the branch and leaves the tree as it was before the call.
   */
  fill(row: Record<string, TreeFillValue>): void {
    if (this.done) throw new Error(`tree ${this.spec.name}: fill after the file was closed`);
    const full = this.rows.append(row, this.nEntries - this.basketStart);
    this.nEntries++;
    if (full) this.flush();
  }

  /** Writes the pending entries of every branch as one basket each. */
  flush(): void {
    if (this.nEntries === this.basketStart) return;
    for (const b of this.branches) this.writeBasket(b);
    this.basketStart = this.nEntries;
  }

  private writeBasket(b: BranchBuf): void {
    if (b.jagged) b.offsets.push(b.pos);
    const input = {
      branch: b.spec.name, tree: this.spec.name, dirSeek: this.dir.seekDir, values: b.buf.subarray(0, b.pos),
      offsets: b.jagged ? b.offsets : null, n: b.n, nevBufSize: b.jagged ? 1000 : b.size * typeSize[b.num],
      bufferSize: this.basketBytes,
    };
    const m = b.meta;
    const k = m.basketEntry.length;
    m.basketEntry.push(this.basketStart);
    const record = (r: BasketWritten): void => {
      m.basketBytes[k] = r.nbytes;
      m.basketSeek[k] = r.seek;
      m.totBytes += r.keylen + r.objlen;
      m.zipBytes += r.nbytes;
      this.totBytes += r.keylen + r.objlen;
      this.zipBytes += r.nbytes;
    };
    if (this.file.compressAhead) writeBasketLater(this.file, input, record); // compressed on the codec thread
    else record(writeBasket(this.file, input));
    b.reset();
  }

  /** Writes the last baskets and the TTree key (called by RootFileWriter.close). */
  finish(): void {
    if (this.done) return;
    this.flush();
    this.done = true;
    for (const b of this.branches) {
      b.meta.entries = this.nEntries;
      if (b.meta.leaf.isRange || b.kind === 'string') b.meta.leaf.max = b.max;
    }
    const meta = {
      name: this.spec.name, title: this.spec.title ?? '', entries: this.nEntries,
      totBytes: this.totBytes, zipBytes: this.zipBytes, branches: this.branches.map((b) => b.meta),
    };
    this.file.writeKey({
      className: 'TTree', name: this.spec.name, title: meta.title, dir: this.dir as never, compress: true,
      payload: (keylen) => treePayload(meta, keylen),
    });
  }
}

