// removeLeftovers (src/engine/run.ts): tmp dirs of dead runs and all trash go; the tmp dir of a
// batch job still in the journal stays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
