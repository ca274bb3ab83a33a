import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDigests } from '../../../src/fingerprint/digests.js';
import { hashString, initHash } from '../../../src/fingerprint/hash.js';
import { forgetStat } from '../../../src/fingerprint/stat-cache.js';
import { Store } from '../../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-digests-'));
const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.root`));

async function digestAll(store: Store): Promise<{ values: string[]; hashed: number }> {
  const d = new FileDigests(store);
  const m = await d.digestAll(files);
  await store.flush();
  return { values: files.map((f) => { const r = m.get(f)!; assert.ok(r.ok); return r.value; }), hashed: d.stats.hashed };
}

/** Backdated by an hour: a file whose mtime is that old is not racy (fingerprint/racy.ts). */
const backdate = (f: string, s = 3600): void => {
  const t = Date.now() / 1000 - s;
  utimesSync(f, t, t);
  forgetStat(f);
};

test('a list of files digested before takes no hashing; an edit of the same size is still seen', async () => {
  await initHash();
  files.forEach((f, i) => { writeFileSync(f, `content ${i}`); backdate(f); });
  const store = Store.open(join(dir, 'cache'), join(dir, 'out'));
  const first = await digestAll(store);
  assert.equal(first.hashed, 3);
  assert.equal(first.values[1], hashString('content 1'));
  const again = await digestAll(store);
  assert.equal(again.hashed, 0);
  assert.equal(again.values, first.values);

  // Same size, other content, later mtime: only that file is hashed again.
  writeFileSync(files[1]!, 'CONTENT 1');
  backdate(files[1]!, 1800);
  const edited = await digestAll(store);
  assert.equal(edited.hashed, 1);
  assert.equal(edited.values[1], hashString('CONTENT 1'));
  assert.equal([edited.values[0], edited.values[2]], [first.values[0], first.values[2]]);
  const after = await digestAll(store);
  assert.equal(after.hashed, 0);
  assert.equal(after.values, edited.values);
  await store.close();
});

test('a file digested within the clock granularity of its mtime: an edit keeping size and mtime is still seen', async () => {
  const store = Store.open(join(dir, 'cache-racy'), join(dir, 'out'));
  const f = join(dir, 'racy.root');
  // A 1 s file system: whole seconds, this one (so the digest is taken within its granularity).
  const sec = Math.floor(Date.now() / 1000);
  writeFileSync(f, 'first');
  utimesSync(f, sec, sec);
  forgetStat(f);
  const first = await new FileDigests(store).digest(f);
  await store.flush();
  assert.equal(first, { ok: true, value: hashString('first') });
  // What a 1 s file system (or one clock tick) gives an edit right after: same size, same mtime.
  writeFileSync(f, 'FIRST');
  utimesSync(f, sec, sec);
  forgetStat(f);
  assert.is(statSync(f).mtimeMs, sec * 1000);
  const d = new FileDigests(store);
  assert.equal(await d.digest(f), { ok: true, value: hashString('FIRST') });
  assert.is(d.stats.hashed, 1);
  // Once old, (size, mtime) stands for the content again: recorded, then served without hashing.
  backdate(f);
  await new FileDigests(store).digest(f);
  await store.flush();
  const later = new FileDigests(store);
  assert.equal(await later.digest(f), { ok: true, value: hashString('FIRST') });
  assert.is(later.stats.hashed, 0);
  await store.close();
});

test('a missing file in the list is an error for that file, not a stale digest', async () => {
  const store = Store.open(join(dir, 'cache'), join(dir, 'out'));
  rmSync(files[2]!);
  forgetStat(files[2]!);
  const m = await new FileDigests(store).digestAll(files);
  assert.ok(m.get(files[0]!)!.ok);
  assert.not.ok(m.get(files[2]!)!.ok);
  await store.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
