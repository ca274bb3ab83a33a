// What hadd does with each file of the chunks (merge, sum, copy, skip and why), and a file missing
// from a chunk: merged from the others when its marker vouches for that, else a failure naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeMarker } from '../../../src/chunkdir/marker.js';
import { planMerge } from '../../../src/merge/plan.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-merge-plan-'));
const SIDECAR = JSON.stringify({ type: 'Counter', name: 'c', levels: [['all', 1]] });

/** A chunk directory with these files (content by name), and a marker listing `listed` (none: no marker). */
function chunk(name: string, files: Record<string, string>, listed?: string[]): string {
  const d = join(root, name);
  rmSync(d, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, rel)), { recursive: true });
    writeFileSync(join(d, rel), text);
  }
  mkdirSync(d, { recursive: true });
  if (listed) writeMarker(d, { kind: 'chunk', status: 'ok', key: 'k', attempt: 1, exitCode: 0, eventsProcessed: 1, expectedEvents: 1,
    userStop: false, outputs: listed.map((path) => ({ path, size: 1 })) });
  return d;
}

test('each file classified as heppy_hadd does, with the chunks that have it', () => {
  const files = {
    'log.txt': 'l', 'batchScript.sh': 's', 'chunk.json': '{}', 'processing.yaml': 'p',
    'A/histos.root': 'r', 'A/cnt.json': SIDECAR, 'A/cnt.txt': 't', 'A/other.json': '{"x":1}', 'A/other.txt': 'o',
    'cfg.py': 'py', 'meta.yaml': 'y', 'old.pck': 'p', 'notes.md': 'n', '.hidden/x.root': 'h',
  };
  const a = chunk('Z_Chunk0', files), b = chunk('Z_Chunk1', files);
  const r = planMerge([a, b]);
  if (!r.ok) throw new Error(r.error.reason);
  assert.equal(r.value.notes, []);
  const byRel = Object.fromEntries(r.value.files.map((f) => [f.action.rel, f.action.kind === 'skip' ? `skip: ${f.action.why}` : f.action.kind]));
  assert.equal(byRel, {
    'A/cnt.json': 'stat', 'A/cnt.txt': 'skip: re-rendered from its sidecar', 'A/histos.root': 'root',
    'A/other.json': 'skip: not merged', 'A/other.txt': 'skip: not merged',
    'batchScript.sh': 'skip: run file', 'cfg.py': 'copy', 'chunk.json': 'skip: run file', 'log.txt': 'skip: run file',
    'meta.yaml': 'copy', 'notes.md': 'skip: not merged',
    'old.pck': "skip: heppy's pickles are not read; counters are summed from .json sidecars", 'processing.yaml': 'skip: run file',
  });
  // Sorted by path, each from both chunks in chunk order.
  assert.equal(r.value.files.map((f) => f.action.rel), Object.keys(byRel).sort());
  for (const f of r.value.files) assert.equal(f.from, [a, b]);
});

test('a file a chunk did not produce, and its marker does not list: merged from the others, with a note', () => {
  const a = chunk('Y_Chunk0', { 'h.root': 'r', 'lazy.root': 'r' }, ['h.root', 'lazy.root']);
  const b = chunk('Y_Chunk1', { 'h.root': 'r' }, ['h.root']);
  const c = chunk('Y_Chunk2', { 'h.root': 'r', 'lazy.root': 'r', 'log.txt': 'l' }, ['h.root', 'lazy.root']);
  const r = planMerge([a, b, c]);
  if (!r.ok) throw new Error(r.error.reason);
  assert.equal(r.value.notes, ['lazy.root: not produced by Y_Chunk1 (merged from the other 2)']);
  assert.equal(r.value.files.find((f) => f.action.rel === 'lazy.root')!.from, [a, c]);
  // A skipped file present in some chunks only needs no note.
  assert.equal(r.value.files.find((f) => f.action.rel === 'log.txt')!.from, [c]);
});

test('a file missing from a chunk that cannot vouch for it: a failure naming chunk and file', () => {
  const a = chunk('X_Chunk0', { 'h.root': 'r', 'more.root': 'r' });
  const b = chunk('X_Chunk1', { 'h.root': 'r' });
  assert.equal(planMerge([a, b]), { ok: false, error: { file: join(b, 'more.root'),
    reason: 'chunk X_Chunk1 has no more.root (present in X_Chunk0), and it has no marker listing its outputs' } });
  // Its marker lists the file: deleted since.
  const c = chunk('X_Chunk2', { 'h.root': 'r' }, ['h.root', 'more.root']);
  assert.equal(planMerge([a, c]), { ok: false, error: { file: join(c, 'more.root'),
    reason: 'chunk X_Chunk2 has no more.root (present in X_Chunk0), although its marker lists it (deleted since?)' } });
  // A marker with an empty outputs list vouches for nothing.
  const d = chunk('X_Chunk3', { 'h.root': 'r' }, []);
  assert.ok(!planMerge([a, d]).ok);
});

test('listed: the recorded listings are used instead of the disk', () => {
  const a = chunk('W_Chunk0', { 'h.root': 'r', 'c.json': SIDECAR, 'c.txt': 't', 'extra.root': 'on disk, not recorded' });
  const b = chunk('W_Chunk1', { 'h.root': 'r', 'c.json': SIDECAR, 'c.txt': 't' });
  const lists = new Map([[a, ['h.root', 'c.json', 'c.txt']], [b, ['h.root', 'c.json']]]);
  const r = planMerge([a, b], (d) => lists.get(d));
  if (!r.ok) throw new Error(r.error.reason);
  assert.equal(r.value.files.map((f) => [f.action.rel, f.action.kind, f.from.length]),
    [['c.json', 'stat', 2], ['c.txt', 'skip', 1], ['h.root', 'root', 2]]);
  // A file the listing names but not in a chunk: the listing is the marker's outputs, so it is merged from the others.
  const r2 = planMerge([a, b], (d) => (d === a ? ['h.root', 'x.root'] : ['h.root']));
  if (!r2.ok) throw new Error(r2.error.reason);
  assert.equal(r2.value.notes, ['x.root: not produced by W_Chunk1 (merged from the other 1)']);
});

test('a recorded result file gone from the disk is named, not taken for a non-sidecar', () => {
  const a = chunk('V_Chunk0', { 'h.root': 'r' });
  const b = chunk('V_Chunk1', { 'h.root': 'r' });
  const r = planMerge([a, b], () => ['h.root', 'gone.json']);
  assert.equal(r, { ok: false, error: { file: join(a, 'gone.json'), reason: 'a result file the build recorded is missing (deleted since?)' } });
});

test('no chunks: an empty plan', () => {
  assert.equal(planMerge([]), { ok: true, value: { files: [], notes: [] } });
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
