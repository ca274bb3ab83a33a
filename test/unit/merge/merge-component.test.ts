import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeComponent } from '../../../src/merge/merge-component.js';
import type { RootMerger } from '../../../src/merge/root-merger.js';
import { Average, Counter, writeStat } from '../../../src/stats/index.js';
import { fail, ok } from '../../../src/util/result.js';
import { makeChunk } from '../check/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-merge-'));

// ROOT merging is the writer engineer's; here a recording merger checks what is asked of it.
const calls: { out: string; inputs: string[] }[] = [];
const recorder: RootMerger = async (out, inputs) => {
  calls.push({ out, inputs });
  writeFileSync(out, inputs.map((i) => readFileSync(i, 'latin1')).join('+'));
  return ok({});
};

function chunkWithStats(out: string, name: string, pass: number, xs: number[], extra: Record<string, string> = {}): string {
  const dir = makeChunk(out, name, { files: { 'Sel/tree.root': name, 'heppy_cfg.py': '# cfg', 'software.yaml': 'v: 1\n', ...extra } });
  const c = new Counter('cut_flow');
  c.register('All events'); c.register('4 leptons');
  c.inc('All events', 100); c.inc('4 leptons', pass);
  writeStat(join(dir, 'Sel'), c);
  const a = new Average('m4l');
  for (const x of xs) a.add(x);
  writeStat(join(dir, 'Sel'), a);
  return dir;
}

test('merges counters, averages, ROOT files, copies yaml/py, skips logs, writes processing.yaml and the marker', async () => {
  const out = join(root, 'a');
  const dirs = [chunkWithStats(out, 'ZZ_Chunk0', 10, [1, 2]), chunkWithStats(out, 'ZZ_Chunk1', 30, [3]), chunkWithStats(out, 'ZZ_Chunk2', 5, [])];
  calls.length = 0;
  const r = await mergeComponent(out, 'ZZ', dirs, { nfiles: 4, key: 'k123', rootMerger: recorder });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  const m = join(out, 'ZZ');
  assert.is(r.value.dir, m);
  assert.equal(calls.map((c) => c.inputs.length), [3]);
  assert.is(readFileSync(join(m, 'Sel/tree.root'), 'latin1'), 'ZZ_Chunk0+ZZ_Chunk1+ZZ_Chunk2');
  const cut = JSON.parse(readFileSync(join(m, 'Sel/cut_flow.json'), 'utf8'));
  assert.equal(cut.levels, [['All events', 300], ['4 leptons', 45]]);
  assert.is(readFileSync(join(m, 'Sel/cut_flow.txt'), 'utf8'),
    'Counter cut_flow :\n\t All events            300 \t 1.00 \t 1.0000\n\t 4 leptons              45 \t 0.15 \t 0.1500\n\n');
  const avg = JSON.parse(readFileSync(join(m, 'Sel/m4l.json'), 'utf8'));
  assert.equal([avg.sumw, avg.sumwx, avg.sumwx2], [3, 6, 14]);
  assert.match(readFileSync(join(m, 'Sel/m4l.txt'), 'utf8'), 'Average m4l            :   2.0000 +-   0.4714');
  assert.is(readFileSync(join(m, 'processing.yaml'), 'utf8'), 'processing:\n  nfiles: 4\n  ngoodfiles: 3\n');
  assert.is(readFileSync(join(m, 'heppy_cfg.py'), 'utf8'), '# cfg');
  assert.ok(existsSync(join(m, 'software.yaml')));
  assert.not.ok(existsSync(join(m, 'log.txt')));
  assert.not.ok(existsSync(join(m, 'chunk.json')));
  const marker = JSON.parse(readFileSync(join(m, 'heppy-status.json'), 'utf8'));
  assert.equal([marker.status, marker.kind, marker.key, marker.chunks], ['ok', 'hadd', 'k123', ['ZZ_Chunk0', 'ZZ_Chunk1', 'ZZ_Chunk2']]);
  assert.equal(marker.outputs.map((o: { path: string }) => o.path),
    ['Sel/cut_flow.json', 'Sel/cut_flow.txt', 'Sel/m4l.json', 'Sel/m4l.txt', 'Sel/tree.root', 'heppy_cfg.py', 'processing.yaml', 'software.yaml']);
  // Nothing left behind in tmp.
  assert.equal(readdirSync(join(out, '.heppy', 'tmp')), []);
});

