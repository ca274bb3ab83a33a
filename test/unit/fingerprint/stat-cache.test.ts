// The stat cache: one stat per path per process (validation and digests share it); a missing path
// is its error, memoised too; forgetStat makes the next stat a real one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetStat, statOnce } from '../../../src/fingerprint/stat-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-statcache-'));

test('one stat per path: later changes are not seen until the path is forgotten', () => {
  const a = join(dir, 'a.root');
  writeFileSync(a, 'aaaa');
  const st = statSync(a);
  const sa = statOnce(a);
  assert.ok(!(sa instanceof Error));
  assert.equal([sa.size, sa.mtimeMs, sa.ino, sa.isFile()], [st.size, st.mtimeMs, st.ino, true]);
  appendFileSync(a, 'more');
  assert.is(statOnce(a), sa);                          // memoised
  forgetStat(a);
  const again = statOnce(a);
  assert.ok(!(again instanceof Error) && again.size === 8);
});

test('a missing path is its ENOENT; a directory is not a file', () => {
  const gone = join(dir, 'gone.root'), sub = join(dir, 'sub');
  mkdirSync(sub);
  const sg = statOnce(gone);
  assert.ok(sg instanceof Error);
  assert.is(sg.code, 'ENOENT');
  assert.is(statOnce(gone), sg);
  const sd = statOnce(sub);
  assert.ok(!(sd instanceof Error) && !sd.isFile());
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
