// The RNTuple reader against the five shared RNTuple files: every field equals its summary
// (including what jsroot 7.11 gets wrong: all cluster groups, projected fields, untyped
// collections), and the column batches an analysis gets (nMuon, Muon_pt) add up to them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedRootDir } from '../../../util/shared.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RootError } from '../../../../src/root/errors.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';
import { summarizeRNTuples } from '../../../../src/root/rntuple/summary.js';
import { openEntries } from '../../../../src/root/rntuple/open.js';

const shared = sharedRootDir();
const dir = shared === null ? '' : join(shared, 'rntuple');
const MU = 'Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root';

type J = { [k: string]: unknown };

function same(got: unknown, want: unknown, where: string): void {
  if (typeof want === 'number' && !Number.isInteger(want)) {
    assert.type(got, 'number', where);
    assert.ok(Math.abs((got as number) - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${where}: ${String(got)} != ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${where}: not an array`);
    assert.is((got as unknown[]).length, want.length, `${where}: length`);
    want.forEach((w, i) => same((got as unknown[])[i], w, `${where}[${i}]`));
  } else if (typeof got === 'bigint') {
    assert.is(got.toString(), String(want), where);
  } else {
    assert.equal(got, want, where);
  }
}

if (shared !== null) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.root')).sort()) {
    test(`${file}: every field equals its summary`, async () => {
      const want = JSON.parse(readFileSync(join(dir, 'summaries', file.replace(/\.root$/, '.json')), 'utf8')) as { rntuples: Record<string, J> };
      const f = await openRootFile(join(dir, file));
      try {
        const got = await summarizeRNTuples(f) as Record<string, J>;
        assert.equal(Object.keys(got).sort(), Object.keys(want.rntuples).sort());
        for (const [name, nt] of Object.entries(want.rntuples)) {
          const g = got[name]!;
          assert.is(g.entries, nt.entries, `${name} entries`);
          const wf = nt.fields as Record<string, J>, gf = g.fields as Record<string, J>;
          assert.equal(Object.keys(gf).sort(), Object.keys(wf).sort(), `${name}: field paths`);
          for (const [path, w] of Object.entries(wf)) for (const [k, v] of Object.entries(w)) same(gf[path]![k], v, `${file} ${path}.${k}`);
          assert.equal(g.projected, nt.projected, `${name}: projected`);
          assert.equal(g.not_read_by_jsroot, nt.not_read_by_jsroot, `${name}: not_read_by_jsroot`);
        }
      } finally { f.close(); }
    });
  }

  test('DoubleMuParked: nMuon and Muon_pt as column batches give the summary counts and sums', async () => {
    const f = await openRootFile(join(dir, MU));
    try {
      const r = await openEntries(f, 'Events');
      assert.is(r.entries, 1000);
      const info = Object.fromEntries(r.branches.map((b) => [b.name, b]));
      assert.is(info.nMuon!.shape, 'scalar');
      assert.is(info.nMuon!.type, 'u4');
      assert.is(info.Muon_pt!.shape, 'jagged');
      assert.is(info.Muon_pt!.type, 'f4');
      assert.is(info.Muon_charge!.type, 'i4');
      let n = 0, sumN = 0, nPt = 0, sumPt = 0, batches = 0;
      for await (const b of r.batches(['nMuon', 'Muon_pt'], 0, 1000)) {
        batches++;
        const c = b.columns.nMuon!, pt = b.columns.Muon_pt!;
        assert.is(c.kind, 'flat');
        assert.is(pt.kind, 'jagged');
        if (pt.kind !== 'jagged') return;
        assert.is(pt.offsets.length, b.stop - b.start + 1);
        for (let i = 0; i < c.values.length; i++) {
          n++; sumN += c.values[i] as number;
          assert.is(pt.offsets[i + 1]! - pt.offsets[i]!, c.values[i] as number, `entry ${b.start + i}: nMuon = size of Muon_pt`);
        }
        for (let i = 0; i < pt.offsets[pt.offsets.length - 1]!; i++) { nPt++; sumPt += pt.values[i] as number; }
      }
      assert.ok(batches >= 1);
      assert.is(n, 1000);
      assert.is(sumN, 2372);
      assert.is(nPt, 2372);
      assert.ok(Math.abs(sumPt - 44958.01849317551) < 1e-6, `sum of Muon_pt ${sumPt}`);
      // The stored paths read the same values as the projected names.
      const a = await (r as RNTupleReader).column('_collection0._0.Muon_pt', 10, 20);
      const b = await (r as RNTupleReader).column('Muon_pt', 10, 20);
      assert.equal(Array.from(a.values as Float32Array), Array.from(b.values as Float32Array));
    } finally { f.close(); }
  });

  test('three cluster groups: every entry range reads, across group boundaries', async () => {
    const f = await openRootFile(join(dir, 'test_multiple_cluster_groups_rntuple_v1-0-0-0.root'));
    try {
      const r = await RNTupleReader.open(f, 'ntuple');
      assert.is(r.descriptor.groups.length, 3);
      assert.is(r.descriptor.clusters.length, 12);
      const one = await r.column('one', 440, 760);
      assert.equal(Array.from(one.values as Int32Array), Array.from({ length: 320 }, (_, i) => 440 + i));
      const v = await r.column('int_vector', 449, 451);
      assert.is(v.kind, 'jagged');
      assert.equal(Array.from(v.values as Int16Array), [449, 450, 450, 451]);
      if (v.kind === 'jagged') assert.equal(Array.from(v.offsets), [0, 2, 4]);
    } finally { f.close(); }
  });

  test('records and vectors of records: dotted paths are columns (flat and jagged)', async () => {
    const f = await openRootFile(join(dir, 'test_int_vfloat_tlv_vtlv_rntuple_v1-0-0-0.root'));
    try {
      const r = await RNTupleReader.open(f, 'ntuple');
      const pt = await r.column('three_LV.pt');
      assert.is(pt.kind, 'flat');
      assert.equal(Array.from(pt.values as Float32Array), [19, 18, 17, 17, 16]);
      const vpt = await r.column('four_v_LVs._0.pt');
      assert.is(vpt.kind, 'jagged');
      if (vpt.kind === 'jagged') assert.equal(Array.from(vpt.offsets), [0, 4, 11, 20, 30, 40]);
      const sizes = await r.column('four_v_LVs');
      assert.equal(Array.from(sizes.values as Uint32Array), [4, 7, 9, 10, 10]);
    } finally { f.close(); }
  });

  test('std::string fields are string columns (equal to the summary); an unknown field is named', async () => {
    const f = await openRootFile(join(dir, 'ntpl001_staff_rntuple_v1-0-0-0.root'));
    try {
      const r = await RNTupleReader.open(f, 'Staff');
      const info = r.branches.find((b) => b.name === 'Nation')!;
      assert.equal([info.shape, info.strings], ['other', 'scalar']);
      // summaries/ntpl001_staff…json: count 3354, bytes 6708 / 7811, min, max and first values
      for (const [name, bytes, min, max, first] of [['Nation', 6708, 'AT', 'ZZ', ['DE', 'CH', 'FR']], ['Division', 7811, 'AG', 'TIS', ['PS', 'EP', 'PS']]] as const) {
        const c = await r.column(name);
        if (c.kind !== 'string') throw new Error(`${name}: ${c.kind}`);
        const sorted = [...c.values].sort();
        assert.equal([c.values.length, c.values.reduce((n, v) => n + Buffer.byteLength(v), 0), sorted[0], sorted[sorted.length - 1], c.values.slice(0, 3)], [3354, bytes, min, max, first], name);
        // windows across the clusters give the same strings
        const parts: string[] = [];
        for await (const b of r.batches([name, 'Age'], 1000, 3000)) parts.push(...(b.columns[name]!.values as string[]));
        assert.equal(parts, c.values.slice(1000, 3000), `${name} window`);
      }
      try { await r.column('Nope'); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /no field named "Nope"/); }
      const age = await r.column('Age');
      assert.is((age.values as Int32Array).reduce((a, b) => a + b, 0), 158151);
    } finally { f.close(); }
  });

  test('a corrupt page or envelope is a RootError naming the file and the RNTuple', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'heppy-rntuple-'));
    try {
      const src = join(dir, 'test_1jag_int_float_rntuple_v1-0-0-0.root');
      const bytes = readFileSync(src);
      const f0 = await openRootFile(src);
      const r0 = await RNTupleReader.open(f0, 'ntuple');
      const page = r0.descriptor.clusters[0]!.columns[0]!.pages[0]!.locator;
      const header = r0.anchor.seekHeader;
      f0.close();
      const bad1 = Buffer.from(bytes); bad1[page.offset + Math.floor(page.size / 2)] ^= 0xff;
      writeFileSync(join(tmp, 'page.root'), bad1);
      const f1 = await openRootFile(join(tmp, 'page.root'));
      try {
        const r = await RNTupleReader.open(f1, 'ntuple');
        await r.column('one_v_integers');
        assert.unreachable('corrupt page read');
      } catch (e) {
        assert.instance(e, RootError);
        assert.match((e as Error).message, /page\.root: ntuple.*checksum mismatch/);
      } finally { f1.close(); }
      const bad2 = Buffer.from(bytes); bad2[header + 20] ^= 0xff;
      writeFileSync(join(tmp, 'header.root'), bad2);
      const f2 = await openRootFile(join(tmp, 'header.root'));
      try { await RNTupleReader.open(f2, 'ntuple'); assert.unreachable('corrupt header opened'); } catch (e) {
        assert.instance(e, RootError);
        assert.match((e as Error).message, /header\.root: ntuple: /);
      } finally { f2.close(); }
      copyFileSync(src, join(tmp, 'ok.root'));
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });
}

test.run();
