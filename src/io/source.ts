// A byte source: what the ROOT reader reads a file through, wherever it lives. One interface for
// local files, XRootD and HTTP(S): the size, reads of one range, vector reads of many ranges in
// one round trip (kXR_readv, multi-range GET, coalesced preads locally), and close.
export interface ByteRange { pos: number; len: number }

export interface ByteSource {
  /** The file as it may be printed (a path, or a URL without credentials). */
  readonly name: string;
  readonly size: number;
  /** Whether reads cross a network (the reader then batches them into vector reads). */
  readonly remote: boolean;
  read(pos: number, len: number): Promise<Uint8Array>;
  /** Many ranges at once; the result is in the order of `ranges`. */
  readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

/** What a server (or the file system) says about a file without reading it. */
export interface RemoteStat {
  size: number;
  /** Modification time in seconds, when the server gives one. */
  mtime: number | null;
  /** "algorithm:value" when the server gives a checksum (kXR_query checksum, HTTP Digest), else an ETag. */
  checksum: string | null;
}

/** Runs of ranges that are close on disk: each run is read at once, then cut (used by every source). */
export function coalesce(ranges: readonly ByteRange[], maxGap: number, maxRun: number): { pos: number; len: number; members: number[] }[] {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.pos - ranges[b]!.pos);
  const runs: { pos: number; len: number; members: number[] }[] = [];
  for (const i of order) {
    const r = ranges[i]!;
    const last = runs[runs.length - 1];
    if (last !== undefined && r.pos - (last.pos + last.len) <= maxGap && Math.max(last.pos + last.len, r.pos + r.len) - last.pos <= maxRun) {
      last.len = Math.max(last.len, r.pos + r.len - last.pos);
      last.members.push(i);
    } else runs.push({ pos: r.pos, len: r.len, members: [i] });
  }
  return runs;
}

/** Cuts the ranges out of the runs read by coalesce(). */
export function cutRuns(ranges: readonly ByteRange[], runs: { pos: number; members: number[] }[], bytes: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = new Array(ranges.length);
  runs.forEach((run, k) => {
    for (const i of run.members) {
      const r = ranges[i]!;
      out[i] = bytes[k]!.subarray(r.pos - run.pos, r.pos - run.pos + r.len);
    }
  });
  return out;
}
