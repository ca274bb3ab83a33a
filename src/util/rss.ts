// The process's resident set size, cheaply. process.memoryUsage.rss() reads /proc/self/stat, which
// the kernel builds line by line for every call: 80-800 µs in a worker that runs chunks (measured
// with 11 threads, under load), twice per chunk. /proc/self/statm holds the same resident page
// count; read from an fd kept open (one pread) it costs 1-2 µs.
import { openSync, readSync } from 'node:fs';

let fd: number | null | undefined;
let pageBytes = 0;
const buf = Buffer.alloc(128);

function residentPages(): number | null {
  if (fd === null) return null;
  try {
    fd ??= openSync('/proc/self/statm', 'r');
    const n = readSync(fd, buf, 0, buf.length, 0);
    const pages = Number(buf.toString('latin1', 0, n).split(' ')[1]);
    return Number.isFinite(pages) && pages > 0 ? pages : null;
  } catch {
    fd = null; // not Linux, or /proc not mounted: Node's own reading from now on
    return null;
  }
}

/** Resident set size in bytes (what process.memoryUsage.rss() returns). */
export function residentBytes(): number {
  const pages = residentPages();
  if (pages === null) return process.memoryUsage.rss();
  if (pageBytes === 0) {
    // The page size, once: the power of two that relates Node's figure to the page count.
    const rss = process.memoryUsage.rss();
    const p = residentPages() ?? pages;
    pageBytes = 2 ** Math.round(Math.log2(rss / p));
    return rss;
  }
  return pages * pageBytes;
}
