// A misspelt command is answered with the closest command (`heppy biuld` → build), exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../util/shared.js';

const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('a misspelt command suggests the closest one', () => {
  for (const [typed, meant] of [['biuld', 'build'], ['chekc', 'check'], ['hdd', 'hadd'], ['staus', 'status']]) {
    const r = heppy([typed!, '-j', '2']);
    assert.is(r.code, 2, typed);
    assert.is(r.err, `heppy: unknown command '${typed}'; did you mean ${meant}?\n(see heppy --help)\n`);
  }
});

test('nothing close: the list of commands; a group without its command: its commands', () => {
  const r = heppy(['frobnicate']);
  assert.is(r.code, 2);
  assert.match(r.err, /^heppy: unknown command 'frobnicate'; the commands are build, .*hadd, .*root, .*status, .*why/);
  assert.match(heppy(['root', 'inspct', 'x.root']).err, "unknown command 'root inspct'; did you mean root inspect?");
  assert.match(heppy(['root']).err, 'root needs a command: root inspect, root merge');
});

test('known commands and flags are not touched', () => {
  assert.is(heppy(['hadd', '--help']).code, 0);
  assert.is(heppy(['--version']).code, 0);
});

test.run();
