// The demo built from a real XRootD server: every input as a root:// URL (one component by a
// remote glob), then as http:// URLs (one component by a glob listed with WebDAV). Merged outputs (cut flows, tree entries, histogram contents)
// equal the local build's; a second build opens and reads nothing on the server; a file changed
// on the server re-runs its chunk; a wrong path is an input error naming the URL; the server
// stopped in the middle of a build: chunks fail as infrastructure, retried with back-off, and the
// build succeeds once it is back; the server down while planning: retried, or exit 3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared.js';
import { startXrootd } from '../util/xrootd.js';
import { makeData, scaledPlan } from '../../examples/make-data.js';
import { openRootFile } from '../../src/root/read/index.js';
import { readStat } from '../../src/stats/sidecar.js';
import { Counter } from '../../src/stats/counter.js';

const server = await startXrootd();
const work = mkdtempSync(join(tmpdir(), 'heppy-remote-'));
const plan = scaledPlan(0.004);
const COMPONENTS = ['data_period_A', 'data_period_B', 'ggH_125', 'ZZ'];
const env = { ...process.env, HEPPY_NET_ATTEMPTS: '8' };

function heppy(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: work, encoding: 'utf8', timeout: 600_000, env });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const build = (heppyfile: string, out: string): { code: number; out: string } =>
  heppy('build', '-f', heppyfile, '-j', '2', '--outdir', join(work, out), '--cache-dir', join(work, 'cache'));

/** The merged results of a build: cut flows, candidate tree entries, m4l histogram, per component. */
async function merged(out: string): Promise<Record<string, unknown>> {
  const res: Record<string, unknown> = {};
  for (const c of COMPONENTS) {
    const dir = join(work, out, c);
    const levels = (a: string): unknown => {
      const r = readStat(join(dir, a, 'cutflow.json'));
      if (!r.ok || !(r.value instanceof Counter)) throw new Error(`${dir}/${a}: no cut flow`);
      return r.value.levels;
    };
    const f = await openRootFile(join(dir, 'ZZSelector_1', 'tree.root'));
    const entries = (await f.tree('candidates')).entries;
    f.close();
    const h = await openRootFile(join(dir, 'ZZSelector_1', 'histograms.root'));
    const m4l = Array.from((await h.hist('m4l'))!.contents);
    h.close();
    res[c] = { leptons: levels('LeptonSelector_1'), zz: levels('ZZSelector_1'), entries, m4l };
  }
  return res;
}

/** The demo's heppyfile with its inputs replaced: `files(component)` gives the new `files` value. */
function heppyfileWith(name: string, files: (c: string) => unknown): string {
  let text = readFileSync(join(repoRoot, 'heppyfile.ts'), 'utf8');
  for (const c of COMPONENTS) text = text.replace(`'examples/data/${c}/*.root'`, JSON.stringify(files(c)));
  writeFileSync(join(work, name), text);
  return name;
}

const localFiles = (c: string): string[] => readdirSync(join(work, 'examples', 'data', c)).filter((f) => f.endsWith('.root')).sort();
const markerTimes = (out: string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const d of readdirSync(join(work, out))) {
    const f = join(work, out, d, 'chunk.json');
    if (d.includes('_Chunk') && existsSync(f)) m.set(d, statSync(f).mtimeMs);
  }
  return m;
};

