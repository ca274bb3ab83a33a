// A bad HEPPY_* switch is bad input: one line naming the variable and the accepted values, exit 2,
// and nothing written (the Outdir is not created).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../util/shared.js';

test('HEPPY_CODEC_THREAD=maybe: one line, exit 2, no Outdir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-cli-env-'));
  try {
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-f', join(dir, 'heppyfile.ts'), '--outdir', out],
      { encoding: 'utf8', cwd: dir, env: { ...process.env, HEPPY_CODEC_THREAD: 'maybe' } });
    assert.is(r.stderr, "heppy: HEPPY_CODEC_THREAD must be 1/true/yes/on, 0/false/no/off or all, got 'maybe'\n");
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
    assert.not.ok(existsSync(out), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HEPPY_CODEC_THREAD=yes is accepted (--help runs)', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), '--help'], { encoding: 'utf8', env: { ...process.env, HEPPY_CODEC_THREAD: 'yes' } });
  assert.is(r.status, 0, r.stderr);
});

test('output piped into a reader that stopped (heppy --help | true): exit quietly, no EPIPE stack trace', () => {
  for (const args of ['--help', 'build --help']) {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${join(repoRoot, 'bin', 'heppy.js')}" ${args} | true; echo "rc=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.is(r.stderr, '', args);
    assert.is(r.stdout, 'rc=0\n', args);
  }
});

test.run();
