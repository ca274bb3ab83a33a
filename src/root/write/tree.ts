// TreeWriter: fills numeric branches entry by entry into per-branch big-endian buffers and
// writes them out as TBasket keys as soon as one branch's buffer reaches basketBytes (all
// branches flush together, so baskets line up into clusters). Memory is bounded by the basket
// size; only the per-basket bookkeeping (3 numbers per basket) grows with the entries.
import type { NumType } from '../types.js';
import { typeSize } from '../types.js';
import { assertNever } from '../../util/result.js';
import { writeBasket, writeBasketLater, type BasketWritten } from './basket.js';
import { type BranchMeta, type LeafClass, treePayload } from './tree-meta.js';
import type { RootFileWriter } from './file.js';

export type BranchShape = 'scalar' | { fixed: number } | { counter: string };
export interface BranchSpec { name: string; type: NumType; shape?: BranchShape; title?: string }
/**
 * What a tree written by heppy may hold beyond numeric columns: a char* branch (one UTF-8 string
 * per entry) and a std::vector<T> branch (any length per entry, no counter branch).
 */
export type TreeBranchSpec = BranchSpec
  | { name: string; type: 'string'; shape?: 'scalar'; title?: string }
  | { name: string; type: NumType; shape: 'vector'; title?: string };
export interface TreeSpec { name: string; title?: string; dir?: string; branches: TreeBranchSpec[]; basketBytes?: number }
export type FillValue = number | bigint | boolean | ArrayLike<number> | ArrayLike<bigint>;
export type TreeFillValue = FillValue | string;

/** The STL class ROOT names a std::vector<T> by, with its checksum (as ROOT 6 writes them). */
const vectorClasses: Partial<Record<NumType, [string, number]>> = {
  i2: ['vector<short>', 89793095], i4: ['vector<int>', 9976712], i8: ['vector<long>', 29930537],
  u2: ['vector<unsigned short>', 2186716184], u4: ['vector<unsigned int>', 3106279697], u8: ['vector<unsigned long>', 728904900],
  bool: ['vector<bool>', 29929751], f4: ['vector<float>', 89790107], f8: ['vector<double>', 269370212],
};
const STL_VECTOR_VERSION = 6;

export const DEFAULT_BASKET_BYTES = 64 * 1024;

interface DirRef { seekDir: number }

const leafOf: Record<NumType, [LeafClass, string, boolean]> = {
  i1: ['TLeafB', 'B', false], u1: ['TLeafB', 'b', true], bool: ['TLeafO', 'O', false],
  i2: ['TLeafS', 'S', false], u2: ['TLeafS', 's', true], i4: ['TLeafI', 'I', false], u4: ['TLeafI', 'i', true],
  i8: ['TLeafL', 'L', false], u8: ['TLeafL', 'l', true], f4: ['TLeafF', 'F', false], f8: ['TLeafD', 'D', false],
};

