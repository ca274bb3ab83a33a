// build.json: the luminosity's precedence (-o lumi, Config lumi, Σ data intLumi), a bad -o lumi is
// a usage error, component records from the model, and the file reads back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataComponent, MCComponent } from '../../../src/index.js';
import { chunkNames, componentRecord, readBuildRecord, resolveLumi, writeBuildRecord } from '../../../src/engine/build-record.js';
import { UserError } from '../../../src/util/result.js';

const d1 = componentRecord(new DataComponent('d1', { files: ['/a.root'], intLumi: 10 }), 1, false);
const d2 = componentRecord(new DataComponent('d2', { files: ['/b.root'], intLumi: 5.5 }), 3, true);
const mc = componentRecord(new MCComponent('mc', { files: ['/c.root'], xSection: 2, nGenEvents: 100, genWeightBranch: 'w' }), 2, true);

test('component records', () => {
  assert.equal(mc, { name: 'mc', kind: 'mc', xSection: 2, nGenEvents: 100, effCorrFactor: 1, addWeight: 1, intLumi: 1, genWeightBranch: 'w', nChunks: 2, split: true });
  assert.is(d1.kind, 'data');
  assert.equal(chunkNames(d2), ['d2_Chunk0', 'd2_Chunk1', 'd2_Chunk2']);
  assert.equal(chunkNames(d1), ['d1']);
});

test('luminosity: -o lumi, else Config lumi, else the data', () => {
  assert.equal(resolveLumi('3.5', 7, [d1, d2]), { value: 3.5, source: 'option' });
  assert.equal(resolveLumi(undefined, 7, [d1, d2]), { value: 7, source: 'config' });
  assert.equal(resolveLumi(undefined, null, [d1, d2, mc]), { value: 15.5, source: 'data' });
  assert.equal(resolveLumi(undefined, null, [mc]), { value: null, source: 'none' });
  for (const bad of ['abc', '-1', '0', true]) assert.throws(() => resolveLumi(bad, null, []), (e: unknown) => e instanceof UserError);
});

test('written and read back; a foreign file is an error', () => {
  const out = mkdtempSync(join(tmpdir(), 'heppy-build-record-'));
  try {
    assert.equal(readBuildRecord(out), { ok: true, value: null });
    const rec = { version: 1 as const, heppyVersion: 'v', executor: 'local', startedAt: 's', finishedAt: null, lumi: resolveLumi(undefined, null, [d1]), components: [d1, mc] };
    writeBuildRecord(out, rec);
    assert.equal(readBuildRecord(out), { ok: true, value: rec });
    mkdirSync(join(out, '.heppy'), { recursive: true });
    writeFileSync(join(out, '.heppy', 'build.json'), '{"version":9}');
    const r = readBuildRecord(out);
    assert.ok(!r.ok && r.error.reason.includes('not a build record'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
