// hadd/timing.ts: with HEPPY_TIMING=1 each mark prints its phase (wall, user and system CPU, time
// since start) on stderr; without it nothing is printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mod = fileURLToPath(new URL('../../../../src/root/hadd/timing.js', import.meta.url));
const script = `const { mark } = await import(${JSON.stringify(mod)}); mark('first'); let x = 0; for (let i = 0; i < 1e6; i++) x += i; mark('second ' + (x > 0));`;

function run(env: Record<string, string | undefined>): { status: number | null; stderr: string } {
  const e = { ...process.env, ...env };
  if (env.HEPPY_TIMING === undefined) delete e.HEPPY_TIMING;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: e });
  return { status: r.status, stderr: r.stderr };
}

test('HEPPY_TIMING=1: one line per mark, in order, with wall, user and system CPU and the time since start', () => {
  const r = run({ HEPPY_TIMING: '1' });
  assert.is(r.status, 0);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 2);
  const re = /^\[timing\] (.+): (\d+\.\d) ms, CPU user (\d+\.\d) sys (\d+\.\d) ms \(at (\d+) ms\)$/;
  const [a, b] = lines.map((l) => re.exec(l));
  assert.ok(a && b, r.stderr);
  assert.equal([a![1], b![1]], ['first', 'second true']);
  // The first phase starts with the process: its wall time is the time since start.
  assert.ok(Math.abs(Number(a![2]) - Number(a![5])) <= 1);
  assert.ok(Number(b![5]) >= Number(a![5]));
});

test('HEPPY_TIMING unset: nothing printed', () => {
  const r = run({ HEPPY_TIMING: undefined });
  assert.is(r.status, 0);
  assert.is(r.stderr, '');
});

test.run();
