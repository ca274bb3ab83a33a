// A file's (size, mtime) identifies its content only once its mtime is older than the clock's
// granularity: on a file system with 1 s (ext3, HFS+, many NFS servers) or 2 s (FAT) timestamps,
// or within one kernel clock tick anywhere, an edit right after a stat can keep both. Like git's
// "racy" index entries, a stat taken that close to the file's mtime is not trusted next time:
// the content is digested again (cheap for the small files concerned: just written).

/** How close to its mtime a stat must not be taken for (size, mtime) to stand for the content. */
export const RACY_MS = 2_000;

/** Whether a stat with this mtime, taken at `nowMs`, cannot vouch for the content later. */
export function racy(mtimeMs: number, nowMs = Date.now()): boolean {
  return mtimeMs > nowMs - RACY_MS;
}
