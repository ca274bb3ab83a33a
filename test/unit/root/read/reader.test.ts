// Reader basics on real ROOT files: keys, flat/jagged/fixed columns, entry ranges, histograms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import type { Column } from '../../../../src/root/types.js';
import { RootError } from '../../../../src/root/errors.js';
import { sharedRootDir } from '../../../util/shared.js';

const dir = sharedRootDir();

function sum(c: Column): number {
  let s = 0;
  for (const v of c.values) s += Number(v);
  return s;
}

if (dir !== null) {
  const d = dir;
  test('keys and a flat tree (uproot-simple.root)', async () => {
    const f = await openRootFile(join(d, 'uproot-simple.root'));
    assert.equal(f.keys(), [{ path: 'tree', name: 'tree', cycle: 1, className: 'TTree' }]);
    const t = await f.tree('tree');
    assert.is(t.entries, 4);
    assert.equal(t.branches.map((b) => [b.name, b.type, b.shape]), [['one', 'i4', 'scalar'], ['two', 'f4', 'scalar'], ['three', null, 'other']]);
    const one = await t.column('one');
    assert.equal(Array.from(one.values as Int32Array), [1, 2, 3, 4]);
    const two = await t.column('two', 1, 3);
    assert.equal(Array.from(two.values as Float32Array), [Math.fround(2.2), Math.fround(3.3)]);
    f.close();
  });

  test('jagged branches of uproot-HZZ.root: values and offsets', async () => {
    const f = await openRootFile(join(d, 'uproot-HZZ.root'));
    const t = await f.tree('events');
    assert.is(t.entries, 2421);
    const nj = await t.column('NJet');
    const px = await t.column('Jet_Px');
    assert.is(px.kind, 'jagged');
    if (px.kind !== 'jagged') return;
    assert.is(px.offsets.length, 2422);
    assert.is(px.values.length, 2773);
    for (let i = 0; i < 2421; i++) assert.is(px.offsets[i + 1]! - px.offsets[i]!, (nj.values as Int32Array)[i]);
    assert.ok(Math.abs(sum(px) - 3434.9179122354835) < 1e-6);
    const mc = await t.column('Muon_Charge');
    assert.is(sum(mc), -49);
    // A sub-range gives the same values as the matching slice of the full column.
    const part = await t.column('Jet_Px', 1000, 1500);
    if (part.kind !== 'jagged') throw new Error('not jagged');
    assert.is(part.offsets[0], 0);
    assert.equal(Array.from(part.values as Float32Array), Array.from((px.values as Float32Array).subarray(px.offsets[1000]!, px.offsets[1500]!)));
    f.close();
  });

  test('jagged baskets without an entry-offset table: offsets rebuilt from the counter', async () => {
    const f = await openRootFile(join(d, 'uproot-HZZ-zlib.root'));
    const t = await f.tree('events');
    const want = await t.column('Muon_Px');
    const g = await openRootFile(join(d, 'uproot-HZZ-zlib.root'));
    const u = await g.tree('events');
    u.plan('Muon_Px').hasOffsets = false; // as a writer that omits the table would leave it
    const got = await u.column('Muon_Px');
    if (got.kind !== 'jagged' || want.kind !== 'jagged') throw new Error('not jagged');
    assert.equal(Array.from(got.offsets), Array.from(want.offsets));
    assert.equal(Array.from(got.values as Float32Array), Array.from(want.values as Float32Array));
    u.plan('Muon_Charge').hasOffsets = false;
    (u.plan('Muon_Charge').info as { counter?: string }).counter = 'NJet'; // a wrong counter is caught
    try { await u.column('Muon_Charge'); assert.unreachable(); } catch (e) {
      assert.match((e as Error).message, /events\/Muon_Charge: basket 0: no entry offsets; counter NJet sums to \d+ bytes, the basket has \d+/);
    }
    f.close(); g.close();
  });

  test('1 M entries of int64 + bool in 200 zlib baskets (uproot-issue412.root, 64-bit header)', async () => {
    const f = await openRootFile(join(d, 'uproot-issue412.root'));
    const t = await f.tree('test');
    let n = 0, s = 0n, batches = 0;
    for await (const b of t.batches(['b1', 'b2'])) {
      const c = b.columns['b1']!;
      assert.ok(c.values instanceof BigInt64Array);
      for (const v of c.values as BigInt64Array) s += v;
      n += b.stop - b.start;
      assert.is(c.values.length, b.stop - b.start);
      assert.is(b.columns['b2']!.values.length, b.stop - b.start);
      batches++;
    }
    assert.is(n, 1_000_000);
    assert.is(s, 152108052n);
    assert.ok(batches > 1, 'read basket by basket');
    assert.is(sum(await t.column('b2')), 333756);
    f.close();
  });

  test('an entry window reads only the baskets it overlaps', async () => {
    const f = await openRootFile(join(d, 'uproot-issue412.root'));
    const t = await f.tree('test');
    const full = await t.column('b1', 500_000, 520_000);
    let reads = 0;
    const orig = t.rawBasket.bind(t);
    t.rawBasket = (p, i) => { reads++; return orig(p, i); };
    const c = await t.column('b1', 505_000, 505_010);
    assert.is(c.values.length, 10);
    assert.equal(Array.from(c.values as BigInt64Array), Array.from((full.values as BigInt64Array).subarray(5000, 5010)));
    assert.is(reads, 1, 'one basket of 10000 entries');
    reads = 0;
    let n = 0;
    for await (const b of t.batches(['b1', 'b2'], 995_000, 1_000_000)) n += b.stop - b.start;
    assert.is(n, 5000);
    assert.is(reads, 2, 'the last basket of each branch');
    f.close();
  });

  test('embedded basket (uproot-issue79.root)', async () => {
    const f = await openRootFile(join(d, 'uproot-issue79.root'));
    const t = await f.tree('taus');
    const c = await t.column('pt');
    assert.is(c.values.length, 1_000_000);
    assert.is(sum(c), 42329647.881988525);
    f.close();
  });

  test('histograms (uproot-histograms.root)', async () => {
    const f = await openRootFile(join(d, 'uproot-histograms.root'));
    const h = await f.hist('one');
    assert.ok(h);
    assert.is(h!.kind, 'TH1F');
    assert.is(h!.x.nbins, 10);
    assert.is(h!.title, 'numero uno');
    assert.is(h!.entries, 10000);
    assert.is(h!.contents.reduce((a, b) => a + b, 0), 10000);
    f.close();
  });

  test('TH2D statistics, sub-directory histogram, labels', async () => {
    const f = await openRootFile(join(d, 'written-by-uproot', 'uproot4-flat-zlib.root'));
    assert.ok(f.keys().some((k) => k.path === 'sub/h1d' && k.className === 'TH1D'));
    const h = await f.hist('h2d');
    assert.ok(h && h.y);
    assert.is(h!.kind, 'TH2D');
    assert.is(h!.contents.length, 22 * 12);
    assert.is(h!.entries, 10000);
    assert.is(h!.tsumw, 9923);
    assert.is(h!.tsumwxy, 40.675777178838935);
    assert.is(h!.tsumwy2, 3342.159717566785);
    assert.is(h!.sumw2.reduce((a, b) => a + b, 0), 10000);
    const sub = await f.hist('sub/h1d');
    assert.is(sub!.entries, 5019);
    assert.is(await f.hist('h1i'), null, 'TH1I is not in the Hist model');
    f.close();
    const g = await openRootFile(join(d, 'uproot-issue33.root'));
    const c = await g.hist('cutflow');
    assert.is(c!.x.labels!.length, 7);
    assert.is(c!.x.labels![0], 'Dijet');
    assert.is(c!.title, 'dijethad');
    g.close();
  });

  test('unknown branch and bad range are RootErrors naming file and object', async () => {
    const f = await openRootFile(join(d, 'uproot-simple.root'));
    const t = await f.tree('tree');
    try { await t.column('nope'); assert.unreachable(); } catch (e) {
      assert.instance(e, RootError);
      assert.match((e as Error).message, /uproot-simple\.root: tree\/nope: no branch/);
    }
    assert.equal(await t.column('three'), { kind: 'string', values: ['uno', 'dos', 'tres', 'quatro'] }); // char*: a string column
    const fl = await openRootFile(join(d, 'uproot-leaflist.root'));
    try { await (await fl.tree('tree')).column('leaflist'); assert.unreachable(); } catch (e) {
      assert.match((e as Error).message, /tree\/leaflist: unsupported branch type/);
    }
    fl.close();
    try { await t.column('one', 0, 5); assert.unreachable(); } catch (e) {
      assert.match((e as Error).message, /entry range/);
    }
    f.close();
  });

  test('files with the same StreamerInfo content share one parse; each reads its own data', async () => {
    const names = ['uproot-HZZ-zlib.root', 'uproot-HZZ-lz4.root', 'uproot-HZZ-uncompressed.root', 'uproot-HZZ.root'];
    const files = await Promise.all(names.map((n) => openRootFile(join(d, n))));
    const infos = files.map((f) => (f.js as unknown as { fStreamerInfos: unknown }).fStreamerInfos);
    assert.ok(infos[0] === infos[1] && infos[1] === infos[2], 'the -zlib, -lz4 and -uncompressed copies share the parsed record');
    assert.ok(infos[3] !== infos[0], 'uproot-HZZ.root has a different record, parsed on its own');
    const sums: number[] = [];
    for (const f of files) {
      const t = await f.tree('events');
      sums.push(sum(await t.column('Jet_Px')), sum(await t.column('NMuon')));
      f.close();
    }
    assert.is(sums[1], 3825); // NMuon total (summaries/uproot-HZZ*.json), same in every copy
    for (let k = 2; k < sums.length; k += 2) { assert.is(sums[k], sums[0]); assert.is(sums[k + 1], sums[1]); }
  });
}

test.run();
