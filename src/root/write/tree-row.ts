// One row into a tree's branch buffers, all or nothing: the values are read in branch order,
// checked and encoded branch by branch, and a row refused part way is taken back from the
// branches it had reached, so every branch keeps the same number of entries.
import { typeSize } from '../types.js';
import type { BranchBuf } from './tree-branch.js';
import { STL_VECTOR_VERSION, type TreeFillValue } from './tree-layout.js';

type RowReader = (row: Record<string, TreeFillValue>, out: (TreeFillValue | undefined)[]) => void;

/**
 * A function reading one row's values in branch order with a named property load per branch
 * (`out[0] = row["m4l"]; …`), compiled once per tree. `row[name]` with the name changing at each
 * branch was a megamorphic keyed load (a stub-cache probe per branch and row: half of fill's own
 * time in the demo); a named load at its own site stays monomorphic on the analyzer's row literal.
 * The names are JSON string literals, so no name can inject code.
 */
function rowReader(names: readonly string[]): RowReader {
  const body = names.map((n, i) => `out[${i}] = row[${JSON.stringify(n)}];`).join('\n');
  return new Function('row', 'out', body) as RowReader;
}

export class RowAppender {
  /** The row's values in branch order, overwritten by each append (see rowReader). */
  private readonly values: (TreeFillValue | undefined)[];
  private readonly readRow: RowReader;
  /** Where each branch stood before the row being appended (byte position, entry-offset count, largest value). */
  private readonly rowPos: Int32Array;
  private readonly rowOffsets: Int32Array;
  private readonly rowMax: Float64Array;

  constructor(private readonly tree: string, private readonly branches: readonly BranchBuf[], private readonly basketBytes: number) {
    this.values = branches.map(() => undefined);
    this.readRow = rowReader(branches.map((b) => b.spec.name));
    this.rowPos = new Int32Array(branches.length);
    this.rowOffsets = new Int32Array(branches.length);
    this.rowMax = new Float64Array(branches.length);
  }

  /**
   * Appends the row to every branch (true when a branch's buffer reached the basket size), or to
   * none: a bad value throws a RangeError naming the branch after taking the row back.
   * `pending` is the number of entries the branches hold before this row.
   */
  append(row: Record<string, TreeFillValue>, pending: number): boolean {
    const values = this.values;
    this.readRow(row, values);
    try {
      return this.encode(row, values);
    } catch (e) {
      this.takeBack(pending);
      throw e;
    }
  }

  /**
   * Undoes the current row in the branches it reached: those that took their entry (n one more
   * than `pending`) and the one that threw, the first with n unchanged (it may have written part
   * of its entry); the branches after it were not touched.
   */
  private takeBack(pending: number): void {
    for (let k = 0; k < this.branches.length; k++) {
      const b = this.branches[k]!;
      const threw = b.n === pending;
      b.n = pending;
      b.pos = this.rowPos[k]!;
      b.offsets.length = this.rowOffsets[k]!;
      b.max = this.rowMax[k]!;
      if (threw) return;
    }
  }

  private encode(row: Record<string, TreeFillValue>, values: (TreeFillValue | undefined)[]): boolean {
    let full = false;
    const tree = this.tree;
    // An index loop: the for-of iterator and its result objects were ~275 bytes of garbage per row.
    const branches = this.branches, rowPos = this.rowPos, rowOffsets = this.rowOffsets, rowMax = this.rowMax;
    // Counters come first in branch order: a jagged branch's length is checked against its counter's value.
    for (let k = 0; k < branches.length; k++) {
      const b = branches[k]!;
      const v = values[k];
      rowPos[k] = b.pos; rowOffsets[k] = b.offsets.length; rowMax[k] = b.max;
      if (b.kind === 'string') {
        if (typeof v !== 'string') throw new RangeError(`tree ${tree}: branch ${b.spec.name} needs a string`);
        const bytes = Buffer.from(v, 'utf8');
        b.offsets.push(b.pos);
        b.ensure(bytes.length + 5);
        if (bytes.length < 255) b.view.setUint8(b.pos++, bytes.length);
        else { b.view.setUint8(b.pos, 255); b.view.setInt32(b.pos + 1, bytes.length); b.pos += 5; }
        b.buf.set(bytes, b.pos); b.pos += bytes.length;
        if (bytes.length > b.max) b.max = bytes.length;
      } else if (b.kind === 'vector') {
        if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${tree}: branch ${b.spec.name} needs an array`);
        b.offsets.push(b.pos);
        const bytes = 10 + v.length * typeSize[b.num];
        b.ensure(bytes);
        // A streamed std::vector: byte count, class version, length, then the values.
        b.view.setUint32(b.pos, ((bytes - 4) | 0x40000000) >>> 0); b.view.setUint16(b.pos + 4, STL_VECTOR_VERSION); b.view.setInt32(b.pos + 6, v.length);
        b.pos += 10;
        b.putAll(v, v.length);
      } else if (typeof v === 'string') {
        throw new RangeError(`tree ${tree}: branch ${b.spec.name} is numeric, got a string`);
      } else if (b.jagged) {
        if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${tree}: branch ${b.spec.name} needs an array`);
        const cv = values[b.counterIdx!];
        if (cv !== undefined && Number(cv) !== v.length) {
          throw new RangeError(`tree ${tree}: branch ${b.spec.name} has ${v.length} values but its counter says ${Number(cv)}`);
        }
        b.offsets.push(b.pos);
        b.ensure(v.length * 8);
        b.putAll(v, v.length);
      } else if (b.size > 1) {
        if (v === undefined || typeof v !== 'object' || v.length !== b.size) throw new RangeError(`tree ${tree}: branch ${b.spec.name} needs ${b.size} values`);
        b.ensure(b.size * 8);
        b.putAll(v, b.size);
      } else {
        let x: number | bigint | boolean;
        if (v === undefined) {
          if (!b.meta.leaf.isRange) throw new RangeError(`tree ${tree}: no value for branch ${b.spec.name}`);
          x = this.counted(k, row);
        } else if (typeof v === 'object') throw new RangeError(`tree ${tree}: branch ${b.spec.name} is a scalar`);
        else x = v;
        if (b.meta.leaf.isRange && Number(x) > b.max) b.max = Number(x);
        b.ensure(8);
        b.put(x);
      }
      b.n++;
      if (b.pos >= this.basketBytes) full = true;
    }
    return full;
  }

  /** A counter's value when the row leaves it out: the length of the (first) array it counts. */
  private counted(ci: number, row: Record<string, TreeFillValue>): number {
    const user = this.branches.find((b) => b.counterIdx === ci);
    const v = user ? row[user.spec.name] : undefined;
    if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${this.tree}: no value for counter ${this.branches[ci]!.spec.name}`);
    return (v as ArrayLike<unknown>).length;
  }
}
