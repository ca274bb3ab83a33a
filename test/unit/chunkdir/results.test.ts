import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultDigest, sizesAsListed, statOutputs } from '../../../src/chunkdir/results.js';
import { initHash } from '../../../src/fingerprint/hash.js';

await initHash();
const dir = mkdtempSync(join(tmpdir(), 'heppy-results-'));
mkdirSync(join(dir, 'Jets_1'));
writeFileSync(join(dir, 'Jets_1', 'tree.root'), 'x'.repeat(300));
writeFileSync(join(dir, 'log.txt'), 'log');
writeFileSync(join(dir, 'chunk.json'), '{}');
writeFileSync(join(dir, 'heppy-status.json'), '{"status":"ok"}');

test('statOutputs: the listed outputs and the marker with size and mtime; run files left out', () => {
  const r = statOutputs(dir, [{ path: 'Jets_1/tree.root' }, { path: 'log.txt' }, { path: 'chunk.json' }, { path: 'batchScript.sh' }, { path: 'log.txt' }]);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.map((o) => [o.path, o.size]), [['Jets_1/tree.root', 300], ['log.txt', 3], ['heppy-status.json', 15]]);
  assert.is(r.value[0]!.mtimeMs, statSync(join(dir, 'Jets_1', 'tree.root')).mtimeMs);
});

test('statOutputs: a listed output that is gone fails naming it', () => {
  const r = statOutputs(dir, [{ path: 'Jets_1/hist.root' }]);
  assert.equal(r, { ok: false, error: { file: join(dir, 'Jets_1/hist.root'), reason: 'an output listed in the marker is missing' } });
});

test('sizesAsListed: every listed output (run files aside) has its recorded size', () => {
  const outs = [{ path: 'a', size: 3, mtimeMs: 1 }, { path: 'b', size: 5, mtimeMs: 1 }];
  assert.ok(sizesAsListed(outs, [{ path: 'a', size: 3 }, { path: 'chunk.json', size: 99 }]));
  assert.not.ok(sizesAsListed(outs, [{ path: 'b', size: 4 }]));
  assert.not.ok(sizesAsListed(outs, [{ path: 'c', size: 0 }]));
});

test('resultDigest: depends on the key and the files (name, size, mtime), not on the marker', () => {
  const outs = [{ path: 'tree.root', size: 300, mtimeMs: 1000 }, { path: 'heppy-status.json', size: 15, mtimeMs: 2000 }];
  const d = resultDigest('k1', outs);
  assert.match(d, /^[0-9a-f]{16}$/);
  assert.is(resultDigest('k1', [outs[0]!, { ...outs[1]!, size: 99, mtimeMs: 5 }]), d);
  assert.is(resultDigest('k1', [outs[0]!]), d);
  assert.is.not(resultDigest('k2', outs), d);
  assert.is.not(resultDigest('k1', [{ ...outs[0]!, mtimeMs: 1001 }]), d);
  assert.is.not(resultDigest('k1', [{ ...outs[0]!, size: 301 }]), d);
  // A restore keeps the files' mtimes (hard links): the same digest as when it ran.
  utimesSync(join(dir, 'log.txt'), 1, 1);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
