// removeLeftovers (src/engine/run.ts): tmp dirs of dead runs and all trash go; the tmp dir of a
// batch job still in the journal stays; what cannot be removed now is left, named in one warning;
// nothing goes while another live process holds the Outdir lock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftovers } from '../../../src/engine/run-journal.js';
import type { JournalEntry } from '../../../src/exec/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-leftovers-'));

function plant(rel: string): void {
  mkdirSync(join(dir, '.heppy', rel), { recursive: true });
  writeFileSync(join(dir, '.heppy', rel, 'log.txt'), 'partial');
}

test('dead tmp dirs and trash removed; a journaled batch job keeps its tmp dir', () => {
  plant('tmp/A_Chunk0.1.deadbeef');        // a killed local run
  plant('tmp/B_Chunk1.2.0badc0de');        // attempt 2 of B_Chunk1: journaled below, kept
  plant('tmp/B_Chunk1.1.12345678');        // attempt 1 of the same chunk: dead
  plant('tmp/C_Chunk0.1.abcdef01');        // journaled, but for the local executor (died with its build)
  plant('tmp/A.hadd.Xy12Zq');              // a merge of a killed build (merges run under the lock)
  plant('trash/A_Chunk3.0a0b0c0d');
  plant('trash/A.Q1w2e3/old');
  const journal: JournalEntry[] = [
    { nodeId: 'B_Chunk1', attempt: 2, jobId: '1234_1', key: 'k', submittedAt: 0, executor: 'slurm', name: 'B_Chunk1', chunkDir: join(dir, 'B_Chunk1') },
    { nodeId: 'C_Chunk0', attempt: 1, jobId: '99', key: 'k', submittedAt: 0, executor: 'local' },
  ];
  const removed = removeLeftovers(dir, journal).sort();
  assert.equal(removed, ['tmp/A.hadd.Xy12Zq', 'tmp/A_Chunk0.1.deadbeef', 'tmp/B_Chunk1.1.12345678', 'tmp/C_Chunk0.1.abcdef01',
    'trash/A.Q1w2e3', 'trash/A_Chunk3.0a0b0c0d']);
  assert.equal(readdirSync(join(dir, '.heppy', 'tmp')), ['B_Chunk1.2.0badc0de']);
  assert.equal(readdirSync(join(dir, '.heppy', 'trash')), []);
  assert.ok(existsSync(join(dir, '.heppy', 'tmp', 'B_Chunk1.2.0badc0de', 'log.txt')));
  // Once the journal has let go, the next build removes it.
  assert.equal(removeLeftovers(dir, []), ['tmp/B_Chunk1.2.0badc0de']);
});

test('no .heppy yet: nothing to do', () => {
  assert.equal(removeLeftovers(join(dir, 'nope'), []), []);
});

/** Collects the warnings of one call. */
function leftovers(outdir: string): { removed: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const removed = removeLeftovers(outdir, [], (m) => warnings.push(m)).sort();
  return { removed, warnings };
}

test('a leftover that cannot be removed now (a mount point: EBUSY) is left and named in one warning; the rest goes; a later build removes it', () => {
  plant('tmp/D_Chunk0.1.feedf00d');
  plant('trash/D_Chunk1.0b0b0b0b');
  const mnt = join(dir, '.heppy', 'tmp', 'E_Chunk0.1.0e0e0e0e');
  mkdirSync(mnt, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`SKIP: an unremovable leftover: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    rmSync(join(dir, '.heppy'), { recursive: true, force: true });
    return;
  }
  try {
    writeFileSync(join(mnt, 'out.root'), 'partial');
    const r = leftovers(dir);
    assert.equal(r.removed, ['tmp/D_Chunk0.1.feedf00d', 'trash/D_Chunk1.0b0b0b0b']);
    assert.is(r.warnings.length, 1, r.warnings.join('\n'));
    assert.match(r.warnings[0]!, /could not remove 1 leftover\(s\) .*left for a later build: tmp\/E_Chunk0\.1\.0e0e0e0e \(EBUSY\)$/);
    assert.ok(existsSync(mnt));
  } finally {
    spawnSync('umount', ['-l', mnt]);
  }
  assert.equal(leftovers(dir), { removed: ['tmp/E_Chunk0.1.0e0e0e0e'], warnings: [] });
});

test('a tmp dir a live writer keeps filling (a killed build\'s worker): no exception; removed, or left and named', async () => {
  const busy = join(dir, '.heppy', 'tmp', 'F_Chunk0.1.0f0f0f0f');
  mkdirSync(busy, { recursive: true });
  const writer = spawn(process.execPath, ['-e', `const fs = require('node:fs'); let i = 0;
    for (;;) { try { fs.writeFileSync(${JSON.stringify(busy)} + '/f' + (i++ % 50), 'x'); } catch { fs.mkdirSync(${JSON.stringify(busy)}, { recursive: true }); } }`], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 1000 && !existsSync(join(busy, 'f1')); i++) await new Promise((r) => setTimeout(r, 10));
    const r = leftovers(dir);
    const named = r.warnings.some((w) => w.includes('tmp/F_Chunk0.1.0f0f0f0f ('));
    assert.ok(r.removed.includes('tmp/F_Chunk0.1.0f0f0f0f') !== named, JSON.stringify(r));
    assert.ok(r.warnings.length <= 1);
  } finally {
    writer.kill('SIGKILL');
    await new Promise((r) => writer.once('exit', r));
  }
  assert.equal(leftovers(dir).warnings, [], 'removed once its writer is gone');
  assert.equal(readdirSync(join(dir, '.heppy', 'tmp')), []);
});

test('another live process holds the Outdir lock: nothing removed, one warning; the lock of this process or of a dead one: removed', () => {
  plant('tmp/G_Chunk0.1.01010101');
  const lock = join(dir, '.heppy', 'lock');
  const holder = (pid: number): string => JSON.stringify({ pid, host: hostname(), startedAt: Date.now(), command: 'build', token: `t${pid}` });
  writeFileSync(lock, holder(process.ppid)); // our parent: alive, on this host
  const r = leftovers(dir);
  assert.equal(r.removed, []);
  assert.is(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /another process holds the Outdir lock/);
  assert.ok(existsSync(join(dir, '.heppy', 'tmp', 'G_Chunk0.1.01010101')));
  writeFileSync(lock, holder(process.pid));
  assert.equal(leftovers(dir), { removed: ['tmp/G_Chunk0.1.01010101'], warnings: [] });
  plant('trash/G_Chunk1.02020202');
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  writeFileSync(lock, holder(Number(dead.stdout.trim())));
  assert.equal(leftovers(dir), { removed: ['trash/G_Chunk1.02020202'], warnings: [] });
  unlinkSync(lock);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
