// Object branches read as member columns: uproot-HZZ-objects.root (the HZZ events stored as
// TVector2/TVector3 objects and std::vector<TLorentzVector>) equals uproot-HZZ.root's flat and
// jagged branches value by value; uproot-stl_containers.root equals what stl_containers.C
// filled; an analysis reads TLorentzVector members like any jagged branch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import type { TreeReader } from '../../../../src/root/read/index.js';
import type { Column } from '../../../../src/root/types.js';
import { MemberError, schemaOf, walkBasket, leavesOf } from '../../../../src/root/read/members.js';
import type { JsFile } from '../../../../src/root/read/jsroot.js';
import { summarizeTree } from '../../../../src/root/read/summary.js';
import { Analyzer, Component, Config, Sequence, type Event } from '../../../../src/index.js';
import { runChunk } from '../../../../src/loop/run-chunk.js';
import { sharedRootDir, skhepFile } from '../../../util/shared.js';

const shared = sharedRootDir();

function nums(c: Column): number[] { return Array.from(c.values as ArrayLike<number>, Number); }

test('HZZ-objects: branch list and types of the member columns', async () => {
  const f = await openRootFile(skhepFile('uproot-HZZ-objects.root'));
  const t = await f.tree('events');
  const by = new Map(t.branches.map((b) => [b.name, b]));
  assert.equal(['muonp4.fP.fX', 'muonp4.fP.fY', 'muonp4.fP.fZ', 'muonp4.fE'].map((n) => [by.get(n)?.type, by.get(n)?.shape]), Array(4).fill(['f8', 'jagged']));
  assert.equal([by.get('MET.fX')?.shape, by.get('MET.fX')?.typename], ['scalar', 'double in TVector2']);
  assert.equal(by.get('MC_lepton.fZ')?.typename, 'double in TVector3');
  assert.ok(!by.has('muonp4') && !by.has('MET'), 'the object branch is replaced by its members');
  // the counts equal the std::vector<float> branches of the same objects
  const q = await t.column('muonq'), px = await t.column('muonp4.fP.fX');
  assert.equal(Array.from((px as { offsets: Int32Array }).offsets), Array.from((q as { offsets: Int32Array }).offsets));
  f.close();
});

if (shared !== null) {
  test('HZZ-objects equals uproot-HZZ.root value by value (floats stored as doubles)', async () => {
    const fo = await openRootFile(skhepFile('uproot-HZZ-objects.root'));
    const fh = await openRootFile(join(shared, 'uproot-HZZ.root'));
    const to = await fo.tree('events'), th = await fh.tree('events');
    assert.is(to.entries, th.entries);
    const pairs: [string, string][] = [
      ['muonp4.fP.fX', 'Muon_Px'], ['muonp4.fP.fY', 'Muon_Py'], ['muonp4.fP.fZ', 'Muon_Pz'], ['muonp4.fE', 'Muon_E'],
      ['jetp4.fP.fX', 'Jet_Px'], ['jetp4.fE', 'Jet_E'], ['electronp4.fP.fZ', 'Electron_Pz'], ['photonp4.fE', 'Photon_E'],
      ['MET.fX', 'MET_px'], ['MET.fY', 'MET_py'],
    ];
    for (const [o, h] of pairs) {
      const a = await to.column(o), b = await th.column(h);
      assert.is(a.kind, b.kind, o);
      if (a.kind === 'jagged' && b.kind === 'jagged') assert.equal(Array.from(a.offsets), Array.from(b.offsets), `${o} offsets`);
      assert.equal(nums(a), nums(b), `${o} = ${h}`);
    }
    fo.close(); fh.close();
  });
}

// stl_containers.C fills entry k (1..5) with the first k of these names / numbers.
const names = ['one', 'two', 'three', 'four', 'five'];
const upto = (k: number): number[] => Array.from({ length: k }, (_, i) => i + 1);
const entries = [1, 2, 3, 4, 5];

/** Per-entry strings of one member path (through the branch's own plan and baskets). */
async function strings(t: TreeReader, name: string): Promise<string[][]> {
  const p = t.plan(name);
  if (p.layout.kind !== 'member') throw new Error(`${name} is not a member column`);
  const out: string[][] = [];
  for (let i = 0; i < p.baskets.length; i++) {
    const raw = await t.rawBasket(p, i);
    const w = walkBasket(p.layout.node, [p.layout.leaf], raw.data, raw.offsets!, raw.n, p.layout.root);
    const all = w.sink.strs.get(name)!, cnt = w.counts.get(name)!;
    for (let e = 0; e < raw.n; e++) out.push(all.slice(cnt[e]!, cnt[e + 1]!));
  }
  return out;
}

async function jagged(t: TreeReader, name: string): Promise<number[][]> {
  const c = await t.column(name);
  if (c.kind !== 'jagged') throw new Error(`${name} is ${c.kind}`);
  const v = nums(c);
  return Array.from({ length: c.offsets.length - 1 }, (_, e) => v.slice(c.offsets[e]!, c.offsets[e + 1]!));
}

