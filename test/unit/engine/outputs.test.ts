// The recorded outputs of a node against the disk (src/engine/outputs.ts): the planner's per-node
// check straight from the record heads' columns, which must answer exactly as outputsChanged over
// the same records, and the shared job's verdicts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headOutputsChanged, makeJob, outputsChanged, workOnJob } from '../../../src/engine/outputs.js';
import { RecordHeads } from '../../../src/store/heads.js';
import type { TaskSummary } from '../../../src/store/records.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-outputs-'));

/** `n` chunk directories with three outputs each (one nested), a failed record last; their heads. */
function project(name: string, n: number): { root: string; heads: RecordHeads } {
  const root = join(dir, name);
  const m = new Map<string, TaskSummary>();
  for (let i = 0; i < n; i++) {
    const id = `c_Chunk${i}`;
    mkdirSync(join(root, id, 'A'), { recursive: true });
    writeFileSync(join(root, id, 'log.txt'), 'x'.repeat(i % 5));
    writeFileSync(join(root, id, 'A', 'n.txt'), String(i));
    writeFileSync(join(root, id, 'heppy-status.json'), '{}');
    const outputs = ['log.txt', 'A/n.txt', 'heppy-status.json'].map((p) => { const st = statSync(join(root, id, p)); return { path: p, size: st.size, mtimeMs: st.mtimeMs }; });
    m.set(id, { nodeId: id, kind: 'chunk', status: 'ok', key: `k${i}`, resultDigest: 'r', outputs, attempts: 1, eventsProcessed: 0, finishedAt: 0, durationMs: 0 });
  }
  m.set('f', { nodeId: 'f', kind: 'chunk', status: 'failed', key: 'kf', resultDigest: '', outputs: [], attempts: 1, eventsProcessed: 0, finishedAt: 0, durationMs: 0 });
  return { root, heads: RecordHeads.fromSummaries(m) };
}

test('headOutputsChanged: intact, grown, missing, touched (same size), and a directory where a file was', () => {
  const { root, heads } = project('cases', 6);
  const at = (i: number): number => heads.indexOf(`c_Chunk${i}`);
  const check = (i: number): string | null => headOutputsChanged(heads, at(i), join(root, `c_Chunk${i}`));
  for (let i = 0; i < 6; i++) assert.is(check(i), null);
  appendFileSync(join(root, 'c_Chunk1', 'A', 'n.txt'), '7');
  unlinkSync(join(root, 'c_Chunk2', 'heppy-status.json'));
  const t = statSync(join(root, 'c_Chunk3', 'log.txt')).mtimeMs / 1000;
  utimesSync(join(root, 'c_Chunk3', 'log.txt'), t + 5, t + 5);
  rmSync(join(root, 'c_Chunk4', 'log.txt'));
  mkdirSync(join(root, 'c_Chunk4', 'log.txt'));
  rmSync(join(root, 'c_Chunk5'), { recursive: true });
  assert.is(check(0), null);
  assert.is(check(1), 'output changed: A/n.txt');
  assert.is(check(2), 'output missing: heppy-status.json');
  assert.is(check(3), 'output changed: log.txt');
  assert.is(check(4), 'output changed: log.txt');   // a directory's size is not the file's
  assert.is(check(5), 'output missing: log.txt');
  // The same answers as the check over the records' output objects.
  for (let i = 0; i < 6; i++) assert.is(check(i), outputsChanged(join(root, `c_Chunk${i}`), heads.outputs(at(i))));
  // A record without outputs (the failed one) has nothing to differ.
  assert.is(headOutputsChanged(heads, heads.indexOf('f'), join(root, 'f')), null);
});

test('the shared job: one verdict per ok record, 2 exactly where headOutputsChanged finds a difference', () => {
  const { root, heads } = project('job', 200);
  for (const i of [0, 64, 199]) appendFileSync(join(root, `c_Chunk${i}`, 'log.txt'), 'more');
  const job = makeJob(heads, (id) => join(root, id));
  assert.is(job.nodes, 200);   // the failed record is not checked
  workOnJob(job);
  const verdict = new Uint8Array(job.verdict);
  const bad: string[] = [];
  for (let i = 0; i < job.nodes; i++) if (verdict[i] === 2) bad.push(job.dirs[i]!.slice(root.length + 1));
  assert.equal(bad.sort(), ['c_Chunk0', 'c_Chunk199', 'c_Chunk64']);
  for (let r = 0; r < heads.size; r++) {
    if (!heads.ok(r)) continue;
    const id = heads.ids[r]!;
    assert.is(headOutputsChanged(heads, r, join(root, id)) !== null, bad.includes(id), id);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
