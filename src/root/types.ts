// Column types shared by the reader, the writer and hadd.
export type NumType = 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f4' | 'f8' | 'bool';

export type NumArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

export type Column =
  | { kind: 'flat'; type: NumType; values: NumArray }
  | { kind: 'fixed'; type: NumType; size: number; values: NumArray }
  | { kind: 'jagged'; type: NumType; values: NumArray; offsets: Int32Array };

/** Bytes per value of each type on disk. */
export const typeSize: Record<NumType, number> = {
  i1: 1, u1: 1, bool: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8,
};
