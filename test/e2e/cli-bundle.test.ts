// The launcher runs the bundled CLI (scripts/bundle-cli.mjs → dist/cli/): few modules at start-up,
// the public API shared with the heppyfile (getOption sees the CLI's -o), no thread started by a
// no-op build, nothing heavy loaded (jsroot, lmdb, esbuild), and a bundle older than dist/src
// (a developer's `npx tsc -p .`) made again before it runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../util/shared.js';
import { HEPPY, writeInput } from './build-rig.js';

const work = mkdtempSync(join(tmpdir(), 'heppy-cli-bundle-'));
const log = join(work, 'loaded.txt');
// Preloaded with --import: records every module the loader loads and every Worker constructed.
const hooks = join(work, 'hooks.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
export async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }
`);
const preload = join(work, 'preload.mjs');
writeFileSync(preload, `import { register, createRequire, syncBuiltinESMExports } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
register(${JSON.stringify(pathToFileURL(hooks).href)});
// CommonJS files required (not imported) bypass the hooks: each one compiled is recorded too.
const M = createRequire(import.meta.url)('node:module');
const compile = M.prototype._compile;
M.prototype._compile = function (content, filename) { appendFileSync(${JSON.stringify(log)}, pathToFileURL(filename).href + '\\n'); return compile.call(this, content, filename); };
const wt = createRequire(import.meta.url)('node:worker_threads');
const Base = wt.Worker;
wt.Worker = class extends Base { constructor(script, o) { appendFileSync(${JSON.stringify(log)}, 'worker ' + script + '\\n'); super(script, o); } };
syncBuiltinESMExports();
`);

/** Runs bin/heppy.js with the recorder; the exit, output and what was loaded (module URLs, workers). */
function traced(args: string[], cwd = repoRoot, env: Record<string, string> = {}) {
  rmSync(log, { force: true });
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, HEPPY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  let lines: string[] = [];
  try {
    lines = readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    // nothing loaded through the hooks
  }
  const rel = (u: string): string => u.replace(pathToFileURL(repoRoot).href + '/', '');
  return { code: r.status, out: r.stdout, err: r.stderr, modules: lines.filter((l) => !l.startsWith('worker ')).map(rel), workers: lines.filter((l) => l.startsWith('worker ')) };
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const HEAVY = /node_modules\/(jsroot|lmdb|msgpackr|esbuild|typescript)\//;

test('--version: the package version, from the bundle, loading no command', () => {
  const r = traced(['--version']);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, `${pkg.version}\n`);
  assert.ok(r.modules.includes('dist/cli/main.js'), r.modules.join(' '));
  assert.equal(r.modules.filter((m) => m.startsWith('dist/src/cli/') || m.startsWith('dist/src/engine/')), []);
  assert.ok(r.modules.filter((m) => !m.startsWith('node:')).length <= 8, r.modules.join(' '));
  assert.equal(r.workers, []);
});

test('bad flags and unknown commands: one line, exit 2, through the bundle', () => {
  const a = traced(['build', '--bogus']);
  assert.is(a.code, 2);
  assert.is(a.err, 'heppy: Unsupported option name ("--bogus").\n(see heppy --help)\n');
  const b = traced(['biuld']);
  assert.is(b.code, 2);
  assert.is(b.err, "heppy: unknown command 'biuld'; did you mean build?\n(see heppy --help)\n");
});

test('a build and its no-op: getOption sees -o, no thread, nothing heavy, the public API from dist/src', async () => {
  const dir = join(work, 'proj');
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeInput(join(dir, 'data', `f${i}.root`), 10, 100 * i);
  // The split is read with getOption while the Config is built, in the coordinator.
  // Each chunk notes the process that runs it and the option it sees there (a local worker).
  const ran = join(dir, 'ran.txt');
  writeFileSync(join(dir, 'heppyfile.ts'), `import { appendFileSync } from 'node:fs';
