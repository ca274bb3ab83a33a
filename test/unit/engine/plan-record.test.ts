// Recording a build's plan: plan.json holds every node with what a run needs, its digest covers
// everything but the time stamp, and an unchanged plan is not rewritten.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanFile, type PlanFile } from '../../../src/chunkdir/plan-file.js';
import { initHash } from '../../../src/fingerprint/hash.js';
import { planDigest, recordPlan, toPlanFile, type PlanContext } from '../../../src/engine/plan-record.js';
import { planFromFile } from '../../../src/engine/resubmit-plan.js';
import { MemoryStore } from '../../../src/engine/store.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-plan-record-'));
test.before(async () => { await initHash(); });

function nodesOf(): PlanFile['nodes'] {
  return [
    { id: 'zz_Chunk0', kind: 'chunk', component: 'zz', key: 'k0', files: ['/d/a.root'], tree: 'Events', fineSplit: null },
    { id: 'zz_Chunk1', kind: 'chunk', component: 'zz', key: 'k1', files: ['/d/b.root'], tree: 'Events', fineSplit: [1, 2] },
    { id: 'hadd:zz', kind: 'hadd', component: 'zz', deps: ['zz_Chunk0', 'zz_Chunk1'], level: 0, dir: 'zz', chunks: 2 },
  ];
}

/** A BuildPlan as the engine holds it (made here from a recorded plan) and its context. */
function setup(nodes = nodesOf()): { outdir: string; ctx: PlanContext; plan: ReturnType<typeof planFromFile> } {
  const outdir = mkdtempSync(join(root, 'o-'));
  const ctx: PlanContext = { heppyVersion: '0.1.0', outdir, cacheDir: join(outdir, 'cache'), bundle: 'bundle-1.mjs', options: { lumi: '3' }, maxEvents: 50 };
  const pf: PlanFile = { version: 1, digest: '', ...ctx, createdAt: '', nodes };
  return { outdir, ctx, plan: planFromFile(pf, new Set(), new Set(), new MemoryStore(outdir)) };
}

test('toPlanFile: every node in order, chunks with their key, files, tree and fine split; merges with their tree place', () => {
  const { ctx, plan } = setup();
  const before = Date.now();
  const pf = toPlanFile(plan, ctx, 'dg');
  assert.equal({ ...pf, createdAt: '' }, { version: 1, digest: 'dg', ...ctx, createdAt: '', nodes: nodesOf() });
  const at = Date.parse(pf.createdAt);
  assert.ok(at >= before - 1000 && at <= Date.now() + 1000);
});

test('planDigest: stable; changed by a key, a node, the bundle, an option, -N, the Outdir or the store', () => {
  const { ctx, plan } = setup();
  const d = planDigest(plan, ctx);
  assert.match(d, /^[0-9a-f]+$/);
  assert.is(planDigest(plan, { ...ctx }), d);
  const differs: Array<[string, string]> = [
    ['bundle', planDigest(plan, { ...ctx, bundle: 'bundle-2.mjs' })],
    ['options', planDigest(plan, { ...ctx, options: { lumi: '4' } })],
    ['maxEvents', planDigest(plan, { ...ctx, maxEvents: null })],
    ['outdir', planDigest(plan, { ...ctx, outdir: '/elsewhere' })],
    ['cacheDir', planDigest(plan, { ...ctx, cacheDir: '/c2' })],
    ['heppyVersion', planDigest(plan, { ...ctx, heppyVersion: '0.2.0' })],
  ];
  const n = nodesOf();
  (n[1] as { key: string }).key = 'k1b';
  differs.push(['a key', planDigest(setup(n).plan, ctx)]);
  differs.push(['a node', planDigest(setup(nodesOf().slice(0, 1)).plan, ctx)]);
  for (const [what, x] of differs) assert.is.not(x, d, what);
});

test('recordPlan: writes plan.json and the store\'s head; an unchanged plan is not rewritten; a changed or deleted one is', () => {
  const { outdir, ctx, plan } = setup();
  const store = new MemoryStore(outdir);
  assert.is(recordPlan(store, plan, ctx), true);
  const file = join(outdir, '.heppy', 'plan.json');
  const written = readPlanFile(outdir);
  assert.ok(written.ok && written.value !== null);
  if (written.ok && written.value) {
    assert.is(written.value.digest, planDigest(plan, ctx));
    assert.equal(written.value.nodes, nodesOf());
  }
  const head = store.getPlan()!;
  assert.is(head.digest, planDigest(plan, ctx));
  assert.equal(head.nodes, ['zz_Chunk0', 'zz_Chunk1', 'hadd:zz']);
  const text = readFileSync(file, 'utf8');
  const ino = statSync(file).ino;
  assert.is(recordPlan(store, plan, ctx), false);
  assert.is(readFileSync(file, 'utf8'), text);
  assert.is(statSync(file).ino, ino);
  // Other options: rewritten.
  assert.is(recordPlan(store, plan, { ...ctx, options: {} }), true);
  assert.is(store.getPlan()!.digest, planDigest(plan, { ...ctx, options: {} }));
  // The file deleted, the store's head unchanged: written again.
  unlinkSync(file);
  assert.is(recordPlan(store, plan, { ...ctx, options: {} }), true);
  assert.ok(readPlanFile(outdir).ok);
  // A fresh store (no head) with the file there: written.
  assert.is(recordPlan(new MemoryStore(outdir), plan, { ...ctx, options: {} }), true);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
