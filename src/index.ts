// The public API that heppyfile.ts imports as 'heppy'.
export { Component, DataComponent, MCComponent, type ComponentOptions, type DataComponentOptions, type MCComponentOptions } from './config/component.js';
export {
  Analyzer, type AnalyzerClass, type BookedTree, type BranchSpec, type HistOptions, type TreeOptions, type Setup,
} from './config/analyzer.js';
export { Sequence } from './config/sequence.js';
export { Config, type ConfigOptions } from './config/config.js';
export { getOption, type OptionValue } from './config/options.js';
export { Event, Branch, branch, type ArrayRange } from './loop/event.js';
export { UserStop } from './loop/user-stop.js';
export { Counter } from './stats/counter.js';
export { Average } from './stats/average.js';
export { fill1, fill2, type Hist } from './root/hist.js';
export type { NumArray, NumType } from './root/types.js';
