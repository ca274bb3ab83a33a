// main.ts runs the command line it is started with: tested as a process, as a user runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../package.json', import.meta.url)), 'utf8')) as { version: string };

function heppy(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: '/' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--version prints the package version, exit 0', () => {
  const r = heppy(['--version']);
  assert.is(r.code, 0);
  assert.is(r.out.trim(), pkg.version);
  assert.is(r.err, '');
});

test('a misspelt command: one line with the closest command, the hint to --help, exit 2', () => {
  const r = heppy(['biuld']);
  assert.is(r.code, 2);
  assert.is(r.err, "heppy: unknown command 'biuld'; did you mean build?\n(see heppy --help)\n");
  assert.is(r.out, '');
  const g = heppy(['root', 'inspct', 'x.root']);
  assert.is(g.code, 2);
  assert.ok(g.err.startsWith("heppy: unknown command 'root inspct'; did you mean root inspect?\n"), g.err);
  const bare = heppy(['root']);
  assert.is(bare.code, 2);
  assert.match(bare.err, /^heppy: root needs a command: root \w+/);
});

test('a bad flag is one line and exit 2, no stack trace; a bad HEPPY_* switch likewise, before anything runs', () => {
  const r = heppy(['build', '--no-such-flag']);
  assert.is(r.code, 2);
  assert.is(r.err.split('\n').filter((l) => l !== '').length, 2, r.err);
  assert.ok(r.err.startsWith('heppy: ') && r.err.endsWith('(see heppy --help)\n'), r.err);
  assert.not.match(r.err, /\n\s+at /);
  const e = heppy(['--version'], { HEPPY_BUNDLE: 'maybe' });
  assert.is(e.code, 2);
  assert.match(e.err, /^heppy: .*HEPPY_BUNDLE/);
  assert.not.match(e.err, /\n\s+at /);
});

test("a flag the command lacks, on a command with free arguments (check): one line naming it, not clipanion's empty 'did you mean one of'", () => {
  const r = heppy(['check', 'Outdir', '--resubmit', '--merge-fan-in', '4']);
  assert.is(r.code, 2);
  assert.is(r.err, "heppy: unknown option '--merge-fan-in' for heppy check (its options: heppy check --help)\n(see heppy --help)\n");
  const v = heppy(['check', '-j', '2', 'Outdir', '--bogus=1']);   // -j's value is not a flag
  assert.is(v.code, 2);
  assert.ok(v.err.startsWith("heppy: unknown option '--bogus' for heppy check "), v.err);
});

test.run();
