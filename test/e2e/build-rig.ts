// A small analysis for the build e2e tests: three components (two split, one unsplit) of tiny
// ROOT files written with heppy's writer, and a heppyfile whose analyzer counts, averages, fills a
// histogram and a tree. It throws while a file BROKEN exists next to the heppyfile (an external
// problem: fixing it changes no key), and can be slowed down with -o slowms=N, or held (60 s at
// most) until a file exists with -o gate=FILE: a test then holds a build running until it has seen
// what it waits for, however loaded the machine is.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { RootFileWriter } from '../../src/root/write/index.js';
import { repoRoot } from '../util/shared.js';

export const HEPPY = join(repoRoot, 'bin', 'heppy.js');
/** Histograms and trees only once ROOT merging (src/root/hadd) is part of the build. */
export const ROOT_OUTPUTS = existsSync(join(repoRoot, 'dist', 'src', 'root', 'hadd', 'index.js'));

export const components = { A: { files: 4, split: 4 }, B: { files: 2, split: 2 }, C: { files: 1, split: 1 } } as const;

export async function writeInput(path: string, n: number, offset: number): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }] });
  for (let i = 0; i < n; i++) t.fill({ x: offset + i });
  await w.close();
}

export function heppyfileText(minX: number, comment = ''): string {
  return `${comment}import { Analyzer, Config, Component, Sequence, getOption, fill1, type Event } from 'heppy';
import { existsSync } from 'node:fs';

class Sum extends Analyzer<{ minX: number; root: boolean }> {
  static branches = ['x'];
  override beginLoop(): void {
    const ms = Number(getOption('slowms', 0)), gate = String(getOption('gate', ''));
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (let i = 0; i < 6000 && gate !== '' && !existsSync(gate); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    this.counter('cutflow').register('all');
    this.counter('cutflow').register('x above min');
    if (this.params.root) {
      this.h = this.hist1('hx', 'x', 10, 0, 1000);
      this.t = this.tree('sel', [{ name: 'x', type: 'f8' }]);
    }
  }
  h: ReturnType<Analyzer['hist1']> | null = null;
  t: ReturnType<Analyzer['tree']> | null = null;
  override process(e: Event): boolean {
    const x = e.scalar('x');
    if (existsSync(${JSON.stringify('__DIR__/BROKEN')}) && this.component.name === 'B_Chunk1') throw new Error('calibration missing');
    this.counter('cutflow').inc('all');
    if (x < this.params.minX) return false;
    this.counter('cutflow').inc('x above min');
    this.average('x').add(x, 1);
    if (this.h) fill1(this.h, x);
    this.t?.fill({ x });
    return true;
  }
}

export default new Config({
  components: [
    Object.assign(new Component('A', { files: 'data/A/*.root' }), { splitFactor: 4 }),
    Object.assign(new Component('B', { files: 'data/B/*.root' }), { splitFactor: 2 }),
    new Component('C', { files: 'data/C/*.root' }),
  ],
  sequence: new Sequence(new Analyzer(Sum, { minX: ${minX}, root: ${ROOT_OUTPUTS} })),
  tree: 'events',
});
`;
}

export interface Project {
  dir: string;
  heppyfile: string;
  setHeppyfile(minX: number, comment?: string): void;
}

export async function makeProject(): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-build-e2e-'));
  let k = 0;
  for (const [name, c] of Object.entries(components)) {
    mkdirSync(join(dir, 'data', name), { recursive: true });
    for (let i = 0; i < c.files; i++) await writeInput(join(dir, 'data', name, `f${i}.root`), 20 + 5 * i, 100 * k++);
  }
  const heppyfile = join(dir, 'heppyfile.ts');
  const setHeppyfile = (minX: number, comment = ''): void => writeFileSync(heppyfile, heppyfileText(minX, comment).replace('__DIR__', dir));
  setHeppyfile(50);
  return { dir, heppyfile, setHeppyfile };
}

export interface BuildRun {
  code: number;
  stdout: string;
  stderr: string;
  events: Array<Record<string, unknown>>;
  ran: string[];        // ids of nodes that ran and succeeded, sorted
  failed: string[];
}

function parse(code: number | null, stdout: string, stderr: string): BuildRun {
  const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const ids = (t: string) => events.filter((e) => e.type === t).map((e) => e.id as string).sort();
  return { code: code ?? -1, stdout, stderr, events, ran: ids('done'), failed: ids('failed') };
}

/** `heppy build --json` in the project, synchronously. */
export function build(p: Project, args: string[] = []): BuildRun {
  const r = spawnSync(process.execPath, [HEPPY, 'build', '--json', '-j', '2', ...args], { cwd: p.dir, encoding: 'utf8' });
  return parse(r.status, r.stdout, r.stderr);
}

export function heppy(p: Project, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [HEPPY, ...args], { cwd: p.dir, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A build in the background (for the kill -9 and concurrency tests). */
export function buildAsync(p: Project, args: string[], env?: NodeJS.ProcessEnv): { pid: number; done: Promise<BuildRun> } {
  const child = spawn(process.execPath, [HEPPY, 'build', '--json', ...args], { cwd: p.dir, ...(env ? { env } : {}) });
  let out = '', err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return { pid: child.pid!, done: new Promise((res) => child.on('close', (code) => res(parse(code, out, err)))) };
}

/**
 * SIGKILLs a build started by buildAsync as soon as `ready()` holds (polled every 10 ms, 30 s at
 * most) and returns its run; a build that ended before it could be killed fails the test.
 */
export async function killWhen(victim: { pid: number; done: Promise<BuildRun> }, ready: () => boolean): Promise<BuildRun> {
  for (let i = 0; i < 3000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
  try {
    process.kill(victim.pid, 'SIGKILL');
  } catch {
    const v = await victim.done;
    assert.unreachable(`the build ended before it could be killed: ${v.code} ${v.stderr} ${v.stdout.slice(-300)}`);
  }
  return victim.done;
}

/** Every node of the project makeProject writes. */
export const ALL_NODES = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:B'];
/** heppy's run files in a node directory: they name attempts and paths, not results. */
export const RUN_FILES = new Set(['chunk.json', 'batchScript.sh', 'heppy-status.json']);

/** Every result file of an Outdir (not heppy's run files, not .heppy/) → sha256. */
export function resultDigests(outdir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) { if (e.name !== '.heppy') walk(f); }
      else if (!RUN_FILES.has(e.name)) out[relative(outdir, f)] = createHash('sha256').update(readFileSync(f)).digest('hex');
    }
  };
  walk(outdir);
  return out;
}
