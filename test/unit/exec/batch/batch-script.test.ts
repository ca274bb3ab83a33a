import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { shq } from '../../../../src/util/shell.js';
import { batchScriptText, writeBatchScript } from '../../../../src/chunkdir/batch-script.js';
import { fakeRunChunkJs, makeChunk, makeOutdir } from './fixtures/rig.js';

const nasty = [
  'plain', 'with space', "it's", 'dollar $HOME and $(echo pwned) `id`', 'double "quoted"', 'back\\slash',
  'new\nline', '*glob?[x]', '; rm -rf / #', '', "''", '-n',
];

test('shq: bash gets back exactly the string, whatever it holds', () => {
  for (const s of nasty) {
    const out = execFileSync('/bin/bash', ['-c', `printf '%s' ${shq(s)}`], { encoding: 'utf8' });
    assert.is(out, s, `for ${JSON.stringify(s)}`);
  }
});

const outdir = makeOutdir('bscript', ` w'ith "quotes" $HOME`);

test('batchScript.sh quotes the chunk path and runs run-chunk on it (path with spaces, quotes, $)', () => {
  const job = makeChunk(outdir, 'comp_Chunk0', 'ok', 1, 42);
  const file = writeBatchScript(job.chunkDir, { heppyJs: fakeRunChunkJs });
  assert.ok((statSync(file).mode & 0o111) !== 0, 'executable');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('#!/bin/bash\n'));
  assert.ok(text.includes(`chunk_dir=${shq(job.chunkDir)}`));
  assert.not.ok(text.includes('#SBATCH --output'), 'no #SBATCH --output for a path sbatch cannot parse');
  // Run it by hand, as a user would, from another directory.
  const r = spawnSync(file, [], { cwd: '/', encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const marker = JSON.parse(readFileSync(join(job.chunkDir, 'heppy-status.json'), 'utf8'));
  assert.is(marker.status, 'ok');
  assert.is(marker.eventsProcessed, 42);
  assert.is(readFileSync(join(job.chunkDir, 'runs.txt'), 'utf8'), '1 ok\n');
  // The started file names this host and a pid.
  const started = readFileSync(join(outdir, '.heppy', 'batch', 'started', 'comp_Chunk0'), 'utf8').trim().split(' ');
  assert.is(started.length, 3); // host pid time (no attempt: written without one)
});

test('batchScript.sh writes a failed marker when run-chunk crashes without one', () => {
  const job = makeChunk(outdir, 'comp_Chunk1', 'crash', 2);
  const file = writeBatchScript(job.chunkDir, { heppyJs: fakeRunChunkJs });
  const r = spawnSync(file, [], { cwd: '/', encoding: 'utf8' });
  assert.is(r.status, 3);
  const marker = JSON.parse(readFileSync(join(job.chunkDir, 'heppy-status.json'), 'utf8'));
  assert.is(marker.status, 'failed');
  assert.is(marker.exitCode, 3);
  assert.is(marker.attempt, 2);
  assert.is(marker.key, 'key-comp_Chunk1');
  assert.is(marker.failure.kind, 'infrastructure');
});

test('the exit marker of an old attempt does not speak for a newer one', () => {
  const job = makeChunk(outdir, 'comp_Chunk3', 'crash', 1);
  const file = writeBatchScript(job.chunkDir, { heppyJs: fakeRunChunkJs }, { attempt: 1, key: 'key-comp_Chunk3' });
  // The build resubmits (chunk.json now says attempt 2) while attempt 1 is still ending.
  writeFileSync(join(job.chunkDir, 'chunk.json'), JSON.stringify({ name: 'comp_Chunk3', key: 'key-comp_Chunk3', attempt: 2, fake: 'crash' }));
  const r = spawnSync(file, [], { cwd: '/', encoding: 'utf8' });
  assert.is(r.status, 3);
  assert.not.ok(existsSync(join(job.chunkDir, 'heppy-status.json')), 'no marker written for attempt 2');
});

test('batchScript.sh keeps the marker run-chunk wrote on an ordinary failure', () => {
  const job = makeChunk(outdir, 'comp_Chunk2', 'fail');
  const file = writeBatchScript(job.chunkDir, { heppyJs: fakeRunChunkJs });
  const r = spawnSync(file, [], { cwd: '/', encoding: 'utf8' });
  assert.is(r.status, 1);
  const marker = JSON.parse(readFileSync(join(job.chunkDir, 'heppy-status.json'), 'utf8'));
  assert.equal(marker.failure, { kind: 'analysis', reason: 'fake failure of attempt 1' });
});

test('a plain Outdir gets an #SBATCH --output line into heppy\'s log directory', () => {
  const plain = makeOutdir('bscript-plain');
  const text = batchScriptText(join(plain, 'c_Chunk0'));
  assert.ok(text.includes(`#SBATCH --output=${join(plain, '.heppy', 'batch', 'logs', 'c_Chunk0.%j.out')}`));
  assert.ok(text.includes('#SBATCH --job-name=heppy-c_Chunk0'));
  rmSync(dirname(plain), { recursive: true, force: true });
});

test.after(() => {
  if (existsSync(dirname(outdir))) rmSync(dirname(outdir), { recursive: true, force: true });
});
test.run();
