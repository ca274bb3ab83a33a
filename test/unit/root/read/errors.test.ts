// Damaged files: every failure is a RootError naming the file, the object (tree/branch,
// basket number) and the reason; never a silent short read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, openSync, readSync, rmSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RootError } from '../../../../src/root/errors.js';
import { sharedRootDir } from '../../../util/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'heppy-read-errors-'));

async function expectRootError(p: Promise<unknown>, re: RegExp): Promise<RootError> {
  try { await p; } catch (e) {
    assert.instance(e, RootError, String(e));
    assert.match((e as Error).message, re);
    return e as RootError;
  }
  assert.unreachable(`expected a RootError matching ${re}`);
  throw new Error("unreachable");
}

/** Where basket `i` of a branch starts in the file, and its key length. */
async function basketAt(path: string, tree: string, branch: string, i: number): Promise<{ seek: number; keylen: number }> {
  const f = await openRootFile(path);
  const t = await f.tree(tree);
  const ref = t.plan(branch).baskets[i]!;
  f.close();
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(16);
  readSync(fd, b, 0, 16, ref.seek);
  closeSync(fd);
  return { seek: ref.seek, keylen: b.readInt16BE(14) };
}

function poke(path: string, pos: number, bytes: number[]): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from(bytes), 0, bytes.length, pos);
  closeSync(fd);
}

const dir = sharedRootDir();
if (dir !== null) {
  const d = dir;
  test('unknown compression magic in a basket: names file, tree/branch, basket', async () => {
    const p = join(tmp, 'magic.root');
    copyFileSync(join(d, 'uproot-HZZ-zlib.root'), p);
    const { seek, keylen } = await basketAt(p, 'events', 'Jet_Py', 0);
    poke(p, seek + keylen, [0x51, 0x51]); // 'ZL' → 'QQ'
    const f = await openRootFile(p);
    const t = await f.tree('events');
    const e = await expectRootError(t.column('Jet_Py'), /magic\.root: events\/Jet_Py: basket 0 .*unknown compression magic "QQ"/);
    assert.is(e.object, 'events/Jet_Py');
    // Other branches still read.
    assert.is((await t.column('Jet_Px')).values.length, 2773);
    f.close();
  });

  test('corrupt compressed bytes: a RootError, not garbage values', async () => {
    const p = join(tmp, 'garbage.root');
    copyFileSync(join(d, 'uproot-HZZ-zlib.root'), p);
    const { seek, keylen } = await basketAt(p, 'events', 'Muon_E', 0);
    poke(p, seek + keylen + 9, Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff));
    const f = await openRootFile(p);
    const t = await f.tree('events');
    await expectRootError(t.column('Muon_E'), /garbage\.root: events\/Muon_E: basket 0 /);
    f.close();
  });

  test('LZ4 checksum catches a flipped byte', async () => {
    const p = join(tmp, 'lz4.root');
    copyFileSync(join(d, 'uproot-HZZ-lz4.root'), p);
    const f0 = await openRootFile(p);
    const t0 = await f0.tree('events');
    const plan = t0.plan('Jet_E');
    f0.close();
    const { seek, keylen } = await basketAt(p, 'events', 'Jet_E', 0);
    const fd = openSync(p, 'r'); const b = Buffer.alloc(1); readSync(fd, b, 0, 1, seek + keylen + 9 + 8 + 20); closeSync(fd);
    poke(p, seek + keylen + 9 + 8 + 20, [b[0]! ^ 0x10]);
    const f = await openRootFile(p);
    const t = await f.tree('events');
    assert.ok(plan.baskets.length >= 1);
    await expectRootError(t.column('Jet_E'), /events\/Jet_E: basket 0 .*checksum mismatch/);
    f.close();
  });

  test('impossible uncompressed length in a basket key: a RootError, no huge allocation', async () => {
    const p = join(tmp, 'objlen.root');
    copyFileSync(join(d, 'uproot-HZZ-zlib.root'), p);
    const { seek } = await basketAt(p, 'events', 'Jet_Pz', 0);
    poke(p, seek + 6, [0x7f, 0xff, 0xff, 0xff]); // fObjlen
    const f = await openRootFile(p);
    const t = await f.tree('events');
    await expectRootError(t.column('Jet_Pz'), /events\/Jet_Pz: basket 0 .*(impossible|cannot hold)/);
    f.close();
  });

  test('truncated file: refused when opened, naming the file', async () => {
    const p = join(tmp, 'cut.root');
    copyFileSync(join(d, 'uproot-issue412.root'), p);
    truncateSync(p, Math.floor(statSync(p).size / 2));
    await expectRootError(openRootFile(p), /cut\.root: .*(truncated|outside the file)/);
  });

  test('unsupported branch type is a RootError naming the branch', async () => {
    const f = await openRootFile(join(d, 'uproot-Zmumu.root'));
    const t = await f.tree('events');
    assert.equal(t.branches.find((b) => b.name === 'Type'), { name: 'Type', type: null, shape: 'other', typename: 'char*', strings: 'scalar' });
    await expectRootError(f.tree('nope'), /uproot-Zmumu\.root: nope: no such key/);
    f.close();
    const fl = await openRootFile(join(d, 'uproot-leaflist.root'));
    await expectRootError((await fl.tree('tree')).column('leaflist'), /tree\/leaflist: unsupported branch type: struct .* is not a numeric column/);
    fl.close();
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
