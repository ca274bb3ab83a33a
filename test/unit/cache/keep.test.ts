import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKDATE_S, entryFile, FORMAT_MARK, objectPath, objectsRoot, readEntry, stampOf } from '../../../src/cache/entry.js';
import { buildEntry, ensureRoot, linkOrCopy, sealFraction } from '../../../src/cache/keep.js';
import { hashFileSized } from '../../../src/fingerprint/hash-file.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-keep-'));
const root = join(base, 'cache', 'outputs');
const objects = objectsRoot(root);
const KEY = '0123456789abcdef';

function node(dir: string, cut = 'all 10\n'): void {
  mkdirSync(join(dir, 'Sum_1'), { recursive: true });
  writeFileSync(join(dir, 'Sum_1', 'cutflow.txt'), cut);
  writeFileSync(join(dir, 'log.txt'), 'log\n');
  writeFileSync(join(dir, 'heppy-status.json'), '{}');
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 << 20, 7)); // past the one-read hash of small files
}

test('buildEntry: every file but the excluded ones hashed, backdated and hard-linked as its object; the entry one file, no directory of its own', async () => {
  const dir = join(base, 'A_Chunk0');
  node(dir);
  const stamped: string[] = [];
  const start = Date.now();
  const made = new Set<string>();
  const entry = await buildEntry(root, KEY, dir, { kind: 'chunk', node: 'A_Chunk0', marker: { status: 'ok' }, exclude: ['heppy-status.json'],
    onStamped: (rel, ns) => stamped.push(`${rel}@${ns}`) }, made);
  assert.is(entry.version, 2);
  assert.equal(entry.files.map((f) => f.path), ['Sum_1/cutflow.txt', 'big.bin', 'log.txt'], 'walked in sorted order, the marker left out');
  assert.equal(readdirSync(join(root, KEY.slice(0, 2))), [`${KEY}.json`], 'one file; no tmp file left');
  assert.equal(readdirSync(root).sort(), [FORMAT_MARK, KEY.slice(0, 2)], 'a root made by this version is marked');
  assert.is(entry.bytes, 7 + (3 << 20) + 4);
  for (const f of entry.files) {
    const src = statSync(join(dir, f.path), { bigint: true });
    const obj = objectPath(objects, f.obj!);
    assert.is(obj, join(objects, `${f.hash}-${f.size}-${src.ino}`));
    const kept = statSync(obj, { bigint: true });
    assert.is(kept.ino, src.ino, `${f.path}: a hard link, not a copy`);
    assert.is(f.hash, (await hashFileSized(join(dir, f.path))).hash);
    assert.is(f.ino, String(kept.ino));
    assert.is(f.mtimeNs, String(kept.mtimeNs));
    assert.ok(stamped.includes(`${f.path}@${f.mtimeNs}`), 'the node file\'s new stamp told');
    assert.is(Number(kept.mtimeNs / 1_000_000_000n), Math.floor(start / 1000) - BACKDATE_S, `${f.path}: backdated to the whole second ${BACKDATE_S} s before the keep`);
  }
  assert.equal(readEntry(root, KEY), entry);
  assert.ok(entry.verifiedAt !== undefined && entry.verifiedAt >= start);
  assert.ok(made.has(root) && made.has(join(root, KEY.slice(0, 2))));
});

test('equal bytes in two nodes are two objects (each node keeps its own inodes); the same inode kept under another key is the same object', async () => {
  const a = join(base, 'A_Chunk0');
  const cut = readEntry(root, KEY)!.files[0]!;
  const b = join(base, 'B_Chunk0');
  node(b, 'all 10\n'); // the same cut flow as A
  const KB = 'fedcba9876543210';
  const e = await buildEntry(root, KB, b, { kind: 'chunk', node: 'B_Chunk0', marker: null, exclude: ['heppy-status.json'] }, new Set());
  assert.is(e.files[0]!.hash, cut.hash);
  assert.is.not(e.files[0]!.obj, cut.obj);
  assert.is(statSync(objectPath(objects, e.files[0]!.obj!)).ino, statSync(join(b, 'Sum_1', 'cutflow.txt')).ino);
  assert.is(statSync(objectPath(objects, cut.obj!)).ino, statSync(join(a, 'Sum_1', 'cutflow.txt')).ino);
  // A's directory kept again under another key (its inodes already objects): linked to, no new object.
  const before = readdirSync(objects).length;
  const again = await buildEntry(root, 'aaaaaaaaaaaaaaa1', a, { kind: 'chunk', node: 'A_Chunk0', marker: null, exclude: ['heppy-status.json'] }, new Set());
  assert.is(again.files[0]!.obj, cut.obj);
  assert.is(readdirSync(objects).length, before);
  assert.is(statSync(objectPath(objects, cut.obj!)).nlink, 2, 'the object and A\'s file');
});

