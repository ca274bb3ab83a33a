import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProbe, headerProbe } from '../../../src/check/root-probe.js';
import { sharedRootDir } from '../../util/shared.js';

const shared = sharedRootDir();

if (shared !== null) {
  test('defaultProbe and headerProbe: intact files (trees, histograms, an RNTuple) pass', async () => {
    for (const f of ['uproot-HZZ.root', 'uproot-histograms.root', join('rntuple', 'ntpl001_staff_rntuple_v1-0-0-0.root')]) {
      assert.equal(await defaultProbe(join(shared, f)), { ok: true, value: undefined }, f);
      assert.equal(await headerProbe(join(shared, f)), { ok: true, value: undefined }, f);
    }
  });

  test('a file whose header is intact but whose keys list is damaged: the header probe passes it, the default probe names the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heppy-root-probe-'));
    try {
      const bytes = Buffer.from(readFileSync(join(shared, 'uproot-HZZ.root')));
      // The top directory's key and record at fBEGIN overwritten with garbage, the size kept.
      const begin = bytes.readInt32BE(8);
      bytes.fill(0xee, begin, begin + 200);
      const damaged = join(dir, 'damaged.root');
      writeFileSync(damaged, bytes);
      assert.equal(await headerProbe(damaged), { ok: true, value: undefined });
      const r = await defaultProbe(damaged);
      assert.not.ok(r.ok);
      if (!r.ok) assert.is(r.error.file, damaged);
      const cut = join(dir, 'cut.root');
      writeFileSync(cut, bytes.subarray(0, 1000));
      const c = await defaultProbe(cut);
      assert.not.ok(c.ok);
      if (!c.ok) assert.match(c.error.reason, /^truncated: the header records \d+ bytes but the file has 1000$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
