// Column types shared by the reader, the writer and hadd.
export type NumType = 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f4' | 'f8' | 'bool';

export type NumArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** The values of a numeric branch over a range of entries. */
export type NumColumn =
  | { kind: 'flat'; type: NumType; values: NumArray }
  | { kind: 'fixed'; type: NumType; size: number; values: NumArray }
  | { kind: 'jagged'; type: NumType; values: NumArray; offsets: Int32Array };

/**
 * The values of a string branch over a range of entries: one string per entry (char*, TString,
 * std::string), or strings per entry, values[offsets[i]] … values[offsets[i+1] - 1] (vector<string>,
 * map<string,…> keys, strings inside containers of objects).
 */
export type StringColumn =
  | { kind: 'string'; values: string[] }
  | { kind: 'strings'; values: string[]; offsets: Int32Array };

export type Column = NumColumn | StringColumn;

/** Bytes per value of each type on disk. */
export const typeSize: Record<NumType, number> = {
  i1: 1, u1: 1, bool: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8,
};

/** A key of a ROOT file, as listed recursively by the reader. */
export interface KeyInfo {
  /** 'dir/sub/name' (no cycle). */
  path: string;
  name: string;
  cycle: number;
  className: string;
}

/** How a branch's values are laid out per entry; 'other' = not a numeric column (strings, objects…). */
export type BranchShape = 'scalar' | 'fixed' | 'jagged' | 'other';

export interface BranchInfo {
  name: string;
  /** Numeric type of the values, or null for shape 'other'. */
  type: NumType | null;
  shape: BranchShape;
  /** Values per entry of a fixed-size array. */
  size?: number;
  /** Name of the counter branch of a jagged array, when it has one (std::vector has none). */
  counter?: string;
  /** C++-style type name: 'float', 'int32_t[3]', 'float[]', 'std::vector<double>', 'char*', … */
  typename: string;
  /** A string column (shape 'other', type null): one string per entry, or strings per entry. */
  strings?: 'scalar' | 'jagged';
}
