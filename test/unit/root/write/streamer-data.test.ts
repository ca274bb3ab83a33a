import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { streamerRecords } from '../../../../src/root/write/streamer-data.js';
import { extractRecords } from '../../../../tools/extract-streamers.js';
import { repoRoot, sharedRootDir } from '../../../util/shared.js';

test('the records: one per class, ROOT checksums and class versions of the classes heppy writes', () => {
  assert.is(streamerRecords.length, 41);
  assert.is(new Set(streamerRecords.map((r) => r.name)).size, 41, 'no class twice');
  const by = new Map(streamerRecords.map((r) => [r.name, r]));
  assert.is(by.get('TObject')!.checksum, 2417737773);
  assert.is(by.get('TObject')!.classVersion, 1);
  assert.equal(by.get('TObject')!.elements.map((e) => e.cls), ['TStreamerBasicType', 'TStreamerBasicType']);
  assert.is(by.get('TArrayD')!.checksum, 1899622196);
  for (const name of ['TTree', 'TBranch', 'TLeafF', 'TH1D', 'TH2F', 'TBranchElement', 'TLeafElement', 'TObjString']) assert.ok(by.has(name), name);
  // Each piece is a TStreamerElement with its byte count (kByteCountMask) and nothing else.
  for (const r of streamerRecords) {
    for (const e of r.elements) {
      const b = Buffer.from(e.bytes, 'base64');
      assert.ok((b.readUInt32BE(0) & 0x40000000) !== 0, `${r.name}: ${e.cls} has a byte count`);
      assert.is((b.readUInt32BE(0) & ~0x40000000) + 4, b.length, `${r.name}: ${e.cls} is whole`);
    }
  }
});

test('npm run gen:streamers regenerates exactly the committed records from ../shared/data/root', () => {
  const dir = sharedRootDir();
  if (dir === null) return;
  // The arguments of package.json's gen:streamers, with ../shared/data/root where this test finds it.
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const args = pkg.scripts['gen:streamers']!.split(' -o src/root/write/streamer-data.ts ')[1]!.split(' ').map((a) => a.replace('../shared/data/root', dir));
  assert.is(args.length, 5);
  const records = extractRecords(args[0]!, args.slice(1));
  assert.equal(records, streamerRecords);
});

test.run();
