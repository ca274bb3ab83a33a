// One branch's pending basket: its entries encoded big-endian into a growing buffer, with the
// entry-offset table of a variable-length branch. TreeWriter flushes it as one TBasket.
import type { NumType } from '../types.js';
import { assertNever } from '../../util/result.js';
import type { BranchMeta } from './tree-meta.js';
import { branchMetaFor, type TreeBranchSpec } from './tree-layout.js';

export class BranchBuf {
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

function toBig(v: number | bigint | boolean, name: string): bigint {
  if (typeof v === 'bigint') return v;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`branch ${name}: ${n} is not an integer`);
  return BigInt(n);
}
