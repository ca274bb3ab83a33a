#!/usr/bin/env node
// "Tests mirror src/ file by file": lists every src/**/*.ts that has no test/unit/<same path>.test.ts
// (src/a/b.ts → test/unit/a/b.test.ts), except the exempt files below, and exits 1 when any is
// missing (0 when none). A stale exemption (the file is gone, or it now has its test) is also an
// error, so the list cannot rot. Usage: node scripts/check-test-mirror.mjs [--quiet]  (npm run check:mirror)
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * Files with nothing of their own to test: barrels (re-exports only), declaration files, constants
 * and type-only modules. Each line says why. A file with logic does not belong here, however small.
 */
const EXEMPT = new Map([
  ['src/index.ts', 'barrel: the public API re-exported'],
  ['src/merge/index.ts', 'barrel: re-exports only'],
  ['src/root/read/index.ts', 'barrel: re-exports only'],
  ['src/root/write/index.ts', 'barrel: re-exports only'],
  ['src/stats/index.ts', 'barrel: re-exports only'],
  ['src/root/read/modules.d.ts', 'declaration file: the types of an untyped dependency (lz4js)'],
  ['src/exec/local/protocol.ts', 'types only: the messages between the local executor and its workers'],
  ['src/exec/batch/paths.ts', 'a constant: the path of the bundled run-chunks entry point'],
  ['src/exec/executor.ts', 'types only: the Executor interface, job specs, attempt ends and events'],
  ['src/exec/slurm/context.ts', 'types only: what the parts of the Slurm executor share'],
  ['src/report/events.ts', 'types only: the build event stream and the Reporter interface'],
  ['src/store/records.ts', 'types only: the records the store keeps'],
]);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts')) out.push(relative(root, p));
  }
  return out;
}

const testOf = (src) => join('test', 'unit', src.slice('src/'.length).replace(/(\.d)?\.ts$/, '.test.ts'));

const sources = walk(join(root, 'src'));
const missing = sources.filter((s) => !EXEMPT.has(s) && !existsSync(join(root, testOf(s))));
const stale = [...EXEMPT.keys()].filter((s) => !sources.includes(s) || existsSync(join(root, testOf(s))));
const quiet = process.argv.includes('--quiet');

if (!quiet) for (const s of missing) console.log(`${s}: no ${testOf(s)}`);
for (const s of stale) console.log(`${s}: exempt in scripts/check-test-mirror.mjs, but ${sources.includes(s) ? 'it has its test' : 'the file is gone'}`);
const mirrored = sources.length - EXEMPT.size + stale.length - missing.length;
console.log(`${sources.length} source files, ${EXEMPT.size - stale.length} exempt, ${mirrored} with their test, ${missing.length} without`);
process.exit(missing.length > 0 || stale.length > 0 ? 1 : 0);
