// The first open of a process (its own test file, so that it really is the first): jsroot's
// file class is patched during that open, which leaves no trace on Object.prototype, and the
// first file's parsed StreamerInfo is shared with the next file that has the same record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { sharedRootDir } from '../../../util/shared.js';

const dir = sharedRootDir();

if (dir !== null) {
  const d = dir;
  test('first open: Object.prototype untouched afterwards, the record cached for the next file', async () => {
    const a = await openRootFile(join(d, 'uproot-HZZ-zlib.root'));
    assert.is(Object.getOwnPropertyDescriptor(Object.prototype, 'fFullURL'), undefined);
    assert.is(({} as { fFullURL?: unknown }).fFullURL, undefined);
    const b = await openRootFile(join(d, 'uproot-HZZ-lz4.root'));
    const infos = (f: typeof a): unknown => (f.js as unknown as { fStreamerInfos: unknown }).fStreamerInfos;
    assert.ok(infos(a) === infos(b), 'the second file adopts the first file\'s parsed record');
    const na = await (await a.tree('events')).column('NMuon'), nb = await (await b.tree('events')).column('NMuon');
    let sa = 0, sb = 0;
    for (const v of na.values) sa += Number(v);
    for (const v of nb.values) sb += Number(v);
    assert.is(sa, 3825);
    assert.is(sb, 3825);
    a.close(); b.close();
  });
}

test.run();
