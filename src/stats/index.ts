// Counters and averages: heppy's text formats, JSON sidecars, summing (used by the looper and hadd).
export { Counter, type CounterJson } from './counter.js';
export { Average, type AverageJson } from './average.js';
export {
  type Stat, type StatJson, statFileBase, writeStat, readStat, isStatSidecar,
  addCounter, addAverage, sumStatFiles, mergeStatFiles,
} from './sidecar.js';
export { pyFixed, fmtF, fmtD, fmtSpaceF, padLeft, padRight } from './pyformat.js';
