// append-files.ts: whole files written at a position of another file, by the kernel copy (`cat`)
// and, when `cat` cannot be run, through user space; the bytes before the position are kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendFiles, AppendError } from '../../../../src/root/write/append-files.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-append-'));
const a = join(dir, 'a'), b = join(dir, 'b');
const bytesA = Buffer.from(Array.from({ length: 3_000_001 }, (_, i) => (i * 7) & 255));
const bytesB = Buffer.from('second file');
writeFileSync(a, bytesA);
writeFileSync(b, bytesB);

function expectContent(dest: string, head: Buffer, at: number): void {
  const got = readFileSync(dest);
  assert.is(got.length, at + bytesA.length + bytesB.length);
  assert.ok(got.subarray(0, head.length).equals(head), 'bytes before the position kept');
  assert.ok(got.subarray(head.length, at).every((x) => x === 0), 'zeros up to the position');
  assert.ok(got.subarray(at, at + bytesA.length).equals(bytesA), 'first file');
  assert.ok(got.subarray(at + bytesA.length).equals(bytesB), 'second file');
}

test('kernel copy (cat) at a position past what is written', async () => {
  const dest = join(dir, 'k.out');
  const head = Buffer.from('header bytes');
  writeFileSync(dest, head);
  const kernel = await appendFiles(dest, 200, [a, b], [bytesA.length, bytesB.length]);
  assert.is(kernel, process.platform === 'linux');
  expectContent(dest, head, 200);
});

test('without cat (PATH empty): the same bytes through user space', async () => {
  const dest = join(dir, 'u.out');
  writeFileSync(dest, '');
  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    assert.is(await appendFiles(dest, 150, [a, b], [bytesA.length, bytesB.length]), false);
  } finally { process.env.PATH = path; }
  expectContent(dest, Buffer.alloc(0), 150);
});

async function rejects(p: Promise<unknown>, ok: (e: unknown) => boolean, what: string): Promise<void> {
  try { await p; } catch (e) { assert.ok(ok(e), `${what}: ${String(e)}`); return; }
  assert.unreachable(`${what}: no error`);
}

test('an input shorter than its stated size (changed while merged) is an AppendError naming it', async () => {
  const dest = join(dir, 'bad.out');
  writeFileSync(dest, '');
  await rejects(appendFiles(dest, 100, [a], [bytesA.length + 5]), (e) => e instanceof AppendError && e.file === a && /short read/.test(e.message), 'shorter');
});

test('an input longer than its stated size is an AppendError naming it', async () => {
  const dest = join(dir, 'long.out');
  writeFileSync(dest, '');
  await rejects(appendFiles(dest, 100, [a], [bytesA.length - 5]), (e) => e instanceof AppendError && e.file === a && /changed size/.test(e.message), 'longer');
});

test('an input that cannot be read is named', async () => {
  const dest = join(dir, 'missing.out');
  writeFileSync(dest, '');
  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    await rejects(appendFiles(dest, 100, [join(dir, 'nope')], [10]), (e) => e instanceof AppendError && e.file === join(dir, 'nope'), 'missing');
  } finally { process.env.PATH = path; }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
