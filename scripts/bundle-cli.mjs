#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/: one entry file and lazy chunks
// (esbuild --splitting, so that every `await import()` stays a chunk loaded only when reached).
// Start-up loads ~10 files instead of ~110 (Node 20 has no compile cache; each ESM module costs a
// resolve, a read, a compile and an instantiate). `npm run build` runs it after tsc; bin/heppy.js
// runs it again when tsc has rewritten dist/src since (a developer's `npx tsc -p .`).
//
// Two rules keep the bundle the same program as dist/src:
// - The public API (dist/src/index.js and what it imports) is NOT bundled: the heppyfile imports
//   it as 'heppy', and the CLI must share those module instances (getOption's options, Counter and
//   Average classes, UserError). The bundle imports those files from dist/src.
// - `import.meta.url` in a bundled module is replaced by that module's own URL in dist/src, so
//   worker scripts, package.json and the batch helpers are found where they were.
// A new bundle is written beside the one in use, never over it: chunks have content-hashed names
// (an existing name is the same file), main.js is renamed over last, so a process started from the
// old main.js (a batch job, a local worker, a build) still finds every chunk it imports lazily.
// Chunks no longer reached from main.js are retired (dist/cli/retired.json: name → when) and
// removed RETIRED_KEEP_MS later, when no job of that bundle can still be starting.
// Usage: node scripts/bundle-cli.mjs   (writes dist/cli/main.js last, atomically)
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'dist', 'src');
export const outDir = join(root, 'dist', 'cli');
export const entryOut = join(outDir, 'main.js');
const entryIn = join(srcDir, 'cli', 'main.js');
/**
 * The other entries: processes heppy starts itself (src/util/bundled.ts picks them when fresh).
 * A script module guards its command line with `import.meta.url === argv[1]`, which is never true
 * in the bundle: those entries are small generated modules that call the module's exported main.
 */
const ENTRIES = {
  worker: { file: join(srcDir, 'exec', 'local', 'worker.js') },
  // The output-check thread of a big no-op build (its ~10 modules loaded in a cold isolate).
  'output-check': { file: join(srcDir, 'engine', 'output-check-worker.js') },
  'run-chunks': { file: join(srcDir, 'exec', 'batch', 'run-chunks.js'), main: true },
  'exit-marker': { file: join(srcDir, 'chunkdir', 'exit-marker.js'), main: true },
};
/** How long a chunk no longer reached from main.js is kept (a queued batch job may start days later). */
export const RETIRED_KEEP_MS = 7 * 24 * 3600_000;
const CHUNK_FILE = /^chunk-[A-Za-z0-9]+\.js$/;
/** Packages bundled in (pure ESM, loaded by every command); every other package stays external. */
const BUNDLED_PACKAGES = new Set(['clipanion', 'leven']);

/** The compiled public API: index.js and every dist/src module it reaches by static import. */
function publicModules() {
  const seen = new Set();
  const todo = [join(srcDir, 'index.js')];
  while (todo.length > 0) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    // tsc's output: static `import … from './x.js'` / `export … from './x.js'` (no dynamic import here).
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm)) {
      todo.push(resolve(dirname(f), m[1] ?? m[2]));
    }
  }
  return seen;
}

