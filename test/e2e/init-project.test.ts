// README's "Your own analysis", run as written from a temporary directory: heppy init (over the
// shared CMS NanoAOD file, or the generated sample when ../shared is absent), npm install of this
// checkout (a local path: works offline), npx heppy build, npx tsc --noEmit. Then what a new user
// meets next: a misspelt analyzer parameter (exit 2, file:line:col), init refusing to overwrite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedRootDir } from '../util/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'heppy-init-e2e-'));
const shared = sharedRootDir();
const nano = shared === null ? null : join(shared, 'nanoAOD_2015_CMS_Open_Data_ttbar.root');

function sh(cmd: string, args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The command lines of README's "Your own analysis" block. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /## Your own analysis[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a bash block under "Your own analysis"');
  return m![1]!.trim().split('\n');
}

test("README's commands: init, npm install, npx heppy build and npx tsc --noEmit pass", () => {
  const cmds = readmeCommands();
  assert.equal(cmds, [
    "npx heppy init ../my-analysis --files '/data/nanoaod/*.root' --tree Events",
    'cd ../my-analysis',
    'npm install',
    'npx heppy build',
    'npx tsc --noEmit',
  ]);
  const proj = join(tmp, 'my-analysis');
  // From this checkout, as the README says; the project lands in the temporary directory.
  const init = sh('npx', ['heppy', 'init', proj, ...(nano ? ['--files', nano, '--tree', 'Events'] : [])], repoRoot);
  assert.is(init.code, 0, init.err);
  assert.match(init.out, `next: cd ${proj} && npm install && npx heppy build`);
  for (const f of ['heppyfile.ts', 'analyzers/first-look.ts', 'package.json', 'tsconfig.json', '.gitignore']) assert.ok(existsSync(join(proj, f)), f);
  assert.is(readFileSync(join(proj, '.gitignore'), 'utf8'), '# heppy build outputs and its store\nOutdir/\ncache/\nnode_modules/\n');
  assert.equal(JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8')).dependencies, { heppy: `file:${repoRoot}` });
  // Offline: heppy is a local path; typescript and @types/node come from npm's cache when there.
  const install = sh('npm', ['install', '--prefer-offline'], proj);
  assert.is(install.code, 0, install.err);
  const build = sh('npx', ['heppy', 'build', '-j', '2'], proj);
  assert.is(build.code, 0, build.err + build.out);
  const comp = nano ? 'root' : 'sample';
  const cutflow = readFileSync(join(proj, 'Outdir', comp, 'FirstLook_1', 'cutflow.txt'), 'utf8');
  // The NanoAOD file: 200 events, 63 with an electron (as `heppy root inspect` counts nElectron > 0).
  assert.match(cutflow, nano ? /all events +200 .*\n.*at least 1 nElectron +63 / : /all events +4000 /);
  assert.ok(existsSync(join(proj, 'Outdir', comp, 'FirstLook_1', 'histograms.root')));
  const tsc = sh('npx', ['tsc', '--noEmit'], proj);
  assert.is(tsc.code, 0, tsc.out + tsc.err);
});

test('a misspelt analyzer parameter: exit 2 naming heppyfile.ts:line:col, nothing run', () => {
  const proj = join(tmp, 'my-analysis');
  const hf = join(proj, 'heppyfile.ts');
  const good = readFileSync(hf, 'utf8');
  writeFileSync(hf, good.replace('{ minCount:', '{ minCont:'));
  const line = good.split('\n').findIndex((l) => l.includes('{ minCount:')) + 1;
  const col = good.split('\n')[line - 1]!.indexOf('minCount') + 1;
  const r = sh('npx', ['heppy', 'build', '-o', 'minCount=2'], proj);
  assert.is(r.code, 2, r.err);
  assert.match(r.err, `heppy: ${hf}:${line}:${col}: TS2561: Object literal may only specify known properties, but 'minCont' does not exist in type '{ minCount: number; }'. Did you mean to write 'minCount'?`);
  assert.not.match(r.out, 'run,');
  writeFileSync(hf, good);
});

test("an exception in an analyzer: summary, chunk log and --json name the analyzer's .ts line, the event and the input file", () => {
  const proj = join(tmp, 'my-analysis');
  const ana = join(proj, 'analyzers', 'first-look.ts');
  const good = readFileSync(ana, 'utf8');
  const anchor = "    cutflow.inc('all events');\n";
  writeFileSync(ana, good.replace(anchor, `${anchor}    if (event.iEv === 7) throw new Error('calibration missing');\n`));
  const line = good.split('\n').findIndex((l) => l === "    cutflow.inc('all events');") + 2;
  const at = `${ana}:${line}:32`; // `new Error(` of the line inserted above
  const r = sh('npx', ['heppy', 'build', '--json'], proj);
  assert.is(r.code, 1, r.err);
  const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const failed = events.filter((e) => e.type === 'failed');
  assert.ok(failed.length >= 1);
  const f = failed[0]!.failure as Record<string, unknown>;
  assert.is(f.kind, 'analysis');
  assert.is(f.analyzer, 'FirstLook_1');
  assert.is(f.event, 7);
  assert.is(f.at, at);
  assert.match(String(f.file), /\.root$/);
  assert.match(String(f.stack), `at FirstLook.process (${at})`);
  assert.not.match(String(f.stack), '.mjs');
  const chunk = String(failed[0]!.id);
  const log = readFileSync(join(proj, 'Outdir', chunk, 'log.txt'), 'utf8');
  assert.match(log, `ERROR: ${chunk}: analysis: FirstLook_1: event 7 of ${f.file}: ${at}: calibration missing`);
  assert.match(log, `at FirstLook.process (${at})`);
  const plain = sh('npx', ['heppy', 'build'], proj);
  assert.is(plain.code, 1);
  assert.match(plain.out, `FAILED ${chunk}: analysis: FirstLook_1: event 7 of ${f.file}: ${at}: calibration missing`);
  writeFileSync(ana, good);
});

test('init never overwrites a project: exit 2, files unchanged', () => {
  const proj = join(tmp, 'my-analysis');
  const before = readFileSync(join(proj, 'heppyfile.ts'), 'utf8');
  const r = sh(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'init', proj], tmp);
  assert.is(r.code, 2);
  assert.match(r.err, 'already has heppyfile.ts, package.json, tsconfig.json, analyzers/first-look.ts');
  assert.is(readFileSync(join(proj, 'heppyfile.ts'), 'utf8'), before);
  const bad = sh(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'init', join(tmp, 'other'), '--files', join(tmp, 'nothing-*.root')], tmp);
  assert.is(bad.code, 2);
  assert.match(bad.err, 'no file matches');
  assert.not.ok(existsSync(join(tmp, 'other')));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