test('stl_containers: vectors, sets, nested vectors and maps equal what the macro filled', async () => {
  const f = await openRootFile(skhepFile('uproot-stl_containers.root'));
  const t = await f.tree('tree');
  assert.is(t.entries, 5);
  const sorted = (k: number): string[] => names.slice(0, k).sort(); // std::set / std::map order
  assert.equal(await strings(t, 'tstring'), names.map((n) => [n]));
  assert.equal(await strings(t, 'vector_string'), entries.map((k) => names.slice(0, k)));
  assert.equal(await strings(t, 'vector_tstring'), entries.map((k) => names.slice(0, k)));
  assert.equal(await strings(t, 'set_string'), entries.map(sorted));
  assert.equal(await strings(t, 'vector_vector_string'), entries.map((k) => upto(k).flatMap((j) => names.slice(0, j))));
  assert.equal(await jagged(t, 'set_int32'), entries.map(upto));
  assert.equal(await jagged(t, 'vector_vector_int32'), entries.map((k) => upto(k).flatMap(upto)));
  assert.equal(await jagged(t, 'vector_set_int32'), entries.map((k) => upto(k).flatMap(upto)));
  assert.equal(await jagged(t, 'map_int32_int16.first'), entries.map(upto));
  assert.equal(await jagged(t, 'map_int32_int16.second'), entries.map(upto));
  assert.equal(await jagged(t, 'map_int32_vector_int16.second'), entries.map((k) => upto(k).flatMap(upto)));
  assert.equal(await jagged(t, 'map_int32_vector_vector_int16.second'), entries.map((k) => upto(k).flatMap((j) => upto(j).flatMap(upto))));
  assert.equal(await strings(t, 'map_string_int16.first'), entries.map(sorted));
  assert.equal(await jagged(t, 'map_string_int16.second'), entries.map((k) => sorted(k).map((n) => names.indexOf(n) + 1)));
  assert.equal(await strings(t, 'map_string_string.second'), entries.map((k) => sorted(k).map((n) => n.toUpperCase())));
  assert.equal(await strings(t, 'map_string_tstring.second'), entries.map((k) => sorted(k).map((n) => n.toUpperCase())));
  assert.equal(await strings(t, 'map_string_vector_string.second'), entries.map((k) => sorted(k).flatMap((n) => names.slice(0, names.indexOf(n) + 1))));
  // inspect: every branch of the file is read, none is an error
  const s = await summarizeTree(t) as { branches: Record<string, { kind: string; count?: number; total_length?: number }> };
  assert.equal(Object.entries(s.branches).filter(([, b]) => b.kind === 'error' || b.kind === 'object').map(([n]) => n), []);
  assert.equal([s.branches.vector_string!.kind, s.branches.vector_string!.count, s.branches.vector_string!.total_length], ['string', 15, 54]);
  f.close();
});

test('vectorVectorDouble: std::vector<std::vector<double>> flattened per entry', async () => {
  const f = await openRootFile(skhepFile('uproot-vectorVectorDouble.root'));
  const t = await f.tree('t');
  // uproot5's tests read [[], [[], []], [[10], [], [10, 20]], [[20, -21, -22]], [[200], [-201], [202]]]
  assert.equal(await jagged(t, 'x'), [[], [], [10, 10, 20], [20, -21, -22], [200, -201, 202]]);
  f.close();
});

test('std::vector members of a split std::vector<Trk> (uproot-issue390.root): every track\'s vector, per entry', async () => {
  const f = await openRootFile(skhepFile('uproot-issue390.root'));
  const t = await f.tree('E');
  const stages = await jagged(t, 'trks.rec_stages');
  assert.is(stages.length, 10);
  // uproot5's test_24: entry 1 holds [1, 3, 5, 4], [1, 3, 5], [1, 3], [1, 3], …; entry 0's second track ends in 5
  assert.equal(stages[1]!.slice(0, 11), [1, 3, 5, 4, 1, 3, 5, 1, 3, 1, 3]);
  assert.equal(stages[0]!.slice(0, 7), [1, 3, 5, 4, 1, 3, 5]);
  f.close();
});