test('a merge replaces an older merge atomically', async () => {
  const out = join(root, 'b');
  const dirs = [chunkWithStats(out, 'X_Chunk0', 1, [1]), chunkWithStats(out, 'X_Chunk1', 2, [1])];
  assert.ok((await mergeComponent(out, 'X', dirs, { rootMerger: recorder })).ok);
  writeFileSync(join(out, 'X', 'stale.txt'), 'old');
  const r = await mergeComponent(out, 'X', dirs.slice(0, 1), { nfiles: 2, rootMerger: recorder });
  assert.ok(r.ok);
  assert.not.ok(existsSync(join(out, 'X', 'stale.txt')));
  assert.is(readFileSync(join(out, 'X', 'processing.yaml'), 'utf8'), 'processing:\n  nfiles: 2\n  ngoodfiles: 1\n');
  // One chunk: the ROOT file is copied as is.
  assert.is(readFileSync(join(out, 'X', 'Sel/tree.root'), 'latin1'), 'X_Chunk0');
  assert.equal(readdirSync(join(out, '.heppy', 'trash')), []);
});

test('a file missing in a later chunk is an error naming chunk and file; nothing is written', async () => {
  const out = join(root, 'c');
  const a = chunkWithStats(out, 'Y_Chunk0', 1, [1], { 'Sel/extra.root': 'e' });
  const b = chunkWithStats(out, 'Y_Chunk1', 1, [1]);
  const r = await mergeComponent(out, 'Y', [a, b], { rootMerger: recorder });
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.error.reason, 'chunk Y_Chunk1 has no Sel/extra.root (present in Y_Chunk0), and it has no marker listing its outputs');
  assert.is(r.error.file, join(b, 'Sel/extra.root'));
  assert.not.ok(existsSync(join(out, 'Y')));
});

test('mismatched counters and a failing ROOT merge are failures; the old merge is left alone', async () => {
  const out = join(root, 'd');
  const a = chunkWithStats(out, 'W_Chunk0', 1, [1]);
  const b = chunkWithStats(out, 'W_Chunk1', 1, [1]);
  assert.ok((await mergeComponent(out, 'W', [a], { rootMerger: recorder })).ok);
  const c = new Counter('cut_flow');
  c.register('All events'); c.register('2 leptons');
  writeStat(join(b, 'Sel'), c);
  const r = await mergeComponent(out, 'W', [a, b], { rootMerger: recorder });
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, "cannot add these counters: level 1 is '4 leptons' in one and '2 leptons' in the other");
  const broken: RootMerger = async (o) => fail({ file: o, object: 'events', reason: 'basket 3: bad checksum' });
  const r2 = await mergeComponent(out, 'W', [a, a], { rootMerger: broken });
  assert.not.ok(r2.ok);
  if (!r2.ok) assert.match(r2.error.reason, 'basket 3: bad checksum');
  assert.is(readFileSync(join(out, 'W', 'processing.yaml'), 'utf8'), 'processing:\n  nfiles: 1\n  ngoodfiles: 1\n');
});

test('refuses to overwrite an unsplit chunk directory and an empty chunk list', async () => {
  const out = join(root, 'e');
  makeChunk(out, 'V');
  const a = chunkWithStats(out, 'V_Chunk0', 1, [1]);
  const r = await mergeComponent(out, 'V', [a], { rootMerger: recorder });
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, 'it is a chunk directory');
  const r2 = await mergeComponent(out, 'V', [], { rootMerger: recorder });
  assert.not.ok(r2.ok);
});

