import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder } from '../../../src/util/walk.js';

test('filesUnder: every regular file, sorted, dot entries skipped, symbolic links followed, dangling ones left out', () => {
  const root = mkdtempSync(join(tmpdir(), 'heppy-walk-'));
  try {
    const d = join(root, 'ttbar_Chunk0');
    mkdirSync(join(d, 'TreeProducer'), { recursive: true });
    mkdirSync(join(d, '.heppy', 'tmp'), { recursive: true });
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(d, 'TreeProducer', 'tree.root'), 'x');
    writeFileSync(join(d, 'log.txt'), 'x');
    writeFileSync(join(d, 'heppy-status.json'), 'x');
    writeFileSync(join(d, '.hidden'), 'x');
    writeFileSync(join(d, '.heppy', 'tmp', 'partial'), 'x');
    writeFileSync(join(root, 'elsewhere', 'linked.txt'), 'x');
    symlinkSync(join(root, 'elsewhere'), join(d, 'linkdir'));
    symlinkSync(join(root, 'elsewhere', 'linked.txt'), join(d, 'a-link.txt'));
    symlinkSync(join(root, 'nothing-here'), join(d, 'dangling'));
    assert.equal(filesUnder(d), ['TreeProducer/tree.root', 'a-link.txt', 'heppy-status.json', 'linkdir/linked.txt', 'log.txt']);
    assert.equal(filesUnder(join(root, 'elsewhere')), ['linked.txt']);
    assert.throws(() => filesUnder(join(root, 'missing')), /ENOENT/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