test('a damaged entry or a class without streamer info is that branch\'s error', () => {
  const file = { findStreamerInfo: (n: string) => n === 'P' ? { fName: 'P', fClassVersion: 1, fElements: { arr: [{ fName: 'x', fTypeName: 'double', fType: 8, fArrayLength: 0, fArrayDim: 0 }] } } : null } as unknown as JsFile;
  assert.throws(() => schemaOf('Unknown', file), (e: unknown) => e instanceof MemberError && /no streamer info for class Unknown/.test((e as Error).message));
  assert.throws(() => schemaOf('vector<Unknown>', file), /no streamer info for class Unknown/);
  // ROOT's physics vectors are known without the file's infos
  assert.equal(leavesOf(schemaOf('vector<TLorentzVector>', file), 'j').map((l) => l.path), ['j.fP.fX', 'j.fP.fY', 'j.fP.fZ', 'j.fE']);
  const node = schemaOf('P', file);
  const leaves = leavesOf(node, 'p');
  assert.equal(leaves.map((l) => [l.path, l.type]), [['p.x', 'f8']]);
  // a byte count of 12 (version + one double is 10): it passes the entry's end
  const bytes = new Uint8Array([0x40, 0, 0, 12, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => walkBasket(node, leaves, bytes, new Int32Array([0, 14]), 1, 'p'), /^entry 0: P: byte count 12 passes the entry's end$/);
  // an entry longer than its object: the bytes left over are an error, not ignored
  const long = new Uint8Array([0x40, 0, 0, 10, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 7, 7]);
  assert.throws(() => walkBasket(node, leaves, long, new Int32Array([0, 16]), 1, 'p'), /^entry 0: 2 bytes left over$/);
  // a std::string branch streamed with a byte count and version ("const string" of uproot-issue-1043),
  // and one without, whose length byte (0x41 = 65) looks like a byte-count flag
  const str = schemaOf('const string', file), sl = leavesOf(str, 's');
  const hdr = new Uint8Array([0x40, 0, 0, 5, 0, 6, 2, 0x68, 0x69]);
  assert.equal(walkBasket(str, sl, hdr, new Int32Array([0, 9]), 1, 's').sink.strs.get('s'), ['hi']);
  const plain = new Uint8Array([65, ...Array(65).fill(0x61)]);
  assert.equal(walkBasket(str, sl, plain, new Int32Array([0, 66]), 1, 's').sink.strs.get('s'), ['a'.repeat(65)]);
  // an object written as its members alone (split-level-0 branches of uproot-issue371): read so
  // when the headed reading of the first entry fails and the bare one reads it exactly
  const bare = new Uint8Array([0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(walkBasket(node, leaves, bare, new Int32Array([0, 8, 16]), 2, 'p').sink.nums.get('p.x'), [1, 2]);
  // vector<P> written member-wise (ATLAS ElementLink vectors): header with flag 0x4000, P's version
  // and checksum, the count, then every item's x (here 1 and 2)
  const vp = schemaOf('vector<P>', file), vl = leavesOf(vp, 'v');
  const mw = new Uint8Array([0x40, 0, 0, 28, 0x40, 9, 0, 1, 1, 2, 3, 4, 0, 0, 0, 2, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(walkBasket(vp, vl, mw, new Int32Array([0, 32]), 1, 'v').sink.nums.get('v.x'), [1, 2]);
  const ok = new Uint8Array([0x40, 0, 0, 10, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  assert.equal(walkBasket(node, leaves, ok, new Int32Array([0, 14]), 1, 'p').sink.nums.get('p.x'), [1]);
});

// An analysis declares member columns like any branch.
const seen = { muons: 0, hard: 0, met: 0 };
class Muons extends Analyzer {
  static branches = ['muonp4.fP.fX', 'muonp4.fP.fY', 'MET.fX'];
  override process(e: Event): void {
    const x = e.array('muonp4.fP.fX'), y = e.array('muonp4.fP.fY');
    seen.muons += x.length;
    for (let i = 0; i < x.length; i++) if (Math.hypot(Number(x[i]), Number(y[i])) > 20) seen.hard++;
    seen.met += e.scalar('MET.fX');
  }
}

test('an analysis over TLorentzVector and TVector2 members', async () => {
  const out = mkdtempSync(join(tmpdir(), 'heppy-members-'));
  try {
    const file = skhepFile('uproot-HZZ-objects.root');
    const cfg = new Config({ components: [new Component('hzz', { files: [file] })], sequence: new Sequence(new Analyzer(Muons)) });
    const r = await runChunk({ name: 'hzz', component: 'hzz', files: [file], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'k', attempt: 1 }, join(out, 'hzz'), { loadConfig: async () => cfg });
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    // uproot's summary of uproot-HZZ.root: 3825 muons, MET_px sums to 577.7299035903998
    assert.is(seen.muons, 3825);
    assert.ok(Math.abs(seen.met - 577.7299035903998) < 1e-9, String(seen.met));
    // the same cut over HZZ.root's Muon_Px/Muon_Py (TLeafF, another decoding path)
    if (shared !== null) {
      const fh = await openRootFile(join(shared, 'uproot-HZZ.root'));
      const th = await fh.tree('events');
      const px = nums(await th.column('Muon_Px')), py = nums(await th.column('Muon_Py'));
      fh.close();
      assert.is(seen.hard, px.filter((x, i) => Math.hypot(x, py[i]!) > 20).length);
    }
  } finally { rmSync(out, { recursive: true, force: true }); }
});

test.run();
