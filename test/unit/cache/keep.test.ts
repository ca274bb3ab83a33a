import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKDATE_S, entryDir, ENTRY, readEntry, stampOf } from '../../../src/cache/entry.js';
import { buildEntry, dropTmp, linkOrCopy } from '../../../src/cache/keep.js';
import { hashFileSized } from '../../../src/fingerprint/hash-file.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-keep-'));
const root = join(base, 'outputs');
const KEY = '0123456789abcdef';

function node(dir: string): void {
  mkdirSync(join(dir, 'Sum_1'), { recursive: true });
  writeFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'all 10\n');
  writeFileSync(join(dir, 'log.txt'), 'log\n');
  writeFileSync(join(dir, 'heppy-status.json'), '{}');
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 << 20, 7)); // past the one-read hash of small files
}

test('buildEntry links every file but the excluded ones flat into the entry, hashed, backdated and stamped, entry.json last', async () => {
  const dir = join(base, 'A_Chunk0');
  node(dir);
  const linked: string[] = [];
  const start = Date.now();
  const made = new Set<string>();
  const { entry, moved } = await buildEntry(root, KEY, dir, { kind: 'chunk', node: 'A_Chunk0', marker: { status: 'ok' }, exclude: ['heppy-status.json'],
    onLinked: (rel) => linked.push(rel) }, join(root, '.tmp', 'k1'), made, () => false);
  assert.ok(moved);
  const at = entryDir(root, KEY);
  assert.equal(entry.files.map((f) => f.path), ['Sum_1/cutflow.txt', 'big.bin', 'log.txt'], 'walked in sorted order, the marker left out');
  assert.equal(linked, ['Sum_1/cutflow.txt', 'big.bin', 'log.txt']);
  assert.equal(readdirSync(at).sort(), ['0', '1', '2', ENTRY]);
  assert.is(entry.bytes, 7 + (3 << 20) + 4);
  for (const [i, f] of entry.files.entries()) {
    const src = statSync(join(dir, f.path), { bigint: true });
    const kept = statSync(join(at, String(i)), { bigint: true });
    assert.is(kept.ino, src.ino, `${f.path}: a hard link, not a copy`);
    assert.is(f.hash, (await hashFileSized(join(dir, f.path))).hash);
    assert.is(f.ino, String(kept.ino));
    assert.is(f.mtimeNs, String(kept.mtimeNs));
    assert.is(Number(kept.mtimeNs / 1_000_000_000n), Math.floor(start / 1000) - BACKDATE_S, `${f.path}: backdated to the whole second ${BACKDATE_S} s before the keep`);
  }
  assert.equal(readEntry(at, KEY), entry);
  assert.ok(entry.verifiedAt !== undefined && entry.verifiedAt >= start);
  assert.equal(readdirSync(join(root, '.tmp')), [], 'the tmp dir was renamed into place');
  assert.ok(made.has(join(root, '.tmp')) && made.has(join(root, KEY.slice(0, 2))));
});

test('a second keep of the same key finds the first in place: not moved, the first entry kept', async () => {
  const dir = join(base, 'A_Chunk0');
  const first = readFileSync(join(entryDir(root, KEY), ENTRY), 'utf8');
  const tmp = join(root, '.tmp', 'k2');
  const r = await buildEntry(root, KEY, dir, { kind: 'chunk', node: 'A_Chunk0', marker: null, exclude: [], files: ['log.txt'] }, tmp, new Set(), () => true);
  assert.not.ok(r.moved);
  assert.is(readFileSync(join(entryDir(root, KEY), ENTRY), 'utf8'), first);
  assert.ok(existsSync(tmp), 'left for the caller to drop');
  dropTmp(tmp);
  assert.not.ok(existsSync(tmp));
});

test('linkOrCopy links on one filesystem (true), and refuses nothing it can copy', () => {
  const src = join(base, 'src.txt');
  writeFileSync(src, 'content');
  assert.ok(linkOrCopy(src, join(base, 'dst.txt')));
  assert.is(stampOf(join(base, 'dst.txt')).ino, stampOf(src).ino);
  assert.throws(() => linkOrCopy(join(base, 'missing'), join(base, 'dst2.txt')), /ENOENT/);
});

test.run();
