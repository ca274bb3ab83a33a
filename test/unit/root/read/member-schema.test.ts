// The schema of object branches, built from the streamer infos of a real file (test/data/skhep/
// uproot-HZZ-objects.root: TVector2, TVector3, std::vector<TLorentzVector>) and the member paths
// it yields; members.test.ts reads the values of those paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openRootFile } from '../../../../src/root/read/index.js';
import { initDecompression } from '../../../../src/root/read/decompress.js';
import { MemberError, leavesOf, schemaOf } from '../../../../src/root/read/member-schema.js';
import { skhepFile } from '../../../util/shared.js';

const leaves = (l: ReturnType<typeof leavesOf>): [string, string | null, boolean][] => l.map((x) => [x.path, x.type, x.jagged]);

test('classes of the file: member paths by name, numbers typed, a vector of them jagged', async () => {
  await initDecompression();
  const r = await openRootFile(skhepFile('uproot-HZZ-objects.root'));
  try {
    assert.equal(leaves(leavesOf(schemaOf('TVector2', r.js), 'MET')), [['MET.fX', 'f8', false], ['MET.fY', 'f8', false]]);
    assert.equal(leaves(leavesOf(schemaOf('vector<TLorentzVector>', r.js), 'muonp4')),
      [['muonp4.fP.fX', 'f8', true], ['muonp4.fP.fY', 'f8', true], ['muonp4.fP.fZ', 'f8', true], ['muonp4.fE', 'f8', true]]);
    assert.equal(leaves(leavesOf(schemaOf('TLorentzVector', r.js), 'p')).map(([p, , j]) => [p, j]),
      [['p.fP.fX', false], ['p.fP.fY', false], ['p.fP.fZ', false], ['p.fE', false]]);
  } finally {
    r.close();
  }
});

test('STL containers of numbers and strings: flattened per entry (jagged); map as .first and .second', async () => {
  await initDecompression();
  const r = await openRootFile(skhepFile('uproot-HZZ-objects.root'));
  try {
    assert.equal(leaves(leavesOf(schemaOf('vector<float>', r.js), 'b')), [['b', 'f4', true]]);
    assert.equal(leaves(leavesOf(schemaOf('vector<vector<int> >', r.js), 'b')), [['b', 'i4', true]]);
    assert.equal(leaves(leavesOf(schemaOf('set<unsigned short>', r.js), 'b')), [['b', 'u2', true]]);
    assert.equal(leaves(leavesOf(schemaOf('map<int,double>', r.js), 'b')), [['b.first', 'i4', true], ['b.second', 'f8', true]]);
    const s = leavesOf(schemaOf('string', r.js), 's');
    assert.equal(s.map((x) => [x.path, x.type, x.typename]), [['s', null, 'std::string']], 'a string column: no numeric type');
    assert.throws(() => schemaOf('vector<NoSuchClass>', r.js), (e: unknown) => e instanceof MemberError && /no streamer info for class NoSuchClass/.test((e as Error).message));
  } finally {
    r.close();
  }
});

test.run();
