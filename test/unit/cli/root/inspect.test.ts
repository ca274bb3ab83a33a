// `heppy root inspect` through the CLI: text, --json shaped like the summaries, bad files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedRootDir } from '../../../util/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'heppy-inspect-'));
const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const dir = sharedRootDir();
if (dir !== null) {
  const d = dir;
  test('text: tree branches with count/sum/min/max, exit 0', () => {
    const r = heppy(['root', 'inspect', join(d, 'uproot-simple.root')]);
    assert.is(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.ok(lines.includes('tree tree;1: 4 entries, 3 branches'), r.out);
    assert.ok(lines.some((l) => /^\s+one\s+int32_t\s+scalar\s+4\s+10\s+1\s+4$/.test(l)), r.out);
  });

  test('--json: exact 64-bit sums and histogram sums, as in the summaries', () => {
    const r = heppy(['root', 'inspect', '--json', join(d, 'written-by-uproot', 'uproot4-int64-edge.root')]);
    assert.is(r.code, 0, r.err);
    // 2^64-scale sums must be printed exactly, not rounded through a double.
    assert.match(r.out, /"sum": 27679123320556486726,/);
    assert.match(r.out, /"sum": -6442450951,/);
    assert.match(r.out, /"min": -9223372036854775808,/);
    const h = heppy(['root', 'inspect', '--json', join(d, 'written-by-uproot', 'uproot4-flat-zlib.root')]);
    assert.is(h.code, 0, h.err);
    const doc = JSON.parse(h.out) as { histograms: Record<string, { fEntries: number; fArray_sum: number; nbins: number[] }>; trees: Record<string, { entries: number }> };
    assert.is(doc.trees['events;1']!.entries, 10000);
    assert.is(doc.histograms['sub/h1d;1']!.fEntries, 5019);
    assert.equal(doc.histograms['h2d;1']!.nbins, [20, 10]);
    assert.is(doc.histograms['h1d;1']!.fArray_sum, 10000);
  });

  test('truncated file: one line naming the file, exit 2', () => {
    const p = join(tmp, 'cut.root');
    copyFileSync(join(d, 'uproot-HZZ.root'), p);
    truncateSync(p, statSync(p).size - 5000);
    const r = heppy(['root', 'inspect', p]);
    assert.is(r.code, 2);
    assert.is(r.out, '');
    assert.is(r.err.trim().split('\n').length, 1, r.err);
    assert.ok(r.err.includes('cut.root'), r.err);
  });
}

test('not a ROOT file / missing file: one line, exit 2', () => {
  const p = join(tmp, 'text.root');
  writeFileSync(p, 'hello world, this is not a ROOT file at all, just some text bytes\n');
  const r = heppy(['root', 'inspect', p]);
  assert.is(r.code, 2);
  assert.is(r.err, `heppy: ${p}: not a ROOT file (no "root" magic)\n`);
  const m = heppy(['root', 'inspect', join(tmp, 'absent.root')]);
  assert.is(m.code, 2);
  assert.is(m.err, `heppy: ${join(tmp, 'absent.root')}: cannot open: ENOENT\n`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
