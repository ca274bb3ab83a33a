// hadd -j N (parallel.ts): the output equals the sequential merge's (every key, tree entries in
// input order, branch sums, histogram statistics; the file's bytes too, but for its UUID, dates and
// name), also when recompressing; unreadable inputs are skipped with -k; a mismatch between two
// groups names an input, not a temporary file; no partial file is left behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRootFiles, type MergeOptions } from '../../../../src/root/hadd/index.js';
import { splitInputs } from '../../../../src/root/hadd/parallel.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';
import { fill1, makeAxis, makeHist1 } from '../../../../src/root/hist.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hadd-j-'));

async function writeInput(path: string, entries: number, seed: number, extraBranch = false): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm: 'zlib' } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(20, 0, 10));
  const t = w.createTree({ name: 'events', branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } }, { name: 'tag', type: 'string' },
    ...(extraBranch ? [{ name: 'extra', type: 'i4' as const }] : []),
  ] });
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = k + seed;
    const x = ((i * 7 + seed) % 100) * 0.1;
    t.fill({ x, n, pt: a.subarray(0, n), tag: `s${seed}-${i % 3}`, ...(extraBranch ? { extra: i } : {}) });
    fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

async function summary(path: string): Promise<Json> {
  const f = await openRootFile(path);
  try { const s = await summarizeFile(f) as Record<string, Json>; delete s.file; delete s.size; delete s.header; return s; } finally { f.close(); }
}

const inputs: string[] = [];
test.before(async () => {
  for (let i = 0; i < 9; i++) {
    const p = join(dir, `in${i}.root`);
    if (i < 3) await writeInput(p, 500 + 100 * i, i); else copyFileSync(inputs[i % 3]!, p);
    inputs.push(p);
  }
});

async function merged(name: string, opts: MergeOptions, ins = inputs): Promise<string> {
  const out = join(dir, name);
  const r = await mergeRootFiles(out, ins, { force: true, ...opts });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  assert.equal(r.value.inputs, ins.length - r.value.skipped.length);
  return out;
}

test('splitInputs: consecutive groups, sizes differing by at most one', () => {
  assert.equal(splitInputs(['a', 'b', 'c', 'd', 'e'], 2), [['a', 'b', 'c'], ['d', 'e']]);
  assert.equal(splitInputs(['a', 'b'], 4), [['a'], ['b']]);
});

test('-j 2 and -j 3 give the sequential merge (content, and bytes but for UUID, dates and name)', async () => {
  const one = await merged('j1.root', {});
  const want = await summary(one);
  for (const j of [2, 3]) {
    const out = await merged(`j${j}.root`, { jobs: j });
    assert.equal(await summary(out), want, `-j ${j}`);
    const a = readFileSync(one), b = readFileSync(out);
    assert.is(b.length, a.length);
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
    assert.ok(differ < 64, `-j ${j}: ${differ} bytes differ`);
  }
  const s = want as Record<string, Record<string, Record<string, Json>>>;
  assert.equal(Number(s.trees!['events;1']!.entries), 3 * (500 + 600 + 700));
  assert.equal(readdirSync(dir).filter((f) => f.includes('heppy-j')), []);
});

test('-j 2 with recompression equals -j 1 with recompression', async () => {
  const opts: MergeOptions = { compression: { algorithm: 'zstd', level: 5 }, recompress: true };
  const a = await summary(await merged('rz1.root', opts));
  const b = await summary(await merged('rz2.root', { ...opts, jobs: 2 }));
  assert.equal(b, a);
  const branches = ((a as Record<string, Record<string, Record<string, Json>>>).trees!['events;1']!.branches as Record<string, Record<string, Json>>);
  assert.equal(Object.keys(branches.x!.basket_compression as Record<string, Json>), ['zstd']);
});

test('-j 2 -k skips an unreadable input, like -j 1', async () => {
  const bad = join(dir, 'bad.root');
  writeFileSync(bad, 'not a ROOT file at all, just text padding the header out to 64 bytes......');
  const ins = [...inputs.slice(0, 4), bad, ...inputs.slice(4)];
  const warnings: string[] = [];
  const out = join(dir, 'k2.root');
  const r = await mergeRootFiles(out, ins, { force: true, jobs: 2, skipUnreadable: true, onWarning: (m) => warnings.push(m) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  assert.equal(r.value.skipped, [bad]);
  assert.ok(warnings.some((w) => w.includes(bad)), warnings.join('\n'));
  assert.equal(await summary(out), await summary(join(dir, 'j1.root')));
  const strict = await mergeRootFiles(join(dir, 'k3.root'), ins, { jobs: 2 });
  assert.ok(!strict.ok && strict.error.file === bad, JSON.stringify(strict));
});

test('-j 2: a mismatch between groups names an input, and no partial file is left', async () => {
  const odd = join(dir, 'odd.root');
  await writeInput(odd, 100, 5, true);
  const odd2 = join(dir, 'odd2.root');
  copyFileSync(odd, odd2);
  // Groups [in0 in1 in2] and [odd odd2] each merge; their partial files do not.
  const ins = [...inputs.slice(0, 3), odd, odd2];
  const r = await mergeRootFiles(join(dir, 'bad-out.root'), ins, { jobs: 2 });
  assert.ok(!r.ok);
  if (!r.ok) {
    assert.ok(ins.includes(r.error.file ?? ''), JSON.stringify(r.error));
    assert.not.match(`${r.error.file ?? ''} ${r.error.reason}`, /heppy-j/);
    assert.match(`${r.error.object ?? ''} ${r.error.reason}`, /extra/);
  }
  assert.equal(readdirSync(dir).filter((f) => f.includes('heppy-j') || f.startsWith('bad-out')), []);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
