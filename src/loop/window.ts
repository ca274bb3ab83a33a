// The chunk's event window, exactly as heppy's Looper computes it (heppy-original §2, §4), over the
// concatenation of the chunk's files.

export interface EventWindow {
  first: number;
  /** Number of events in the window (>= 0). */
  n: number;
}

/**
 * `total` = entries of the chunk's files together. Fine split (i, F):
 *   tot = min(total, N) if N not in (null, -1, 0) else total; n = ceil(tot/F); first = i*n;
 *   if first+n >= tot: n = tot-first (may be <= 0: an empty window).
 * Otherwise: n = total if N is null or N > total, else N.
 */
export function eventWindow(total: number, fineSplit: [number, number] | null, maxEvents: number | null): EventWindow {
  if (fineSplit !== null && fineSplit[1] > 1) {
    const [i, F] = fineSplit;
    const tot = maxEvents !== null && maxEvents !== -1 && maxEvents !== 0 ? Math.min(total, maxEvents) : total;
    let n = Math.ceil(tot / F);
    const first = i * n;
    if (first + n >= tot) n = tot - first;
    return { first: Math.min(first, total), n: Math.max(0, n) };
  }
  const n = maxEvents === null || maxEvents > total ? total : maxEvents;
  return { first: 0, n: Math.max(0, n) };
}

/** A part of the window inside one file: entries [start, stop) of file `file`. */
export interface Segment {
  file: number;
  start: number;
  stop: number;
  /** Global index (over the concatenated files) of entry `start`. */
  globalStart: number;
}

/** Splits a window over the concatenated files (entries per file) into per-file segments. */
export function segments(entriesPerFile: readonly number[], w: EventWindow): Segment[] {
  const out: Segment[] = [];
  const lo = w.first, hi = w.first + w.n;
  let offset = 0;
  for (let f = 0; f < entriesPerFile.length; f++) {
    const e = entriesPerFile[f]!;
    const a = Math.max(lo, offset), b = Math.min(hi, offset + e);
    if (b > a) out.push({ file: f, start: a - offset, stop: b - offset, globalStart: a });
    offset += e;
  }
  return out;
}
