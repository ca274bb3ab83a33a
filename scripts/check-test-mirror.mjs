#!/usr/bin/env node
// "Tests mirror src/ file by file": every src/**/*.ts has test/unit/<same path>.test.ts
// (src/a/b.ts → test/unit/a/b.test.ts), except the exempt files (nothing of their own to test) and
// the pending ones (no test file yet, listed with what exercises them meanwhile). Exits 1 when a
// file is missing its test and is neither, or when an entry of either list is stale (the file is
// gone, or it now has its test: delete its line), so the pending list can only shrink. `npm test`
// runs it first. Usage: node scripts/check-test-mirror.mjs [--quiet] [--pending]
// (--quiet: the summary only; --pending: list the pending files too).
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
  ['src/exec/sched-types.ts', 'types only: the scheduler\'s tasks, outcomes, events, hooks and options (the scheduler is tested by unit/exec/scheduler)'],
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

/**
 * Files without their own test file yet (session 21: 104 of 307; add the test, delete the line).
 * A new src file is not added here: it comes with its test.
 */
const PENDING = new Map([
  ['src/check/hadd-dirs.ts', 'heppy check part: exercised by unit/check/** and e2e/check-*'],
  ['src/check/hadd-outdir.ts', 'heppy check part: exercised by unit/check/** and e2e/check-*'],
  ['src/check/judge.ts', 'heppy check part: exercised by unit/check/** and e2e/check-*'],
  ['src/check/plan-view.ts', 'heppy check part: exercised by unit/check/** and e2e/check-*'],
  ['src/cli/build.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/cache.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/check.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/clean.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/graph.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/hadd.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/init.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/report.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/root/merge.ts', 'the `heppy root` commands: run end to end by e2e/hadd-cli, e2e/inspect-types and unit/cli/root/inspect'],
  ['src/cli/run-chunk.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/run.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/status.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/why.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/cli/yields.ts', 'a CLI command (parses and wires): run end to end by the e2e tests of that command'],
  ['src/config/analyzer.ts', 'heppyfile model/loader part: exercised by unit/config/load*.test.ts and e2e/build-load'],
  ['src/config/component.ts', 'heppyfile model/loader part: exercised by unit/config/load*.test.ts and e2e/build-load'],
  ['src/config/config.ts', 'heppyfile model/loader part: exercised by unit/config/load*.test.ts and e2e/build-load'],
  ['src/engine/build.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/cancel.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/check-resubmit.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/clean.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/executors.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/fix.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/output-check-worker.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/plan.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/remerge.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/session.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/engine/store.ts', 'engine: exercised through unit/engine/run*.test.ts, restore*.test.ts and the e2e/build-* tests'],
  ['src/exec/batch/run-chunks.ts', 'batch executor part: exercised by unit/exec/batch/** and e2e/batch-*, e2e/slurm-*'],
  ['src/exec/batch/tracker.ts', 'batch executor part: exercised by unit/exec/batch/** and e2e/batch-*, e2e/slurm-*'],
  ['src/exec/local/worker.ts', 'local worker process: exercised by unit/exec/local/** and every e2e build'],
  ['src/exec/slurm/submit.ts', 'Slurm executor part: exercised by unit/exec/slurm/** and e2e/slurm-* (real Slurm)'],
  ['src/fingerprint/remote-digest.ts', 'digests: exercised by unit/fingerprint/** and e2e/remote-digests'],
  ['src/init/index.ts', 'heppy init: run end to end by e2e/init-project'],
  ['src/init/inspect.ts', 'heppy init: run end to end by e2e/init-project'],
  ['src/init/sample.ts', 'heppy init: run end to end by e2e/init-project'],
  ['src/init/templates.ts', 'heppy init: run end to end by e2e/init-project'],
  ['src/io/http/raw-conn.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/io/http/request.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/io/open.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/io/xrootd/connection.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/io/xrootd/file.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/io/xrootd/requests.ts', 'remote input: exercised by unit/io/** and e2e/remote-* (real XRootD)'],
  ['src/loop/source.ts', 'event loop part: exercised by unit/loop/** and every e2e build'],
  ['src/merge/merge-worker.ts', 'merge of an Outdir: exercised by unit/merge/** and e2e/merge-tree, e2e/hadd-*'],
  ['src/report/html/collect.ts', 'heppy report: run end to end by e2e/report-html'],
  ['src/report/html/page.ts', 'heppy report: run end to end by e2e/report-html'],
  ['src/report/plain.ts', 'reporter: its output is asserted by e2e/progress-tty and the e2e builds'],
  ['src/report/tty.ts', 'reporter: its output is asserted by e2e/progress-tty and the e2e builds'],
  ['src/root/codec-thread.ts', 'ROOT support: exercised by unit/root/** over the shared ROOT files'],
  ['src/root/hadd/append-whole.ts', 'merge path: exercised by unit/root/hadd/** and e2e/hadd-*'],
  ['src/root/hadd/index.ts', 'merge path: exercised by unit/root/hadd/** and e2e/hadd-*'],
  ['src/root/hadd/inputs.ts', 'merge path: exercised by unit/root/hadd/** and e2e/hadd-*'],
  ['src/root/hadd/keys.ts', 'merge path: exercised by unit/root/hadd/** and e2e/hadd-*'],
  ['src/root/hadd/part-worker.ts', 'merge path: exercised by unit/root/hadd/** and e2e/hadd-*'],
  ['src/root/hist.ts', 'ROOT support: exercised by unit/root/** over the shared ROOT files'],
  ['src/root/read/file.ts', 'ROOT reader: exercised by unit/root/read/** over the shared ROOT files'],
  ['src/root/read/jsroot.ts', 'ROOT reader: exercised by unit/root/read/** over the shared ROOT files'],
  ['src/root/read/summary.ts', 'ROOT reader: exercised by unit/root/read/** over the shared ROOT files'],
  ['src/root/read/tree.ts', 'ROOT reader: exercised by unit/root/read/** over the shared ROOT files'],
  ['src/root/rntuple/anchor-streamer.ts', 'RNTuple reader/writer part: exercised by unit/root/rntuple/** (reader, writer, summaries)'],
  ['src/root/rntuple/descriptor.ts', 'RNTuple reader/writer part: exercised by unit/root/rntuple/** (reader, writer, summaries)'],
  ['src/root/rntuple/pages.ts', 'RNTuple reader/writer part: exercised by unit/root/rntuple/** (reader, writer, summaries)'],
  ['src/root/rntuple/schema.ts', 'RNTuple reader/writer part: exercised by unit/root/rntuple/** (reader, writer, summaries)'],
  ['src/root/rntuple/serialize.ts', 'RNTuple reader/writer part: exercised by unit/root/rntuple/** (reader, writer, summaries)'],
  ['src/root/write/basket.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/root/write/hist.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/root/write/objects.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/root/write/streamer-records.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/root/write/tree-meta.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/root/write/tree.ts', 'ROOT writer: exercised through the files it writes (unit/root/write/**, unit/root/hadd/**), read back'],
  ['src/store/write-batch.ts', 'store: exercised by unit/store/** and e2e/build-store-damage'],
]);

