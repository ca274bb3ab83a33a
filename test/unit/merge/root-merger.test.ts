import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mergeInGroups, type RootMerger } from '../../../src/merge/root-merger.js';
import { fail, ok } from '../../../src/util/result.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-groups-'));
const calls: string[][] = [];
// Concatenates its inputs' text: the order of the final file shows the order of the entries.
const concat: RootMerger = async (out, inputs) => {
  calls.push(inputs.map((i) => basename(i)));
  writeFileSync(out, inputs.map((i) => readFileSync(i, 'utf8')).join(''));
  return ok({});
};

const inputs = Array.from({ length: 23 }, (_, i) => {
  const p = join(root, `in${String(i).padStart(2, '0')}.root`);
  writeFileSync(p, String.fromCharCode(65 + i));
  return p;
});

test('few inputs: one call', async () => {
  calls.length = 0;
  assert.ok((await mergeInGroups(concat, join(root, 'a.root'), inputs.slice(0, 5), {}, 5)).ok);
  assert.is(calls.length, 1);
});

test('many inputs: groups, then the groups (two levels), order kept, parts removed', async () => {
  calls.length = 0;
  const out = join(root, 'b.root');
  assert.ok((await mergeInGroups(concat, out, inputs, {}, 3)).ok);
  assert.is(readFileSync(out, 'utf8'), 'ABCDEFGHIJKLMNOPQRSTUVW');
  assert.equal(calls.map((c) => c.length), [3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 2, 3]);
  assert.equal(readdirSync(root).filter((f) => f.includes('.part')), []);
});

test('histograms are added by the last call from the original inputs, in order (sumsFrom), never by the groups', async () => {
  const seen: Array<string[] | undefined> = [];
  const spy: RootMerger = async (out, ins, opts) => { seen.push(opts.sumsFrom?.map((f) => basename(f))); return concat(out, ins, {}); };
  assert.ok((await mergeInGroups(spy, join(root, 'd.root'), inputs, {}, 3)).ok);
  const all = inputs.map((i) => basename(i));
  assert.equal(seen.slice(0, -1), new Array(seen.length - 1).fill(undefined));
  assert.equal(seen[seen.length - 1], all);
  // A caller's sumsFrom (a final merge of merges: the chunks' files) is what the last call gets.
  seen.length = 0;
  assert.ok((await mergeInGroups(spy, join(root, 'e.root'), inputs.slice(0, 2), { sumsFrom: inputs }, 3)).ok);
  assert.equal(seen, [all]);
});

test('a failing group stops the merge and leaves no part behind', async () => {
  let n = 0;
  const flaky: RootMerger = async (out, ins) => (++n === 2 ? fail({ file: ins[0]!, reason: 'bad basket' }) : concat(out, ins, {}));
  const out = join(root, 'c.root');
  const r = await mergeInGroups(flaky, out, inputs, {}, 4);
  assert.not.ok(r.ok);
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(root).filter((f) => f.includes('.part')), []);
});

test('an abort (heppy hadd\'s Ctrl-C) stops between groups: no further group merged, no part left', async () => {
  const ac = new AbortController();
  let n = 0;
  // The signal comes while the first group merges; it is seen before the second starts.
  const aborting: RootMerger = async (out, ins) => { if (++n === 1) ac.abort(); return concat(out, ins, {}); };
  const out = join(root, 'f.root');
  const r = await mergeInGroups(aborting, out, inputs, { signal: ac.signal }, 4);
  assert.not.ok(r.ok);
  assert.is(n, 1);
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(root).filter((f) => f.includes('.part')), []);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
