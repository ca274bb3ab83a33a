// hadd of files holding RNTuples: pages copied, entries concatenated in input order, every
// value equal; each shared RNTuple file merged with itself doubles its summary; jsroot reads
// the merged file; different schemas are refused naming the file and the field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFile } from 'jsroot';
import { rntupleProcess } from 'jsroot/rntuple';
import { TSelector } from 'jsroot/tree';
import { sharedRootDir } from '../../../util/shared.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';
import { makeAxis, makeHist1, fill1 } from '../../../../src/root/hist.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { RNTupleWriter } from '../../../../src/root/rntuple/writer.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';
import { summarizeRNTuples } from '../../../../src/root/rntuple/summary.js';

const tmp = mkdtempSync(join(tmpdir(), 'heppy-rntuple-m-'));
const branches = [
  { name: 'evt', type: 'i8' as const }, { name: 'n', type: 'i4' as const },
  { name: 'pt', type: 'f4' as const, shape: { counter: 'n' } }, { name: 'w', type: 'f8' as const },
];

async function part(path: string, first: number, n: number, extra = false): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = new RNTupleWriter(w, { name: 'Events', branches: extra ? [...branches, { name: 'z', type: 'f4' as const }] : branches, clusterBytes: 8000 });
  const h = makeHist1('TH1D', 'hw', 'w', makeAxis(10, 0, 10, ''));
  for (let i = first; i < first + n; i++) {
    const row = { evt: BigInt(i), pt: Array.from({ length: i % 5 }, (_, k) => i + k / 10), w: (i % 10) + 0.5, z: 1 };
    t.fill(row);
    fill1(h, row.w);
  }
  w.writeHist(h);
  await w.close();
}

test('three heppy RNTuples merged: entries in order, every value, histogram added, jsroot reads it', async () => {
  const ins = [join(tmp, 'a.root'), join(tmp, 'b.root'), join(tmp, 'c.root')];
  await part(ins[0]!, 0, 1000); await part(ins[1]!, 1000, 0); await part(ins[2]!, 1000, 1500);
  const out = join(tmp, 'abc.root');
  const r = await mergeRootFiles(out, ins);
  assert.ok(r.ok, JSON.stringify(r));
  if (r.ok) assert.is(r.value.entries, 2500);
  const f = await openRootFile(out);
  try {
    assert.equal(f.keys().map((k) => `${k.path};${k.cycle}:${k.className}`).sort(), ['Events;1:ROOT::RNTuple', 'hw;1:TH1D']);
    const nt = await RNTupleReader.open(f, 'Events');
    assert.is(nt.entries, 2500);
    assert.is(nt.descriptor.groups.length, 1);
    const evt = await nt.column('evt');
    assert.equal(Array.from(evt.values as BigInt64Array, Number), Array.from({ length: 2500 }, (_, i) => i));
    const pt = await nt.column('pt');
    if (pt.kind !== 'jagged') throw new Error('pt not jagged');
    for (let i = 0; i < 2500; i++) {
      assert.equal(Array.from(pt.values.subarray(pt.offsets[i]!, pt.offsets[i + 1]!) as Float32Array), Array.from({ length: i % 5 }, (_, k) => Math.fround(i + k / 10)), `entry ${i}`);
    }
    assert.is((await f.hist('hw'))!.entries, 2500);
  } finally { f.close(); }
  // jsroot (reads only a file's first cluster group: the merge writes one).
  const jf = await openFile(out);
  const t = await jf.readObject('Events');
  const sel = new TSelector();
  sel.addBranch('n'); sel.addBranch('pt');
  let count = 0, sumN = 0, sumPt = 0;
  sel.Process = function (this: { tgtobj: { n: number; pt: number[] } }) { count++; sumN += this.tgtobj.n; for (const x of this.tgtobj.pt) sumPt += x; };
  await rntupleProcess(t, sel);
  let wantPt = 0;
  for (let i = 0; i < 2500; i++) for (let k = 0; k < i % 5; k++) wantPt += Math.fround(i + k / 10);
  assert.is(count, 2500);
  assert.is(sumN, Array.from({ length: 2500 }, (_, i) => i % 5).reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(sumPt - wantPt) < 1e-6 * wantPt, `${sumPt} vs ${wantPt}`);
});

test('different schemas are refused, naming the input and the field; nothing is written', async () => {
  await part(join(tmp, 'x.root'), 0, 10, true);
  const out = join(tmp, 'bad.root');
  const r = await mergeRootFiles(out, [join(tmp, 'a.root'), join(tmp, 'x.root')]);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.is(r.error.file, join(tmp, 'x.root'));
    assert.match(r.error.reason, /cannot be merged with .*a\.root's: field z \(float\) is not in the first input/, r.error.reason);
  }
  assert.not.ok(readdirSync(tmp).includes('bad.root'));
});

const shared = sharedRootDir();
if (shared !== null) {
  const dir = join(shared, 'rntuple');
  for (const file of readdirSync(dir).filter((x) => x.endsWith('.root')).sort()) {
    test(`${file} merged with itself: every field's count and sum doubled, min/max/first kept`, async () => {
      const out = join(tmp, `twice-${file}`);
      const r = await mergeRootFiles(out, [join(dir, file), join(dir, file)]);
      assert.ok(r.ok, JSON.stringify(r));
      const want = JSON.parse(readFileSync(join(dir, 'summaries', file.replace(/\.root$/, '.json')), 'utf8')) as { rntuples: Record<string, { entries: number; fields: Record<string, { count: number; sum: number; min: unknown; max: unknown; first: unknown[] }> }> };
      const f = await openRootFile(out);
      try {
        const got = await summarizeRNTuples(f) as typeof want.rntuples;
        for (const [name, nt] of Object.entries(want.rntuples)) {
          assert.is(got[name]!.entries, 2 * nt.entries);
          for (const [p, w] of Object.entries(nt.fields)) {
            const g = got[name]!.fields[p]!;
            assert.is(g.count, 2 * w.count, p);
            assert.ok(Math.abs(Number(g.sum) - 2 * w.sum) <= 1e-9 * Math.max(1, Math.abs(w.sum)), `${p}: ${String(g.sum)} vs 2 × ${w.sum}`);
            assert.equal(g.min, w.min, p); assert.equal(g.max, w.max, p); assert.equal(g.first, w.first, p);
          }
        }
      } finally { f.close(); }
    });
  }
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
