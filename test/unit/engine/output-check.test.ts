import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { assistOutputCheck, checkOutputs, startOutputCheck, warmOutputCheck } from '../../../src/engine/output-check.js';
import type { TaskSummary } from '../../../src/store/records.js';
import { RecordHeads } from '../../../src/store/heads.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-outcheck-'));

function records(n: number): RecordHeads {
  const m = new Map<string, TaskSummary>();
  for (let i = 0; i < n; i++) {
    const id = `c_Chunk${i}`;
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'a.txt'), 'x'.repeat(i % 7));
    const st = statSync(join(dir, id, 'a.txt'));
    m.set(id, { nodeId: id, kind: 'chunk', status: 'ok', key: 'k', resultDigest: 'r', outputs: [{ path: 'a.txt', size: st.size, mtimeMs: st.mtimeMs }],
      attempts: 1, eventsProcessed: 0, finishedAt: 0, durationMs: 0 });
  }
  return RecordHeads.fromSummaries(m);
}

/** Runs `f` with HEPPY_OUTPUT_THREAD set to `v` (undefined: unset, the default: no thread). */
async function withThread<T>(v: '1' | '0' | undefined, f: () => Promise<T> | T): Promise<T> {
  const was = process.env.HEPPY_OUTPUT_THREAD;
  if (v === undefined) delete process.env.HEPPY_OUTPUT_THREAD;
  else process.env.HEPPY_OUTPUT_THREAD = v;
  try {
    return await f();
  } finally {
    if (was === undefined) delete process.env.HEPPY_OUTPUT_THREAD;
    else process.env.HEPPY_OUTPUT_THREAD = was;
  }
}

for (const [n, thread] of [[10, undefined], [2500, '1']] as const) {
  test(`${n} records (${thread === '1' ? 'worker thread' : 'inline'}): only changed or missing outputs reported`, () => withThread(thread, async () => {
    const recs = records(n);
    assert.equal([...(await checkOutputs(recs, (id) => join(dir, id)))], []);
    appendFileSync(join(dir, 'c_Chunk3', 'a.txt'), 'more');
    unlinkSync(join(dir, `c_Chunk${n - 1}`, 'a.txt'));
    const changed = await checkOutputs(recs, (id) => join(dir, id));
    assert.equal([...changed].sort(), [['c_Chunk3', 'output changed: a.txt'], [`c_Chunk${n - 1}`, 'output missing: a.txt']].sort());
  }));
}

test('5000 records shared by the worker and this thread: every change found, in any block', () => withThread('1', async () => {
  const recs = records(5000);
  const edited = [0, 63, 64, 2500, 4097, 4999];
  for (const i of edited) appendFileSync(join(dir, `c_Chunk${i}`, 'a.txt'), 'more');
  const pending = checkOutputs(recs, (id) => join(dir, id));
  assistOutputCheck();   // this thread claims blocks too, as the planner does
  const changed = await pending;
  assert.equal([...changed.keys()].sort(), edited.map((i) => `c_Chunk${i}`).sort());
  for (const i of edited) writeFileSync(join(dir, `c_Chunk${i}`, 'a.txt'), 'x'.repeat(i % 7));
}));

test('no thread at import, nor by default; with HEPPY_OUTPUT_THREAD=1 warmOutputCheck starts one ahead', async () => {
  const wt = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const Base = wt.Worker;
  let made = 0;
  wt.Worker = class extends Base { constructor(...a: ConstructorParameters<typeof Base>) { made++; super(...a); } };
  syncBuiltinESMExports();
  try {
    await withThread(undefined, async () => {
      warmOutputCheck();
      assert.is(made, 0);
      assert.equal([...(await checkOutputs(records(2500), (id) => join(dir, id)))], []);
      assert.is(made, 0);
      assert.is(startOutputCheck(records(2500), (id) => join(dir, id)), undefined);   // the planner stats per node
      assert.is(made, 0);
    });
    await withThread('1', async () => {
      warmOutputCheck();
      assert.is(made, 1);
      warmOutputCheck(); // one spare at most
      assert.is(made, 1);
      // The spare does the next job (no second thread).
      assert.equal([...(await checkOutputs(records(2500), (id) => join(dir, id)))], []);
      assert.is(made, 1);
    });
  } finally {
    wt.Worker = Base;
    syncBuiltinESMExports();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
