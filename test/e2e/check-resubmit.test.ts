// `heppy check --resubmit` end to end: a chunk that failed (its analyzer threw) is run again by the
// local worker pool and then by a `-b` template, and the out-of-date merge is merged again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChunk } from '../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../src/chunkdir/spec.js';
import { RootFileWriter } from '../../src/root/write/index.js';
import { openRootFile } from '../../src/root/read/index.js';
import { repoRoot, slurmAvailable } from '../util/shared.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-resubmit-'));
const outdir = join(root, 'Outdir');
const flag = join(root, 'BROKEN');
const heppy = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: root, encoding: 'utf8' });

// The analysis bundle the chunks name: an ES module importing this checkout's heppy. Chunk 1 throws
// while the BROKEN file exists.
const bundle = join(root, 'analysis.mjs');
writeFileSync(bundle, `
import { existsSync } from 'node:fs';
import { Analyzer, Component, Config, Sequence } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'src', 'index.js')).href)};
class Copy extends Analyzer {
  static branches = ['x'];
  beginLoop() { this.t = this.tree('t', [{ name: 'x', type: 'f8' }]); this.counter('n').register('all'); }
  process(e) {
    if (this.component.name === 'X_Chunk1' && existsSync(${JSON.stringify(flag)})) throw new Error('broken on purpose');
    this.counter('n').inc('all');
    this.t.fill({ x: e.scalar('x') });
  }
}
export default new Config({ components: [new Component('X', { files: ${JSON.stringify([join(root, 'in0.root'), join(root, 'in1.root')])} })],
  sequence: new Sequence(new Analyzer(Copy)), tree: 'events' });
`);

async function input(path: string, n: number, base: number): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }] });
  for (let i = 0; i < n; i++) t.fill({ x: base + i });
  await w.close();
}

function spec(i: number, attempt = 1): ChunkSpec {
  return { name: `X_Chunk${i}`, component: 'X', files: [join(root, `in${i}.root`)], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle, key: `key${i}`, attempt };
}

async function entries(path: string): Promise<number> {
  const f = await openRootFile(path);
  const n = (await f.tree('t')).entries;
  f.close();
  return n;
}

