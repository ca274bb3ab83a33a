import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeTmpDir, parseTmpName, swapIntoPlace } from '../../../src/chunkdir/swap.js';

test('makeTmpDir: a new directory per call, named <label>.<attempt>.<hex> (parsed back), its root made again when removed', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'heppy-swap-'));
  try {
    const names = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const d = makeTmpDir(outdir, 'A_Chunk3', 2);
      assert.ok(existsSync(d));
      assert.equal(parseTmpName(basename(d)), { label: 'A_Chunk3', attempt: '2' });
      names.add(basename(d));
    }
    assert.is(names.size, 50);
    assert.is(readdirSync(join(outdir, '.heppy', 'tmp')).length, 50);
    // heppy clean removes the tmp root: the next run makes it again.
    rmSync(join(outdir, '.heppy'), { recursive: true });
    const d = makeTmpDir(outdir, 'A', 'hadd');
    assert.equal(parseTmpName(basename(d)), { label: 'A', attempt: 'hadd' });
    assert.equal(readdirSync(join(outdir, '.heppy', 'tmp')), [basename(d)]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('swapIntoPlace: a new target is the tmp dir renamed; an old one is replaced whole', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'heppy-swap-'));
  try {
    const target = join(outdir, 'A_Chunk0');
    const first = makeTmpDir(outdir, 'A_Chunk0', 1);
    writeFileSync(join(first, 'log.txt'), 'one');
    writeFileSync(join(first, 'extra.txt'), 'x');
    swapIntoPlace(first, target);
    assert.equal(readdirSync(target).sort(), ['extra.txt', 'log.txt']);
    const second = makeTmpDir(outdir, 'A_Chunk0', 2);
    writeFileSync(join(second, 'log.txt'), 'two');
    swapIntoPlace(second, target);
    assert.equal(readdirSync(target), ['log.txt']);
    assert.is(readFileSync(join(target, 'log.txt'), 'utf8'), 'two');
    assert.ok(!existsSync(first) && !existsSync(second));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test.run();
