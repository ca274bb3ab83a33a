// Tree branch layout: the branch specs a tree is declared with and the metadata (title, leaf
// class, STL element) ROOT reads them by. Pure: no buffers, no I/O.
import type { NumType } from '../types.js';
import { typeSize } from '../types.js';
import type { BranchMeta, LeafClass } from './tree-meta.js';

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
export const STL_VECTOR_VERSION = 6;

export const DEFAULT_BASKET_BYTES = 64 * 1024;

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