/** The branch metadata (title, leaf class and title) heppy writes for a branch spec. */
export function branchMetaFor(spec: TreeBranchSpec, compress: number, basketBytes: number): BranchMeta {
  const shape = spec.shape ?? 'scalar';
  const base = {
    name: spec.name, compress, basketSize: basketBytes, entryOffsetLen: 1000, entries: 0, totBytes: 0, zipBytes: 0,
    basketBytes: [], basketEntry: [], basketSeek: [],
  };
  if (spec.type === 'string') {
    if (shape !== 'scalar') throw new RangeError(`branch ${spec.name}: a string branch holds one string per entry (shape scalar)`);
    return { ...base, title: spec.title ?? `${spec.name}/C`, leaf: {
      className: 'TLeafC', name: spec.name, title: spec.name, len: 1, lenType: 1, isRange: false, isUnsigned: false, counter: null, min: 0, max: 0,
    } };
  }
  if (shape === 'vector') {
    const vc = vectorClasses[spec.type];
    if (vc === undefined) throw new RangeError(`branch ${spec.name}: std::vector of ${spec.type} is not written (use a counter-sized array)`);
    return { ...base, title: spec.title ?? spec.name, element: { className: vc[0], checksum: vc[1], classVersion: STL_VECTOR_VERSION }, leaf: {
      className: 'TLeafElement', name: spec.name, title: spec.name, len: 1, lenType: typeSize[spec.type], isRange: false, isUnsigned: false, counter: null, min: 0, max: 0,
    } };
  }
  const [cls, letter, unsigned] = leafOf[spec.type];
  let dims = '', len = 1;
  if (shape === 'scalar') len = 1;
  else if ('fixed' in shape) {
    if (!Number.isInteger(shape.fixed) || shape.fixed < 1) throw new RangeError(`branch ${spec.name}: fixed size must be a positive integer`);
    len = shape.fixed; dims = `[${shape.fixed}]`;
  } else dims = `[${shape.counter}]`;
  const jagged = typeof shape === 'object' && 'counter' in shape;
  return {
    name: spec.name, title: spec.title ?? `${spec.name}${dims}/${letter}`, compress, basketSize: basketBytes,
    entryOffsetLen: jagged ? 1000 : 0, entries: 0, totBytes: 0, zipBytes: 0,
    basketBytes: [], basketEntry: [], basketSeek: [],
    leaf: {
      className: cls, name: spec.name, title: spec.name + dims, len, lenType: typeSize[spec.type],
      isRange: false, isUnsigned: unsigned, counter: null, min: 0, max: 0,
    },
  };
}

class BranchBuf {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  n = 0;
  offsets: number[] = [];
  max = 0;
  readonly meta: BranchMeta;
  readonly size: number;       // values per entry for fixed arrays, 1 otherwise
  counterIdx: number | null = null;
  /** What an entry holds: numbers (scalar, fixed, counter-sized), a string, or a std::vector. */
  readonly kind: 'num' | 'string' | 'vector';
  readonly num: NumType;

  constructor(readonly spec: TreeBranchSpec, basketBytes: number, compress: number) {
    this.buf = new Uint8Array(basketBytes + 1024);
    this.view = new DataView(this.buf.buffer);
    this.meta = branchMetaFor(spec, compress, basketBytes);
    this.size = this.meta.leaf.len;
    this.kind = spec.type === 'string' ? 'string' : spec.shape === 'vector' ? 'vector' : 'num';
    this.num = spec.type === 'string' ? 'u1' : spec.type;
    const shape = spec.shape;
    this.jagged = this.kind !== 'num' || (typeof shape === 'object' && 'counter' in shape);
  }

  /**
   * Whether an entry's byte length varies (the basket carries an entry-offset table). A field: a
   * getter looking into the spec (`'counter' in shape`, specs of several shapes) ran for every
   * branch of every row, and deoptimised fill.
   */
  readonly jagged: boolean;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  put(v: number | bigint | boolean): void {
    const dv = this.view, p = this.pos;
    const t = this.num;
    switch (t) {
      case 'f8': dv.setFloat64(p, Number(v)); this.pos += 8; return;
      case 'f4': dv.setFloat32(p, Number(v)); this.pos += 4; return;
      case 'i4': dv.setInt32(p, Number(v)); this.pos += 4; return;
      case 'u4': dv.setUint32(p, Number(v)); this.pos += 4; return;
      case 'i2': dv.setInt16(p, Number(v)); this.pos += 2; return;
      case 'u2': dv.setUint16(p, Number(v)); this.pos += 2; return;
      case 'i1': dv.setInt8(p, Number(v)); this.pos += 1; return;
      case 'u1': dv.setUint8(p, Number(v)); this.pos += 1; return;
      case 'bool': dv.setUint8(p, v === true || (v !== false && Number(v) !== 0) ? 1 : 0); this.pos += 1; return;
      case 'i8': case 'u8':
        // A safe integer is written as two 32-bit words: no BigInt allocated per value.
        if (typeof v === 'number' && Number.isSafeInteger(v) && (t === 'i8' || v >= 0)) {
          const hi = Math.floor(v / 4294967296);
          dv.setInt32(p, hi); dv.setUint32(p + 4, v - hi * 4294967296);
        } else if (t === 'i8') dv.setBigInt64(p, toBig(v, this.spec.name));
        else dv.setBigUint64(p, toBig(v, this.spec.name));
        this.pos += 8; return;
      default: assertNever(t, 'branch type');
    }
  }

