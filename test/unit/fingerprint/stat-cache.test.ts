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

test('a path claimed by this thread is not stat-ed by the other one, which keeps its own claims', () => {
  const p = [join(dir, 'c0.root'), join(dir, 'c1.root'), join(dir, 'c2.root')];
  for (const f of p) writeFileSync(f, 'ccc');
  const ahead: StatsAhead = { paths: p, nums: new Float64Array(new SharedArrayBuffer(32 * p.length)), ready: new Int32Array(new SharedArrayBuffer(4 * p.length)) };
  useStatsAhead(ahead);
  const s0 = statOnce(p[0]!);                          // before the other thread: claimed and stat-ed here
  assert.ok(!(s0 instanceof Error) && s0.size === 3);
  for (let i = p.length - 1; i >= 0; i--) statAhead(ahead, i);   // the other thread, from the end
  assert.equal([...ahead.ready], [4, 1, 1]);           // p0 left to this thread (HERE), p1 and p2 stat-ed there (DONE)
  assert.is(ahead.nums[0], 0);                         // no numbers written for the claimed path
  assert.is(ahead.nums[4], 3);
  appendFileSync(p[1]!, 'x');                          // taken ahead: this build uses the earlier stat
  const s1 = statOnce(p[1]!);
  assert.ok(!(s1 instanceof Error) && s1.size === 3);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
