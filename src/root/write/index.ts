// The ROOT file writer: TFile/TDirectory/TKey, StreamerInfo, TTree with numeric branches, TH1/TH2.
export { RootFileWriter, type WriterOptions, START_BIG_FILE } from './file.js';
export { TreeWriter, type TreeSpec, type BranchSpec, type BranchShape, type FillValue, DEFAULT_BASKET_BYTES } from './tree.js';
export { type Compression, type Algorithm, compressionSetting, prepareCompression } from './compress.js';
