// Bundling heppyfile.ts with esbuild into one ESM file, so that the build, its workers and batch
// jobs all run the same snapshot of the analysis. `import … from 'heppy'` is pointed at this
// checkout's dist/src/index.js, so a worker that imports the bundle shares heppy's module instance.
// Two outputs: the runnable bundle (readable, names kept, with a source map for error lines) and a
// minified one whose digest is the code part of every key (comments and formatting not counted).
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
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hashBytes, hashString, initHash } from '../fingerprint/hash.js';
import { fail, ok, type Result } from '../util/result.js';
import type { TypecheckStamp } from './typecheck-stamp.js';
import { stampFile, stampsHold, type FileStamp } from './file-stamps.js';

/** esbuild's loader for a file the reads plugin hands it (what esbuild would pick by the extension). */
function loaderOf(path: string): 'ts' | 'tsx' | 'js' | 'jsx' | 'json' {
  const e = extname(path);
  return e === '.tsx' ? 'tsx' : e === '.jsx' ? 'jsx' : e === '.json' ? 'json' : e.endsWith('ts') ? 'ts' : 'js';
}

export interface Bundle {
  heppyfile: string;       // absolute
  path: string;            // absolute path of <cache>/bundles/<hash>.mjs
  hash: string;            // digest of the runnable bundle text (its file name)
  codeDigest: string;      // digest of the minified bundle: the code part of keys
  inputs: string[];        // absolute paths of the heppyfile and its local modules
}

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
  if (!e || e.heppyIndex !== heppyIndexPath || e.toolchain !== toolchain() || !Array.isArray(e.stats) || !existsSync(e.path)) return null;
  const stats = stampsHold(e.stats);
  if (stats === null) return null;
  return stats === e.stats ? { entry: e, refreshed: false } : { entry: { ...e, stats }, refreshed: true };
}

function bundleOf(e: CacheEntry): Bundle {
  return { heppyfile: e.heppyfile, path: e.path, hash: e.hash, codeDigest: e.codeDigest, inputs: e.inputs };
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

/**
 * The cached bundle of `heppyfile`, or a new one staged outside the cache (nothing written under
 * `cacheDir` until `commit`). An esbuild error → one-line Failure.
 */
export async function stageHeppyfile(heppyfileArg: string, cacheDir: string): Promise<Result<StagedBundle>> {
  const heppyfile = resolve(heppyfileArg);
  if (!existsSync(heppyfile)) return fail({ file: heppyfile, reason: 'no such heppyfile (run heppy in the analysis directory or give -f FILE)' });
  await initHash();
  const found = cached(cacheDir, heppyfile);
  if (found) {
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
    return ok({ bundle, fromCache: true, typechecked: hit.typecheck, commit, discard: () => {} });
  }

  const esbuild = await import('esbuild');
  const heppyPlugin = (external: string) => ({
    name: 'heppy',
    setup(b: import('esbuild').PluginBuild) {
      b.onResolve({ filter: /^heppy$/ }, () => ({ path: external, external: true }));
    },
  });
  const common = {
    entryPoints: [heppyfile], bundle: true, platform: 'node' as const, format: 'esm' as const,
    target: 'node20', write: false, logLevel: 'silent' as const, legalComments: 'none' as const,
    absWorkingDir: dirname(heppyfile),
  };
  // What each build read of the local files, by path: the stamps record the digest of the very
  // content bundled (file-stamps.ts); a file read twice with different contents gets no digest.
  const read = new Map<string, string>();
  const readsPlugin = {
    name: 'heppy-reads',
    setup(b: import('esbuild').PluginBuild) {
      b.onLoad({ filter: /\.([mc]?[jt]s|[jt]sx|json)$/ }, (a) => {
        if (a.namespace !== 'file' || a.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const bytes = readFileSync(a.path);
        const d = hashBytes(bytes);
        read.set(a.path, read.has(a.path) && read.get(a.path) !== d ? '' : d);
        return { contents: bytes, loader: loaderOf(a.path) };
      });
    },
  };
  let run, min;
  const readFrom = Date.now();   // the inputs are stamped after esbuild read them: one edited since is not (file-stamps.ts)
  try {
    [run, min] = await Promise.all([
      esbuild.build({ ...common, metafile: true, keepNames: true, sourcemap: 'external', outfile: 'bundle.mjs',
        plugins: [heppyPlugin(pathToFileURL(heppyIndexPath).href), readsPlugin] }),
      // 'heppy' stays a bare name here so that the key does not depend on where heppy is installed.
      esbuild.build({ ...common, minify: true, plugins: [heppyPlugin('heppy'), readsPlugin] }),
    ]);
  } catch (err) {
    const e = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
    if (e) {
      const loc = e.location;
      return fail({ file: loc ? `${resolve(dirname(heppyfile), loc.file)}:${loc.line}:${loc.column + 1}` : heppyfile, reason: e.text });
    }
    return fail({ file: heppyfile, reason: (err as Error).message.split('\n')[0] ?? String(err) });
  }
  const code = run.outputFiles!.find((f) => f.path.endsWith('.mjs'))!.text;
  const map = run.outputFiles!.find((f) => f.path.endsWith('.map'))?.text;
  const minText = min.outputFiles![0]!.text;
  // The map is part of the address: a comment moves lines without changing the code.
  const hash = hashString(code + (map ?? ''));
  const stage = mkdtempSync(join(tmpdir(), 'heppy-bundle-'));
  const staged = join(stage, `${hash}.mjs`);
  if (map) {
    // Sources made absolute: the map lives in the cache, not next to the heppyfile.
    const m = JSON.parse(map) as { sources: string[] };
    m.sources = m.sources.map((s) => resolve(dirname(heppyfile), s));
    writeFileSync(`${staged}.map`, JSON.stringify(m));
  }
  writeFileSync(staged, `${code.replace(/\/\/# sourceMappingURL=.*\n?$/, '')}//# sourceMappingURL=${hash}.mjs.map\n`);
  const inputs = Object.keys(run.metafile!.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .map((p) => resolve(dirname(heppyfile), p));
  const stats = Object.keys(run.metafile!.inputs).map((q) => {
    const p = resolve(dirname(heppyfile), q);
    const d = read.get(p);
    return stampFile(p, readFrom, d === '' ? null : d);
  });
  const codeDigest = hashString(minText);
  let done: Bundle | null = null;
  const discard = (): void => rmSync(stage, { recursive: true, force: true });
  const commit = (stamp?: TypecheckStamp): Bundle => {
    if (done) return done;
    const dir = join(cacheDir, 'bundles');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, basename(staged));
    // Copied, not renamed: the temporary directory may be on another filesystem.
    if (!existsSync(path)) {
      if (map) copyAtomic(`${staged}.map`, `${path}.map`);
      copyAtomic(staged, path);
    }
    discard();
    done = { heppyfile, path, hash, codeDigest, inputs };
    const index = readIndex(cacheDir);
    index[heppyfile] = { ...done, stats, heppyIndex: heppyIndexPath, toolchain: toolchain(), ...(stamp ? { typecheck: stamp } : {}) };
    writeAtomic(indexFile(cacheDir), JSON.stringify(index));
    return done;
  };
  // The last type-check of this heppyfile, whatever bundle it went with (load.ts checks that it still holds).
  const typechecked = readIndex(cacheDir)[heppyfile]?.typecheck;
  return ok({ bundle: { heppyfile, path: staged, hash, codeDigest, inputs }, fromCache: false, typechecked, commit, discard });
}
