// The stat cache: one stat per path per process, and stats taken ahead by another thread
// (engine/output-early.ts) used as they were taken; a path not stat-ed there, or whose stat failed
// there, is stat-ed here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statAhead, statOnce, useStatsAhead, type StatsAhead } from '../../../src/fingerprint/stat-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-statcache-'));

test('stats taken ahead are used as taken; missing, failed or unlisted paths are stat-ed here', () => {
  const a = join(dir, 'a.root'), b = join(dir, 'b.root'), gone = join(dir, 'gone.root'), sub = join(dir, 'sub'), later = join(dir, 'later.root'), other = join(dir, 'other.root');
  writeFileSync(a, 'aaaa');
  writeFileSync(b, 'bb');
  mkdirSync(sub);
  writeFileSync(other, 'o');
  const paths = [a, b, gone, sub, later];
  const ahead: StatsAhead = { paths, nums: new Float64Array(new SharedArrayBuffer(32 * paths.length)), ready: new Int32Array(new SharedArrayBuffer(4 * paths.length)) };
  for (let i = 0; i < 4; i++) statAhead(ahead, i);   // `later` not reached yet by the other thread
  useStatsAhead(ahead);
  const st = statSync(a);
  appendFileSync(a, 'more');                           // after the stat ahead: this build saw the earlier state
  writeFileSync(later, 'late');
  const sa = statOnce(a);
  assert.ok(!(sa instanceof Error));
  assert.equal([sa.size, sa.mtimeMs, sa.ino, sa.isFile()], [st.size, st.mtimeMs, st.ino, true]);
  const sg = statOnce(gone);
  assert.ok(sg instanceof Error);
  assert.is(sg.code, 'ENOENT');
  const sd = statOnce(sub);
  assert.ok(!(sd instanceof Error) && !sd.isFile());
  const sl = statOnce(later);
  assert.ok(!(sl instanceof Error) && sl.size === 4);
  const so = statOnce(other);
  assert.ok(!(so instanceof Error) && so.size === 1);
  assert.is(statOnce(a), sa);                          // memoised: one stat per path
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
