// The three esbuild builds of a heppyfile (load-bundle.ts says why three) and what is derived from
// their metafiles: the local modules, each one's code digest and size alone, the local import graph.
// Nothing is written here: load-bundle.ts stages and caches the result.
import { readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { BuildOptions, BuildResult, Metafile, PluginBuild } from 'esbuild';
import { hashBytes, hashString } from '../fingerprint/hash.js';
import { fail, ok, type Result } from '../util/result.js';

/** The runnable bundle exports each local module's namespace as `${MODULE_EXPORT}<i>` (load-code.ts). */
export const MODULE_EXPORT = '__heppy_module';
/** The name of the bundle's synthetic entry (in source maps). */
const ENTRY_NAME = '<heppy-entry>';

/** What the builds made of a heppyfile (module paths relative to its directory). */
export interface Esbuilt {
  code: string;                 // the runnable bundle
  map: string | undefined;      // its source map
  codeDigest: string;           // digest of the minified bundle
  inputs: string[];             // every input of the minified bundle as esbuild names it (node_modules included)
  modules: string[];
  moduleDigests: Record<string, string>;
  moduleBytes: Record<string, number>;
  imports: Record<string, string[]>;
  /** The digest of each local file's content as bundled, by absolute path ('' if read twice with different contents). */
  read: Map<string, string>;
  /** When the builds started reading (the inputs are stamped against it: file-stamps.ts). */
  readFrom: number;
}

type Esbuild = typeof import('esbuild');
type Built = BuildResult<{ metafile: true; write: false }>;

/** esbuild's loader for a file the reads plugin hands it (what esbuild would pick by the extension). */
export function loaderOf(path: string): 'ts' | 'tsx' | 'js' | 'jsx' | 'json' {
  const e = extname(path);
  return e === '.tsx' ? 'tsx' : e === '.jsx' ? 'jsx' : e === '.json' ? 'json' : e.endsWith('ts') ? 'ts' : 'js';
}

/** Points `import … from 'heppy'` at `external` (kept external). */
function heppyPlugin(external: string) {
  return {
    name: 'heppy',
    setup(b: PluginBuild) {
      b.onResolve({ filter: /^heppy$/ }, () => ({ path: external, external: true }));
    },
  };
}

/**
 * Loads the local files itself to record the digest of the very content bundled (file-stamps.ts);
 * a file read twice with different contents gets no digest.
 */
function readsPlugin(read: Map<string, string>) {
  return {
    name: 'heppy-reads',
    setup(b: PluginBuild) {
      b.onLoad({ filter: /\.([mc]?[jt]s|[jt]sx|json)$/ }, (a) => {
        if (a.namespace !== 'file' || a.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const bytes = readFileSync(a.path);
        const d = hashBytes(bytes);
        read.set(a.path, read.has(a.path) && read.get(a.path) !== d ? '' : d);
        return { contents: bytes, loader: loaderOf(a.path) };
      });
    },
  };
}

/** An esbuild error as a one-line Failure naming file:line:column when esbuild knows it. */
export function esbuildFailure(heppyfile: string, err: unknown): Result<never> {
  const e = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
  if (e) {
    const loc = e.location;
    return fail({ file: loc ? `${resolve(dirname(heppyfile), loc.file)}:${loc.line}:${loc.column + 1}` : heppyfile, reason: e.text });
  }
  return fail({ file: heppyfile, reason: (err as Error).message.split('\n')[0] ?? String(err) });
}

/** The runnable bundle's entry: re-exports the heppyfile and each local module's namespace (one instance of each). */
function entryOf(heppyfile: string, heppyfileExports: string[], local: string[]): string {
  const here = dirname(heppyfile);
  return [
    `export * from ${JSON.stringify(heppyfile)};`,
    heppyfileExports.includes('default') ? `export { default } from ${JSON.stringify(heppyfile)};` : '',
    ...local.map((q, i) => `export * as ${MODULE_EXPORT}${i} from ${JSON.stringify(resolve(here, q))};`),
  ].join('\n');
}

/** The local modules of the minified build: its inputs but the heppyfile and node_modules (as esbuild names them). */
function localModules(heppyfile: string, inputs: Metafile['inputs']): string[] {
  const here = dirname(heppyfile);
  const heppyfileRel = Object.keys(inputs).find((q) => resolve(here, q) === heppyfile);
  return Object.keys(inputs).filter((q) => q !== heppyfileRel && !q.includes('node_modules/') && /\.([mc]?[jt]s|[jt]sx)$/.test(q));
}

/** Each local module's code digest and size (its own bundle), by its path relative to `here`. */
function aloneDigests(here: string, alone: Built | null): { moduleDigests: Record<string, string>; moduleBytes: Record<string, number> } {
  const moduleDigests: Record<string, string> = {};
  const moduleBytes: Record<string, number> = {};
  if (alone) {
    const byEntry = new Map<string, string>();
    for (const [out, o] of Object.entries(alone.metafile.outputs)) if (o.entryPoint) byEntry.set(resolve(here, out), o.entryPoint);
    for (const f of alone.outputFiles!) {
      const ep = byEntry.get(f.path);
      if (ep === undefined) continue;
      const m = relative(here, resolve(here, ep));
      moduleDigests[m] = hashString(f.text);
      moduleBytes[m] = f.contents.length;
    }
  }
  return { moduleDigests, moduleBytes };
}

/** The local import graph, the heppyfile included, in paths relative to `here`. */
function localImports(here: string, inputs: Metafile['inputs']): Record<string, string[]> {
  const imports: Record<string, string[]> = {};
  for (const [q, i] of Object.entries(inputs)) {
    if (q.includes('node_modules/')) continue;
    imports[relative(here, resolve(here, q))] = i.imports.filter((x) => !x.external && !x.path.includes('node_modules/')).map((x) => relative(here, resolve(here, x.path)));
  }
  return imports;
}

/**
 * 1. The minified bundle (the whole code's digest) and the import graph (which local modules there are).
 * 2. The runnable bundle, of an entry that re-exports the heppyfile and each local module's namespace
 *    (one instance of each module: load-code.ts finds an analyzer class's module by identity), and
 * 3. each local module bundled alone, minified: the digest of its code and of all it imports.
 * `heppyUrl`: what 'heppy' resolves to in the runnable bundle. An esbuild error → one-line Failure.
 */
export async function esbuildHeppyfile(esbuild: Esbuild, heppyfile: string, heppyUrl: string): Promise<Result<Esbuilt>> {
  const here = dirname(heppyfile);
  const common: BuildOptions = {
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent', legalComments: 'none', absWorkingDir: here,
  };
  const read = new Map<string, string>();
  const readFrom = Date.now();   // the inputs are stamped after esbuild read them: one edited since is not (file-stamps.ts)
  let min: Built;
  try {
    // 'heppy' stays a bare name here so that the key does not depend on where heppy is installed.
    min = await esbuild.build({ ...common, entryPoints: [heppyfile], minify: true, metafile: true, write: false, outfile: 'min.mjs', plugins: [heppyPlugin('heppy'), readsPlugin(read)] });
  } catch (err) {
    return esbuildFailure(heppyfile, err);
  }
  const local = localModules(heppyfile, min.metafile.inputs);
  const entry = entryOf(heppyfile, Object.values(min.metafile.outputs)[0]?.exports ?? [], local);
  let run: Built, alone: Built | null;
  try {
    [run, alone] = await Promise.all([
      esbuild.build({ ...common, stdin: { contents: entry, resolveDir: here, sourcefile: ENTRY_NAME, loader: 'js' },
        metafile: true, write: false, keepNames: true, sourcemap: 'external', outfile: 'bundle.mjs', plugins: [heppyPlugin(heppyUrl), readsPlugin(read)] }),
      local.length === 0 ? null
        : esbuild.build({ ...common, entryPoints: local, minify: true, metafile: true, write: false, outdir: 'alone', outbase: here, plugins: [heppyPlugin('heppy'), readsPlugin(read)] }),
    ]);
  } catch (err) {
    return esbuildFailure(heppyfile, err);
  }
  return ok({
    code: run.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text,
    map: run.outputFiles.find((f) => f.path.endsWith('.map'))?.text,
    codeDigest: hashString(min.outputFiles[0]!.text),
    inputs: Object.keys(min.metafile.inputs),
    modules: local.map((q) => relative(here, resolve(here, q))),
    ...aloneDigests(here, alone),
    imports: localImports(here, min.metafile.inputs),
    read,
    readFrom,
  });
}
