// Running a -b template: /bin/sh in the chunk directory, its own process group, the job's name and
// directory in its environment, its output appended to the job log (also after the shell returned).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readText, runTemplate } from '../../../../src/exec/command/run-template.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-run-template-'));

test('runs the template with /bin/sh in the chunk directory, with HEPPY_JOB_NAME and HEPPY_CHUNK_DIR, output appended to the log', async () => {
  const log = join(dir, 'job.out');
  writeFileSync(log, 'earlier attempt\n');
  const r = await runTemplate('echo "cwd=$(pwd) name=$HEPPY_JOB_NAME dir=$HEPPY_CHUNK_DIR"; echo oops >&2; exit 3', dir, log, 'heppy-0123abcd-Z_Chunk0-2');
  assert.equal([r.code, r.signal, r.error], [3, null, undefined]);
  assert.ok(r.pid > 0);
  assert.is(readText(log), `earlier attempt\ncwd=${dir} name=heppy-0123abcd-Z_Chunk0-2 dir=${dir}\noops\n`);
});

test('the template runs in a process group of its own (Ctrl-C on heppy leaves it alone), led by its shell', async () => {
  const log = join(dir, 'pgid.out');
  // /proc/<pid>/stat: pid (comm) state ppid pgrp …
  const r = await runTemplate("cut -d' ' -f5 /proc/$$/stat", dir, log, 'n');
  assert.is(r.code, 0);
  assert.is(Number(readText(log).trim()), r.pid, 'the shell leads a group of its own');
});

test('a job started in the background keeps writing to the log after the shell returned', async () => {
  const log = join(dir, 'bg.out');
  const r = await runTemplate('(sleep 0.3; echo late) & echo now', dir, log, 'n');
  assert.is(r.code, 0);
  assert.is(readText(log), 'now\n');
  for (let i = 0; i < 100 && readText(log) !== 'now\nlate\n'; i++) await new Promise((res) => setTimeout(res, 50));
  assert.is(readText(log), 'now\nlate\n');
});

test('readText: a log not written yet reads as empty', () => {
  assert.is(readText(join(dir, 'missing.out')), '');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