  /**
   * The first n values of an array entry: one type switch, then a plain loop (put() per value took
   * each value as an argument: a double read from an array was boxed for every call).
   */
  putAll(v: ArrayLike<number | bigint | boolean>, n: number): void {
    const dv = this.view;
    let p = this.pos;
    switch (this.num) {
      case 'f8': for (let i = 0; i < n; i++, p += 8) dv.setFloat64(p, Number(v[i])); break;
      case 'f4': for (let i = 0; i < n; i++, p += 4) dv.setFloat32(p, Number(v[i])); break;
      case 'i4': for (let i = 0; i < n; i++, p += 4) dv.setInt32(p, Number(v[i])); break;
      case 'u4': for (let i = 0; i < n; i++, p += 4) dv.setUint32(p, Number(v[i])); break;
      case 'i2': for (let i = 0; i < n; i++, p += 2) dv.setInt16(p, Number(v[i])); break;
      case 'u2': for (let i = 0; i < n; i++, p += 2) dv.setUint16(p, Number(v[i])); break;
      case 'i1': for (let i = 0; i < n; i++, p += 1) dv.setInt8(p, Number(v[i])); break;
      case 'u1': for (let i = 0; i < n; i++, p += 1) dv.setUint8(p, Number(v[i])); break;
      case 'bool': case 'i8': case 'u8': for (let i = 0; i < n; i++) this.put(v[i]!); return;
      default: assertNever(this.num, 'branch type');
    }
    this.pos = p;
  }

  reset(): void { this.pos = 0; this.n = 0; this.offsets.length = 0; }
}

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

function toBig(v: number | bigint | boolean, name: string): bigint {
  if (typeof v === 'bigint') return v;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`branch ${name}: ${n} is not an integer`);
  return BigInt(n);
}

