import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkSpecText, ensureChunkAttempt, readChunkSpec, writeChunkSpec, type ChunkSpec } from '../../../src/chunkdir/spec.js';

const spec: ChunkSpec = { name: 'ggH_Chunk3', component: 'ggH', files: ['/d/a.root'], tree: 'Events', fineSplit: [1, 4], maxEvents: null,
  options: { year: '2018', fast: true }, bundle: '/b/x.mjs', key: 'abc123', attempt: 1 };

test('writeChunkSpec / readChunkSpec: round trip, atomic (no temporary left), fresh written directly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-spec-'));
  try {
    writeChunkSpec(dir, spec);
    assert.equal(readdirSync(dir), ['chunk.json']);
    assert.is(readFileSync(join(dir, 'chunk.json'), 'utf8'), chunkSpecText(spec));
    assert.equal(readChunkSpec(dir), { ok: true, value: spec });
    writeChunkSpec(dir, { ...spec, attempt: 2 }, true);
    assert.is((readChunkSpec(dir) as { value: ChunkSpec }).value.attempt, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readChunkSpec: each invalid field is named, an unreadable file too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-spec-'));
  const file = join(dir, 'chunk.json');
  const reason = (v: unknown): string => {
    writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
    const r = readChunkSpec(dir);
    assert.not.ok(r.ok);
    return r.ok ? '' : (assert.is(r.error.file, file), r.error.reason);
  };
  try {
    assert.match(reason('{broken'), /^cannot read the chunk spec: /);
    assert.is(reason([]), 'invalid chunk spec: not an object');
    assert.is(reason({ ...spec, key: 3 }), "invalid chunk spec: 'key' must be a string");
    assert.is(reason({ ...spec, files: ['/a', 2] }), "invalid chunk spec: 'files' must be a list of paths");
    assert.is(reason({ ...spec, fineSplit: [1] }), "invalid chunk spec: 'fineSplit' must be null or [i, F]");
    assert.is(reason({ ...spec, maxEvents: 1.5 }), "invalid chunk spec: 'maxEvents' must be null or an integer");
    assert.is(reason({ ...spec, options: null }), "invalid chunk spec: 'options' must be an object");
    assert.is(reason({ ...spec, attempt: '1' }), "invalid chunk spec: 'attempt' must be an integer");
    rmSync(file);
    assert.match((readChunkSpec(dir) as { error: { reason: string } }).error.reason, /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureChunkAttempt: rewrites chunk.json only when its attempt differs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-spec-'));
  try {
    writeChunkSpec(dir, spec);
    assert.equal(ensureChunkAttempt(dir, 1), { ok: true, value: { key: 'abc123', attempt: 1 } });
    assert.equal(ensureChunkAttempt(dir, 3), { ok: true, value: { key: 'abc123', attempt: 3 } });
    assert.equal(readChunkSpec(dir), { ok: true, value: { ...spec, attempt: 3 } });
    assert.not.ok(ensureChunkAttempt(join(dir, 'absent'), 1).ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
