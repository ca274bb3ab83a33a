// runChunk on a full disk: a real tmpfs of 256 KiB (mounted when this process may: root) filled by
// an analyzer's output. The failure is a resource (disk), which is not retried, and nothing of the
// attempt is left in .heppy/tmp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, type BookedTree } from '../../../src/index.js';
import { classifyError, runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { decideRetry } from '../../../src/exec/retry-policy.js';
import { MemorySource } from './memory-source.js';

/** Writes 1 MiB into its output directory at the end: more than the disk holds. */
class Filler extends Analyzer {
  override write(): void {
    mkdirSync(this.dirName, { recursive: true });
    writeFileSync(join(this.dirName, 'big.bin'), Buffer.alloc(1 << 20, 7));
  }
}

/** Fills a ROOT tree of large rows: heppy's ROOT writer meets the full disk in process() or at the end. */
class TreeFiller extends Analyzer {
  private t!: BookedTree;
  override beginLoop(): void {
    this.t = this.tree('big', [{ name: 'v', type: 'f8', shape: { fixed: 4096 } }]);
  }
  override process(): boolean {
    const v = new Float64Array(4096);
    for (let i = 0; i < v.length; i++) v[i] = Math.random();
    for (let k = 0; k < 20; k++) this.t.fill({ v });
    return true;
  }
}

const spec: ChunkSpec = { name: 'c_Chunk0', component: 'c', files: ['/in/a.root'], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/none.mjs', key: 'k1', attempt: 1 };
const errno = (code: string): Error => Object.assign(new Error(`${code}: no space left on device, write`), { code, syscall: 'write' });

test('ENOSPC and EDQUOT are resource (disk) failures, never retried; other errno errors stay infrastructure', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    const f = classifyError(errno(code));
    assert.equal({ kind: f.kind, resource: f.kind === 'resource' ? f.resource : null }, { kind: 'resource', resource: 'disk' }, code);
    assert.equal(decideRetry(f, 1, { retries: 3, retryAll: false, backoffBaseMs: 0, backoffMaxMs: 0 }), { retry: false, why: 'no-more-resources' });
  }
  assert.is(classifyError(errno('EIO')).kind, 'infrastructure');
});

test('a chunk that fills the disk fails as resource/disk and leaves nothing in .heppy/tmp', async () => {
  const mnt = mkdtempSync(join(tmpdir(), 'heppy-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    rmSync(mnt, { recursive: true, force: true });
    console.log(`SKIP: full disk: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    return;
  }
  try {
    const comp = new Component('c', { files: spec.files });
    const config = new Config({ components: [comp], sequence: new Sequence(new Analyzer(Filler)) });
    const dir = join(mnt, 'Outdir', spec.name);
    const r = await runChunk(spec, dir, { loadConfig: async () => config, openSource: async () => new MemorySource([{ x: [1, 2, 3] }]) });
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.error.failure.kind, 'resource', r.error.reason);
      assert.is(r.error.failure.kind === 'resource' && r.error.failure.resource, 'disk');
      assert.match(r.error.failure.reason, /ENOSPC/);
    }
    const tmp = join(mnt, 'Outdir', '.heppy', 'tmp');
    assert.equal(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no tmp dir of the failed attempt is left');
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});

/** Mounts a tmpfs of `size` for `body`, or prints a SKIP line when this process may not mount. */
async function onTmpfs(size: string, body: (mnt: string) => Promise<void>): Promise<void> {
  const mnt = mkdtempSync(join(tmpdir(), 'heppy-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    rmSync(mnt, { recursive: true, force: true });
    console.log(`SKIP: full disk: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    return;
  }
  try {
    await body(mnt);
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
}

test('the ROOT writer meeting a full disk is resource/disk (not analysis), said once: no "resource: resource", no "ENOSPC: ENOSPC"', async () => {
  await onTmpfs('256k', async (mnt) => {
    const comp = new Component('c', { files: spec.files });
    const config = new Config({ components: [comp], sequence: new Sequence(new Analyzer(TreeFiller)) });
    const dir = join(mnt, 'Outdir', spec.name);
    const events = Array.from({ length: 50 }, (_, i) => ({ x: [i] }));
    const r = await runChunk(spec, dir, { loadConfig: async () => config, openSource: async () => new MemorySource(events) });
    assert.not.ok(r.ok);
    if (r.ok) return;
    const f = r.error.failure;
    assert.is(f.kind, 'resource', r.error.reason);
    assert.is(f.kind === 'resource' && f.resource, 'disk', r.error.reason);
    assert.match(f.reason, /no space left on device/);
    assert.not.match(f.reason, /^resource: /, f.reason);
    assert.not.match(f.reason, /ENOSPC: ENOSPC/, f.reason);
    assert.not.match(f.reason, /analysis/, f.reason);
    const tmp = join(mnt, 'Outdir', '.heppy', 'tmp');
    assert.equal(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no tmp dir of the failed attempt is left');
  });
});

test('an errno error is said once: ENOSPC reason without the code repeated', () => {
  const f = classifyError(errno('ENOSPC'));
  assert.is(f.reason, 'ENOSPC: no space left on device, write');
});

test.run();
