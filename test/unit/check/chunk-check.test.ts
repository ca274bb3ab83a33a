import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, openSync, writeSync, closeSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkChunk } from '../../../src/check/chunk-check.js';
import { defaultProbe, headerProbe } from '../../../src/check/root-probe.js';
import { sharedRootDir } from '../../util/shared.js';
import { makeChunk } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-check-'));
const probe = headerProbe;

test('a complete chunk is good', async () => {
  const v = await checkChunk(makeChunk(root, 'good_Chunk0', { events: 250 }), { probe });
  assert.ok(v.good, JSON.stringify(v.problems));
  assert.is(v.eventsProcessed, 250);
  assert.is(v.expectedEvents, 250);
  assert.ok(v.canResubmit);
});

test("heppy's messages: no log.txt, no processed line", async () => {
  const a = await checkChunk(makeChunk(root, 'nolog_Chunk0', { log: null, marker: null }), { probe });
  assert.not.ok(a.good);
  assert.equal(a.problems.map((p) => p.message), ['log.txt does not exist', 'no heppy-status.json: the run did not finish']);
  const b = await checkChunk(makeChunk(root, 'noline_Chunk0', { log: 'started\nTraceback\n' }), { probe });
  assert.equal(b.problems[0]!.message, 'cannot find number of processed events');
});

test('a directory made by the original heppy (no marker, no chunk.json) passes on its log', async () => {
  const v = await checkChunk(makeChunk(root, 'old_Chunk3', { marker: null, spec: false, events: 0 }), { probe });
  assert.ok(v.good);
  assert.is(v.hasMarker, false);
  assert.is(v.canResubmit, false);
  assert.is(v.eventsProcessed, 0);
});

test('a failed marker is bad with its reason and exit code', async () => {
  const v = await checkChunk(makeChunk(root, 'failed_Chunk1', {
    marker: { status: 'failed', exitCode: 1, attempt: 3, reason: 'Error: boom in ZZSelector.process' },
  }), { probe });
  assert.not.ok(v.good);
  assert.equal(v.problems.map((p) => p.code), ['failed']);
  assert.match(v.problems[0]!.message, 'attempt 3, exit code 1');
  assert.match(v.problems[0]!.message, 'boom in ZZSelector');
});

test('a nonzero exit code on an ok marker is bad', async () => {
  const v = await checkChunk(makeChunk(root, 'exit_Chunk0', { marker: { exitCode: 137 } }), { probe });
  assert.equal(v.problems.map((p) => p.message), ['the marker records exit code 137']);
});

test('events processed must equal the expected entries, unless a UserStop is recorded', async () => {
  const short = await checkChunk(makeChunk(root, 'short_Chunk0', { events: 90, marker: { expectedEvents: 100 } }), { probe });
  assert.equal(short.problems.map((p) => p.message), ['processed 90 events, expected 100']);
  const stopped = await checkChunk(makeChunk(root, 'stop_Chunk0', { events: 90, marker: { expectedEvents: 100, userStop: true } }), { probe });
  assert.ok(stopped.good);
  const disagree = await checkChunk(makeChunk(root, 'dis_Chunk0', { events: 90, marker: { eventsProcessed: 95, expectedEvents: 95 } }), { probe });
  assert.equal(disagree.problems.map((p) => p.message), ['log.txt says 90 events processed, the marker 95']);
});

test('a marker of another key or an earlier attempt than chunk.json is stale', async () => {
  const other = makeChunk(root, 'key_Chunk0', { marker: { key: 'ffff00001111' } });
  assert.equal((await checkChunk(other, { probe })).problems.map((p) => p.message), ['the result is out of date: chunk.json has key abc, the marker ffff00001111']);
  const running = makeChunk(root, 'att_Chunk0', { marker: { attempt: 1 } });
  writeFileSync(join(running, 'chunk.json'), JSON.stringify({ name: 'A_Chunk2', component: 'A', files: [], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/b.mjs', key: 'abc', attempt: 2 }));
  assert.equal((await checkChunk(running, { probe })).problems.map((p) => p.message), ['attempt 2 has not finished (the marker is from attempt 1)']);
});

test('a malformed marker is bad, not a crash', async () => {
  const v = await checkChunk(makeChunk(root, 'junk_Chunk0', { marker: '{"status": "ok", "outp' }), { probe });
  assert.equal(v.problems.map((p) => p.code), ['marker']);
  assert.match(v.problems[0]!.message, 'not valid JSON');
});

test('recorded outputs must still be there with their size', async () => {
  const dir = makeChunk(root, 'outs_Chunk0', {
    files: { 'Sel/cutflow.txt': 'Counter x :\n', 'Sel/hist.txt': 'abc' },
    marker: { outputs: [{ path: 'Sel/cutflow.txt', size: 12 }, { path: 'Sel/gone.json', size: 3 }, { path: 'Sel/hist.txt', size: 4 }] },
  });
  const v = await checkChunk(dir, { probe });
  assert.equal(v.problems.map((p) => p.message), [
    'output Sel/gone.json is missing',
    'output Sel/hist.txt has 3 bytes, 4 were written',
  ]);
});

test('a ROOT output that is not ROOT, or cut short, is bad and named', async () => {
  const shared = sharedRootDir();
  const dir = makeChunk(root, 'root_Chunk0', { files: { 'Sel/junk.root': 'hello' } });
  if (shared) {
    copyFileSync(join(shared, 'uproot-HZZ.root'), join(dir, 'Sel', 'tree.root'));
    copyFileSync(join(shared, 'uproot-HZZ.root'), join(dir, 'Sel', 'cut.root'));
    truncateSync(join(dir, 'Sel', 'cut.root'), statSync(join(dir, 'Sel', 'cut.root')).size - 1000);
  }
  const v = await checkChunk(dir, { probe });
  const msgs = v.problems.map((p) => p.message);
  assert.ok(msgs.includes('Sel/junk.root: not a ROOT file (no "root" magic)'), msgs.join('|'));
  if (shared) {
    assert.is(msgs.length, 2);
    assert.ok(msgs.includes('Sel/cut.root: truncated: the header records 217945 bytes but the file has 216945'), msgs.join('|'));
  }
});

test('an empty ROOT file is bad', async () => {
  const dir = makeChunk(root, 'empty_Chunk0');
  writeFileSync(join(dir, 'histos.root'), '');
  const v = await checkChunk(dir, { probe });
  assert.equal(v.problems.map((p) => p.message), ['histos.root: empty file']);
});

test('the default probe opens the file: a damaged StreamerInfo of the right size is caught', async () => {
  const shared = sharedRootDir();
  if (!shared) return;
  const dir = makeChunk(root, 'deep_Chunk0');
  copyFileSync(join(shared, 'uproot-HZZ.root'), join(dir, 'good.root'));
  copyFileSync(join(shared, 'uproot-histograms.root'), join(dir, 'hists.root'));
  assert.ok((await checkChunk(dir)).good);
  copyFileSync(join(shared, 'uproot-HZZ.root'), join(dir, 'bad.root'));
  const fd = openSync(join(dir, 'bad.root'), 'r+');
  writeSync(fd, Buffer.alloc(200, 0x55), 0, 200, 217945 - 300); // inside the StreamerInfo record
  closeSync(fd);
  assert.ok((await checkChunk(dir, { probe: headerProbe })).good, 'the header alone cannot see it');
  const v = await checkChunk(dir, { probe: defaultProbe });
  assert.equal(v.problems.map((p) => p.code), ['root']);
  assert.match(v.problems[0]!.message, /^bad\.root: cannot read file structure/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
