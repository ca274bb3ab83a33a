// hadd/copy-runs.ts: runs of an input copied to reserved places of an output on the thread pool,
// several at once. Every byte lands where its run says, each run patched before it is written;
// a patch that throws stops the copy with that error (after the runs in flight), a run past the
// end of the input is a RootError naming the input, a failed write one naming the output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRuns, LANES, type RunCopy } from '../../../../src/root/hadd/copy-runs.js';
import { RootError } from '../../../../src/root/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-copy-runs-'));
const inPath = join(dir, 'in.bin'), outPath = join(dir, 'out.bin');
const input = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
writeFileSync(inPath, input);

/** Runs of 1-40 kB over the input in a shuffled output order (so that lanes finish out of order). */
function someRuns(): RunCopy[] {
  const runs: RunCopy[] = [];
  for (let at = 0, k = 0; at < input.length; k++) { const len = Math.min(input.length - at, 1000 + ((k * 7919) % 40_000)); runs.push({ seek: at, len, to: 0 }); at += len; }
  const order = runs.map((_, i) => i).sort((a, b) => ((a * 31) % 17) - ((b * 31) % 17) || a - b);
  let to = 100;
  for (const i of order) { runs[i]!.to = to; to += runs[i]!.len; }
  return runs;
}

async function withFds<T>(f: (src: { fd: number; path: string }, out: { fd: number; path: string }) => Promise<T>, outFlags = 'w'): Promise<T> {
  const s = openSync(inPath, 'r'), o = openSync(outPath, outFlags);
  try { return await f({ fd: s, path: inPath }, { fd: o, path: outPath }); } finally { closeSync(s); closeSync(o); }
}

test('every run lands at its place, patched first; the first byte of each run marked by the patch', async () => {
  const runs = someRuns();
  assert.ok(runs.length > LANES * 3, `${runs.length} runs`);
  const patched: number[] = [];
  await withFds((src, out) => copyRuns(src, out, runs, (buf, i) => { patched.push(i); buf[0] = 0xee; }, 4096));
  const got = readFileSync(outPath);
  assert.is(got.length, 100 + input.length);
  assert.equal([...patched].sort((a, b) => a - b), runs.map((_, i) => i));
  for (const r of runs) {
    assert.is(got[r.to], 0xee, `run at ${r.seek}`);
    assert.ok(Buffer.compare(got.subarray(r.to + 1, r.to + r.len), input.subarray(r.seek + 1, r.seek + r.len)) === 0, `run at ${r.seek} → ${r.to}`);
  }
});

test('a patch that throws stops the copy with its error once the runs in flight are done', async () => {
  const runs = someRuns();
  const patched: number[] = [];
  const err = await withFds((src, out) => copyRuns(src, out, runs, (_, i) => { patched.push(i); if (i === 4) throw new RootError(inPath, 'events/x', 'basket 4: key says 12 bytes, branch says 40'); }, 4096))
    .then(() => null, (e: unknown) => e);
  assert.instance(err, RootError);
  assert.is((err as RootError).object, 'events/x');
  // No run starts after the failure: at most the ones already in flight (one per other lane) are patched after it.
  assert.ok(patched.length <= 5 + LANES - 1, `${patched.length} runs patched`);
});

test('a run beyond the end of the input is a RootError naming the input', async () => {
  const runs: RunCopy[] = [{ seek: 0, len: 1000, to: 0 }, { seek: input.length - 10, len: 100, to: 1000 }];
  const err = await withFds((src, out) => copyRuns(src, out, runs, () => undefined, 4096)).then(() => null, (e: unknown) => e);
  assert.instance(err, RootError);
  assert.is((err as RootError).file, inPath);
  assert.match((err as RootError).reason, /short read at 300000/);
});

test('a write that fails is a RootError naming the output', async () => {
  const runs: RunCopy[] = [{ seek: 0, len: 1000, to: 0 }];
  // The output opened read-only: the write fails (EBADF).
  writeFileSync(outPath, '');
  const err = await withFds((src, out) => copyRuns(src, out, runs, () => undefined, 4096), 'r').then(() => null, (e: unknown) => e);
  assert.instance(err, RootError);
  assert.is((err as RootError).file, outPath);
  assert.match((err as RootError).reason, /write failed at byte 0/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
