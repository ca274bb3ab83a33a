// One column's values of the RNTuple writer's open cluster, in a typed array that doubles as it
// fills (RNTupleWriter encodes it into pages when the cluster is written).
import { allocValues, columnType, type ColType, type Values } from './columns.js';
import type { ColumnDesc } from './descriptor.js';

/** One column's values of the open cluster. */
export class ColBuf {
  values: Values;
  n = 0;
  /** Elements written in earlier clusters (the page list's element offset). */
  before = 0;
  private readonly big: boolean;
  /** `label`: the field its values belong to, named by the error of a value it cannot hold. */
  constructor(readonly desc: ColumnDesc, readonly kind: ReturnType<typeof kindOf>, private readonly label: string) {
    this.values = allocValues(kind, 1024);
    this.big = kind === 'i64' || kind === 'u64';
  }
  private grow(): void {
    const b = allocValues(this.kind, this.values.length * 2);
    (b as { set(a: ArrayLike<unknown>): void }).set(this.values as ArrayLike<unknown>);
    this.values = b;
  }
  push(x: number | bigint | boolean): void {
    if (this.n === this.values.length) this.grow();
    if (this.big) {
      // Converted before the index is taken: `values[n++] = toBig(…)` counts the element even when toBig throws.
      const v = typeof x === 'bigint' ? x : toBig(Number(x), this.label);
      (this.values as BigInt64Array)[this.n++] = v;
    } else (this.values as Float64Array)[this.n++] = typeof x === 'number' ? x : typeof x === 'boolean' ? (x ? 1 : 0) : Number(x);
  }
  /** Appends a whole array of numbers (typed-array copy when possible). */
  pushAll(arr: ArrayLike<number | bigint>): void {
    const m = arr.length;
    while (this.n + m > this.values.length) this.grow();
    if (!this.big && ArrayBuffer.isView(arr) && !(arr instanceof BigInt64Array) && !(arr instanceof BigUint64Array)) {
      (this.values as Float64Array).set(arr as unknown as ArrayLike<number>, this.n);
      this.n += m;
      return;
    }
    for (let i = 0; i < m; i++) this.push(arr[i]!);
  }
  get bytes(): number { return this.kind === 'bit' ? this.n / 8 : this.n * (columnType(this.desc.type) as { bytes: number }).bytes; }
}

export function kindOf(c: ColType) {
  const t = columnType(c);
  if (typeof t === 'string') throw new Error(t);
  return t.kind;
}

function toBig(x: number, label: string): bigint {
  if (!Number.isInteger(x)) throw new RangeError(`${label}: ${x} is not an integer`);
  return BigInt(x);
}
