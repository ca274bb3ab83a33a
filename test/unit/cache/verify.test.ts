import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectPath, objectsRoot, stampOf, type CacheEntry, type FileStamp } from '../../../src/cache/entry.js';
import { buildEntry } from '../../../src/cache/keep.js';
import { checkEntry, holdsInodes, holdsOnly, linkEntryInto, parkedStampsHold } from '../../../src/cache/verify.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-verify-'));
const root = join(base, 'outputs');
const objects = objectsRoot(root);
let n = 0;

/** A node directory kept under a new key (contents of its own): its entry and its objects' paths. */
async function kept(): Promise<{ e: CacheEntry; obj: string[]; nodeDir: string }> {
  const key = `${(++n).toString(16).padStart(8, '0')}aaaaaaaa`;
  const nodeDir = join(base, `N_Chunk${n}`);
  mkdirSync(join(nodeDir, 'Sum_1'), { recursive: true });
  writeFileSync(join(nodeDir, 'Sum_1', 'cutflow.txt'), `all ${n}0\n`);
  writeFileSync(join(nodeDir, 'log.txt'), `log ${n}\n`);
  const entry = await buildEntry(root, key, nodeDir, { kind: 'chunk', node: `N_Chunk${n}`, marker: null, exclude: [] }, new Set());
  return { e: entry, obj: entry.files.map((f) => objectPath(objects, f.obj!)), nodeDir };
}

test('checkEntry: an intact entry is ok(null) (no file hashed: the keep\'s stamps hold) and gives each file\'s stamp', async () => {
  const { e, obj } = await kept();
  const stamps: FileStamp[] = [];
  let hashed = 0;
  const r = await checkEntry(e, root, stamps, () => hashed++);
  assert.ok(r.ok && r.value === null);
  assert.is(hashed, 0);
  assert.equal(stamps, [stampOf(obj[0]!), stampOf(obj[1]!)]);
});

test('checkEntry: a touched file is hashed, and when its content is the same, the entry comes back with fresh stamps', async () => {
  const { e, obj } = await kept();
  const later = new Date(Date.now() - 5000);
  utimesSync(obj[1]!, later, later);
  let hashed = 0;
  const r = await checkEntry(e, root, undefined, () => hashed++);
  assert.ok(r.ok && r.value !== null);
  assert.is(hashed, 1);
  if (r.ok && r.value) {
    assert.is(r.value.files[1]!.mtimeNs, stampOf(obj[1]!).mtimeNs);
    assert.is(r.value.files[0], e.files[0], 'the untouched file as recorded');
  }
});

test('checkEntry names the damaged file and why: content changed, size changed, missing', async () => {
  const a = await kept();
  rmSync(a.obj[0]!);
  writeFileSync(a.obj[0]!, `all 9${n}\n`.slice(0, a.e.files[0]!.size)); // same size
  let r = await checkEntry(a.e, root);
  assert.ok(!r.ok && r.error.file === a.obj[0]! && /content changed/.test(r.error.reason) && r.error.object === a.e.node);
  const b = await kept();
  rmSync(b.obj[1]!);
  writeFileSync(b.obj[1]!, 'longer log\n');
  r = await checkEntry(b.e, root);
  assert.ok(!r.ok && /size changed/.test(r.error.reason));
  const c = await kept();
  rmSync(c.obj[1]!);
  r = await checkEntry(c.e, root);
  assert.ok(!r.ok && /missing/.test(r.error.reason) && r.error.file === c.obj[1]!);
});

test('linkEntryInto links each file to its path in the existing target (subdirectories made) as the stored inode', async () => {
  const { e, obj } = await kept();
  const target = join(base, 'restored'); // a restore's tmp dir: made by the caller
  mkdirSync(target);
  assert.ok(linkEntryInto(e, root, target));
  assert.is(readFileSync(join(target, 'Sum_1', 'cutflow.txt'), 'utf8'), `all ${n}0\n`);
  assert.is(statSync(join(target, 'log.txt')).ino, statSync(obj[1]!).ino);
});

test('parkedStampsHold and holdsInodes: the node directory holds the entry\'s very inodes, unchanged', async () => {
  const { e, obj, nodeDir } = await kept();
  const dev = String(statSync(root, { bigint: true }).dev);
  const stamps: FileStamp[] = [];
  assert.ok(parkedStampsHold(e, nodeDir, dev, stamps), 'the kept node directory: same inodes (linked), stamps recorded');
  assert.is(stamps.length, 2);
  assert.not.ok(parkedStampsHold(e, nodeDir, 'another-device', []));
  const found = [stampOf(obj[0]!), stampOf(obj[1]!)];
  assert.ok(holdsInodes(e, nodeDir, found));
  // The log replaced by a file of the same content: another inode.
  rmSync(join(nodeDir, 'log.txt'));
  writeFileSync(join(nodeDir, 'log.txt'), 'log\n');
  assert.not.ok(parkedStampsHold(e, nodeDir, dev, []));
  assert.not.ok(holdsInodes(e, nodeDir, found));
  rmSync(join(nodeDir, 'log.txt'));
  linkSync(obj[1]!, join(nodeDir, 'log.txt'));
  assert.ok(holdsInodes(e, nodeDir, found), 'the entry\'s inode again');
});

test('holdsOnly: exactly the listed files, plus the extra names at the top only', () => {
  const d = join(base, 'only');
  mkdirSync(join(d, 'Sum_1'), { recursive: true });
  writeFileSync(join(d, 'Sum_1', 'a.txt'), 'a');
  writeFileSync(join(d, 'log.txt'), 'l');
  writeFileSync(join(d, 'chunk.json'), '{}');
  const extra = new Set(['chunk.json', 'heppy-status.json']);
  assert.ok(holdsOnly(d, ['Sum_1/a.txt', 'log.txt'], extra));
  assert.not.ok(holdsOnly(d, ['Sum_1/a.txt', 'log.txt', 'missing.txt'], extra), 'a listed file missing');
  writeFileSync(join(d, 'Sum_1', 'chunk.json'), '{}');
  assert.not.ok(holdsOnly(d, ['Sum_1/a.txt', 'log.txt'], extra), 'an extra name below the top');
  rmSync(join(d, 'Sum_1', 'chunk.json'));
  mkdirSync(join(d, 'Empty_1'));
  assert.not.ok(holdsOnly(d, ['Sum_1/a.txt', 'log.txt'], extra), 'a directory holding none of them');
  rmSync(join(d, 'Empty_1'), { recursive: true });
  writeFileSync(join(d, 'other.root'), 'x');
  assert.not.ok(holdsOnly(d, ['Sum_1/a.txt', 'log.txt'], extra), 'another file');
});

test.run();
