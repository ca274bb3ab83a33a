import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lmdbFileProblem } from '../../../src/store/health.js';
import { Store, type TaskRecord } from '../../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-health-'));
const writer = fileURLToPath(new URL('./store-writer.js', import.meta.url));

function rec(i: number): TaskRecord {
  return { nodeId: `c_Chunk${i}`, kind: 'chunk', status: 'ok', key: `k${i}`, keyParts: { parts: { code: 'c'.repeat(40) }, files: { [`/in/${i}.root`]: 'h' } },
    resultDigest: 'r', outputs: [{ path: 'log.txt', size: 10, mtimeMs: 1 }], attempts: 1, eventsProcessed: 5, finishedAt: 0, durationMs: 1 };
}

/** A store of `n` records and one large (overflow) value, closed; returns its data file. */
async function makeStore(name: string, n: number): Promise<string> {
  const s = Store.open(join(dir, name), join(dir, 'out'));
  for (let i = 0; i < n; i++) void s.putTask(rec(i));
  await s.putDigestSet('list', 'p'.repeat(200_000), ['a', 'b']);
  await s.close();
  return join(dir, name, 'data.mdb');
}

function garble(file: string, offset: number, length: number): void {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7919 + 13) & 255;
  const fd = openSync(file, 'r+');
  writeSync(fd, b, 0, length, offset);
  closeSync(fd);
}

test('sound stores pass, deep and shallow, through writes, deletes and reopening', async () => {
  assert.is(lmdbFileProblem(join(dir, 'none', 'data.mdb')), null, 'no file yet: LMDB creates it');
  const f = await makeStore('sound', 3000);
  assert.is(lmdbFileProblem(f), null);
  assert.is(lmdbFileProblem(f, false), null);
  const s = Store.open(join(dir, 'sound'), join(dir, 'out'));
  for (let i = 0; i < 3000; i += 2) void s.deleteTask(`c_Chunk${i}`);
  await s.flush();
  assert.is(await s.clearOutdir(), 1500);
  await s.close();
  assert.is(lmdbFileProblem(f), null);
  writeFileSync(join(dir, 'empty.mdb'), '');
  assert.is(lmdbFileProblem(join(dir, 'empty.mdb')), null, 'an empty file: LMDB initialises it');
});

test('truncation is found from the last page number against the file size', async () => {
  const f = await makeStore('trunc', 3000);
  const size = statSync(f).size;
  truncateSync(f, size - 4096);
  assert.match(lmdbFileProblem(f, false) ?? '', /last page is \d+, the file has \d+ pages .*truncated/);
  truncateSync(f, 1000);
  assert.match(lmdbFileProblem(f) ?? '', /shorter than its two meta pages/);
});

test('garbled meta pages: magic, flag, page size; the overlapping-sync meta at half a page', async () => {
  const f = await makeStore('meta', 100);
  const good = readFileSync(f);
  garble(f, 0, 8192);
  assert.match(lmdbFileProblem(f) ?? '', /page 0/);
  writeFileSync(f, good);
  garble(f, 4096, 4096);
  assert.match(lmdbFileProblem(f) ?? '', /page 1 /);
  writeFileSync(f, good);
  garble(f, 2048, 2048);
  assert.match(lmdbFileProblem(f) ?? '', /the meta at byte 2048/);
  writeFileSync(f, good);
  const b = Buffer.from(good);
  b.writeUInt32LE(3000, 48);                               // page size of page 0
  writeFileSync(f, b);
  assert.match(lmdbFileProblem(f) ?? '', /impossible page size 3000/);
});

test('garbled tree pages: found by the deep check (the shallow one reads only the metas)', async () => {
  const f = await makeStore('tree', 3000);
  const good = readFileSync(f);
  // Find the main tree's root (meta with the highest txnid) and garble it.
  const m0 = good.readBigUInt64LE(152) >= good.readBigUInt64LE(4096 + 152) ? 0 : 4096;
  const root = Number(good.readBigUInt64LE(m0 + 136));
  garble(f, root * 4096, 4096);
  assert.match(lmdbFileProblem(f) ?? '', new RegExp(`page ${root} of the main tree is garbled`));
  assert.is(lmdbFileProblem(f, false), null);
  writeFileSync(f, good);
  // A leaf in the middle: pages 3..(last-10) hold leaves and overflow pages; garble a run of them.
  const pages = good.length / 4096;
  garble(f, Math.floor(pages / 2) * 4096, 8 * 4096);
  assert.ok(lmdbFileProblem(f, true) !== null, 'deep check finds a garbled leaf');
});

test('a store being written by another process is never judged truncated (metas read before the size)', async () => {
  // The defect of stop 20: the size was taken before the metas; a commit in between (pages, then
  // the meta naming them) made a sound, growing file look "truncated". A writer process commits
  // while this one checks the metas against the size, as a loser of the Outdir lock did.
  const cache = join(dir, 'growing');
  const child = spawn(process.execPath, [writer, cache, '400'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((res) => child.on('exit', res));
  let done = false;
  void exited.then(() => { done = true; });
  const f = join(cache, 'data.mdb');
  let checks = 0;
  const problems: string[] = [];
  while (!done) {
    if (existsSync(f)) {
      // The shallow check: metas against the size (what a store known sound gets).
      const p = lmdbFileProblem(f, false);
      checks++;
      if (p !== null) problems.push(p);
    }
    await new Promise((res) => setImmediate(res));
  }
  assert.is(await exited, 0, out);
  assert.match(out, /open\nclosed/);
  assert.ok(checks > 0, 'checked while it was written');
  assert.equal(problems, [], `${problems.length} of ${checks} checks misjudged a growing store`);
  assert.is(lmdbFileProblem(f), null);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
