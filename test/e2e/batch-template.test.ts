// Acceptance for heppy_batch's -b templates: `nohup ./batchScript.sh &` and `sbatch batchScript.sh`
// build the build engineer's small analysis like the local executor does, in a project whose
// path (so every input file path and the Outdir) holds spaces, single and double quotes and `$`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEPPY, components, heppyfileText, writeInput } from './build-rig.js';
import { mergedOutputs } from '../unit/exec/batch/fixtures/outputs.js';
import { slurmAvailable } from '../util/shared.js';
import { collectReport } from '../../src/report/html/collect.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-batch-e2e-'));
const dir = join(base, `my "ana" ly'sis $HOME`);
const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

interface Run { code: number; stdout: string; stderr: string; ran: string[]; events: Array<Record<string, unknown>> }

function build(args: string[]): Run {
  // --no-cache: each Outdir is built by its executor, not restored from another's outputs.
  const r = spawnSync(process.execPath, [HEPPY, 'build', '--json', '--no-cache', ...args], { cwd: dir, encoding: 'utf8' });
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const ran = events.filter((e) => e.type === 'done').map((e) => e.id as string).sort();
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ran, events };
}

test.before(async () => {
  let k = 0;
  for (const [name, c] of Object.entries(components)) {
    mkdirSync(join(dir, 'data', name), { recursive: true });
    for (let i = 0; i < c.files; i++) await writeInput(join(dir, 'data', name, `f ${i} 'q' "$x".root`), 20 + 5 * i, 100 * k++);
  }
  writeFileSync(join(dir, 'heppyfile.ts'), heppyfileText(50).replace(JSON.stringify('__DIR__/BROKEN'), JSON.stringify(join(dir, 'BROKEN'))));
  const local = build(['-j', '2', '--outdir', join(dir, 'Out local')]);
  assert.is(local.code, 0, local.stderr + local.stdout);
});

test("-b with a misspelt script name: each chunk fails as infrastructure, its reason ends with what the job printed; heppy check and heppy report show it", async () => {
  const out = join(dir, 'Out typo');
  const r = build(['-j', '2', '--retries', '0', '--poll-interval', '0.2', '--outdir', out, '-b', 'nohup ./batchScrpt.sh &']);
  assert.is(r.code, 1, r.stderr + r.stdout);
  const failed = r.events.filter((e) => e.type === 'failed');
  assert.equal(failed.map((e) => e.id as string).sort(), CHUNKS);
  for (const e of failed) {
    const f = e.failure as { kind: string; reason: string };
    assert.is(f.kind, 'infrastructure', JSON.stringify(e));
    // nohup's own message: the template named a file that does not exist.
    assert.match(f.reason, /ended without writing the chunk's marker; its output \(.+\) ends: .*batchScrpt\.sh.*No such file/, f.reason);
  }
  // heppy check and heppy report: the chunk directories hold no marker; the failure is the store's record, shown as heppy status shows it.
  const c = spawnSync(process.execPath, [HEPPY, 'check', '--json', out], { cwd: dir, encoding: 'utf8' });
  assert.is(c.status, 1, c.stderr);
  const checked = (JSON.parse(c.stdout) as { chunks: Array<{ name: string; problems: Array<{ code: string; message: string; failure?: { kind: string } }> }> }).chunks;
  assert.equal(checked.map((v) => v.name).sort(), CHUNKS);
  for (const v of checked) {
    assert.equal([v.problems[0]?.code, v.problems[0]?.failure?.kind], ['failed', 'infrastructure'], JSON.stringify(v));
    assert.match(v.problems[0]?.message ?? '', /^run failed \(attempt 1\): infrastructure: .*ended without writing the chunk's marker/);
  }
  const rep = await collectReport(out);
  assert.ok(rep.ok);
  if (!rep.ok) return;
  for (const n of rep.value.nodes.filter((x) => x.kind === 'chunk')) {
    assert.is(n.status, 'failed', JSON.stringify(n));
    assert.is(n.failure, 'infrastructure', JSON.stringify(n));
    assert.match(n.problems[0] ?? '', /^run failed \(attempt 1\): infrastructure: .*ended without writing the chunk's marker/, JSON.stringify(n));
  }
});

test("-b 'nohup ./batchScript.sh &' builds like the local executor (paths with spaces, quotes, $)", async () => {
  const out = join(dir, `Out 'nohup' "$USER"`);
  const r = build(['-b', 'nohup ./batchScript.sh &', '--poll-interval', '0.2', '--outdir', out]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.ran, [...CHUNKS, 'hadd:A', 'hadd:B']);
  assert.equal(await mergedOutputs(out, ['A', 'B', 'C']), await mergedOutputs(join(dir, 'Out local'), ['A', 'B', 'C']));
  // Each chunk directory keeps an executable batchScript.sh that names it, quoted.
  const script = readFileSync(join(out, 'A_Chunk2', 'batchScript.sh'), 'utf8');
  assert.ok(script.includes(`chunk_dir='${join(out, 'A_Chunk2').replace(/'/g, `'\\''`)}'`), script);
  // A second build submits nothing.
  const again = build(['-b', 'nohup ./batchScript.sh &', '--poll-interval', '0.2', '--outdir', out]);
  assert.is(again.code, 0, again.stderr);
  assert.equal(again.ran, []);
});

test("-b 'sbatch batchScript.sh' on the real Slurm builds like the local executor", async () => {
  if (!slurmAvailable()) return;
  const out = join(dir, `Out "sbatch" $1`);
  const r = build(['-b', 'sbatch batchScript.sh', '--poll-interval', '0.3', '--outdir', out]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.ran, [...CHUNKS, 'hadd:A', 'hadd:B']);
  assert.equal(await mergedOutputs(out, ['A', 'B', 'C']), await mergedOutputs(join(dir, 'Out local'), ['A', 'B', 'C']));
  assert.ok(existsSync(join(out, '.heppy', 'batch', 'command.json')));
});

test('--executor slurm (with --chunks-per-job 2) in the same awkward paths builds like the local executor', async () => {
  if (!slurmAvailable()) return;
  const out = join(dir, `Out slurm 'x' "$y" %j`);
  const r = build(['--executor', 'slurm', '--chunks-per-job', '2', '--poll-interval', '0.3', '--max-queries-per-minute', '600', '--outdir', out]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.ran, [...CHUNKS, 'hadd:A', 'hadd:B']);
  assert.equal(await mergedOutputs(out, ['A', 'B', 'C']), await mergedOutputs(join(dir, 'Out local'), ['A', 'B', 'C']));
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
