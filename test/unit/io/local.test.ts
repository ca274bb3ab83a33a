import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSource } from '../../../src/io/local.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-local-'));
const bytes = Buffer.alloc(200_000);
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + 1) & 0xff;
const path = join(dir, 'data.bin');
writeFileSync(path, bytes);

test('LocalSource: name, size, not remote; read and readSync give the bytes at a position', async () => {
  const s = LocalSource.open(path);
  try {
    assert.is(s.name, path);
    assert.is(s.size, 200_000);
    assert.is(s.remote, false);
    assert.equal(Buffer.from(await s.read(1000, 16)), bytes.subarray(1000, 1016));
    assert.equal(Buffer.from(s.readSync(199_990, 10)), bytes.subarray(199_990));
    assert.is((await s.read(5, 0)).length, 0);
  } finally {
    await s.close();
    await s.close(); // twice: nothing more
  }
});

test('LocalSource.readv: each range in the order asked, overlapping and far apart (several runs)', async () => {
  const s = LocalSource.open(path);
  try {
    const ranges = [{ pos: 150_000, len: 100 }, { pos: 10, len: 20 }, { pos: 15, len: 30 }, { pos: 100_000, len: 1 }];
    const got = await s.readv(ranges);
    assert.is(got.length, 4);
    ranges.forEach((r, i) => assert.equal(Buffer.from(got[i]!), bytes.subarray(r.pos, r.pos + r.len), `range ${i}`));
  } finally {
    await s.close();
  }
});

test('LocalSource: a read past the end is a short read naming the file; a missing file throws ENOENT', async () => {
  const s = LocalSource.open(path);
  try {
    assert.throws(() => s.readSync(199_999, 2), (e: Error) => e.message === `short read at 200000 of ${path}`);
  } finally {
    await s.close();
  }
  assert.throws(() => LocalSource.open(join(dir, 'absent')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