test('a file a chunk never produced (its marker says so) is merged from the others, in either order', async () => {
  const out = join(root, 'f');
  const dest = join(root, 'f-dest');
  const a = chunkWithStats(out, 'U_Chunk0', 1, [1]);
  const b = chunkWithStats(out, 'U_Chunk1', 1, [1], { 'Sel/more.root': 'm', 'Sel/late.yaml': 'y: 1\n' });
  const c = chunkWithStats(out, 'U_Chunk2', 1, [1], { 'Sel/more.root': 'n' });
  // a's marker lists what it wrote: not more.root, not late.yaml (an analyzer that booked nothing there).
  writeFileSync(join(a, 'heppy-status.json'), JSON.stringify({ status: 'ok', key: 'abc', attempt: 1, exitCode: 0, eventsProcessed: 100, expectedEvents: 100, userStop: false,
    outputs: [{ path: 'Sel/cut_flow.json', size: 1 }] }));
  writeFileSync(join(c, 'heppy-status.json'), JSON.stringify({ status: 'ok', key: 'abc', attempt: 1, exitCode: 0, eventsProcessed: 100, expectedEvents: 100, userStop: false,
    outputs: [{ path: 'Sel/more.root', size: 1 }] }));
  mkdirSync(join(b, 'Loop'));
  calls.length = 0;
  const r = await mergeComponent(out, 'U', [a, b, c], { dest, rootMerger: recorder });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  assert.is(r.value.dir, join(dest, 'U'));
  assert.equal(r.value.warnings, [
    'Sel/late.yaml: not produced by U_Chunk0, U_Chunk2 (merged from the other 1)',
    'Sel/more.root: not produced by U_Chunk0 (merged from the other 2)',
  ]);
  assert.is(readFileSync(join(dest, 'U', 'Sel/more.root'), 'latin1'), 'm+n');
  assert.is(readFileSync(join(dest, 'U', 'Sel/late.yaml'), 'utf8'), 'y: 1\n');
  assert.not.ok(existsSync(join(out, 'U')));
});

