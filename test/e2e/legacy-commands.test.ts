// Acceptance for the original heppy's commands as written (README, "From the original heppy"):
// `heppy Outdir heppyfile.ts`, heppy_batch.py with a -b template, heppy_check.py on *Chunk* dirs
// with a bare `-b 'bsub -q 1nh'` (an sbatch-backed `bsub` on PATH, run on the real local Slurm when
// there is one), heppy_hadd.py: the merged outputs equal a plain `heppy build`'s.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEPPY, makeProject, type Project } from './build-rig.js';
import { mergedOutputs } from '../unit/exec/batch/fixtures/outputs.js';
import { repoRoot, slurmAvailable } from '../util/shared.js';

const COMPONENTS = ['A', 'B', 'C'];
let p: Project;

function run(argv0: string, args: string[], env: Record<string, string> = {}): { code: number; out: string } {
  const cmd = argv0 === 'heppy' ? process.execPath : join(repoRoot, 'bin', argv0);
  const argv = argv0 === 'heppy' ? [HEPPY, ...args] : args;
  const r = spawnSync(cmd, argv, { cwd: p.dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

const chunkDirs = (out: string): string[] => readdirSync(join(p.dir, out)).filter((n) => n.includes('_Chunk')).sort().map((n) => `${out}/${n}`);

test.before(async () => {
  p = await makeProject();
  const ref = run('heppy', ['build', '-j', '2', '--outdir', 'Ref']);
  assert.is(ref.code, 0, ref.out);
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('heppy Outdir heppyfile.ts -N/-o/-j/-f builds like heppy build', async () => {
  const r = run('heppy', ['Out', 'heppyfile.ts', '-j', '2', '-f']);
  assert.is(r.code, 0, r.out);
  assert.equal(await mergedOutputs(join(p.dir, 'Out'), COMPONENTS), await mergedOutputs(join(p.dir, 'Ref'), COMPONENTS));
  // heppy_loop.py is the same program; a second run finds everything up to date.
  const again = run('heppy_loop.py', ['Out', 'heppyfile.ts', '-j', '2', '--json']);
  assert.is(again.code, 0, again.out);
  assert.not.ok(again.out.includes('"type":"done"'), again.out);
  // A Python cfg: one line, exit 2, nothing written.
  const py = run('heppy', ['OutPy', 'analysis_h_to_zz.py']);
  assert.is(py.code, 2);
  assert.is(py.out.trim().split('\n').length, 1, py.out);
  assert.match(py.out, /analysis_h_to_zz\.py: a Python cfg cannot run: the configuration is now a heppyfile\.ts/);
  assert.not.ok(existsSync(join(p.dir, 'OutPy')));
});

test("heppy_batch.py -o Outdir heppyfile.ts -b 'nohup ./batchScript.sh &', heppy_check.py, heppy_hadd.py", async () => {
  const r = run('heppy_batch.py', ['-o', 'OutB', 'heppyfile.ts', '-b', 'nohup ./batchScript.sh &', '--poll-interval', '0.2']);
  assert.is(r.code, 0, r.out);
  assert.equal(await mergedOutputs(join(p.dir, 'OutB'), COMPONENTS), await mergedOutputs(join(p.dir, 'Ref'), COMPONENTS));
  for (const d of chunkDirs('OutB')) assert.ok(existsSync(join(p.dir, d, 'batchScript.sh')), d);
  const check = run('heppy_check.py', chunkDirs('OutB'));
  assert.is(check.code, 0, check.out);
  assert.match(check.out, /6 chunks checked: 6 good, 0 bad/);
  const hadd = run('heppy_hadd.py', ['OutB/']);
  assert.is(hadd.code, 0, hadd.out);
  assert.equal(await mergedOutputs(join(p.dir, 'OutB'), COMPONENTS), await mergedOutputs(join(p.dir, 'Ref'), COMPONENTS));
});

test("heppy_check.py Outdir/*Chunk* -b 'bsub -q 1nh' resubmits each bad chunk as `bsub -q 1nh -J <chunk> < batchScript.sh`", async () => {
  const r = run('heppy', ['build', '-j', '2', '--outdir', 'OutC']);
  assert.is(r.code, 0, r.out);
  // Break one chunk: its ROOT output is gone.
  rmSync(join(p.dir, 'OutC', 'A_Chunk1', 'Sum_1', 'histograms.root'), { force: true });
  rmSync(join(p.dir, 'OutC', 'A_Chunk1', 'Sum_1', 'cutflow.txt'), { force: true });
  const bad = run('heppy_check.py', chunkDirs('OutC'));
  assert.is(bad.code, 1, bad.out);
  assert.match(bad.out, /list of bad directories:\n\['OutC\/A_Chunk1'\]/);
  // A `bsub` on PATH that records how it was called and hands the script (standard input) to
  // Slurm, or runs it in the background where there is no Slurm.
  const bin = join(p.dir, 'fakebin');
  mkdirSync(bin, { recursive: true });
  const calls = join(p.dir, 'bsub-calls.txt');
  const submit = slurmAvailable() ? 'sbatch --parsable -J "$name" -o /dev/null "$script" | sed "s/^\\([0-9]*\\).*/Job <\\1> is submitted to queue <$queue>./"' : 'nohup sh "$script" >/dev/null 2>&1 & echo "Job <$$> is submitted to queue <$queue>."';
  writeFileSync(join(bin, 'bsub'), `#!/bin/sh
name=; queue=
while [ $# -gt 0 ]; do case "$1" in -J) name=$2; shift 2;; -q) queue=$2; shift 2;; *) shift;; esac; done
script=$(mktemp); cat > "$script"
printf '%s|%s|%s\\n' "$PWD" "$name" "$(head -c 11 "$script")" >> ${JSON.stringify(calls)}
${submit}
`);
  chmodSync(join(bin, 'bsub'), 0o755);
  const fix = run('heppy_check.py', [...chunkDirs('OutC'), '-b', 'bsub -q 1nh'], { PATH: `${bin}:${process.env.PATH}` });
  assert.is(fix.code, 0, fix.out);
  const lines = readFileSync(calls, 'utf8').trim().split('\n');
  assert.equal(lines, [`${join(p.dir, 'OutC', 'A_Chunk1')}|A_Chunk1|#!/bin/bash`]);
  // Merged again from the good chunks: equal to the clean build's.
  assert.equal(await mergedOutputs(join(p.dir, 'OutC'), COMPONENTS), await mergedOutputs(join(p.dir, 'Ref'), COMPONENTS));
  // The next build adopts the resubmitted chunk: nothing runs.
  const next = run('heppy', ['build', '--json', '-j', '2', '--outdir', 'OutC']);
  assert.is(next.code, 0, next.out);
  assert.not.ok(next.out.includes('"type":"done"'), next.out);
});

test.run();
