// `heppy hadd Outdir [dest]` as a library: group the chunk directories, check each one, merge the
// good chunks of every component, and report the bad ones with their reason (heppy_hadd silently
// left them out; we name them and the command exits 1).
import { join } from 'node:path';
import { groupChunkDirs } from './group.js';
import { mergeComponent, type MergeSummary } from './merge-component.js';
import type { RootMerger } from './root-merger.js';
import { checkChunks, type ChunkVerdict, type RootProbe } from '../check/index.js';
import type { Failure } from '../util/result.js';

export type ComponentOutcome =
  | { component: string; status: 'merged'; nchunks: number; bad: ChunkVerdict[]; summary: MergeSummary }
  | { component: string; status: 'no-good-chunk'; nchunks: number; bad: ChunkVerdict[] }
  | { component: string; status: 'merge-failed'; nchunks: number; bad: ChunkVerdict[]; error: Failure };

export interface HaddReport {
  src: string;
  dest: string;
  components: ComponentOutcome[];
  skipped: string[];
}

export interface HaddOptions {
  probe?: RootProbe;
  rootMerger?: RootMerger;
  onWarning?: (message: string) => void;
  /** Called before each component's merge starts (progress on long merges). */
  onComponent?: (component: string, good: number, total: number) => void;
}

export async function haddOutdir(src: string, dest: string, opts: HaddOptions = {}): Promise<HaddReport> {
  const { groups, skipped } = groupChunkDirs(src);
  const components: ComponentOutcome[] = [];
  for (const g of groups) {
    const dirs = g.chunks.map((c) => c.dir);
    const verdicts = await checkChunks(dirs, { probe: opts.probe });
    const good = verdicts.filter((v) => v.good).map((v) => v.dir);
    const bad = verdicts.filter((v) => !v.good);
    const base = { component: g.component, nchunks: dirs.length, bad };
    if (good.length === 0) {
      components.push({ ...base, status: 'no-good-chunk' });
      continue;
    }
    opts.onComponent?.(g.component, good.length, dirs.length);
    const r = await mergeComponent(src, g.component, good, {
      dest, nfiles: dirs.length, rootMerger: opts.rootMerger, onWarning: opts.onWarning,
    });
    components.push(r.ok ? { ...base, status: 'merged', summary: r.value } : { ...base, status: 'merge-failed', error: r.error });
  }
  return { src, dest, components, skipped: skipped.map((s) => join(src, s)) };
}
