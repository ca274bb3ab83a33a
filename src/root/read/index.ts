// heppy's ROOT reader: see docs/internals.md, "ROOT I/O".
export { openRootFile, RootFileReader } from './file.js';
export { TreeReader } from './tree.js';
export type { Batch } from './tree.js';
export type { BranchInfo, KeyInfo, Column, NumType, NumArray } from '../types.js';
export { bytesReadSoFar } from './io-stats.js';
