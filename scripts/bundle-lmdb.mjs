#!/usr/bin/env node
// Bundles lmdb (its CommonJS build) and the packages it loads (msgpackr, msgpackr-extract,
// ordered-binary, weak-lru-cache, extended-iterable) into one file, dist/lmdb/lmdb.cjs, for
// src/store/lmdb-load.ts: one file compiled instead of Node resolving and reading ~10 (stat calls,
// package.json exports, node-gyp-build's search of the prebuilds), about half of lmdb's load.
// The two native addons are not bundled: the file the packages' own loader
// (node-gyp-build-optional-packages) picks for this Node is found here, once, and the bundle
// requires it by its path relative to the bundle. dist/lmdb/manifest.json names the Node ABI,
// platform, arch and C library it was picked for, and every source with its size and mtime, so
// that a bundle that does not fit the process or is older than its packages is not used, and the
// bundle's V8 code cache (made here by lmdb-load.ts `codeCache`, after a store was used through it).
// Bundle and cache are named by the bundle's content hash, the manifest written last names the
// pair, and the files it no longer names are removed (a process that read the old manifest a
// moment ago and finds its file gone loads lmdb from node_modules).
// `npm run build` runs it; without it heppy loads lmdb from node_modules (slower, same program).
// Usage: node scripts/bundle-lmdb.mjs [directory=dist/lmdb]
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultOut = join(root, 'dist', 'lmdb');

// A commit LMDB cannot write (full disk under the cache) is printed by lmdb-js with console.error
// (the error and its stack) before it rejects the commit's promise, which heppy turns into one line
// (src/store/write-failure.ts): that console call, and only it, is left out of the bundle. The
// rejection is unchanged. Where the text is not found (lmdb changed), the bundle is made as it is.
export const COMMIT_CONSOLE = /(lmdbError\(status\);\s*\}\s*catch\s*\(error\)\s*\{)\s*console\.error\(error\);/;

const quietCommitFailure = {
  name: 'quiet-commit-failure',
  setup(b) {
    b.onLoad({ filter: /[\\/]lmdb[\\/]dist[\\/]index\.cjs$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8');
      if (!COMMIT_CONSOLE.test(src)) {
        process.stderr.write('bundle-lmdb: lmdb-js\'s console.error of a failed commit was not found: a full disk under the cache prints its stack before heppy\'s line\n');
        return undefined;
      }
      return { contents: src.replace(COMMIT_CONSOLE, '$1'), loader: 'js' };
    });
  },
};

export async function bundleLmdb(outDir = defaultOut) {
  // The same loader code heppy uses for the target (one owner of the manifest's meaning).
  const { codeCache, libcOfNode, thisTarget } = await import(join(root, 'dist', 'src', 'store', 'lmdb-load.js'));
  const libc = process.platform === 'linux' ? libcOfNode() : null;
  if (libc === null) return null; // the target cannot be told: heppy loads the package
  const req = createRequire(join(root, 'package.json'));
  const lmdbDir = join(dirname(req.resolve('lmdb')), '..');
  const extractDir = dirname(createRequire(req.resolve('msgpackr')).resolve('msgpackr-extract'));
  const gyp = createRequire(join(lmdbDir, 'package.json'))('node-gyp-build-optional-packages');
  const before = process.env.LIBC;
  process.env.LIBC = libc;
  let addons;
  try {
    addons = { lmdb: gyp.path(lmdbDir), extract: gyp.path(extractDir) };
  } finally {
    if (before === undefined) delete process.env.LIBC;
    else process.env.LIBC = before;
  }
  const rel = (p) => relative(outDir, p);
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const tmp = join(outDir, `lmdb.${process.pid}.tmp`);
  const built = await esbuild.build({
    stdin: { contents: "module.exports = require('lmdb');", resolveDir: root, sourcefile: 'lmdb-entry.cjs', loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: tmp, write: true, metafile: true,
    conditions: ['require', 'node'], logLevel: 'error', legalComments: 'none',
    plugins: [{
      name: 'addons-by-path',
      setup(b) {
        // Both callers of the addon loader get the file it picks for this Node, by path.
        b.onResolve({ filter: /^node-gyp-build-optional-packages$/ }, (a) => ({ path: a.importer, namespace: 'addon' }));
        b.onLoad({ filter: /.*/, namespace: 'addon' }, (a) => {
          const addon = a.path.startsWith(extractDir) ? addons.extract : addons.lmdb;
          return { contents: `module.exports = () => require(require('path').join(__dirname, ${JSON.stringify(rel(addon))}));`, loader: 'js' };
        });
      },
    }, quietCommitFailure],
  });
  const files = [...Object.keys(built.metafile.inputs).filter((f) => !f.startsWith('addon:') && f !== 'lmdb-entry.cjs').map((f) => resolve(root, f)),
    addons.lmdb, addons.extract];
  const sources = files.map((f) => {
    const st = statSync(f);
    return [rel(f), st.size, st.mtimeMs];
  });
  const file = `lmdb.${createHash('sha256').update(readFileSync(tmp)).digest('hex').slice(0, 16)}.cjs`;
  renameSync(tmp, join(outDir, file));
  const manifest = { target: thisTarget(libc), file, sources };
  const scratch = mkdtempSync(join(tmpdir(), 'heppy-lmdb-cache-'));
  try {
    writeFileSync(join(outDir, `${file}.cache.tmp`), await codeCache(join(outDir, file), join(scratch, 'db')));
    renameSync(join(outDir, `${file}.cache.tmp`), join(outDir, `${file}.cache`));
    manifest.codeCache = `${file}.cache`;
  } catch (err) {
    process.stderr.write(`bundle-lmdb: no code cache (${err instanceof Error ? err.message : String(err)}): the bundle is compiled at each load\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(join(outDir, 'manifest.json.tmp'), JSON.stringify(manifest, null, 1) + '\n');
  renameSync(join(outDir, 'manifest.json.tmp'), join(outDir, 'manifest.json'));
  for (const f of readdirSync(outDir)) {
    if (/^lmdb(\.[0-9a-f]+)?\.cjs(\.cache)?$/.test(f) && f !== file && f !== manifest.codeCache) rmSync(join(outDir, f), { force: true });
  }
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const m = await bundleLmdb(process.argv[2] ? resolve(process.argv[2]) : defaultOut);
    if (m === null) process.stderr.write('bundle-lmdb: the C library of this node binary is not known: lmdb is loaded from node_modules\n');
  } catch (err) {
    rmSync(join(process.argv[2] ? resolve(process.argv[2]) : defaultOut, 'manifest.json'), { force: true });
    process.stderr.write(`bundle-lmdb: not bundled (${err instanceof Error ? err.message : String(err)}): lmdb is loaded from node_modules\n`);
  }
}
