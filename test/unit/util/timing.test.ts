// util/timing.ts: with HEPPY_TIMING=1, one line per phase (wall, CPU, since start), the first mark
// only starting the clock; without it, nothing (read once at import: each case in its own process).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mod = fileURLToPath(new URL('../../../src/util/timing.js', import.meta.url));
const run = (env: Record<string, string>): string => {
  const script = `const { timingMark } = await import(${JSON.stringify(mod)}); timingMark(''); let x = 0; for (let i = 0; i < 1e6; i++) x += i; timingMark('loop'); timingMark('nothing');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.is(r.status, 0, r.stderr);
  return r.stderr;
};

test('HEPPY_TIMING=1: a line per phase after the first mark', () => {
  const lines = run({ HEPPY_TIMING: '1' }).trim().split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /^\[timing\] loop: [\d.]+ ms, CPU [\d.]+ ms \(since start \d+ ms\)$/);
  assert.match(lines[1]!, /^\[timing\] nothing: /);
});

test('off (unset or 0): silent', () => {
  assert.is(run({ HEPPY_TIMING: '0' }), '');
  const env = { ...process.env };
  delete env.HEPPY_TIMING;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const { timingMark } = await import(${JSON.stringify(mod)}); timingMark(''); timingMark('a');`], { encoding: 'utf8', env });
  assert.is(r.stderr, '');
});

test.run();
