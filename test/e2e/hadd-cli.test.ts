// `heppy hadd` through the CLI on hand-made chunk directories (no ROOT files: see the merge tests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../util/shared.js';
import { makeChunk } from '../unit/check/fixtures.js';
import { Counter, writeStat } from '../../src/stats/index.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-e2e-hadd-'));
const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

function chunk(name: string, pass: number, bad = false): void {
  const dir = makeChunk(join(root, 'Outdir'), name, bad ? { marker: { status: 'failed', exitCode: 1, reason: 'Error: boom' } } : {});
  mkdirSync(join(dir, 'Sel'));
  const c = new Counter('cut_flow');
  c.register('All'); c.register('Pass');
  c.inc('All', 100); c.inc('Pass', pass);
  writeStat(join(dir, 'Sel'), c);
}

test('merges good chunks per component, lists the bad ones, exit 1', () => {
  chunk('ZZ_Chunk0', 10); chunk('ZZ_Chunk1', 20); chunk('ZZ_Chunk2', 40, true);
  chunk('ggH_Chunk0', 1); chunk('ggH_Chunk1', 2);
  chunk('dead_Chunk0', 1, true);
  mkdirSync(join(root, 'Outdir', 'ggH_Chunk0_1'));
  const r = heppy(['hadd', 'Outdir']);
  assert.is(r.code, 1, r.err);
  assert.is(r.out, [
    'ZZ: 2 of 3 chunks merged into Outdir/ZZ',
    '  left out: Outdir/ZZ_Chunk2 : run failed (attempt 1, exit code 1): Error: boom',
    'dead: no good chunk (of 1), not merged',
    '  left out: Outdir/dead_Chunk0 : run failed (attempt 1, exit code 1): Error: boom',
    'ggH: 2 of 2 chunks merged into Outdir/ggH',
    'skipped Outdir/ggH_Chunk0_1: not a <component>_Chunk<N> name',
    'list of bad directories:',
    "['Outdir/ZZ_Chunk2', 'Outdir/dead_Chunk0']",
    '',
  ].join('\n'));
  assert.equal(JSON.parse(readFileSync(join(root, 'Outdir/ZZ/Sel/cut_flow.json'), 'utf8')).levels, [['All', 200], ['Pass', 30]]);
  assert.is(readFileSync(join(root, 'Outdir/ZZ/Sel/cut_flow.txt'), 'utf8'),
    'Counter cut_flow :\n\t All             200 \t 1.00 \t 1.0000\n\t Pass             30 \t 0.15 \t 0.1500\n\n');
  assert.is(readFileSync(join(root, 'Outdir/ZZ/processing.yaml'), 'utf8'), 'processing:\n  nfiles: 3\n  ngoodfiles: 2\n');
  assert.not.ok(existsSync(join(root, 'Outdir/dead')));
});

test('a second hadd leaves current merges alone, -f merges again', () => {
  const r = heppy(['hadd', 'Outdir']);
  assert.is(r.code, 1);
  assert.match(r.out, 'ZZ: up to date (2 of 3 chunks in Outdir/ZZ)\n');
  assert.match(r.out, 'ggH: up to date (2 of 2 chunks in Outdir/ggH)\n');
  const f = heppy(['hadd', '-f', 'Outdir']);
  assert.match(f.out, 'ggH: 2 of 2 chunks merged into Outdir/ggH\n');
});

test('into a dest directory, which is created; heppy check skips merged directories', () => {
  const r = heppy(['hadd', '--json', 'Outdir', 'Merged']);
  assert.is(r.code, 1);
  const doc = JSON.parse(r.out);
  assert.equal(doc.components.map((c: { component: string; status: string }) => `${c.component}:${c.status}`), ['ZZ:merged', 'dead:no-good-chunk', 'ggH:merged']);
  assert.is(readFileSync(join(root, 'Merged/ggH/processing.yaml'), 'utf8'), 'processing:\n  nfiles: 2\n  ngoodfiles: 2\n');
  const c = heppy(['check', 'Outdir']);
  assert.match(c.out, '6 chunks checked: 4 good, 2 bad');
});

test("-c moves the good chunks of merged components into Outdir/Chunks/, bad ones stay", () => {
  const r = heppy(['hadd', '-c', 'Outdir']);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, 'moved 4 good chunks into Outdir/Chunks\n');
  for (const c of ['ZZ_Chunk0', 'ZZ_Chunk1', 'ggH_Chunk0', 'ggH_Chunk1']) {
    assert.ok(existsSync(join(root, 'Outdir/Chunks', c, 'Sel/cut_flow.json')), c);
    assert.not.ok(existsSync(join(root, 'Outdir', c)), c);
  }
  for (const c of ['ZZ_Chunk2', 'dead_Chunk0']) {
    assert.ok(existsSync(join(root, 'Outdir', c)), c);
    assert.not.ok(existsSync(join(root, 'Outdir/Chunks', c)), c);
  }
  // The merges made before the move are untouched.
  assert.equal(JSON.parse(readFileSync(join(root, 'Outdir/ZZ/Sel/cut_flow.json'), 'utf8')).levels, [['All', 200], ['Pass', 30]]);
  // A chunk made again and archived again replaces its older copy in Chunks/.
  chunk('ggH_Chunk0', 5);
  const again = heppy(['hadd', '-c', '--json', 'Outdir']);
  const doc = JSON.parse(again.out);
  assert.equal(doc.moved, [join(root, 'Outdir/Chunks/ggH_Chunk0')]);
  assert.equal(JSON.parse(readFileSync(join(root, 'Outdir/Chunks/ggH_Chunk0/Sel/cut_flow.json'), 'utf8')).levels, [['All', 100], ['Pass', 5]]);
  assert.equal(JSON.parse(readFileSync(join(root, 'Outdir/ggH/Sel/cut_flow.json'), 'utf8')).levels, [['All', 100], ['Pass', 5]]);
});

test('no chunk at all, or no such directory: exit 2', () => {
  mkdirSync(join(root, 'Empty'));
  const a = heppy(['hadd', 'Empty']);
  assert.is(a.code, 2);
  assert.match(a.err, 'no chunk found');
  assert.is(heppy(['hadd', 'Nope']).code, 2);
  assert.is(heppy(['hadd']).code, 2);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