/** A path relative to dist/cli/ as an import specifier. */
const fromOut = (abs) => {
  const r = relative(outDir, abs).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

/** Is dist/cli/main.js older than dist/src (tsc rewrites every output file on each run)? */
export function bundleStale() {
  try {
    return statSync(entryOut).mtimeMs < statSync(entryIn).mtimeMs;
  } catch {
    return true;
  }
}

export async function bundleCli() {
  const esbuild = await import('esbuild');
  const pub = publicModules();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((p) => !BUNDLED_PACKAGES.has(p));
  const plugin = {
    name: 'heppy-cli',
    setup(b) {
      // clipanion's ESM build (its package.json has no "exports": Node would load the CommonJS one).
      // Found as Node finds it and by its real path: esbuild reports resolveDir by real path, so a
      // symlinked node_modules (a git worktree, pnpm) would otherwise slip its CommonJS platform
      // file into the ESM bundle ("Dynamic require of "tty" is not supported" at start).
      const clip = join(dirname(realpathSync(createRequire(join(root, 'package.json')).resolve('clipanion/package.json'))), 'lib');
      b.onResolve({ filter: /^heppy-entry:/ }, (a) => ({ path: a.path.slice('heppy-entry:'.length), namespace: 'heppy-entry' }));
      b.onLoad({ filter: /.*/, namespace: 'heppy-entry' }, (a) => ({
        contents: `import { main } from ${JSON.stringify(ENTRIES[a.path].file)};\nawait main(process.argv.slice(2));\n`, loader: 'js', resolveDir: srcDir,
      }));
      b.onResolve({ filter: /^clipanion$/ }, () => ({ path: join(clip, 'advanced', 'index.mjs') }));
      b.onResolve({ filter: /\/platform$/ }, (a) => (a.resolveDir.startsWith(clip) ? { path: join(clip, 'platform', 'node.mjs') } : undefined));
      // Relative imports of the public API's modules stay imports of dist/src's files.
      b.onResolve({ filter: /^\.{1,2}\// }, (a) => {
        const abs = resolve(a.resolveDir, a.path);
        return pub.has(abs) ? { path: fromOut(abs), external: true } : undefined;
      });
      b.onLoad({ filter: /\.js$/ }, (a) => {
        if (!a.path.startsWith(srcDir + sep)) return undefined;
        const text = readFileSync(a.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
        const own = `new URL(${JSON.stringify(fromOut(a.path))}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
      });
    },
  };
  const tmp = join(root, 'dist', `.cli-${process.pid}-${Date.now()}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    // Written into a temporary directory next to dist/cli (same relative paths to dist/src), then
    // moved: chunks first (content-hashed names: an existing one is the same file), the entry last.
    await esbuild.build({
      entryPoints: { main: entryIn, ...Object.fromEntries(Object.entries(ENTRIES).map(([n, e]) => [n, e.main ? `heppy-entry:${n}` : e.file])) }, outdir: tmp, bundle: true, splitting: true, format: 'esm', platform: 'node',
      // The chunks' path comments (so their content-hashed names) are relative to this directory:
      // the tree's root, not the cwd of whoever bundles (bin/heppy.js re-bundles from a user's
      // project), else the same dist/src gave another set of chunks and retired the one in use.
      absWorkingDir: root,
      target: 'node20', external, plugins: [plugin], logLevel: 'error', legalComments: 'none',
      chunkNames: 'chunk-[hash]', keepNames: true, sourcemap: false,
      banner: { js: '// Generated by scripts/bundle-cli.mjs from dist/src (npm run build); do not edit.' },
    });
    mkdirSync(outDir, { recursive: true });
    for (const f of readdirSync(tmp)) {
      if (CHUNK_FILE.test(f) && !existsSync(join(outDir, f))) renameSync(join(tmp, f), join(outDir, f));
    }
    for (const n of Object.keys(ENTRIES)) renameSync(join(tmp, `${n}.js`), join(outDir, `${n}.js`));
    renameSync(join(tmp, 'main.js'), entryOut);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  retireChunks();
}

/** The chunks the entries (files of dist/cli) import, statically or lazily, transitively. */
export function reachedChunks(entries = [entryOut, ...Object.keys(ENTRIES).map((n) => join(outDir, `${n}.js`))]) {
  const seen = new Set();
  const todo = entries.filter((e) => existsSync(e));
  while (todo.length > 0) {
    const text = readFileSync(todo.pop(), 'utf8');
    for (const m of text.matchAll(/["']\.\/(chunk-[A-Za-z0-9]+\.js)["']/g)) {
      if (seen.has(m[1])) continue;
      seen.add(m[1]);
      todo.push(join(outDir, m[1]));
    }
  }
  return seen;
}

/**
 * Chunks no entry reaches any more are listed in retired.json with the time they were first found
 * so, and removed RETIRED_KEEP_MS after that; one reached again leaves the list. The list is
 * replaced atomically (two bundlers at once may each retire: a chunk is then kept a little longer).
 */
export function retireChunks(now = Date.now()) {
  const file = join(outDir, 'retired.json');
  let retired = {};
  try {
    retired = JSON.parse(readFileSync(file, 'utf8'));
  } catch { /* none retired yet */ }
  const reached = reachedChunks();
  const next = {};
  for (const f of readdirSync(outDir)) {
    if (!CHUNK_FILE.test(f) || reached.has(f)) continue;
    const since = typeof retired[f] === 'number' ? retired[f] : now;
    if (now - since >= RETIRED_KEEP_MS) rmSync(join(outDir, f), { force: true });
    else next[f] = since;
  }
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(next, null, 1) + '\n');
  renameSync(tmp, file);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Never removed first: processes started from the bundle in use keep importing its chunks.
  await bundleCli();
  writeFileSync(join(outDir, 'README'), 'Generated by scripts/bundle-cli.mjs (npm run build): the bundled CLI that bin/heppy.js runs.\n');
}
