import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RootError } from '../../../../src/root/errors.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';
import { openEntries } from '../../../../src/root/rntuple/open.js';
import { sharedRootDir } from '../../../util/shared.js';

const shared = sharedRootDir();

if (shared !== null) {
  test('openEntries: an RNTuple key gives the RNTuple reader, a TTree the tree (same batches interface)', async () => {
    const nt = await openRootFile(join(shared, 'rntuple', 'Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root'));
    try {
      const r = await openEntries(nt, 'Events');
      assert.instance(r, RNTupleReader);
      assert.is(r.entries, 1000);
      const withCycle = await openEntries(nt, 'Events;1');
      assert.is(withCycle.entries, 1000);
    } finally {
      nt.close();
    }
    const tt = await openRootFile(join(shared, 'uproot-HZZ.root'));
    try {
      const r = await openEntries(tt, 'events');
      assert.not.instance(r, RNTupleReader);
      assert.is(r.entries, 2421);
      let n = 0;
      for await (const b of r.batches(['NMuon'], 0, 100)) n += b.stop - b.start;
      assert.is(n, 100);
      await openEntries(tt, 'nothing').then(() => assert.unreachable(), (e: unknown) => assert.instance(e, RootError));
    } finally {
      tt.close();
    }
  });
}

test.run();