test('a failed chunk is run again locally, the stale merge merged again', async () => {
  await input(join(root, 'in0.root'), 30, 0);
  await input(join(root, 'in1.root'), 20, 1000);
  writeFileSync(flag, '');
  mkdirSync(outdir);
  for (const i of [0, 1]) {
    mkdirSync(join(outdir, `X_Chunk${i}`));
    writeFileSync(join(outdir, `X_Chunk${i}`, 'chunk.json'), JSON.stringify(spec(i)));
    await runChunk(spec(i), join(outdir, `X_Chunk${i}`));
  }
  const h = heppy(['hadd', 'Outdir']);
  assert.is(h.status, 1);
  assert.is(await entries(join(outdir, 'X', 'Copy_1', 'tree.root')), 30);

  const c = heppy(['check', 'Outdir']);
  assert.is(c.status, 1);
  assert.match(c.stdout, /Outdir\/X_Chunk1 : run failed \(attempt 1, exit code 1\): X_Chunk1: analysis: Copy_1: event 0.*: broken on purpose\n/, c.stdout);
  assert.match(c.stdout, 'Outdir/X (merged) : only 1 of 2 chunks merged (not: X_Chunk1)');

  rmSync(flag);
  const r = heppy(['check', '--resubmit', '-j', '1', 'Outdir']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const tail = r.stdout.slice(r.stdout.indexOf('resubmitting'));
  assert.is(tail, [
    'resubmitting 1 bad chunk locally (1 worker)',
    'Outdir/X_Chunk1: attempt 2 succeeded (20 events)',
    'Outdir/X: merged (2 of 2 chunks)',
    'after resubmission:',
    '2 chunks checked: 2 good, 0 bad',
    '1 merged component checked: 1 good, 0 bad',
    '',
  ].join('\n'));
  assert.is(JSON.parse(readFileSync(join(outdir, 'X_Chunk1', 'heppy-status.json'), 'utf8')).attempt, 2);
  assert.is(await entries(join(outdir, 'X', 'Copy_1', 'tree.root')), 50);
  assert.equal(JSON.parse(readFileSync(join(outdir, 'X', 'Copy_1', 'n.json'), 'utf8')).levels, [['all', 50]]);
});

test('-b TEMPLATE: resubmitted through batchScript.sh (nohup), waited for by its marker', async () => {
  writeFileSync(flag, '');
  writeFileSync(join(outdir, 'X_Chunk0', 'chunk.json'), JSON.stringify(spec(0, 3)));
  await runChunk(spec(0, 3), join(outdir, 'X_Chunk0'));  // chunk 0 never throws: good again
  writeFileSync(join(outdir, 'X_Chunk1', 'chunk.json'), JSON.stringify(spec(1, 3)));
  await runChunk(spec(1, 3), join(outdir, 'X_Chunk1'));
  assert.is(heppy(['check', '--quick', 'Outdir']).status, 1);
  rmSync(flag);
  const r = heppy(['check', '-b', 'nohup ./batchScript.sh > job.out 2>&1 &', 'Outdir']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Outdir\/X_Chunk1: attempt 4 submitted as job \S+\n/);
  assert.match(r.stdout, 'Outdir/X_Chunk1: attempt 4 succeeded (20 events)');
  assert.match(r.stdout, 'Outdir/X: merged (2 of 2 chunks)');
  assert.ok(existsSync(join(outdir, 'X_Chunk1', 'batchScript.sh')));
  assert.is(await entries(join(outdir, 'X', 'Copy_1', 'tree.root')), 50);
});

test('a component the build never merged is merged once its chunks are good again', async () => {
  writeFileSync(flag, '');
  writeFileSync(join(outdir, 'X_Chunk1', 'chunk.json'), JSON.stringify(spec(1, 4)));
  await runChunk(spec(1, 4), join(outdir, 'X_Chunk1'));
  rmSync(join(outdir, 'X'), { recursive: true });  // as after a build with a failed chunk
  rmSync(flag);
  const r = heppy(['check', '--resubmit', 'Outdir']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.endsWith([
    'Outdir/X_Chunk1: attempt 5 succeeded (20 events)',
    'Outdir/X: merged (2 of 2 chunks)',
    'after resubmission:',
    '2 chunks checked: 2 good, 0 bad',
    '1 merged component checked: 1 good, 0 bad',
    '',
  ].join('\n')), r.stdout);
  assert.is(await entries(join(outdir, 'X', 'Copy_1', 'tree.root')), 50);
});

test('--executor slurm: resubmitted as a Slurm job, waited for by its marker', async () => {
  if (!slurmAvailable()) return;
  writeFileSync(flag, '');
  writeFileSync(join(outdir, 'X_Chunk1', 'chunk.json'), JSON.stringify(spec(1, 6)));
  await runChunk(spec(1, 6), join(outdir, 'X_Chunk1'));
  rmSync(flag);
  const r = heppy(['check', '--resubmit', '--executor', 'slurm', 'Outdir']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Outdir\/X_Chunk1: attempt 7 submitted as job \d+/);
  assert.match(r.stdout, 'Outdir/X_Chunk1: attempt 7 succeeded (20 events)');
  assert.match(r.stdout, 'Outdir/X: merged (2 of 2 chunks)');
});

test('--executor slurm --mem --time: the resubmitted job asks Slurm for them (as the build was given them)', async () => {
  if (!slurmAvailable()) return;
  writeFileSync(flag, '');
  writeFileSync(join(outdir, 'X_Chunk1', 'chunk.json'), JSON.stringify(spec(1, 8)));
  await runChunk(spec(1, 8), join(outdir, 'X_Chunk1'));
  rmSync(flag);
  const r = heppy(['check', '--resubmit', '--executor', 'slurm', '--mem', '300M', '--time', '0:10:00', 'Outdir']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const id = /Outdir\/X_Chunk1: attempt 9 submitted as job (\S+)/.exec(r.stdout)?.[1];
  assert.ok(id, r.stdout);
  const acct = spawnSync('sacct', ['-n', '-P', '-X', '-j', id!, '-o', 'ReqMem,Timelimit'], { encoding: 'utf8' });
  assert.is(acct.stdout.trim().split('\n')[0], '300M|00:10:00', acct.stdout + acct.stderr);
  // Slurm's flags without --executor slurm: a flag error, nothing run.
  const bad = heppy(['check', '--resubmit', '--mem', '300M', 'Outdir']);
  assert.is(bad.status, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, '--mem');
});

test('not while a build holds the Outdir: --resubmit and hadd refuse, plain check still reports', () => {
  mkdirSync(join(outdir, '.heppy'), { recursive: true });
  writeFileSync(join(outdir, '.heppy', 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: Date.now(), command: 'build' }));
  try {
    const r = heppy(['check', '--resubmit', 'Outdir']);
    assert.is(r.status, 1);
    assert.match(r.stderr, `another heppy build (pid ${process.pid}`);
    assert.is(heppy(['hadd', 'Outdir']).status, 1);
    assert.is(heppy(['check', 'Outdir']).status, 0);
  } finally {
    rmSync(join(outdir, '.heppy', 'lock'));
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
