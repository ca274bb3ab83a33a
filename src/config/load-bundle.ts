// Bundling heppyfile.ts with esbuild into one ESM file, so that the build, its workers and batch
// jobs all run the same snapshot of the analysis. `import … from 'heppy'` is pointed at this
// checkout's dist/src/index.js, so a worker that imports the bundle shares heppy's module instance.
// Three builds: a minified bundle (the whole code's digest, comments and formatting not counted),
// the runnable bundle (readable, names kept, with a source map for error lines; it also exports
// every local module's namespace) and each local module bundled alone, minified (its code digest):
// a chunk's key covers the code of its analyzers' modules, not the whole heppyfile (load-code.ts).
// The result is cached by the content of every bundled input (checked by its size and mtime, and by
// its digest when the mtime moved: file-stamps.ts), by heppy's and esbuild's versions: an
// unchanged heppyfile is not re-bundled (esbuild is not even loaded), also after a `touch` or a
// fresh checkout.
// A new bundle is first staged in a private temporary directory: the loader imports and validates
// it there and persists it into the cache only when the Config is valid (a bad heppyfile leaves no
// cache/ behind).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hashString, initHash } from '../fingerprint/hash.js';
import { esbuildHeppyfile, type Esbuilt } from './esbuild-bundle.js';
import { fail, ok, type Result } from '../util/result.js';
import type { TypecheckStamp } from './typecheck-stamp.js';
import { stampFile, stampsHold, type FileStamp } from './file-stamps.js';

export interface Bundle {
  heppyfile: string;       // absolute
  path: string;            // absolute path of <cache>/bundles/<hash>.mjs
  hash: string;            // digest of the runnable bundle text (its file name)
  codeDigest: string;      // digest of the minified bundle: the code part of keys
  inputs: string[];        // absolute paths of the heppyfile and its local modules
  /**
   * The local modules (paths relative to the heppyfile's directory) in the order of the bundle's
   * exports `${MODULE_EXPORT}<i>` (each one's namespace), and each one's code digest: its minified
   * bundle alone (its code and everything it imports, comments/formatting not counted).
   */
  modules: string[];
  moduleDigests: Record<string, string>;
  /** The size of each one's bundle alone (of two modules exporting a class, the smaller is its maker's). */
  moduleBytes: Record<string, number>;
  /** The local import graph, the heppyfile included (relative paths): who may reach into an analyzer's code. */
  imports: Record<string, string[]>;
}

export { MODULE_EXPORT } from './esbuild-bundle.js';

/**
 * A bundle ready to import; `commit` puts it into the cache (once valid), `discard` drops it.
 * `typechecked`: what the heppyfile's last type-check depended on (undefined: not checked);
 * `commit(stamp)` records a new one.
 */
export interface StagedBundle {
  bundle: Bundle;
  fromCache: boolean;
  typechecked: TypecheckStamp | undefined;
  commit(typechecked?: TypecheckStamp): Bundle;
  discard(): void;
}

interface CacheEntry extends Bundle {
  stats: FileStamp[];
  heppyIndex: string;
  /** heppy's and esbuild's versions: another of either bundles again. */
  toolchain?: string;
  typecheck?: TypecheckStamp;
}

/** The module 'heppy' resolves to: this checkout's compiled public API. */
export const heppyIndexPath = fileURLToPath(new URL('../index.js', import.meta.url));

let toolchainText: string | null = null;
/** heppy's version and the installed esbuild's (read from their package.json files, not by loading esbuild). */
function toolchain(): string {
  if (toolchainText === null) {
    const version = (where: () => URL): string => {
      try {
        return (JSON.parse(readFileSync(where(), 'utf8')) as { version?: string }).version ?? '?';
      } catch {
        return '?';
      }
    };
    toolchainText = `heppy ${version(() => new URL('../../../package.json', import.meta.url))} `
      + `esbuild ${version(() => pathToFileURL(createRequire(import.meta.url).resolve('esbuild/package.json')))}`;
  }
  return toolchainText;
}

function indexFile(cacheDir: string): string {
  return join(cacheDir, 'bundles', 'index.json');
}

