// Read-ahead of basket keys: the bytes handed out are those of each basket, whatever the
// order of asking; out-of-file or overlapping refs are left to the caller. Over a network the
// runs are pipelined: a small first run, the next ones requested before the first arrives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { readAt } from '../../../../src/root/read/basket.js';
import { ReadAhead, readAheadSettings, readAheadStats } from '../../../../src/root/read/readahead.js';
import { LocalSource } from '../../../../src/io/local.js';
import type { BasketRef } from '../../../../src/root/read/branches.js';
import { sharedRootDir } from '../../../util/shared.js';

/**
 * A remote source whose replies arrive only while the event loop turns, as a socket's do: each
 * turn delivers at most WINDOW bytes (what the kernel's buffers hold), whoever asked.
 */
function socketLikeSource(size: number, WINDOW: number): { name: string; size: number; remote: true; read(pos: number, len: number): Promise<Uint8Array>; readv(r: readonly { pos: number; len: number }[]): Promise<Uint8Array[]>; close(): Promise<void> } {
  const queue: { need: number; got: number; done(): void }[] = [];
  let scheduled = false;
  const turn = (): void => {
    scheduled = false;
    let budget = WINDOW;
    while (queue.length > 0 && budget > 0) {
      const q = queue[0]!;
      const k = Math.min(budget, q.need - q.got);
      q.got += k; budget -= k;
      if (q.got === q.need) { queue.shift(); q.done(); }
    }
    if (queue.length > 0) { scheduled = true; setImmediate(turn); }
  };
  const bytesOf = (pos: number, len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (pos + i) % 251);
  const readv = (r: readonly { pos: number; len: number }[]): Promise<Uint8Array[]> => new Promise((resolve) => {
    queue.push({ need: r.reduce((a, x) => a + x.len, 0), got: 0, done: () => resolve(r.map((x) => bytesOf(x.pos, x.len))) });
    if (!scheduled) { scheduled = true; setImmediate(turn); }
  });
  return { name: 'root://test//f.root', size, remote: true, read: async (pos, len) => (await readv([{ pos, len }]))[0]!, readv, close: async () => undefined };
}

test('remote: replies of runs in flight are read while the reader decodes (it yields to the event loop)', async () => {
  const BASKET = 64 << 10, N = 40;
  const refs: BasketRef[] = Array.from({ length: N }, (_, i) => ({ index: i, entryStart: i, entryStop: i + 1, seek: 100 + i * BASKET, bytes: BASKET, embedded: null }));
  const waitsWith = async (yieldMs: number): Promise<number> => {
    readAheadSettings.yieldMs = yieldMs;
    const source = socketLikeSource(100 + N * BASKET + 100, 256 << 10);
    const ahead = new ReadAhead({ source, size: source.size, path: source.name }, refs);
    const w0 = readAheadStats.waits;
    for (const r of refs) {
      const got = await ahead.take(r);
      assert.ok(got !== null && got.length === BASKET && got[0] === r.seek % 251, `basket at ${r.seek}`);
      const until = performance.now() + 0.3; // decoding the basket: no await, as a decoder of bytes in hand
      while (performance.now() < until) { /* busy */ }
    }
    return readAheadStats.waits - w0;
  };
  try {
    // Beyond the first run (which take() reads itself), no basket is waited for: the later runs
    // arrive while the earlier baskets are decoded.
    assert.is(await waitsWith(0.5), 0);
    // Never yielding, each later run crosses only once the reader has run dry and waits for it.
    const dry = await waitsWith(Infinity);
    assert.ok(dry >= 3, `${dry} waits without yielding`);
  } finally {
    readAheadSettings.yieldMs = 0.5;
  }
});

const dir = sharedRootDir();

