// Merging chunks: mergeComponent (the build's hadd node) and haddOutdir (`heppy hadd`).
export { mergeComponent, type MergeOptions, type MergeSummary } from './merge-component.js';
export { groupChunkDirs, type ChunkGroup, type Grouping } from './group.js';
export { planMerge, type FileAction, type MergePlan, type PlannedFile } from './plan.js';
export { processingYaml } from './processing.js';
export { defaultRootMerger, type RootMerger, type RootMergeOptions } from './root-merger.js';
