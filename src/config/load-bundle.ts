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
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
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

/** The runnable bundle exports each local module's namespace as `${MODULE_EXPORT}<i>` (load-code.ts). */
export const MODULE_EXPORT = '__heppy_module';
/** The name of the bundle's synthetic entry (in source maps). */
const ENTRY_NAME = '<heppy-entry>';

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
    bundle: true, platform: 'node' as const, format: 'esm' as const,
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
  const readFrom = Date.now();   // the inputs are stamped after esbuild read them: one edited since is not (file-stamps.ts)
  // 1. The minified bundle (the whole code's digest) and the import graph (which local modules there are).
  // 2. The runnable bundle, of an entry that re-exports the heppyfile and each local module's namespace
  //    (one instance of each module: load-code.ts finds an analyzer class's module by identity), and
  //    3. each local module bundled alone, minified: the digest of its code and of all it imports.
  const failed = (err: unknown): Result<never> => {
    const e = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
    if (e) {
      const loc = e.location;
      return fail({ file: loc ? `${resolve(dirname(heppyfile), loc.file)}:${loc.line}:${loc.column + 1}` : heppyfile, reason: e.text });
    }
    return fail({ file: heppyfile, reason: (err as Error).message.split('\n')[0] ?? String(err) });
  };
  let min;
  try {
    // 'heppy' stays a bare name here so that the key does not depend on where heppy is installed.
    min = await esbuild.build({ ...common, entryPoints: [heppyfile], minify: true, metafile: true, outfile: 'min.mjs', plugins: [heppyPlugin('heppy'), readsPlugin] });
  } catch (err) {
    return failed(err);
  }
  const here = dirname(heppyfile);
  const heppyfileRel = Object.keys(min.metafile!.inputs).find((q) => resolve(here, q) === heppyfile);
  const local = Object.keys(min.metafile!.inputs).filter((q) => q !== heppyfileRel && !q.includes('node_modules/') && /\.([mc]?[jt]s|[jt]sx)$/.test(q));
  const heppyfileExports = Object.values(min.metafile!.outputs)[0]?.exports ?? [];
  const entry = [
    `export * from ${JSON.stringify(heppyfile)};`,
    heppyfileExports.includes('default') ? `export { default } from ${JSON.stringify(heppyfile)};` : '',
    ...local.map((q, i) => `export * as ${MODULE_EXPORT}${i} from ${JSON.stringify(resolve(here, q))};`),
  ].join('\n');
  let run, alone;
  try {
    [run, alone] = await Promise.all([
      esbuild.build({ ...common, stdin: { contents: entry, resolveDir: here, sourcefile: ENTRY_NAME, loader: 'js' },
        metafile: true, keepNames: true, sourcemap: 'external', outfile: 'bundle.mjs',
        plugins: [heppyPlugin(pathToFileURL(heppyIndexPath).href), readsPlugin] }),
      local.length === 0 ? null
        : esbuild.build({ ...common, entryPoints: local, minify: true, metafile: true, outdir: 'alone', outbase: here, plugins: [heppyPlugin('heppy'), readsPlugin] }),
    ]);
  } catch (err) {
    return failed(err);
  }
  const code = run.outputFiles!.find((f) => f.path.endsWith('.mjs'))!.text;
  const map = run.outputFiles!.find((f) => f.path.endsWith('.map'))?.text;
  const minText = min.outputFiles![0]!.text;
  // Each local module's code digest (its own bundle), by its path relative to the heppyfile's directory.
  const moduleDigests: Record<string, string> = {};
  const moduleBytes: Record<string, number> = {};
  if (alone) {
    const byEntry = new Map<string, string>();
    for (const [out, o] of Object.entries(alone.metafile!.outputs)) if (o.entryPoint) byEntry.set(resolve(here, out), o.entryPoint);
    for (const f of alone.outputFiles!) {
      const ep = byEntry.get(f.path);
      if (ep === undefined) continue;
      const m = relative(here, resolve(here, ep));
      moduleDigests[m] = hashString(f.text);
      moduleBytes[m] = f.contents.length;
    }
  }
  const modules = local.map((q) => relative(here, resolve(here, q)));
  const imports: Record<string, string[]> = {};
  for (const [q, i] of Object.entries(min.metafile!.inputs)) {
    if (q.includes('node_modules/')) continue;
    imports[relative(here, resolve(here, q))] = i.imports.filter((x) => !x.external && !x.path.includes('node_modules/')).map((x) => relative(here, resolve(here, x.path)));
  }
  // The map is part of the address: a comment moves lines without changing the code.
  const hash = hashString(code + (map ?? ''));
  const stage = mkdtempSync(join(tmpdir(), 'heppy-bundle-'));
  const staged = join(stage, `${hash}.mjs`);
  if (map) {
    // Sources made absolute: the map lives in the cache, not next to the heppyfile.
    const m = JSON.parse(map) as { sources: string[] };
    m.sources = m.sources.map((s) => resolve(here, s));
    writeFileSync(`${staged}.map`, JSON.stringify(m));
  }
  writeFileSync(staged, `${code.replace(/\/\/# sourceMappingURL=.*\n?$/, '')}//# sourceMappingURL=${hash}.mjs.map\n`);
  const inputs = Object.keys(min.metafile!.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .map((p) => resolve(here, p));
  const stats = Object.keys(min.metafile!.inputs).map((q) => {
    const p = resolve(here, q);
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
    done = { heppyfile, path, hash, codeDigest, inputs, modules, moduleDigests, moduleBytes, imports };
    const index = readIndex(cacheDir);
    index[heppyfile] = { ...done, stats, heppyIndex: heppyIndexPath, toolchain: toolchain(), ...(stamp ? { typecheck: stamp } : {}) };
    writeAtomic(indexFile(cacheDir), JSON.stringify(index));
    return done;
  };
  // The last type-check of this heppyfile, whatever bundle it went with (load.ts checks that it still holds).
  const typechecked = readIndex(cacheDir)[heppyfile]?.typecheck;
  return ok({ bundle: { heppyfile, path: staged, hash, codeDigest, inputs, modules, moduleDigests, moduleBytes, imports }, fromCache: false, typechecked, commit, discard });
}
