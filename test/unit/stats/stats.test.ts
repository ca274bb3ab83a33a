import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Average, Counter, mergeStatFiles, pyFixed, readStat, sumStatFiles, writeStat } from '../../../src/stats/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-stats-'));

test('pyFixed rounds exact ties to even like Python, others like JS', () => {
  assert.is(pyFixed(0.125, 2), '0.12');
  assert.is(pyFixed(0.375, 2), '0.38');
  assert.is(pyFixed(2.5, 0), '2');
  assert.is(pyFixed(3.5, 0), '4');
  assert.is(pyFixed(0.1 + 0.2, 2), '0.30');
  assert.is(pyFixed(1.005, 2), '1.00'); // 1.005 is below the tie in binary
  assert.is(pyFixed(-0.001, 2), '-0.00');
  assert.is(pyFixed(NaN, 2), 'nan');
  assert.is(pyFixed(-1, 4), '-1.0000');
});

test('Counter text is byte-exact with heppy (reference §5)', () => {
  const c = new Counter('cut_flow');
  c.register('All events'); c.register('x even'); c.register('x > 20');
  for (let x = 16; x < 26; x++) {
    c.inc('All events');
    if (x % 2 === 0) { c.inc('x even'); if (x > 20) c.inc('x > 20'); }
  }
  const ref = new Counter('cut_flow');
  ref.register('All events'); ref.register('x even'); ref.register('x > 20');
  ref.inc('All events', 10); ref.inc('x even', 5); ref.inc('x > 20', 5);
  assert.is(ref.toString(),
    'Counter cut_flow :\n' +
    '\t All events             10 \t 1.00 \t 1.0000\n' +
    '\t x even                  5 \t 0.50 \t 0.5000\n' +
    '\t x > 20                  5 \t 1.00 \t 0.5000\n');
  assert.is(c.count('x > 20'), 2);
  assert.throws(() => c.register('x even'), /registered twice/);
  assert.throws(() => c.inc('nope'), /not registered/);
  // A level named by an equal string built at run time (not the registered object) counts too.
  c.inc(['x', '>', String(20)].join(' '));
  assert.is(c.count('x > 20'), 3);
});

test('Counter with a zero first level prints -1 efficiencies', () => {
  const c = new Counter('z');
  c.register('a'); c.register('b');
  assert.is(c.toString(), 'Counter z :\n\t a' + ' '.repeat(14) + '0 \t -1.00 \t -1.0000\n\t b' + ' '.repeat(14) + '0 \t -1.00 \t -1.0000\n');
});

test('Counter incremented by weights prints float counts as Python does', () => {
  const c = new Counter('w');
  c.register('all'); c.register('sel');
  c.inc('all', 2.5); c.inc('sel', 1.25);
  assert.is(c.toString(), 'Counter w :\n\t all' + ' '.repeat(12) + '2.5 \t 1.00 \t 1.0000\n\t sel' + ' '.repeat(11) + '1.25 \t 0.50 \t 0.5000\n');
});

test('Average text and undefined form (reference §5)', () => {
  const a = new Average('x_ave');
  assert.is(a.toString(), 'Average x_ave          : undefined (call Average.add)');
  for (let x = 50; x < 60; x++) a.add(x);
  assert.is(a.toString(), 'Average x_ave          :  54.5000 +-   0.9083');
  const n = new Average('neg');
  n.add(-2.5, 2); n.add(-1.5, 2);
  assert.is(n.toString(), 'Average neg            :  -2.0000 +-   0.2500');
});

test('sidecars: write, read, sum positionally, append extra levels, reject mismatches', () => {
  const d1 = join(dir, 'c1'), d2 = join(dir, 'c2'), d3 = join(dir, 'c3'), out = join(dir, 'out');
  for (const d of [d1, d2, d3, out]) rmSync(d, { recursive: true, force: true });
  for (const d of [d1, d2, d3, out]) mkdirp(d);
  const a = new Counter('cut*flow'); a.register('all'); a.register('sel'); a.inc('all', 10); a.inc('sel', 4);
  const b = new Counter('cut*flow'); b.register('all'); b.register('sel'); b.register('tight'); b.inc('all', 6); b.inc('sel', 2); b.inc('tight', 1);
  const paths1 = writeStat(d1, a);
  assert.equal(paths1, [join(d1, 'cutSTARflow.txt'), join(d1, 'cutSTARflow.json')]);
  writeStat(d2, b);
  const r = mergeStatFiles([join(d1, 'cutSTARflow.json'), join(d2, 'cutSTARflow.json')], out);
  assert.ok(r.ok);
  const merged = readStat(join(out, 'cutSTARflow.json'));
  assert.ok(merged.ok && merged.value instanceof Counter);
  if (merged.ok && merged.value instanceof Counter) assert.equal(merged.value.levels, [['all', 16], ['sel', 6], ['tight', 1]]);
  assert.is(readFileSync(join(out, 'cutSTARflow.txt'), 'utf8'),
    'Counter cut*flow :\n\t all' + ' '.repeat(15) + '16 \t 1.00 \t 1.0000\n\t sel' + ' '.repeat(16) + '6 \t 0.38 \t 0.3750\n\t tight' + ' '.repeat(14) + '1 \t 0.17 \t 0.0625\n\n');
  const c = new Counter('cut*flow'); c.register('all'); c.register('other');
  writeStat(d3, c);
  const bad = sumStatFiles([join(d1, 'cutSTARflow.json'), join(d3, 'cutSTARflow.json')]);
  assert.ok(!bad.ok);
  if (!bad.ok) { assert.match(bad.error.reason, /cannot add these counters/); assert.is(bad.error.file, join(d3, 'cutSTARflow.json')); }
});

test('averages sum sumw, sumwx, sumwx2', () => {
  const d1 = join(dir, 'a1'), d2 = join(dir, 'a2');
  mkdirp(d1); mkdirp(d2);
  const a = new Average('m'); a.add(1); a.add(2);
  const b = new Average('m'); b.add(3, 2);
  writeStat(d1, a); writeStat(d2, b);
  const s = sumStatFiles([join(d1, 'm.json'), join(d2, 'm.json')]);
  assert.ok(s.ok);
  if (s.ok && s.value instanceof Average) {
    assert.equal([s.value.sumw, s.value.sumwx, s.value.sumwx2], [4, 9, 23]);
  } else assert.unreachable('expected an Average');
  writeFileSync(join(d2, 'x.json'), '{"type":"Other"}');
  const bad = readStat(join(d2, 'x.json'));
  assert.ok(!bad.ok);
});

function mkdirp(d: string): void {
  mkdirSync(d, { recursive: true });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
