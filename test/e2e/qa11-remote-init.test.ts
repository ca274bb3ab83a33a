// `heppy init --files` over remote files (README: a component's files may be root:// or http(s)://
// URLs): the URL is kept as the component's files, a remote glob is listed on the server (one chunk
// per file: the split factor is the listed count, since the glob is only expanded after the
// heppyfile is loaded), and the project builds. A remote pattern with no match, or a server that
// does not answer, is one line, exit 2 / nothing written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../util/shared.js';
import { startXrootd } from '../util/xrootd.js';
import { writeSample } from '../../src/init/sample.js';

const server = await startXrootd();
const work = mkdtempSync(join(tmpdir(), 'heppy-e2e-qa11-init-'));

function heppy(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A project made by init, with this checkout as its 'heppy' (what npm install links). */
function project(name: string, files: string): { dir: string; init: ReturnType<typeof heppy> } {
  const dir = join(work, name);
  const init = heppy(work, 'init', dir, '--files', files);
  if (init.code === 0) {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(repoRoot, join(dir, 'node_modules', 'heppy'));
  }
  return { dir, init };
}

if (server !== null) {
  const files = await writeSample(join(server.data, 'muons'));

  test('init over a root:// glob: the URL is the files, one chunk per listed file, the build runs them', () => {
    const { dir, init } = project('xrd', server.rootUrl('muons/*.root'));
    assert.is(init.code, 0, init.out + init.err);
    assert.ok(init.out.includes(`component muons: ${files.length} files, tree events`), init.out);
    const hf = readFileSync(join(dir, 'heppyfile.ts'), 'utf8');
    assert.ok(hf.includes(`files: '${server.rootUrl('muons/*.root')}'`), hf);
    assert.ok(hf.includes(`muons.splitFactor = ${files.length};`), hf);
    const b = heppy(dir, 'build', '-j', '2', '--no-typecheck');
    assert.is(b.code, 0, b.out + b.err);
    assert.ok(b.out.includes(`heppy: ${files.length + 1} run, 0 up to date, 0 failed`), b.out);
    assert.ok(existsSync(join(dir, 'Outdir', 'muons_Chunk1', 'heppy-status.json')));
  });

  test('init over one http:// file: unsplit, tree found in it', () => {
    const { dir, init } = project('http', server.httpUrl('muons/sample_0.root'));
    assert.is(init.code, 0, init.out + init.err);
    const hf = readFileSync(join(dir, 'heppyfile.ts'), 'utf8');
    assert.ok(hf.includes(`files: '${server.httpUrl('muons/sample_0.root')}'`), hf);
    const b = heppy(dir, 'build', '-j', '1', '--no-typecheck');
    assert.is(b.code, 0, b.out + b.err);
  });

  test('a remote glob with no match: one line naming it, exit 2, nothing written', () => {
    const url = server.rootUrl('muons/*.nope');
    const { dir, init } = project('none', url);
    assert.is(init.code, 2, init.out + init.err);
    assert.is(init.err, `heppy: --files ${url}: no file matches\n`);
    assert.not.ok(existsSync(join(dir, 'heppyfile.ts')));
  });
}

test.after(async () => {
  await server?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test.run();