test('a final merge over merges adds counters and averages from the chunks in chunk order (a flat merge\'s bits), and refuses a chunk changed since its merge', async () => {
  const out = join(root, 'tree');
  // Averages of values whose sums depend on their grouping.
  const xs = [[0.1, 0.7], [0.2], [0.3, 1e-17], [0.6], [0.11, 0.13]];
  const dirs = xs.map((x, i) => chunkWithStats(out, `W_Chunk${i}`, i, x));
  const flat = await mergeComponent(join(root, 'tree-flat'), 'W', dirs, { rootMerger: recorder, dest: join(root, 'tree-flat') });
  assert.ok(flat.ok, JSON.stringify(flat));
  const l1 = [dirs.slice(0, 2), dirs.slice(2)].map((g, i) => join(out, '.heppy', 'merge', 'W', `L1-${i}`));
  for (const [i, t] of l1.entries()) assert.ok((await mergeComponent(out, 'W', i === 0 ? dirs.slice(0, 2) : dirs.slice(2), { rootMerger: recorder, target: t })).ok);
  calls.length = 0;
  const sumsFrom: Array<string[] | undefined> = [];
  const spy: RootMerger = async (o, ins, opts) => { sumsFrom.push(opts.sumsFrom); return recorder(o, ins, opts); };
  const top = await mergeComponent(out, 'W', l1, { rootMerger: spy });
  assert.ok(top.ok, JSON.stringify(top));
  assert.equal(top.ok && top.value.chunks, dirs.map((_, i) => `W_Chunk${i}`));
  const read = (d: string, f: string): string => readFileSync(join(d, 'W', 'Sel', f), 'utf8');
  assert.is(read(out, 'm4l.json'), read(join(root, 'tree-flat'), 'm4l.json'));
  assert.is(read(out, 'cut_flow.json'), read(join(root, 'tree-flat'), 'cut_flow.json'));
  // The ROOT file: trees from the two merges, sums from the five chunks in order.
  assert.equal(calls.map((c) => c.inputs), [l1.map((d) => join(d, 'Sel/tree.root'))]);
  assert.equal(sumsFrom, [dirs.map((d) => join(d, 'Sel/tree.root'))]);
  // A chunk whose marker changed after its merge read it: named, nothing written.
  writeFileSync(join(dirs[3]!, 'heppy-status.json'), readFileSync(join(dirs[3]!, 'heppy-status.json'), 'utf8') + ' ');
  const stale = await mergeComponent(out, 'W', l1, { rootMerger: recorder });
  assert.not.ok(stale.ok);
  if (!stale.ok) {
    assert.is(stale.error.file, dirs[3]);
    assert.match(stale.error.reason, /chunk changed since .*L1-1 merged it/);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test('listings: recorded chunks are planned from the build\'s records (files, marker size and mtime), not listed or read again', async () => {
  const out = join(root, 'listed');
  const a = chunkWithStats(out, 'L_Chunk0', 2, [1]);
  const b = chunkWithStats(out, 'L_Chunk1', 3, [2]);
  const listing = (d: string): Array<{ path: string; size: number; mtimeMs: number }> =>
    ['Sel/cut_flow.json', 'Sel/cut_flow.txt', 'Sel/m4l.json', 'Sel/m4l.txt', 'Sel/tree.root', 'heppy_cfg.py', 'heppy-status.json']
      .filter((f) => existsSync(join(d, f))).map((f) => ({ path: f, size: statSync(join(d, f)).size, mtimeMs: statSync(join(d, f)).mtimeMs }));
  const listings = new Map([[a, listing(a)], [b, listing(b)]]);
  // Appeared after the build recorded the chunks: not part of the result, not merged.
  writeFileSync(join(b, 'stray.yaml'), 'x: 1\n');
  calls.length = 0;
  const r = await mergeComponent(out, 'L', [a, b], { rootMerger: recorder, listings, key: 'kl' });
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  assert.equal(r.value.outputs.map((o) => o.path), ['Sel/cut_flow.json', 'Sel/cut_flow.txt', 'Sel/m4l.json', 'Sel/m4l.txt', 'Sel/tree.root', 'heppy_cfg.py', 'processing.yaml']);
  assert.equal(JSON.parse(readFileSync(join(out, 'L', 'Sel/cut_flow.json'), 'utf8')).levels, [['All events', 200], ['4 leptons', 5]]);
  const marker = JSON.parse(readFileSync(join(out, 'L', 'heppy-status.json'), 'utf8'));
  // The sources are the recorded markers' sizes and mtimes.
  assert.equal(marker.sources, [a, b].map((d) => ({ chunk: d === a ? 'L_Chunk0' : 'L_Chunk1', file: 'heppy-status.json',
    size: listings.get(d)!.find((f) => f.path === 'heppy-status.json')!.size, mtimeMs: listings.get(d)!.find((f) => f.path === 'heppy-status.json')!.mtimeMs })));
  // A file the record lists but the disk lost is named when the merge reads it.
  rmSync(join(a, 'Sel/m4l.json'));
  const lost = await mergeComponent(out, 'L', [a, b], { rootMerger: recorder, listings });
  assert.not.ok(lost.ok);
  if (!lost.ok) assert.match(lost.error.file ?? '', /L_Chunk0/);
});

test('an abort while merging (heppy hadd\'s Ctrl-C): stopped at the next file, nothing written, no tmp dir, the old merge kept', async () => {
  const out = join(root, 'abort');
  const dirs = [chunkWithStats(out, 'AB_Chunk0', 10, [1]), chunkWithStats(out, 'AB_Chunk1', 30, [3])];
  const first = await mergeComponent(out, 'AB', dirs, { rootMerger: recorder });
  assert.ok(first.ok);
  const before = readFileSync(join(out, 'AB', 'heppy-status.json'), 'utf8');
  const ac = new AbortController();
  let merged = 0;
  // The signal arrives during the ROOT file's merge: the files after it are not written.
  const aborting: RootMerger = async (o, ins, opts) => { merged++; ac.abort(); return recorder(o, ins, opts); };
  const r = await mergeComponent(out, 'AB', dirs, { rootMerger: aborting, signal: ac.signal });
  assert.not.ok(r.ok);
  assert.is(merged, 1);
  assert.is(readFileSync(join(out, 'AB', 'heppy-status.json'), 'utf8'), before);
  assert.equal(readdirSync(join(out, '.heppy', 'tmp')), []);
  // Aborted before it starts: nothing merged at all.
  const none = await mergeComponent(out, 'AB', dirs, { rootMerger: aborting, signal: AbortSignal.abort() });
  assert.not.ok(none.ok);
  assert.is(merged, 1);
});

test.run();