export class TreeWriter {
  private readonly branches: BranchBuf[];
  private readonly byName = new Map<string, number>();
  private readonly basketBytes: number;
  private nEntries = 0;
  private basketStart = 0;
  private done = false;
  private totBytes = 0;
  private zipBytes = 0;
  /** The row's values in branch order, overwritten by each fill (see rowReader). */
  private readonly values: (TreeFillValue | undefined)[];
  private readonly readRow: RowReader;
  /**
   * Where each branch stood before the row being filled (byte position, entry-offset count,
   * largest value): a row refused half way (a bad value in its fifth branch) is taken back from the
   * branches it had reached, so every branch keeps the same number of entries.
   */
  private readonly rowPos: Int32Array;
  private readonly rowOffsets: Int32Array;
  private readonly rowMax: Float64Array;

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
    this.values = this.branches.map(() => undefined);
    this.readRow = rowReader(this.branches.map((b) => b.spec.name));
    this.rowPos = new Int32Array(this.branches.length);
    this.rowOffsets = new Int32Array(this.branches.length);
    this.rowMax = new Float64Array(this.branches.length);
  }

  get entries(): number { return this.nEntries; }

  /**
   * Appends one entry to every branch, or to none: a row with a bad value (a missing branch, a
   * string for a number, an array that disagrees with its counter, a non-integer for an i8) throws
   * a RangeError naming the branch and leaves the tree as it was before the call.
   */
  fill(row: Record<string, TreeFillValue>): void {
    if (this.done) throw new Error(`tree ${this.spec.name}: fill after the file was closed`);
    const values = this.values;
    this.readRow(row, values);
    let full: boolean;
    try {
      full = this.append(row, values);
    } catch (e) {
      this.takeBack();
      throw e;
    }
    this.nEntries++;
    if (full) this.flush();
  }

  /**
   * Undoes the current row in the branches it reached: those that took their entry (n one more
   * than the tree's pending entries) and the one that threw, the first with n unchanged (it may
   * have written part of its entry); the branches after it were not touched.
   */
  private takeBack(): void {
    const entries = this.nEntries - this.basketStart;
    for (let k = 0; k < this.branches.length; k++) {
      const b = this.branches[k]!;
      const threw = b.n === entries;
      b.n = entries;
      b.pos = this.rowPos[k]!;
      b.offsets.length = this.rowOffsets[k]!;
      b.max = this.rowMax[k]!;
      if (threw) return;
    }
  }

  /**
   * The row's values into the branches' buffers (takeBack undoes it if this throws); true when a
   * branch's buffer reached the basket size.
   */
  private append(row: Record<string, TreeFillValue>, values: (TreeFillValue | undefined)[]): boolean {
    let full = false;
    // An index loop: the for-of iterator and its result objects were ~275 bytes of garbage per row.
    const branches = this.branches, rowPos = this.rowPos, rowOffsets = this.rowOffsets, rowMax = this.rowMax;
    // Counters come first in branch order: a jagged branch's length is checked against its counter's value.
    for (let k = 0; k < branches.length; k++) {
      const b = branches[k]!;
      const v = values[k];
      rowPos[k] = b.pos; rowOffsets[k] = b.offsets.length; rowMax[k] = b.max;
      if (b.kind === 'string') {
        if (typeof v !== 'string') throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} needs a string`);
        const bytes = Buffer.from(v, 'utf8');
        b.offsets.push(b.pos);
        b.ensure(bytes.length + 5);
        if (bytes.length < 255) b.view.setUint8(b.pos++, bytes.length);
        else { b.view.setUint8(b.pos, 255); b.view.setInt32(b.pos + 1, bytes.length); b.pos += 5; }
        b.buf.set(bytes, b.pos); b.pos += bytes.length;
        if (bytes.length > b.max) b.max = bytes.length;
      } else if (b.kind === 'vector') {
        if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} needs an array`);
        b.offsets.push(b.pos);
        const bytes = 10 + v.length * typeSize[b.num];
        b.ensure(bytes);
        // A streamed std::vector: byte count, class version, length, then the values.
        b.view.setUint32(b.pos, ((bytes - 4) | 0x40000000) >>> 0); b.view.setUint16(b.pos + 4, STL_VECTOR_VERSION); b.view.setInt32(b.pos + 6, v.length);
        b.pos += 10;
        b.putAll(v, v.length);
      } else if (typeof v === 'string') {
        throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} is numeric, got a string`);
      } else if (b.jagged) {
        if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} needs an array`);
        const cv = values[b.counterIdx!];
        if (cv !== undefined && Number(cv) !== v.length) {
          throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} has ${v.length} values but its counter says ${Number(cv)}`);
        }
        b.offsets.push(b.pos);
        b.ensure(v.length * 8);
        b.putAll(v, v.length);
      } else if (b.size > 1) {
        if (v === undefined || typeof v !== 'object' || v.length !== b.size) throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} needs ${b.size} values`);
        b.ensure(b.size * 8);
        b.putAll(v, b.size);
      } else {
        let x: number | bigint | boolean;
        if (v === undefined) {
          if (!b.meta.leaf.isRange) throw new RangeError(`tree ${this.spec.name}: no value for branch ${b.spec.name}`);
          x = this.counted(b, row);
        } else if (typeof v === 'object') throw new RangeError(`tree ${this.spec.name}: branch ${b.spec.name} is a scalar`);
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
  private counted(counter: BranchBuf, row: Record<string, TreeFillValue>): number {
    const ci = this.branches.indexOf(counter);
    const user = this.branches.find((b) => b.counterIdx === ci);
    const v = user ? row[user.spec.name] : undefined;
    if (v === undefined || typeof v !== 'object') throw new RangeError(`tree ${this.spec.name}: no value for counter ${counter.spec.name}`);
    return (v as ArrayLike<unknown>).length;
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

