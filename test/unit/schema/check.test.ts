import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer } from '../../../src/config/analyzer.js';
import { Sequence } from '../../../src/config/sequence.js';
import { checkSchemas, confirmSchemas, declaredBranches, readStructure, schemaProblem, type SchemaCache, type SchemaRequest, type TreeSchema } from '../../../src/schema/check.js';
import { RootFileWriter } from '../../../src/root/write/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-schema-'));
const schema: TreeSchema = { branches: [['nMu', null], ['Mu_pt', 'nMu'], ['Mu_eta', 'nMu'], ['met', null], ['Jet_pt', 'nJet']] };
const req = (branches: string[], tree = 'events'): SchemaRequest => ({ component: 'ggH', file: '/data/ggH.root', tree, branches });

test('schemaProblem: tree and branch misses name component, file, tree, branch and the closest names', () => {
  assert.is(schemaProblem(req(['Mu_pt', 'met']), { tree: schema }), null);
  const t = schemaProblem(req(['met'], 'evnets'), { trees: ['events', 'runs'] });
  assert.equal(t, { kind: 'schema', file: '/data/ggH.root', tree: 'evnets', reason: 'component ggH: no tree named evnets in /data/ggH.root; did you mean events?' });
  const b = schemaProblem(req(['Mu_pt', 'Mu_ptt']), { tree: schema });
  assert.is(b?.branch, 'Mu_ptt');
  assert.is(b?.reason, 'component ggH: no branch Mu_ptt in tree events of /data/ggH.root; did you mean Mu_pt?');
  const far = schemaProblem(req(['zzz']), { tree: schema });
  assert.is(far?.reason, 'component ggH: no branch zzz in tree events of /data/ggH.root; it has nMu, Mu_pt, Mu_eta, met, Jet_pt');
  // A jagged branch whose counter branch the tree lacks: the reader could not read it.
  const c = schemaProblem(req(['Jet_pt']), { tree: schema });
  assert.is(c?.branch, 'nJet');
  assert.match(c?.reason ?? '', /branch Jet_pt of tree events in \/data\/ggH.root counts its entries with nJet, which the tree does not have/);
  assert.match(schemaProblem(req([], 'x'), { trees: [] })?.reason ?? '', /no tree named x in \/data\/ggH.root$/);
});

class Muons extends Analyzer { static branches = ['nMu', 'Mu_pt']; }
class Met extends Analyzer { static branches = ['met', 'Mu_pt']; }
class Everything extends Analyzer {}

test('declaredBranches: the union of every analyzer\'s static branches, in order', () => {
  assert.equal(declaredBranches(new Sequence(new Analyzer(Muons, {}), new Analyzer(Everything, {}), new Analyzer(Met, {}))), ['nMu', 'Mu_pt', 'met']);
  assert.equal(declaredBranches(new Sequence(new Analyzer(Everything, {}))), []);
  assert.equal(declaredBranches('not a sequence'), []);
});

function memoryCache(digests: Record<string, string>): SchemaCache & { entries: Map<string, TreeSchema> } {
  const entries = new Map<string, TreeSchema>();
  return {
    entries,
    digestOf: (f) => digests[f] ?? null,
    get: (d, t) => entries.get(`${d}|${t}`),
    put: (d, t, s) => void entries.set(`${d}|${t}`, s),
  };
}

test('checkSchemas: reads each (file, tree) once, uses the cache by digest, writes nothing itself', async () => {
  const reads: string[] = [];
  const reader = async (file: string, tree: string): Promise<{ tree: TreeSchema }> => { reads.push(`${file}|${tree}`); return { tree: schema }; };
  const cache = memoryCache({ '/a.root': 'da' });
  const reqs = [
    { component: 'A', file: '/a.root', tree: 'events', branches: ['met'] },
    { component: 'A2', file: '/a.root', tree: 'events', branches: ['Mu_pt'] },
    { component: 'B', file: '/b.root', tree: 'events', branches: ['met'] },
  ];
  const r1 = await checkSchemas(reqs, cache, reader);
  assert.ok(r1.ok);
  assert.equal(reads, ['/a.root|events', '/b.root|events']);
  assert.is(cache.entries.size, 0, 'nothing written by the check');
  if (r1.ok) assert.ok((await confirmSchemas(r1.value, cache, reader)).ok);
  assert.equal([...cache.entries.keys()], ['da|events'], 'b.root has no digest: not cached');
  reads.length = 0;
  const r2 = await checkSchemas(reqs, cache, reader);
  assert.ok(r2.ok);
  assert.equal(reads, ['/b.root|events'], 'a.root came from the cache');
  // The digest changed after planning (a remote file replaced): checked again, and a miss is found.
  const r3 = await checkSchemas([{ component: 'A', file: '/a.root', tree: 'events', branches: ['met'] }], cache, reader);
  assert.ok(r3.ok);
  if (r3.ok) {
    assert.equal(r3.value.cached.map((c) => c.digest), ['da']);
    const changed = memoryCache({ '/a.root': 'da2' });
    const gone = await confirmSchemas(r3.value, changed, async () => ({ tree: { branches: [['x', null]] } }));
    assert.not.ok(gone.ok);
    if (!gone.ok) assert.is(gone.error.branch, 'met');
  }
  const bad = await checkSchemas([{ component: 'B', file: '/b.root', tree: 'events', branches: ['met', 'nope'] }], cache, reader);
  assert.not.ok(bad.ok);
  if (!bad.ok) assert.is(bad.error.branch, 'nope');
  // An unreadable file is left to the chunk (an input failure there), not a schema error.
  const unreadable = await checkSchemas([req(['x'])], cache, async () => { throw new Error('boom'); });
  assert.ok(unreadable.ok);
});

test('a remote input without a digest yet is deferred to after planning, then read once and cached', async () => {
  const reads: string[] = [];
  const reader = async (file: string): Promise<{ tree: TreeSchema }> => { reads.push(file); return { tree: schema }; };
  const url = 'http://host/a.root';
  const before = memoryCache({});
  const r = await checkSchemas([{ component: 'R', file: url, tree: 'events', branches: ['met'] }], before, reader, (f) => f.startsWith('http://'));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(reads, [], 'nothing read before planning');
  assert.is(r.value.deferred.length, 1);
  const after = memoryCache({ [url]: 'dr' });
  after.entries.set('unrelated|events', schema);
  assert.ok((await confirmSchemas(r.value, after, reader)).ok);
  assert.equal(reads, [url]);
  assert.ok(after.entries.has('dr|events'));
  const bad = await checkSchemas([{ component: 'R', file: url, tree: 'events', branches: ['nope'] }], memoryCache({}), reader, () => true);
  assert.ok(bad.ok);
  if (bad.ok) {
    const c = await confirmSchemas(bad.value, memoryCache({ [url]: 'dr' }), reader);
    assert.not.ok(c.ok);
  }
});

test('readStructure: a real file: branches with their counters; a missing tree lists the trees', async () => {
  const f = join(dir, 'in.root');
  const w = RootFileWriter.create(f);
  const t = w.createTree({ name: 'events', branches: [{ name: 'nMu', type: 'i4' }, { name: 'Mu_pt', type: 'f4', shape: { counter: 'nMu' } }, { name: 'met', type: 'f8' }] });
  t.fill({ nMu: 2, Mu_pt: [1, 2], met: 3 });
  await w.close();
  const s = await readStructure(f, 'events');
  assert.equal(s, { tree: { branches: [['nMu', null], ['Mu_pt', 'nMu'], ['met', null]] } });
  assert.equal(await readStructure(f, 'Events'), { trees: ['events'] });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