if (dir !== null) {
  const path = join(dir, 'uproot-HZZ.root');

  test('every basket of HZZ read through one read-ahead equals its own read', async () => {
    const f = await openRootFile(path);
    const t = await f.tree('events');
    const refs = t.branches.flatMap((b) => t.plan(b.name).baskets);
    f.close();
    const fd = openSync(path, 'r');
    const h = { fd, size: fstatSync(fd).size, path };
    try {
      const ahead = new ReadAhead(h, refs);
      const order = [...refs].reverse(); // not the file order: later baskets first
      let shared = 0;
      for (const r of order) {
        const got = await ahead.take(r);
        if (got === null) continue;
        shared++;
        assert.equal(got, await readAt(h, r.seek, r.bytes), `basket at ${r.seek}`);
      }
      assert.ok(shared >= refs.length - 1, `${shared} of ${refs.length} baskets came from shared reads`);
      const bogus: BasketRef[] = [
        { index: 0, entryStart: 0, entryStop: 1, seek: h.size - 10, bytes: 100, embedded: null },
        { index: 1, entryStart: 1, entryStop: 2, seek: refs[0]!.seek + 1, bytes: refs[0]!.bytes, embedded: null },
      ];
      const a2 = new ReadAhead(h, [refs[0]!, ...bogus]);
      assert.is(await a2.take(bogus[0]!), null, 'beyond the end of the file: the caller reads it and reports');
      assert.is(await a2.take(bogus[1]!), null, 'overlapping another basket: read alone');
    } finally {
      closeSync(fd);
    }
  });

  test('through a source that counts its vector reads: every basket right, few reads', async () => {
    const f = await openRootFile(path);
    const t = await f.tree('events');
    const refs = t.branches.flatMap((b) => t.plan(b.name).baskets);
    f.close();
    const local = LocalSource.open(path);
    let readvs = 0, reads = 0;
    // Seen as remote: no gap limit, next run fetched while the current one is used.
    const source = {
      name: path, size: local.size, remote: true,
      read: (pos: number, len: number) => { reads++; return local.read(pos, len); },
      readv: (r: readonly { pos: number; len: number }[]) => { readvs++; return local.readv(r); },
      close: () => local.close(),
    };
    const h = { source, size: local.size, path };
    const ahead = new ReadAhead(h, refs);
    for (const r of refs) {
      const got = await ahead.take(r);
      assert.ok(got !== null);
      assert.equal(got, local.readSync(r.seek, r.bytes), `basket at ${r.seek}`);
    }
    assert.is(reads, 0);
    // A run starts at the basket asked for: those before it in the file make a second read.
    assert.ok(readvs >= 1 && readvs <= 2, `${refs.length} baskets of HZZ (< 8 MB) in ${readvs} vector reads`);
    await local.close();
  });

  test('remote: a 128 kB first run, doubling runs requested back to back within the 16 MB window', async () => {
    const big = join(dir, 'uproot-issue412.root');
    const f = await openRootFile(big);
    const t = await f.tree('test');
    const refs = t.branches.flatMap((b) => t.plan(b.name).baskets).filter((r) => r.embedded === null);
    f.close();
    const local = LocalSource.open(big);
    const sizes: number[] = [];
    let inFlight = 0, maxInFlight = 0, firstDone = -1;
    const source = {
      name: big, size: local.size, remote: true,
      read: (pos: number, len: number) => local.read(pos, len),
      readv: async (r: readonly { pos: number; len: number }[]) => {
        sizes.push(r.reduce((a, x) => a + x.len, 0));
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((res) => setTimeout(res, 5)); // a network's latency
        inFlight--;
        if (firstDone < 0) firstDone = sizes.length;
        return local.readv(r);
      },
      close: () => local.close(),
    };
    const sorted = [...refs].sort((a, b) => a.seek - b.seek);
    const ahead = new ReadAhead({ source, size: local.size, path: big }, sorted);
    for (const r of sorted) assert.equal(await ahead.take(r), local.readSync(r.seek, r.bytes), `basket at ${r.seek}`);
    const total = sorted.reduce((a, r) => a + r.bytes, 0);
    assert.ok(total > 1.5 * 2 ** 20, `${total} bytes of baskets`);
    assert.is(sizes.reduce((a, b) => a + b, 0), total, 'every basket read once');
    assert.ok(sizes[0]! <= 128 * 1024 && sizes[1]! <= 256 * 1024 && sizes[1]! > 128 * 1024 && sizes[2]! > 256 * 1024, `run sizes ${sizes.join(', ')}`);
    assert.ok(sizes.length >= 3, `${sizes.length} runs`);
    assert.is(firstDone, sizes.length, 'every run was requested before the first one arrived');
    assert.is(maxInFlight, sizes.length);
    await local.close();
  });
}

test.run();