if (server !== null) {
  let local: Record<string, unknown>;

  test('local build of the demo (the reference)', async () => {
    const data = join(work, 'examples', 'data');
    assert.is(await makeData(data, plan, { log: () => undefined }), 4000);
    cpSync(join(repoRoot, 'examples', 'analyzers'), join(work, 'examples', 'analyzers'), { recursive: true });
    cpSync(data, server.data, { recursive: true });
    const r = build(heppyfileWith('local.ts', (c) => `examples/data/${c}/*.root`), 'Local');
    assert.is(r.code, 0, r.out);
    local = await merged('Local');
  });

  const rootFiles = (c: string): unknown => c === 'data_period_A'
    ? `root://localhost:${server.rootPort}//data_period_A/*.root` // a remote glob
    : localFiles(c).map((f) => server.rootUrl(`${c}/${f}`));

  test('every input as root://: merged outputs equal the local build', async () => {
    const r = build(heppyfileWith('root.ts', rootFiles), 'Root');
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /34 run, 0 up to date, 0 failed/);
    assert.equal(await merged('Root'), local);
  });

  test('a second root:// build opens and reads nothing on the server', () => {
    const before = server.fileOps();
    assert.ok(before.opens > 0 && before.reads > 0, JSON.stringify(before));
    const r = build('root.ts', 'Root');
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /0 run, 34 up to date, 0 failed/);
    assert.equal(server.fileOps(), before);
  });

  test('every input as http:// (one component by an http glob): merged outputs equal the local build; the second build reads nothing', async () => {
    // data_period_A by a glob over http (WebDAV listing): the same files as the local glob.
    const r = build(heppyfileWith('http.ts', (c) => c === 'data_period_A' ? server.httpUrl('data_period_A/*.root') : localFiles(c).map((f) => server.httpUrl(`${c}/${f}`))), 'Http');
    assert.is(r.code, 0, r.out);
    assert.equal(await merged('Http'), local);
    const before = server.fileOps();
    const again = build('http.ts', 'Http');
    assert.match(again.out, /0 run, 34 up to date, 0 failed/);
    assert.equal(server.fileOps().reads, before.reads);
  });

  test('a file changed on the server re-runs its chunk (and the merge), nothing else', () => {
    const before = markerTimes('Root');
    const f = join(server.data, 'ggH_125', localFiles('ggH_125')[0]!);
    copyFileSync(join(server.data, 'ggH_125', localFiles('ggH_125')[1]!), f);
    try {
      const r = build('root.ts', 'Root');
      assert.is(r.code, 0, r.out);
      assert.match(r.out, /2 run, 32 up to date, 0 failed/, r.out); // the chunk and the component's merge
      const after = markerTimes('Root');
      const rerun = [...after].filter(([d, t]) => before.get(d) !== t).map(([d]) => d);
      assert.equal(rerun, ['ggH_125_Chunk0']);
    } finally {
      copyFileSync(join(work, 'examples', 'data', 'ggH_125', localFiles('ggH_125')[0]!), f);
    }
  });

  test('a wrong path: input error naming the URL, exit 2', () => {
    const bad = server.rootUrl('ZZ/no-such-file.root');
    const r = build(heppyfileWith('wrong.ts', (c) => c === 'ZZ' ? [bad] : localFiles(c).map((f) => server.rootUrl(`${c}/${f}`))), 'Wrong');
    assert.is(r.code, 2, r.out);
    assert.match(r.out, `${bad}: no such file on the server`);
  });

  test('the server down while planning, for good: retried with back-off, then exit 3 naming the URL, nothing run', async () => {
    const list = heppyfileWith('rootlist.ts', (c) => localFiles(c).map((f) => server.rootUrl(`${c}/${f}`)));
    await server.stop();
    try {
      // With a token set (sent as ?authz= over XRootD): it appears in no message.
      const once = { ...env, HEPPY_NET_ATTEMPTS: '1', BEARER_TOKEN: 'sEcReT-t0ken' };
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-f', list, '--retries', '2', '--retry-delay', '0.2', '--outdir', join(work, 'Down'), '--cache-dir', join(work, 'cache')], { cwd: work, encoding: 'utf8', env: once });
      const out = `${r.stdout}${r.stderr}`;
      assert.is(r.status, 3, out);
      const lines = out.trim().split('\n');
      assert.is(lines.length, 3, out); // two retry notices, the final line
      assert.match(lines[0]!, /^heppy: infrastructure: root:\/\/localhost:\d+\/\/\w+\/[\w-]+\.root: cannot connect: ECONNREFUSED.* \(and \d+ more input files\); digesting again in 0\.2 s \(retry 1 of 2\)$/);
      assert.match(lines[1]!, /digesting again in 0\.4 s \(retry 2 of 2\)$/);
      assert.match(lines[2]!, /^heppy: infrastructure: root:\/\/localhost:\d+\/\/\w+\/[\w-]+\.root: cannot connect: ECONNREFUSED.* \(and \d+ more input files\)$/);
      assert.not.match(out, /sEcReT|authz/);
      assert.ok(!existsSync(join(work, 'Down')) || readdirSync(join(work, 'Down')).every((d) => !d.includes('_Chunk')), 'no chunk ran');
      // A remote glob that cannot be listed is infrastructure too (the client's retries only).
      const g = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-f', 'root.ts', '--outdir', join(work, 'Down'), '--cache-dir', join(work, 'cache')], { cwd: work, encoding: 'utf8', env: once });
      assert.is(g.status, 3, g.stdout + g.stderr);
      assert.not.match(g.stdout + g.stderr, /sEcReT|authz/);
      assert.match(g.stderr, /^heppy: infrastructure: .*root\.ts: component 'data_period_A': root:\/\/localhost:\d+\/\/data_period_A\/\*\.root: cannot connect: ECONNREFUSED[^\n]*\n$/);
    } finally {
      await server.start();
    }
  });

  test('the server down while planning, back within the retries: the build goes on and succeeds', async () => {
    await server.stop();
    const out = join(work, 'Back');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-f', 'rootlist.ts', '-j', '2', '--retries', '4', '--retry-delay', '2', '--outdir', out, '--cache-dir', join(work, 'cache4')], { cwd: work, env: { ...env, HEPPY_NET_ATTEMPTS: '1' } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const done = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    for (let i = 0; i < 600 && !text.includes('digesting again'); i++) await new Promise((r) => setTimeout(r, 100));
    await server.start();
    const code = await done;
    assert.is(code, 0, text);
    assert.match(text, /heppy: infrastructure: root:\/\/localhost:\d+\/\/.*cannot connect: ECONNREFUSED.*digesting again in 2\.0 s \(retry 1 of 4\)/);
    assert.match(text, /34 run, 0 up to date, 0 failed/);
    assert.equal(await merged('Back'), local);
  });

  test('the server stopped in the middle of a build: chunks fail as infrastructure, are retried with back-off, the build succeeds once it is back', async () => {
    const out = join(work, 'Fault');
    // No retry inside the client: a chunk that meets the stopped server fails at once, as infrastructure.
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-f', 'root.ts', '-j', '1', '--retries', '6', '--retry-delay', '1', '--outdir', out, '--cache-dir', join(work, 'cache2')], { cwd: work, env: { ...env, HEPPY_NET_ATTEMPTS: '1' } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const done = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    // Once some chunks are done, the server goes away for 5 s. Waited for as long as the build runs
    // (a fixed 60 s was not enough at load ~20: the build was still digesting its inputs).
    const chunksDone = (): boolean => existsSync(out) && readdirSync(out).filter((d) => d.includes('_Chunk')).length >= 3;
    while (child.exitCode === null && !chunksDone()) await new Promise((r) => setTimeout(r, 100));
    assert.is(child.exitCode, null, 'the build is still running when the server stops');
    await server.stop();
    await new Promise((r) => setTimeout(r, 5000));
    await server.start();
    const code = await done;
    assert.is(code, 0, text);
    assert.match(text, /retry \S+_Chunk\d+ \(attempt 2, in 1 s\): infrastructure: [^\n]*root:\/\/localhost:\d+/, text);
    assert.match(text, /34 run, 0 up to date, 0 failed/);
    assert.equal(await merged('Fault'), local);
  });
}

test.after(async () => {
  await server?.dispose();
  rmSync(work, { recursive: true, force: true });
});
test.run();
