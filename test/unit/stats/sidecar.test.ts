// Counter/average sidecars: which .json files are ours (shape checks), the reader's failures, and
// the sums hadd makes (weights too, positional levels, no mixing of kinds).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Average } from '../../../src/stats/average.js';
import { Counter } from '../../../src/stats/counter.js';
import {
  addAverage, addCounter, GEN_WEIGHTS, isStatSidecar, mergeStatFiles, readStat, statFileBase, sumStatFiles, writeStat,
} from '../../../src/stats/sidecar.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-sidecar-'));
let n = 0;
/** A file holding `v` (JSON unless a string), under a fresh name. */
function file(v: unknown): string {
  const p = join(dir, `f${n++}.json`);
  writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  return p;
}

test("file names: '*' is spelled STAR (heppy's habit); the generator-weight counter's name", () => {
  assert.is(statFileBase('cut*flow*'), 'cutSTARflowSTAR');
  assert.is(statFileBase('plain'), 'plain');
  assert.is(GEN_WEIGHTS, 'genweights');
});

test('isStatSidecar: only well-shaped Counter and Average sidecars', () => {
  const yes = [
    { type: 'Counter', name: 'c', levels: [['all', 3]] },
    { type: 'Counter', name: 'c', levels: [['all', 3]], sumw: [2.5], sumw2: [1.25] },
    { type: 'Counter', name: 'c', levels: [] },
    { type: 'Average', name: 'a', sumw: 1, sumwx: 2, sumwx2: 4 },
  ];
  for (const v of yes) assert.ok(isStatSidecar(file(v)), JSON.stringify(v));
  const no: unknown[] = [
    null, 3, '{not json', { type: 'Counter', levels: [] }, { type: 'Counter', name: 'c' },
    { type: 'Counter', name: 'c', levels: [['all']] }, { type: 'Counter', name: 'c', levels: [[1, 2]] },
    { type: 'Counter', name: 'c', levels: [['all', '3']] }, { type: 'Counter', name: 'c', levels: ['all'] },
    { type: 'Counter', name: 'c', levels: [['all', 3]], sumw: [1, 2] },
    { type: 'Counter', name: 'c', levels: [['all', 3]], sumw2: ['1'] },
    { type: 'Average', name: 'a', sumw: 1, sumwx: 2 }, { type: 'Average', name: 'a', sumw: '1', sumwx: 2, sumwx2: 3 },
    { type: 'Histogram', name: 'h' }, { name: 'x' },
  ];
  for (const v of no) assert.not.ok(isStatSidecar(file(v === '{not json' ? v : JSON.stringify(v))), JSON.stringify(v));
  assert.not.ok(isStatSidecar(join(dir, 'absent.json')));
});

test('readStat: unreadable or foreign files are failures naming the file', () => {
  const broken = file('{"type":');
  const r1 = readStat(broken);
  assert.ok(!r1.ok && r1.error.file === broken && r1.error.reason.startsWith('cannot read counter/average sidecar: '));
  const absent = join(dir, 'absent.json');
  const r2 = readStat(absent);
  assert.ok(!r2.ok && r2.error.file === absent && /ENOENT/.test(r2.error.reason));
  const other = file({ type: 'Counter', name: 'c', levels: 3 });
  assert.equal(readStat(other), { ok: false, error: { file: other, reason: 'not a counter/average sidecar (needs type Counter or Average)' } });
});

test('write then read: the same counter, weights included; text and JSON side by side', () => {
  const c = new Counter('w*'); c.register('all'); c.register('sel');
  c.sumw[0] = 2.5; c.sumw2[0] = 3.25; c.levels[0]![1] = 2; c.levels[1]![1] = 1; c.sumw[1] = 1.5; c.sumw2[1] = 2.25;
  const paths = writeStat(dir, c);
  assert.equal(paths, [join(dir, 'wSTAR.txt'), join(dir, 'wSTAR.json')]);
  assert.is(readFileSync(paths[0]!, 'utf8'), c.fileText());
  assert.ok(readFileSync(paths[1]!, 'utf8').endsWith('}\n'));
  const back = readStat(paths[1]!);
  assert.ok(back.ok && back.value instanceof Counter);
  if (back.ok) assert.equal(back.value.toJSON(), c.toJSON());
});

