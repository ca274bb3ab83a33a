// batchScript.sh: the text of the per-chunk job script (every path quoted, the attempt it is for)
// and its writer; the script is run with bash, a stand-in for node recording what it was given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_SCRIPT, batchScriptText, exitMarkerJs, heppyMainJs, writeBatchScript } from '../../../src/chunkdir/batch-script.js';

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-batch-script-'));
  try { f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

const lineOf = (text: string, prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));

test('the script names the chunk, its paths and the attempt it was written for', () => {
  const text = batchScriptText('/out/zz_Chunk3', { nodeBin: '/usr/bin/node', heppyJs: '/h/main.js' }, { attempt: 2, key: 'abc' });
  assert.ok(text.startsWith('#!/bin/bash\n'));
  assert.ok(text.endsWith('exit "$status"\n'));
  assert.is(lineOf(text, '#SBATCH --job-name='), '#SBATCH --job-name=heppy-zz_Chunk3');
  assert.is(lineOf(text, '#SBATCH --output='), '#SBATCH --output=/out/.heppy/batch/logs/zz_Chunk3.%j.out');
  assert.is(lineOf(text, 'chunk_dir='), 'chunk_dir=/out/zz_Chunk3');
  assert.is(lineOf(text, 'node_bin='), 'node_bin=/usr/bin/node');
  assert.is(lineOf(text, 'heppy_js='), 'heppy_js=/h/main.js');
  assert.is(lineOf(text, 'exit_marker_js='), `exit_marker_js=${exitMarkerJs}`);
  assert.is(lineOf(text, 'started_file='), 'started_file=/out/.heppy/batch/started/zz_Chunk3');
  assert.is(lineOf(text, 'attempt='), 'attempt=2');
  assert.is(lineOf(text, 'key='), 'key=abc');
});

test('defaults: this node and this checkout\'s CLI; no attempt: empty attempt and key', () => {
  const saved = process.env.HEPPY_BATCH_NODE;
  delete process.env.HEPPY_BATCH_NODE;
  try {
    const text = batchScriptText('/out/zz_Chunk0');
    assert.is(lineOf(text, 'node_bin='), `node_bin=${process.execPath}`);
    assert.is(lineOf(text, 'heppy_js='), `heppy_js=${heppyMainJs}`);
    assert.is(lineOf(text, 'attempt='), "attempt=''");
    assert.is(lineOf(text, 'key='), "key=''");
    process.env.HEPPY_BATCH_NODE = '/opt/node20/bin/node';
    assert.is(lineOf(batchScriptText('/out/zz_Chunk0'), 'node_bin='), 'node_bin=/opt/node20/bin/node');
  } finally {
    if (saved === undefined) delete process.env.HEPPY_BATCH_NODE; else process.env.HEPPY_BATCH_NODE = saved;
  }
});

test('an Outdir path a shell would parse is quoted, and gets no #SBATCH --output (sbatch cannot quote)', () => {
  const text = batchScriptText("/o u't/$x/zz_Chunk1", { nodeBin: '/n', heppyJs: '/h' });
  assert.is(lineOf(text, '#SBATCH --output='), undefined);
  assert.is(lineOf(text, 'chunk_dir='), `chunk_dir='/o u'\\''t/$x/zz_Chunk1'`);
  assert.is(lineOf(text, 'started_file='), `started_file='/o u'\\''t/$x/.heppy/batch/started/zz_Chunk1'`);
});

// A stand-in for node: records its arguments (one per line) and fails run-chunk with status 3.
function fakeNode(dir: string): { bin: string; log: string } {
  const bin = join(dir, 'fake-node');
  const log = join(dir, 'calls.txt');
  writeFileSync(bin, `#!/bin/bash\nprintf '%s\\n' "$@" '--' >> ${JSON.stringify(log)}\n[ "$2" = run-chunk ] && exit 3\nexit 0\n`, { mode: 0o755 });
  return { bin, log };
}

test('run by bash: run-chunk on the directory from its parent, then the exit marker with the status and attempt', () => withDir((d) => {
  const outdir = join(d, "my out'dir");
  const chunkDir = join(outdir, 'zz_Chunk0');
  mkdirSync(chunkDir, { recursive: true });
  const { bin, log } = fakeNode(d);
  const script = writeBatchScript(chunkDir, { nodeBin: bin, heppyJs: '/h/main.js' }, { attempt: 5, key: 'k5' });
  assert.is(script, join(chunkDir, BATCH_SCRIPT));
  let status = 0;
  try { execFileSync('/bin/bash', [script], { stdio: 'pipe' }); } catch (e) { status = (e as { status: number }).status; }
  assert.is(status, 3);
  assert.equal(readFileSync(log, 'utf8').split('\n--\n'), [
    ['/h/main.js', 'run-chunk', chunkDir].join('\n'),
    [exitMarkerJs, chunkDir, '3', '', '5', 'k5'].join('\n'),
    '',
  ]);
  const started = readFileSync(join(outdir, '.heppy', 'batch', 'started', 'zz_Chunk0'), 'utf8').trim().split(' ');
  assert.is(started.length, 4);
  assert.is(started[3], '5');
}));

test('writeBatchScript into the chunk directory: executable, batch directories made, rewritten only when changed', () => withDir((outdir) => {
  const chunkDir = join(outdir, 'zz_Chunk0');
  mkdirSync(chunkDir);
  const file = writeBatchScript(chunkDir, { nodeBin: '/n', heppyJs: '/h' }, { attempt: 1, key: 'k' });
  assert.is(statSync(file).mode & 0o777, 0o755);
  for (const sub of ['logs', 'started', 'rounds']) assert.ok(existsSync(join(outdir, '.heppy', 'batch', sub)), sub);
  const ino = statSync(file).ino;
  writeBatchScript(chunkDir, { nodeBin: '/n', heppyJs: '/h' }, { attempt: 1, key: 'k' });
  assert.is(statSync(file).ino, ino, 'same text: the file is left alone');
  writeBatchScript(chunkDir, { nodeBin: '/n', heppyJs: '/h' }, { attempt: 2, key: 'k' });
  assert.is(lineOf(readFileSync(file, 'utf8'), 'attempt='), 'attempt=2');
  assert.is(statSync(file).mode & 0o777, 0o755);
}));

test('writeBatchScript into a tmp dir: the script there speaks for the chunk directory it will become', () => withDir((outdir) => {
  const tmp = join(outdir, '.heppy', 'tmp', 'x1');
  mkdirSync(tmp, { recursive: true });
  const chunkDir = join(outdir, 'zz_Chunk7');
  const file = writeBatchScript(chunkDir, { nodeBin: '/n', heppyJs: '/h' }, undefined, tmp);
  assert.is(file, join(tmp, BATCH_SCRIPT));
  assert.not.ok(existsSync(chunkDir));
  assert.is(statSync(file).mode & 0o777, 0o755);
  assert.is(lineOf(readFileSync(file, 'utf8'), 'chunk_dir='), `chunk_dir=${chunkDir}`);
  assert.ok(existsSync(join(outdir, '.heppy', 'batch', 'logs')));
}));

test.run();
