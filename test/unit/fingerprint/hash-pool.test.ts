import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool } from '../../../src/fingerprint/hash-pool.js';
import { hashFile } from '../../../src/fingerprint/hash-file.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hashpool-'));

test('the pool gives the digests of the calling thread, several files at once, and names a missing file', async () => {
  const files: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = join(dir, `f${i}`);
    const b = Buffer.alloc((3 << 20) + i * 7919);
    for (let j = 0; j < b.length; j += 4099) b[j] = (i * 31 + j) & 0xff;
    writeFileSync(p, b);
    files.push(p);
  }
  const pool = new HashPool(2);
  const got = await Promise.all(files.map((f) => pool.hash(f)));
  const want = await Promise.all(files.map((f) => hashFile(f)));
  assert.equal(got, want);
  assert.is(new Set(got).size, 5);
  try {
    await pool.hash(join(dir, 'missing'));
    assert.unreachable('a missing file must fail');
  } catch (err) {
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  }
  await pool.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
