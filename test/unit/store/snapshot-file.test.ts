// The no-op snapshot's file (src/store/snapshot-file.ts), read without the store, as the early
// output check's thread does: only a file of this format and heppy version; the newest of a cache;
// the batch jobs its build left journaled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT, journaledJobs, loadSnapshotFile, newestSnapshotPath, SNAPSHOT_DIR, type SnapshotFile } from '../../../src/store/snapshot-file.js';

const cache = mkdtempSync(join(tmpdir(), 'heppy-snapfile-'));
const dir = join(cache, SNAPSHOT_DIR);
mkdirSync(dir);
const V = '1.2.3';
const file = (outdir: string, values: Array<[string, unknown]> = []): SnapshotFile =>
  ({ format: FORMAT, heppyVersion: V, outdir, state: 's', values, heads: { ids: [], status: '', keys: [], results: [], paths: [], starts: 'AAAAAA==', pathIdx: '', sizes: '', mtimes: '' } });

test('loaded only when it parses and is of this format and heppy version', () => {
  const p = join(dir, 'a.json');
  writeFileSync(p, JSON.stringify(file('/o/A')));
  assert.is(loadSnapshotFile(p, V)?.outdir, '/o/A');
  assert.is(loadSnapshotFile(p, '1.2.4'), null);
  writeFileSync(p, JSON.stringify({ ...file('/o/A'), format: FORMAT + 1 }));
  assert.is(loadSnapshotFile(p, V), null);
  writeFileSync(p, '{"format": 1, "heppyV');   // cut short
  assert.is(loadSnapshotFile(p, V), null);
  assert.is(loadSnapshotFile(join(dir, 'none.json'), V), null);
});

test('the newest snapshot of a cache, whatever its Outdir; none without the directory', () => {
  writeFileSync(join(dir, 'a.json'), JSON.stringify(file('/o/A')));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(file('/o/B')));
  writeFileSync(join(dir, 'c.json.123.tmp'), 'half written');
  utimesSync(join(dir, 'a.json'), 1000, 1000);
  utimesSync(join(dir, 'b.json'), 2000, 2000);
  assert.is(newestSnapshotPath(cache), join(dir, 'b.json'));
  utimesSync(join(dir, 'a.json'), 3000, 3000);
  assert.is(newestSnapshotPath(cache), join(dir, 'a.json'));
  assert.is(newestSnapshotPath(join(cache, 'nothing-here')), null);
});

test("the batch jobs its build left in the Outdir's journal (another Outdir's do not count)", () => {
  const e = { nodeId: 'A_Chunk0', attempt: 1, jobId: '7', key: 'k', submittedAt: 0, executor: 'slurm' };
  assert.is(journaledJobs(file('/o/A')), 0);
  assert.is(journaledJobs(file('/o/A', [['job:/o/A|', []]])), 0);
  assert.is(journaledJobs(file('/o/A', [['digest:/x', 'h'], ['job:/o/A|', [e, { ...e, attempt: 2 }]]])), 2);
  assert.is(journaledJobs(file('/o/A', [['job:/o/B|', [e]]])), 0);
});

test.after(() => rmSync(cache, { recursive: true, force: true }));
test.run();
