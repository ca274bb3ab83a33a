// ROOT files that opened cleanly in an earlier `heppy check` are not opened again while they are
// unchanged (same size, mtime and inode): a second check of 10,000 chunks only stats. The record
// is `Outdir/.heppy/check-cache.json`, written by heppy check alone; only successes are kept.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { RootProbe } from './root-probe.js';

const VERSION = 1;
type Stamp = [size: number, mtimeMs: number, ino: number];

interface CacheFile { version: number; files: Record<string, Stamp> }

function stampOf(path: string): Stamp | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? [st.size, st.mtimeMs, st.ino] : null;
}

export class ProbeCache {
  private readonly tables = new Map<string, { files: Record<string, Stamp>; dirty: boolean }>();
  hits = 0;

  /** outdirs: the directories whose `.heppy/` holds a cache (the parents of the checked dirs). */
  constructor(private readonly outdirs: string[]) {}

  private path(outdir: string): string {
    return join(outdir, '.heppy', 'check-cache.json');
  }

  private table(file: string): { files: Record<string, Stamp>; dirty: boolean } | null {
    const outdir = this.outdirs.find((o) => file.startsWith(o + sep));
    if (outdir === undefined) return null;
    let t = this.tables.get(outdir);
    if (!t) {
      let files: Record<string, Stamp> = {};
      try {
        const c = JSON.parse(readFileSync(this.path(outdir), 'utf8')) as CacheFile;
        if (c.version === VERSION && typeof c.files === 'object' && c.files !== null) files = c.files;
      } catch {
        // no cache yet, or unreadable: start afresh
      }
      t = { files, dirty: false };
      this.tables.set(outdir, t);
    }
    return t;
  }

  wrap(probe: RootProbe): RootProbe {
    return async (file) => {
      const t = this.table(file);
      const before = stampOf(file);
      const known = t?.files[file];
      if (t && before && known && known[0] === before[0] && known[1] === before[1] && known[2] === before[2]) {
        this.hits++;
        return { ok: true, value: undefined };
      }
      const r = await probe(file);
      if (t) {
        if (r.ok && before) t.files[file] = before;
        else delete t.files[file];
        t.dirty = true;
      }
      return r;
    };
  }

  /** Writes the caches that changed (atomically); a failure to write only costs speed next time. */
  save(): void {
    for (const [outdir, t] of this.tables) {
      if (!t.dirty) continue;
      const p = this.path(outdir);
      try {
        mkdirSync(dirname(p), { recursive: true });
        const tmp = `${p}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ version: VERSION, files: t.files }));
        renameSync(tmp, p);
      } catch {
        // read-only Outdir: checks stay correct, just not faster
      }
    }
  }
}
