// Loading lmdb (its native addon and msgpackr): once per process, synchronously, when a store is
// first opened; a no-op build served by its snapshot (snapshot.ts) never loads it. Every use goes
// through loadLmdb, so the process has one lmdb instance.
//
// `npm run build` bundles lmdb and the packages it loads into one CommonJS file,
// dist/lmdb/lmdb.cjs (scripts/bundle-lmdb.mjs), whose two addons are required by their paths:
// Node's resolution of those ~10 files (stat, package.json exports, node-gyp-build's search of the
// prebuilds) was about half of loading the packages, and loading them most of what a restore of
// the demo costs beyond a no-op. dist/lmdb/manifest.json (`LmdbBundleManifest`, written by the
// script, read here) says for which Node ABI, platform, arch and C library the addons were picked
// and every file the bundle was made from (size, mtime): a bundle made for another Node, or older
// than any of those files (an `npm install` since), is not used; lmdb is then loaded from
// node_modules as before. The bundle is compiled with V8's code cache made at bundle time
// (`codeCache`, after opening, writing and reading a store, so that those functions are in it):
// compiling the bundle was a third of its load. V8 rejects a cache of another version or flags
// (then it compiles as without one); it checks the source's length, not its content, so bundle and
// cache are named by the bundle's content hash and the manifest, written last, names the pair.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

type Lmdb = typeof import('lmdb');

/** What the bundle was made for: it is used only by a process of exactly that kind. */
export interface LmdbBundleTarget {
  abi: string;
  platform: string;
  arch: string;
  libc: 'glibc' | 'musl';
}

/** dist/lmdb/manifest.json. Paths are relative to that directory. */
export interface LmdbBundleManifest {
  target: LmdbBundleTarget;
  /** The bundle's file name in the same directory (named by its content hash). */
  file: string;
  /** Its V8 code cache's file name, if one was made. */
  codeCache?: string;
  /** Every file bundled, and the addons: [path, size, mtimeMs]. */
  sources: [string, number, number][];
}

/** Where `npm run build` puts the bundle (dist/src/store/ → dist/lmdb/). */
export const LMDB_BUNDLE_DIR = fileURLToPath(new URL('../../lmdb/', import.meta.url));

const requireHere = createRequire(import.meta.url);
let loaded: Lmdb | undefined;
let from: 'bundle' | 'package' | null = null;

/** Where this process loaded lmdb from (null: not loaded). */
export function lmdbLoadedFrom(): 'bundle' | 'package' | null {
  return from;
}

/** lmdb's module: the bundle when it fits this process, else the package. */
export function loadLmdb(): Lmdb {
  if (loaded !== undefined) return loaded;
  const libc = process.platform === 'linux' ? libcOfNode() : null;
  const bundle = libc === null ? null : usableBundle(LMDB_BUNDLE_DIR, thisTarget(libc));
  if (bundle !== null) {
    try {
      loaded = compileBundle(bundle.file, readCache(bundle.codeCache)).exports;
      from = 'bundle';
      return loaded;
    } catch {
      // e.g. an addon that no longer loads: the package's own loader says why, below
    }
  }
  loaded = loadPackage(libc);
  from = 'package';
  return loaded;
}

/** The target of this process, with the C library its node binary names. */
export function thisTarget(libc: 'glibc' | 'musl'): LmdbBundleTarget {
  return { abi: process.versions.modules, platform: process.platform, arch: process.arch, libc };
}

/** The bundle and its code cache (absolute paths) that fit this process. */
export interface UsableBundle {
  file: string;
  codeCache: string | null;
}

/**
 * The bundle when dir/manifest.json is for `target` and every source is as it was when bundled;
 * null otherwise (no bundle, another Node, a package reinstalled since).
 */
export function usableBundle(dir: string, target: LmdbBundleTarget): UsableBundle | null {
  let m: LmdbBundleManifest;
  try {
    m = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8')) as LmdbBundleManifest;
  } catch {
    return null;
  }
  const t = m.target;
  if (t?.abi !== target.abi || t.platform !== target.platform || t.arch !== target.arch || t.libc !== target.libc) return null;
  const name = (f: unknown): f is string => typeof f === 'string' && f !== '' && !f.includes('/');
  if (!name(m.file) || (m.codeCache !== undefined && !name(m.codeCache)) || !Array.isArray(m.sources) || m.sources.length === 0) return null;
  for (const [path, size, mtimeMs] of m.sources) {
    const st = statSync(dir + path, { throwIfNoEntry: false });
    if (st === undefined || st.size !== size || st.mtimeMs !== mtimeMs) return null;
  }
  return { file: dir + m.file, codeCache: m.codeCache === undefined ? null : dir + m.codeCache };
}

function readCache(path: string | null): Buffer | undefined {
  if (path === null) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined; // compiled without it
  }
}

/**
 * The bundle (a CommonJS file) compiled and run as Node would run it, with `cachedData` as its
 * code cache when given; `script` makes the cache (`codeCache`). The same wrapper text both times:
 * a cache is for one exact source.
 */
export function compileBundle(file: string, cachedData?: Buffer): { exports: Lmdb; script: Script; cacheRejected: boolean } {
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, 'utf8')}\n});`;
  const script = new Script(source, { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) });
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return { exports: module.exports as Lmdb, script, cacheRejected: cachedData !== undefined && script.cachedDataRejected === true };
}

/**
 * V8's code cache of the bundle `file`, made after a store in `scratch` (a new directory) was
 * opened, written, read and closed through it, so that the functions a build uses are compiled
 * into it (scripts/bundle-lmdb.mjs; run in a process that has not loaded lmdb).
 */
export async function codeCache(file: string, scratch: string): Promise<Buffer> {
  const { exports: l, script } = compileBundle(file);
  const db = l.open({ path: scratch, compression: false, noMemInit: true, commitDelay: 25 });
  await db.put('task:o|a', JSON.stringify({ nodeId: 'a', outputs: [] }));
  db.putSync('digest:/x', { size: 1, mtimeMs: 2, ino: 3, hash: 'h' });
  await db.remove('task:o|b');
  for (const { key, value } of db.getRange({ start: 'task:o|', end: 'task:o|\uffff' })) void [key, value];
  void [db.get('digest:/x'), db.get('task:o|a'), db.get('none')];
  await db.flushed;
  await db.close();
  return script.createCachedData();
}

/**
 * The package from node_modules. Its addon loader (node-gyp-build, also msgpackr's) asks
 * detect-libc which C library this is, and detect-libc loads child_process and reads the node
 * binary for it (~7 ms CPU). The loader takes the answer from LIBC first: set from `libc`
 * only while lmdb loads, and left to detect-libc when the binary does not tell.
 */
function loadPackage(libc: 'glibc' | 'musl' | null): Lmdb {
  if (libc === null || process.env.LIBC !== undefined) return requireHere('lmdb') as Lmdb;
  process.env.LIBC = libc;
  try {
    return requireHere('lmdb') as Lmdb;
  } finally {
    delete process.env.LIBC;
  }
}

/** 'glibc' or 'musl' by the dynamic loader named in the first 2 kB of the running node binary; null when neither is. */
export function libcOfNode(exe = '/proc/self/exe'): 'glibc' | 'musl' | null {
  let head: string;
  try {
    const fd = openSync(exe, 'r');
    try {
      const buf = Buffer.alloc(2048);
      head = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head.includes('/ld-musl-')) return 'musl';
  return head.includes('/ld-linux') ? 'glibc' : null;
}