import { Analyzer, Config, Component, Sequence, getOption, type Event } from 'heppy';
class Count extends Analyzer {
  static branches = ['x'];
  override beginLoop(): void { this.counter('n').register('all'); appendFileSync(${JSON.stringify(ran)}, process.argv[1] + ' split=' + String(getOption('split', 1)) + '\\n'); }
  override process(_e: Event): void { this.counter('n').inc('all'); }
}
export default new Config({
  components: [Object.assign(new Component('A', { files: 'data/*.root' }), { splitFactor: Number(getOption('split', 1)) })],
  sequence: new Sequence(new Analyzer(Count, {})),
});
`);
  // Saved just now: within 2 s of the build that bundles it, its stat cannot vouch for its content
  // (fingerprint/racy.ts); the stamps carry the digest of what esbuild and TypeScript read, so the
  // no-op below still neither bundles nor type-checks.
  const first = traced(['build', '-j', '2', '-o', 'split=3'], dir);
  assert.is(first.code, 0, first.err);
  assert.match(first.out, / 4 run, 0 up to date, 0 failed; 30 events processed/);
  // The chunks ran in workers started from the bundle, whose public API is the heppyfile's (-o seen).
  assert.equal(readFileSync(ran, 'utf8'), `${join(repoRoot, 'dist', 'cli', 'worker.js')} split=3\n`.repeat(3));
  const noop = traced(['build', '-o', 'split=3'], dir);
  assert.is(noop.code, 0, noop.err);
  assert.match(noop.out, / 0 run, 4 up to date, 0 failed/);
  assert.equal(noop.workers, []);
  assert.equal(noop.modules.filter((m) => HEAVY.test(m)), []);
  // Bundled: of heppy's own modules, only the public API's (shared with the heppyfile) are files of dist/src.
  const own = noop.modules.filter((m) => m.startsWith('dist/src/'));
  assert.ok(own.includes('dist/src/config/options.js') && own.includes('dist/src/index.js'), own.join(' '));
  assert.equal(own.filter((m) => /^dist\/src\/(cli|engine|store|exec|graph|chunkdir)\//.test(m)), []);
  // A big plan's output-check thread (forced here for a small one) runs the bundle's entry as well.
  const threaded = traced(['build', '-o', 'split=3'], dir, { HEPPY_OUTPUT_THREAD: '1' });
  assert.match(threaded.out, / 0 run, 4 up to date, 0 failed/);
  assert.ok(threaded.workers.length >= 1, threaded.err);
  assert.equal([...new Set(threaded.workers)], [`worker ${join(repoRoot, 'dist', 'cli', 'output-check.js')}`]);
  assert.equal(threaded.modules.filter((m) => /^dist\/src\/engine\//.test(m)), []);
  // The same program unbundled, for comparison: the same answer.
  const plain = traced(['build', '-o', 'split=3'], dir, { HEPPY_BUNDLE: '0' });
  assert.match(plain.out, / 0 run, 4 up to date, 0 failed/);
  assert.ok(plain.modules.includes('dist/src/engine/session.js'));
  rmSync(ran);
  const plainRun = traced(['build', '-j', '1', '-o', 'split=3', '--force'], dir, { HEPPY_BUNDLE: '0' });
  assert.is(plainRun.code, 0, plainRun.err);
  assert.equal(readFileSync(ran, 'utf8'), `${join(repoRoot, 'dist', 'src', 'exec', 'local', 'worker.js')} split=3\n`.repeat(3));
  // Another -o split: another plan (1 chunk, no merge).
  const one = traced(['build', '--dry-run', '-o', 'split=1'], dir);
  assert.is(one.code, 0, one.err);
  assert.match(one.out, /^heppy: 1 nodes, 1 to run, 0 up to date$/m);
  assert.match(one.out, /^would run A: never built$/m);
});

test('root inspect of a zlib TTree file: neither the zstd nor the XXH3 WebAssembly module is loaded', async () => {
  const f = join(work, 'inspect.root');
  await writeInput(f, 25, 0);
  const r = traced(['root', 'inspect', '--json', f]);
  assert.is(r.code, 0, r.err);
  assert.is((JSON.parse(r.out) as { trees: Record<string, { entries: number }> }).trees['events;1']!.entries, 25);
  assert.equal(r.modules.filter((m) => /node_modules\/(@bokuweb\/zstd-wasm|hash-wasm)\//.test(m)), []);
  assert.equal(r.workers, []);
});

test('a bundle older than dist/src is made again before it runs, from any directory, as the same chunks', async () => {
  const entry = join(repoRoot, 'dist', 'cli', 'main.js');
  const b = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundle-cli.mjs')).href)) as { reachedChunks(): Set<string> };
  const before = [...b.reachedChunks()].sort();
  utimesSync(entry, new Date(0), new Date(0));
  // From another directory (a user's project): the chunks' names must not depend on it (they once
  // did: esbuild's path comments were relative to the cwd, and the chunks in use were retired).
  const r = traced(['--version'], work);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, `${pkg.version}\n`);
  assert.ok(statSync(entry).mtimeMs >= statSync(join(repoRoot, 'dist', 'src', 'cli', 'main.js')).mtimeMs);
  assert.ok(r.modules.includes('dist/cli/main.js'));
  assert.equal([...b.reachedChunks()].sort(), before);
});

test('a new bundle is written beside the one in use: chunks main.js no longer reaches stay a week, then go', async () => {
  const cli = join(repoRoot, 'dist', 'cli');
  const b = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundle-cli.mjs')).href)) as {
    retireChunks(now?: number): void; reachedChunks(): Set<string>; RETIRED_KEEP_MS: number };
  // A chunk of an earlier bundle, still imported lazily by a process started from that bundle.
  const old = join(cli, 'chunk-OLDTEST1.js');
  writeFileSync(old, 'export const x = 1;\n');
  const reached = [...b.reachedChunks()];
  assert.ok(reached.length > 5, 'main.js reaches its chunks');
  // `npm run build`'s bundler (as run by the build script): nothing of dist/cli removed first.
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'bundle-cli.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.ok(statSync(old).isFile(), 'the old chunk stays');
  const retired = JSON.parse(readFileSync(join(cli, 'retired.json'), 'utf8')) as Record<string, number>;
  assert.type(retired['chunk-OLDTEST1.js'], 'number');
  for (const c of b.reachedChunks()) assert.ok(statSync(join(cli, c)).isFile(), c);
  assert.not.ok(reached.some((c) => c in retired), 'no chunk main.js reaches is retired');
  b.retireChunks(retired['chunk-OLDTEST1.js']! + b.RETIRED_KEEP_MS - 1000);
  assert.ok(statSync(old).isFile(), 'kept within the week');
  b.retireChunks(retired['chunk-OLDTEST1.js']! + b.RETIRED_KEEP_MS);
  assert.is(statSync(old, { throwIfNoEntry: false }), undefined, 'removed after it');
  assert.not.ok('chunk-OLDTEST1.js' in (JSON.parse(readFileSync(join(cli, 'retired.json'), 'utf8')) as Record<string, number>));
  for (const c of b.reachedChunks()) assert.ok(statSync(join(cli, c)).isFile(), c);
  assert.is(traced(['--version']).code, 0);
});

test.after(() => { if (process.env.KEEP !== '1') rmSync(work, { recursive: true, force: true }); });
test('a tree whose node_modules is a symlink (a git worktree, pnpm) bundles clipanion\'s ESM build', () => {
  // esbuild reports resolveDir by real path: the bundler once missed clipanion's platform file there
  // and bundled its CommonJS one, so every command died with 'Dynamic require of "tty"'.
  const tree = join(work, 'linked-tree');
  for (const d of ['bin', 'scripts', join('dist', 'src')]) cpSync(join(repoRoot, d), join(tree, d), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(tree, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const b = spawnSync(process.execPath, [join(tree, 'scripts', 'bundle-cli.mjs')], { encoding: 'utf8' });
  assert.is(b.status, 0, b.stderr);
  const r = spawnSync(process.execPath, [join(tree, 'bin', 'heppy.js'), 'build', '--help'], { cwd: work, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage/);
  assert.not.match(readFileSync(join(tree, 'dist', 'cli', 'main.js'), 'utf8') + r.stderr, /Dynamic require/);
});

test.run();
