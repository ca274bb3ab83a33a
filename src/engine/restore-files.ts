// The files a restore writes and reports (engine/restore.ts): this attempt's run files and marker,
// written into a tmp dir or rewritten in place in a parked directory (never truncated to 0: ext4
// flushes such a file at close), and the outputs as statOutputs would find them, from the stamps
// the restore took of the very inodes it put in place.
import { closeSync, fchmodSync, fstatSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { FileStamp } from '../cache/output-cache.js';
import { MARKER_FILE, RUN_FILES } from '../chunkdir/layout.js';
import type { Marker } from '../chunkdir/marker.js';
import type { OutputRecord } from '../store/records.js';
import { msOfNs } from '../util/stat-numbers.js';

/** statOutputs's answer for a restored directory, from the stamps of the entry's files (null: a listed file not among them). */
export function restoredOutputs(m: Marker, files: ReadonlyArray<{ path: string }>, stamps: readonly FileStamp[], marker: { size: number; mtimeMs: number }): OutputRecord[] | null {
  if (stamps.length !== files.length) return null;
  const byPath = new Map(files.map((f, i) => [f.path, stamps[i]!]));
  const out: OutputRecord[] = [];
  for (const o of m.outputs) {
    if (RUN_FILES.has(o.path) || o.path === MARKER_FILE) continue;
    const st = byPath.get(o.path);
    if (st === undefined) return null;
    out.push({ path: o.path, size: st.size, mtimeMs: msOfNs(BigInt(st.mtimeNs)) });
  }
  out.push({ path: MARKER_FILE, size: marker.size, mtimeMs: marker.mtimeMs });
  return out;
}

/**
 * Writes `text` to `path`; returns its size and mtime as a stat of it would. `inPlace`: over the
 * file there (if it is one with no other link), without truncating it to 0 first, else as a new file.
 */
export function writeRunFile(path: string, text: string, mode: number | undefined, inPlace: boolean): { size: number; mtimeMs: number } {
  return writeFile(path, text, mode, inPlace, true)!;
}

/** writeRunFile for a file whose mtime nobody records (chunk.json, batchScript.sh): its size, one fstat fewer. */
export function writeRunFileSized(path: string, text: string, mode: number | undefined, inPlace: boolean): number {
  writeFile(path, text, mode, inPlace, false);
  return Buffer.byteLength(text);
}

function writeFile(path: string, text: string, mode: number | undefined, inPlace: boolean, stamp: boolean): { size: number; mtimeMs: number } | null {
  const bytes = Buffer.from(text);
  let fd = -1;
  let modeNow = -1;
  if (inPlace) {
    try {
      fd = openSync(path, 'r+');
      const st = fstatSync(fd);
      if (!st.isFile() || st.nlink !== 1) {
        closeSync(fd);
        fd = -1;
        unlinkSync(path);
      } else modeNow = st.mode & 0o7777;
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      fd = -1;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const fresh = fd < 0;
  if (fresh) fd = openSync(path, 'w', mode);
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    if (!fresh) {
      ftruncateSync(fd, bytes.length); // a shorter text: to its length, never through 0
      if (mode !== undefined && modeNow !== mode) fchmodSync(fd, mode);
    }
    if (!stamp) return null;
    const st = fstatSync(fd);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

export function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