const testOf = (src) => join('test', 'unit', src.slice('src/'.length).replace(/(\.d)?\.ts$/, '.test.ts'));

const sources = walk(join(root, 'src'));
const hasTest = (s) => existsSync(join(root, testOf(s)));
const missing = sources.filter((s) => !EXEMPT.has(s) && !PENDING.has(s) && !hasTest(s));
const staleOf = (list) => [...list.keys()].filter((s) => !sources.includes(s) || hasTest(s));
const stale = [...staleOf(EXEMPT).map((s) => ['exempt', s]), ...staleOf(PENDING).map((s) => ['pending', s])];
const pending = [...PENDING.keys()].filter((s) => sources.includes(s) && !hasTest(s));
const quiet = process.argv.includes('--quiet');

if (!quiet) for (const s of missing) console.log(`${s}: no ${testOf(s)}`);
if (process.argv.includes('--pending')) for (const s of pending) console.log(`${s}: pending (${PENDING.get(s)})`);
for (const [list, s] of stale) console.log(`${s}: ${list} in scripts/check-test-mirror.mjs, but ${sources.includes(s) ? 'it has its test' : 'the file is gone'}: delete its line`);
const exempt = EXEMPT.size - staleOf(EXEMPT).length;
console.log(`${sources.length} source files, ${exempt} exempt, ${sources.length - exempt - pending.length - missing.length} with their test, ${pending.length} pending, ${missing.length} missing`);
process.exit(missing.length > 0 || stale.length > 0 ? 1 : 0);
