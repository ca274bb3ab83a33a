import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageRemote } from '../../../src/io/stage.js';

// stageRemote reads through openByteSource: a local path exercises the same copy loop as a URL
// (the remote sources are tested in unit/io/xrootd, unit/io/http and e2e/remote-*).
test('stageRemote: a byte-exact copy named <index>-<name> in the directory, across several 8 MB pieces', async () => {
  const root = mkdtempSync(join(tmpdir(), 'heppy-stage-'));
  try {
    const data = Buffer.alloc((8 << 20) * 2 + 12345);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i >> 12) & 0xff;
    const src = join(root, 'in.root');
    writeFileSync(src, data);
    const into = join(root, 'staged');
    mkdirSync(into);
    const p = await stageRemote(src, into, 3);
    assert.is(p, join(into, '3-in.root'));
    assert.ok(readFileSync(p).equals(data));
    // The name already there: not overwritten (wx), the system error is thrown.
    await stageRemote(src, into, 3).then(() => assert.unreachable(), (e: NodeJS.ErrnoException) => assert.is(e.code, 'EEXIST'));
    const empty = join(root, 'empty.root');
    writeFileSync(empty, '');
    assert.is(readFileSync(await stageRemote(empty, into, 4)).length, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