test('addCounter: positional; extra levels appended; a renamed level refused naming both', () => {
  const mk = (name: string, lv: Array<[string, number, number]>): Counter => Counter.fromJSON(
    { type: 'Counter', name, levels: lv.map(([l, k]) => [l, k]), sumw: lv.map((x) => x[2]), sumw2: lv.map((x) => x[2] * x[2]) });
  const a = mk('cf', [['all', 4, 2]]);
  const r = addCounter(a, mk('cf', [['all', 1, 0.5], ['sel', 1, 0.5]]));
  assert.ok(r.ok && r.value === a, 'mutates and returns a');
  assert.equal(a.toJSON(), { type: 'Counter', name: 'cf', levels: [['all', 5], ['sel', 1]], sumw: [2.5, 0.5], sumw2: [4.25, 0.25] });
  assert.equal(addCounter(mk('cf', [['all', 1, 1], ['sel', 1, 1]]), mk('cf', [['all', 1, 1], ['tight', 1, 1]])),
    { ok: false, error: { object: 'cf', reason: "cannot add these counters: level 1 is 'sel' in one and 'tight' in the other" } });
});

test('addAverage: sums the three sums', () => {
  const a = Average.fromJSON({ type: 'Average', name: 'm', sumw: 1, sumwx: 2, sumwx2: 4 });
  assert.is(addAverage(a, Average.fromJSON({ type: 'Average', name: 'm', sumw: 0.5, sumwx: 1, sumwx2: 3 })), a);
  assert.equal(a.toJSON(), { type: 'Average', name: 'm', sumw: 1.5, sumwx: 3, sumwx2: 7 });
});

test('sumStatFiles: nothing to sum, an unreadable input, a mix of kinds: each a failure', () => {
  assert.equal(sumStatFiles([]), { ok: false, error: { reason: 'no sidecar to sum' } });
  const c = file({ type: 'Counter', name: 'c', levels: [['all', 1]] });
  const a = file({ type: 'Average', name: 'a', sumw: 1, sumwx: 1, sumwx2: 1 });
  const broken = file('nope');
  const r1 = sumStatFiles([c, broken]);
  assert.ok(!r1.ok && r1.error.file === broken);
  const r0 = sumStatFiles([broken, c]);
  assert.ok(!r0.ok && r0.error.file === broken);
  assert.equal(sumStatFiles([c, a]), { ok: false, error: { file: a, object: 'a', reason: 'cannot add a Average to a Counter' } });
  assert.equal(sumStatFiles([a, c]), { ok: false, error: { file: c, object: 'c', reason: 'cannot add a Counter to a Average' } });
  // A counter mismatch names the file that did not fit.
  const d = file({ type: 'Counter', name: 'c', levels: [['sel', 1]] });
  const r2 = sumStatFiles([c, d]);
  assert.ok(!r2.ok && r2.error.file === d && r2.error.object === 'c');
});

test('an old sidecar without weight sums counts unit weights when summed', () => {
  const old = file({ type: 'Counter', name: 'c', levels: [['all', 3]] });
  const nw = file({ type: 'Counter', name: 'c', levels: [['all', 2]], sumw: [0.5], sumw2: [0.25] });
  const s = sumStatFiles([old, nw]);
  assert.ok(s.ok);
  if (s.ok) assert.equal(s.value.toJSON(), { type: 'Counter', name: 'c', levels: [['all', 5]], sumw: [3.5], sumw2: [3.25] });
});

test('mergeStatFiles: writes the sum; a failure writes nothing', () => {
  const out = mkdtempSync(join(dir, 'out-'));
  const a1 = file({ type: 'Average', name: 'm*', sumw: 1, sumwx: 2, sumwx2: 4 });
  const a2 = file({ type: 'Average', name: 'm*', sumw: 1, sumwx: 4, sumwx2: 16 });
  const r = mergeStatFiles([a1, a2], out);
  assert.equal(r, { ok: true, value: [join(out, 'mSTAR.txt'), join(out, 'mSTAR.json')] });
  assert.equal(JSON.parse(readFileSync(join(out, 'mSTAR.json'), 'utf8')), { type: 'Average', name: 'm*', sumw: 2, sumwx: 6, sumwx2: 20 });
  const out2 = mkdtempSync(join(dir, 'out-'));
  assert.not.ok(mergeStatFiles([], out2).ok);
  assert.throws(() => readFileSync(join(out2, 'mSTAR.json')));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
