import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noteParkedPlace, parkedName, parkedRegistry, parkedUsage, parseParkedName, sweepParked } from '../../../src/cache/parked.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-parked-'));
const root = join(base, 'cache', 'outputs');

test('a parked name is <label>.<key>; parsed back at its last dot (labels may hold dots)', () => {
  assert.is(parkedName('A_Chunk0', 'abcdef01'), 'A_Chunk0.abcdef01');
  assert.equal(parseParkedName('hadd_ZZ.v2.abcdef01'), { label: 'hadd_ZZ.v2', key: 'abcdef01' });
  assert.is(parseParkedName('nodot'), null);
  assert.is(parseParkedName('.abcdef01'), null);
});

function place(name: string): { parked: string; trash: string } {
  return { parked: join(base, name, '.heppy', 'parked'), trash: join(base, name, '.heppy', 'trash') };
}

test('an Outdir\'s parked place is registered once; a second Outdir is added to the registry', () => {
  const a = place('OutA');
  noteParkedPlace(root, a);
  noteParkedPlace(root, a);
  noteParkedPlace(root, place('OutB'));
  const reg = JSON.parse(readFileSync(parkedRegistry(root), 'utf8')) as { places: unknown[] };
  assert.equal(reg.places, [a, place('OutB')]);
});

test('parkedUsage counts the parked directories and the bytes held nowhere else; sweepParked removes those whose key has no entry', () => {
  const a = place('OutA');
  const shared = join(base, 'entry-file');
  writeFileSync(shared, '12345');
  const d1 = join(a.parked, parkedName('A_Chunk0', 'aaaaaaaa'));
  const d2 = join(a.parked, parkedName('A_Chunk1', 'bbbbbbbb'));
  mkdirSync(join(d1, 'Sum_1'), { recursive: true });
  mkdirSync(d2, { recursive: true });
  linkSync(shared, join(d1, 'Sum_1', 'linked.txt')); // a link of an entry's file: no space of its own
  writeFileSync(join(d1, 'own.txt'), 'abc');
  writeFileSync(join(d2, 'own.txt'), 'abcdefg');
  writeFileSync(join(a.parked, 'not-a-parked-name'), 'x');
  assert.equal(parkedUsage(root), { dirs: 2, ownBytes: 3 + 7 });
  const swept = sweepParked(root, (k) => k === 'aaaaaaaa');
  assert.equal(swept, { removed: 1, freedBytes: 7 });
  assert.ok(existsSync(d1));
  assert.not.ok(existsSync(d2));
  assert.equal(readdirSync(a.trash), [], 'renamed into the trash, then removed');
  const reg = JSON.parse(readFileSync(parkedRegistry(root), 'utf8')) as { places: Array<{ parked: string }> };
  assert.equal(reg.places.map((p) => p.parked), [a.parked], 'OutB parks nothing: dropped from the registry');
  assert.equal(sweepParked(root, () => false), { removed: 1, freedBytes: 3 });
  assert.equal(parkedUsage(root), { dirs: 0, ownBytes: 0 });
});

test.run();
