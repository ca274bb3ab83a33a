// `heppy root inspect` on RNTuple files: an `rntuples` section shaped like
// ../shared/data/root/rntuple/summaries/*.json (--json), and a text table; a damaged RNTuple
// is one line naming the file and the RNTuple, exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedRootDir } from '../../../util/shared.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';

const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const shared = sharedRootDir();
if (shared !== null) {
  const dir = join(shared, 'rntuple');
  test('inspect --json: the rntuples section equals the reference summary (staff: strings, ints)', () => {
    const r = heppy(['root', 'inspect', '--json', join(dir, 'ntpl001_staff_rntuple_v1-0-0-0.root')]);
    assert.is(r.code, 0, r.err);
    const got = JSON.parse(r.out) as { rntuples: unknown; keys: { name: string; class: string }[] };
    const want = JSON.parse(readFileSync(join(dir, 'summaries', 'ntpl001_staff_rntuple_v1-0-0-0.json'), 'utf8')) as { rntuples: unknown };
    assert.equal(got.rntuples, want.rntuples);
    assert.equal(got.keys, [{ name: 'Staff;1', class: 'ROOT::RNTuple' }]);
  });

  test('inspect text: fields with count/sum/min/max and projected fields with their sources', () => {
    const r = heppy(['root', 'inspect', join(dir, 'Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root')]);
    assert.is(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.ok(lines.includes('rntuple Events: 1000 entries, 6 fields'), r.out);
    assert.ok(lines.some((l) => /^\s+_collection0\s+\(untyped\)\s+1000\s+2372\s+0\s+13$/.test(l)), r.out);
    assert.ok(lines.some((l) => /^\s+nMuon\s+ROOT::RNTupleCardinality<std::uint32_t>\s+projected\s+from _collection0$/.test(l)), r.out);
  });

  test('inspect: a damaged page is its field\'s error; the other fields are summarised, exit 0', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'heppy-rntuple-inspect-'));
    try {
      const src = join(dir, 'test_1jag_int_float_rntuple_v1-0-0-0.root');
      const f = await openRootFile(src);
      const r = await RNTupleReader.open(f, 'ntuple');
      const idx = r.descriptor.fields.find((x) => x.path === 'one_v_integers')!.columns[0]!;
      const page = r.descriptor.clusters[0]!.columns[idx]!.pages[0]!.locator;
      f.close();
      const bytes = Buffer.from(readFileSync(src));
      bytes[page.offset + 1] ^= 0xff;
      const p = join(tmp, 'page.root');
      writeFileSync(p, bytes);
      const res = heppy(['root', 'inspect', '--json', p]);
      assert.is(res.code, 0, res.err);
      const fields = (JSON.parse(res.out) as { rntuples: { ntuple: { fields: Record<string, { error?: string; sum?: number }> } } }).rntuples.ntuple.fields;
      assert.match(fields.one_v_integers!.error ?? '', /checksum mismatch/);
      // ROOT stored the two (identical) index pages once: both collections lose their sizes.
      assert.match(fields.two_v_floats!.error ?? '', /checksum mismatch/);
      assert.is(fields['one_v_integers._0']!.sum, 23550);
      assert.ok(Math.abs(fields['two_v_floats._0']!.sum! - 2355.0000007003546) < 1e-9);
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });

  test('inspect: a damaged RNTuple header is one line, exit 2', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'heppy-rntuple-inspect-'));
    try {
      const bytes = Buffer.from(readFileSync(join(dir, 'test_1jag_int_float_rntuple_v1-0-0-0.root')));
      bytes[312 + 30] ^= 0x55; // inside the header envelope (anchor: seekHeader 312)
      const p = join(tmp, 'bad.root');
      writeFileSync(p, bytes);
      const r = heppy(['root', 'inspect', p]);
      assert.is(r.code, 2);
      assert.is(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, /bad\.root: ntuple: /);
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });
}

test.run();