function readIndex(cacheDir: string): Record<string, CacheEntry> {
  try {
    return JSON.parse(readFileSync(indexFile(cacheDir), 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

/** The cache entry of `heppyfile` if its inputs' contents and the toolchain are unchanged (stats refreshed when mtimes moved). */
function cached(cacheDir: string, heppyfile: string): { entry: CacheEntry; refreshed: boolean } | null {
  const e = readIndex(cacheDir)[heppyfile];
  if (!e || e.heppyIndex !== heppyIndexPath || e.toolchain !== toolchain() || !Array.isArray(e.stats)
    || !Array.isArray(e.modules) || typeof e.moduleDigests !== 'object' || typeof e.moduleBytes !== 'object' || typeof e.imports !== 'object' || !existsSync(e.path)) return null;
  const stats = stampsHold(e.stats);
  if (stats === null) return null;
  return stats === e.stats ? { entry: e, refreshed: false } : { entry: { ...e, stats }, refreshed: true };
}

function bundleOf(e: CacheEntry): Bundle {
  return { heppyfile: e.heppyfile, path: e.path, hash: e.hash, codeDigest: e.codeDigest, inputs: e.inputs, modules: e.modules, moduleDigests: e.moduleDigests, moduleBytes: e.moduleBytes, imports: e.imports };
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function copyAtomic(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** Bundles (or reuses the cached bundle of) `heppyfile` and persists it in the cache at once. */
export async function bundleHeppyfile(heppyfileArg: string, cacheDir: string): Promise<Result<Bundle>> {
  const st = await stageHeppyfile(heppyfileArg, cacheDir);
  return st.ok ? ok(st.value.commit()) : st;
}

/** A cached bundle staged: `commit` writes the index only if a new type-check or new mtimes are to be recorded. */
function stageCached(cacheDir: string, heppyfile: string, found: { entry: CacheEntry; refreshed: boolean }): StagedBundle {
  const hit = found.entry;
  const bundle = bundleOf(hit);
  // Written only once the Config is valid, like a new bundle: a new type-check, or new mtimes.
  const commit = (stamp?: TypecheckStamp): Bundle => {
    if (stamp !== undefined || found.refreshed) {
      const index = readIndex(cacheDir);
      index[heppyfile] = { ...hit, ...(stamp !== undefined ? { typecheck: stamp } : {}) };
      writeAtomic(indexFile(cacheDir), JSON.stringify(index));
    }
    return bundle;
  };
  return { bundle, fromCache: true, typechecked: hit.typecheck, commit, discard: () => {} };
}

/** Writes the runnable bundle and its map (sources made absolute) into a new private directory. */
function writeStage(heppyfile: string, hash: string, code: string, map: string | undefined): { stage: string; staged: string } {
  const stage = mkdtempSync(join(tmpdir(), 'heppy-bundle-'));
  const staged = join(stage, `${hash}.mjs`);
  if (map) {
    // Sources made absolute: the map lives in the cache, not next to the heppyfile.
    const m = JSON.parse(map) as { sources: string[] };
    m.sources = m.sources.map((s) => resolve(dirname(heppyfile), s));
    writeFileSync(`${staged}.map`, JSON.stringify(m));
  }
  writeFileSync(staged, `${code.replace(/\/\/# sourceMappingURL=.*\n?$/, '')}//# sourceMappingURL=${hash}.mjs.map\n`);
  return { stage, staged };
}

/** A new bundle staged outside the cache; `commit` copies it into the cache and records it in the index (once). */
function stageNew(cacheDir: string, heppyfile: string, e: Esbuilt): StagedBundle {
  const here = dirname(heppyfile);
  // The map is part of the address: a comment moves lines without changing the code.
  const hash = hashString(e.code + (e.map ?? ''));
  const { stage, staged } = writeStage(heppyfile, hash, e.code, e.map);
  const inputs = e.inputs.filter((p) => !p.includes('node_modules/')).map((p) => resolve(here, p));
  const stats = e.inputs.map((q) => {
    const p = resolve(here, q);
    const d = e.read.get(p);
    return stampFile(p, e.readFrom, d === '' ? null : d);
  });
  const { codeDigest, modules, moduleDigests, moduleBytes, imports } = e;
  let done: Bundle | null = null;
  const discard = (): void => rmSync(stage, { recursive: true, force: true });
  const commit = (stamp?: TypecheckStamp): Bundle => {
    if (done) return done;
    const dir = join(cacheDir, 'bundles');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, basename(staged));
    // Copied, not renamed: the temporary directory may be on another filesystem.
    if (!existsSync(path)) {
      if (e.map) copyAtomic(`${staged}.map`, `${path}.map`);
      copyAtomic(staged, path);
    }
    discard();
    done = { heppyfile, path, hash, codeDigest, inputs, modules, moduleDigests, moduleBytes, imports };
    const index = readIndex(cacheDir);
    index[heppyfile] = { ...done, stats, heppyIndex: heppyIndexPath, toolchain: toolchain(), ...(stamp ? { typecheck: stamp } : {}) };
    writeAtomic(indexFile(cacheDir), JSON.stringify(index));
    return done;
  };
  // The last type-check of this heppyfile, whatever bundle it went with (load.ts checks that it still holds).
  const typechecked = readIndex(cacheDir)[heppyfile]?.typecheck;
  return { bundle: { heppyfile, path: staged, hash, codeDigest, inputs, modules, moduleDigests, moduleBytes, imports }, fromCache: false, typechecked, commit, discard };
}

/**
 * The cached bundle of `heppyfile`, or a new one staged outside the cache (nothing written under
 * `cacheDir` until `commit`). An esbuild error → one-line Failure.
 */
export async function stageHeppyfile(heppyfileArg: string, cacheDir: string): Promise<Result<StagedBundle>> {
  const heppyfile = resolve(heppyfileArg);
  if (!existsSync(heppyfile)) return fail({ file: heppyfile, reason: 'no such heppyfile (run heppy in the analysis directory or give -f FILE)' });
  await initHash();
  const found = cached(cacheDir, heppyfile);
  if (found) return ok(stageCached(cacheDir, heppyfile, found));
  const built = await esbuildHeppyfile(await import('esbuild'), heppyfile, pathToFileURL(heppyIndexPath).href);
  return built.ok ? ok(stageNew(cacheDir, heppyfile, built.value)) : built;
}
