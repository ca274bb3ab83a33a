// `heppy check` as a library: discover chunk directories and judge each one.
import { checkChunk, type ChunkVerdict, type CheckOptions } from './chunk-check.js';

export { checkChunk, type ChunkVerdict, type CheckOptions, type Problem, type ProblemCode } from './chunk-check.js';
export { discoverChunkDirs, parseChunkName, compareChunkNames, classifyDir } from './discover.js';
export { readMarker, MARKER_FILE, type Marker, type ChunkMarker, type HaddMarker } from '../chunkdir/marker.js';
export { defaultProbe, headerProbe, type RootProbe } from './root-probe.js';
export { checkMerged, type MergedVerdict } from './merged-check.js';

/** Checks many chunks a few at a time (opening ROOT files is I/O bound), in the given order. */
export async function checkChunks(dirs: string[], opts: CheckOptions & { concurrency?: number } = {}): Promise<ChunkVerdict[]> {
  const out: ChunkVerdict[] = new Array(dirs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dirs.length) {
      const i = next++;
      out[i] = await checkChunk(dirs[i]!, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, dirs.length) }, worker));
  return out;
}
