#!/usr/bin/env node
// Thin launcher. `npm run build` compiles the CLI to dist/src (tsc) and bundles it into dist/cli
// (scripts/bundle-cli.mjs: ~10 files to load instead of ~110, the start-up of every command).
// When tsc has rewritten dist/src since the bundle was made (a developer's `npx tsc -p .`), the
// bundle is made again first, so that heppy never runs code older than dist/src.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const dist = new URL('../dist/', import.meta.url);
const unbundled = new URL('src/cli/main.js', dist);
const bundled = new URL('cli/main.js', dist);
if (!existsSync(fileURLToPath(unbundled))) {
  process.stderr.write('heppy: not built yet; run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
  process.exit(2);
}
const mtime = (u) => { try { return statSync(fileURLToPath(u)).mtimeMs; } catch { return -1; } };
// HEPPY_BUNDLE=0 (or false/no/off, as src/util/env.ts reads it; a bad value is reported there): the unbundled CLI.
let main = /^\s*(0|false|no|off)\s*$/i.test(process.env.HEPPY_BUNDLE ?? '') ? unbundled : bundled;
if (main === bundled && mtime(bundled) < mtime(unbundled)) {
  try {
    await (await import('../scripts/bundle-cli.mjs')).bundleCli();
  } catch {
    // No bundle (dist/ not writable, esbuild missing): the same program, unbundled (slower start).
    main = unbundled;
  }
}
await import(main.href);
