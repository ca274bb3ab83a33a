// graph/keys.ts keyContext: one digest over everything a plan's chunk keys are computed from. Two
// plans with the same context must have the same key for every chunk (the planner then takes the
// keys from the records); anything that moves a chunk key must move the context.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initHash } from '../../../src/fingerprint/hash.js';
import { chunkKey, chunkKeyTemplate, componentPart, keyContext, sharedParts, type KeyContextComponent } from '../../../src/graph/keys.js';
import { splitAll, type SplittableComponent } from '../../../src/graph/split.js';

interface Setup {
  comps: Array<SplittableComponent & { raw: object }>;
  digests: Map<string, string>;
  options: Record<string, string | boolean>;
  code: Record<string, string>;
}

const base = (): Setup => ({
  comps: [
    { name: 'a', files: ['/d/a0', '/d/a1', '/d/a2', '/d/a3'], splitFactor: 2, raw: { name: 'a', xSection: 1 } },
    { name: 'b', files: ['/d/b0', '/d/b1'], raw: { name: 'b' } },
  ],
  digests: new Map([['/d/a0', 'h0'], ['/d/a1', 'h1'], ['/d/a2', 'h2'], ['/d/a3', 'h3'], ['/d/b0', 'h4'], ['/d/b1', 'h5']]),
  options: { minX: '3' },
  code: { 'code:sel.ts': 'c1' },
});

/** The context and every chunk's key (by chunk name), computed as the planner does. */
function plan(s: Setup): { context: string; keys: Map<string, string> } {
  const templates = new Map(s.comps.map((c) => [c.name, chunkKeyTemplate(sharedParts({ heppyVersion: '0.1.0', code: s.code, sequence: ['Sel'], tree: 'events',
    options: s.options, maxEvents: null }), componentPart(c.raw))]));
  const { chunks } = splitAll(s.comps);
  const allFiles: string[] = [];
  for (const c of chunks) for (const f of c.files) if (!allFiles.includes(f)) allFiles.push(f);
  const comps: KeyContextComponent[] = s.comps.map((c) => ({ ...c, template: templates.get(c.name)! }));
  return { context: keyContext(comps, allFiles, s.digests), keys: new Map(chunks.map((c) => [c.name, chunkKey(templates.get(c.component)!, c, s.digests)])) };
}

test.before(async () => {
  await initHash();
});

test('the same inputs: the same context and the same keys', () => {
  const a = plan(base()), b = plan(base());
  assert.match(a.context, /^[0-9a-f]{16}$/);
  assert.is(a.context, b.context);
  assert.equal([...a.keys], [...b.keys]);
  assert.equal([...a.keys.keys()], ['a_Chunk0', 'a_Chunk1', 'b']);
});

test('every change that moves a chunk key moves the context', () => {
  const ref = plan(base());
  const changes: Array<[string, (s: Setup) => void]> = [
    ['an input digest', (s) => s.digests.set('/d/a2', 'hX')],
    ['an option', (s) => { s.options = { minX: '4' }; }],
    ['a code part', (s) => { s.code = { 'code:sel.ts': 'c2' }; }],
    ['a component field', (s) => { s.comps[0]!.raw = { name: 'a', xSection: 2 }; }],
    ['the split factor', (s) => { s.comps[0]!.splitFactor = 4; }],
    ['a fine split', (s) => { s.comps[1]!.fineSplitFactor = 2; }],
    ['a file added', (s) => { s.comps[1]!.files = ['/d/b0', '/d/b1', '/d/b2']; s.digests.set('/d/b2', 'h6'); }],
    ['a file moved between components', (s) => { s.comps[0]!.files = ['/d/a0', '/d/a1', '/d/a2']; s.comps[1]!.files = ['/d/a3', '/d/b0', '/d/b1']; }],
    ['files reordered', (s) => { s.comps[0]!.files = ['/d/a1', '/d/a0', '/d/a2', '/d/a3']; }],
    ['a component renamed', (s) => { s.comps[1]!.name = 'c'; }],
  ];
  for (const [what, change] of changes) {
    const s = base();
    change(s);
    const p = plan(s);
    const moved = [...p.keys].some(([k, v]) => ref.keys.get(k) !== v) || p.keys.size !== ref.keys.size;
    assert.ok(moved, `${what}: some chunk key moves`);
    assert.is.not(p.context, ref.context, what);
  }
});

test('a missing digest is part of the context', () => {
  const s = base();
  s.digests.delete('/d/b1');
  assert.is.not(plan(s).context, plan(base()).context);
});

test.run();
