import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeCache } from '../../../src/check/probe-cache.js';
import type { RootProbe } from '../../../src/check/root-probe.js';
import { fail, ok } from '../../../src/util/result.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-pcache-'));
const out = join(root, 'Outdir');
mkdirSync(join(out, 'A_Chunk0'), { recursive: true });
const good = join(out, 'A_Chunk0', 'good.root');
const bad = join(out, 'A_Chunk0', 'bad.root');
const outside = join(root, 'elsewhere.root');
for (const f of [good, bad, outside]) writeFileSync(f, 'x');

let calls: string[] = [];
const probe: RootProbe = async (p) => { calls.push(p); return p.endsWith('bad.root') ? fail({ file: p, reason: 'broken' }) : ok(undefined); };

test('a file that opened is not probed again until it changes; failures are never cached', async () => {
  const c1 = new ProbeCache([out]);
  const p1 = c1.wrap(probe);
  for (const f of [good, bad, outside]) await p1(f);
  c1.save();
  assert.equal(calls, [good, bad, outside]);

  calls = [];
  const c2 = new ProbeCache([out]);
  const p2 = c2.wrap(probe);
  assert.ok((await p2(good)).ok);
  assert.not.ok((await p2(bad)).ok);
  assert.ok((await p2(outside)).ok);
  assert.equal(calls, [bad, outside]); // outside any Outdir: no cache
  assert.is(c2.hits, 1);

  calls = [];
  writeFileSync(good, 'xy');                       // changed: probed again
  utimesSync(good, new Date(), new Date(Date.now() + 5000));
  const p3 = new ProbeCache([out]).wrap(probe);
  await p3(good);
  assert.equal(calls, [good]);
});

test('an unreadable cache file is ignored', async () => {
  writeFileSync(join(out, '.heppy', 'check-cache.json'), '{nope');
  calls = [];
  await new ProbeCache([out]).wrap(probe)(good);
  assert.equal(calls, [good]);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