test('an object name taken by another file (another filesystem\'s inode number) is replaced by the node\'s file, renamed over it', async () => {
  const c = join(base, 'C_Chunk0');
  node(c);
  const ino = String(statSync(join(c, 'log.txt')).ino);
  const hash = (await hashFileSized(join(c, 'log.txt'))).hash;
  const obj = objectPath(objects, `${hash}-4-${ino}`);
  mkdirSync(objects, { recursive: true });
  writeFileSync(obj, 'LOG\n');
  const e = await buildEntry(root, 'aaaabbbbccccdddd', c, { kind: 'chunk', node: 'C_Chunk0', marker: null, exclude: [], files: ['log.txt'] }, new Set());
  assert.is(e.files[0]!.obj, `${hash}-4-${ino}`);
  assert.is(readFileSync(obj, 'utf8'), 'log\n');
  assert.is(String(statSync(obj).ino), ino);
  assert.equal(readdirSync(objects).filter((n) => n.includes('.tmp.')), []);
});

test('a second keep of the same key replaces the entry file by an equal one, atomically', async () => {
  const dir = join(base, 'A_Chunk0');
  const e = await buildEntry(root, KEY, dir, { kind: 'chunk', node: 'A_Chunk0', marker: null, exclude: [], files: ['log.txt'] }, new Set());
  assert.equal(readEntry(root, KEY), e);
  assert.equal(readdirSync(join(root, KEY.slice(0, 2))).filter((n) => n.startsWith(KEY)), [`${KEY}.json`]);
  assert.ok(existsSync(entryFile(root, KEY)));
});

test('a node kept again within the same second (a run again at once) gets other mtimes: its result digest cannot equal the old run\'s', async () => {
  const mtimes = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const dir = join(base, `again${i}`);
    node(dir);
    const e = await buildEntry(root, `ab${i}cdef0123456789`.slice(0, 16), dir, { kind: 'chunk', node: 'B_Chunk1', marker: null, exclude: ['heppy-status.json'] }, new Set());
    const cut = statSync(join(dir, 'Sum_1', 'cutflow.txt'), { bigint: true });
    assert.is(e.files.find((f) => f.path === 'Sum_1/cutflow.txt')!.mtimeNs, String(cut.mtimeNs));
    mtimes.add(String(cut.mtimeNs));
  }
  assert.is(mtimes.size, 5, [...mtimes].join(' '));
  for (let i = 0; i < 1000; i++) {
    const f = sealFraction();
    assert.ok(f > 0 && f < 1 && Number.isInteger(Math.round(f * 1e6)), String(f));
  }
});

test('ensureRoot: a root that was there already (an earlier version\'s cache) is not marked', () => {
  const old = join(base, 'old', 'outputs');
  mkdirSync(old, { recursive: true });
  ensureRoot(old, new Set());
  assert.not.ok(existsSync(join(old, FORMAT_MARK)));
  const t = new Date(Date.now() - 5000);
  utimesSync(old, t, t);
});

test('linkOrCopy links on one filesystem (true), and refuses nothing it can copy', () => {
  const src = join(base, 'src.txt');
  writeFileSync(src, 'content');
  assert.ok(linkOrCopy(src, join(base, 'dst.txt')));
  assert.is(stampOf(join(base, 'dst.txt')).ino, stampOf(src).ino);
  assert.throws(() => linkOrCopy(join(base, 'missing'), join(base, 'dst2.txt')), /ENOENT/);
});

test.run();
