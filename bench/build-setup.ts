// Shared by the build-engine benchmarks: a project of C components × F tiny ROOT files, each file
// its own chunk (splitFactor = F), with a trivial analyzer (a counter).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RootFileWriter } from '../src/root/write/index.js';

export const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const HEPPY = join(repo, 'bin', 'heppy.js');

export async function makeBenchProject(dir: string, comps: number, files: number, entries = 10): Promise<void> {
  const stamp = join(dir, `.complete-${comps}x${files}`);
  if (existsSync(stamp)) return;
  for (let c = 0; c < comps; c++) {
    const d = join(dir, 'data', `c${c}`);
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < files; i++) {
      const p = join(d, `f${String(i).padStart(5, '0')}.root`);
      if (existsSync(p)) continue;
      const w = RootFileWriter.create(p);
      const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }] });
      for (let k = 0; k < entries; k++) t.fill({ x: k });
      await w.close();
    }
  }
  writeCountHeppyfile(dir, comps, files);
  writeFileSync(stamp, '');
}

/** The heppyfile of a bench project: C components of F files, one chunk per file, a counter. */
export function writeCountHeppyfile(dir: string, comps: number, files: number): void {
  const comp = (c: number): string => `  Object.assign(new Component('c${c}', { files: 'data/c${c}/*.root' }), { splitFactor: ${files} }),`;
  writeFileSync(join(dir, 'heppyfile.ts'), `import { Analyzer, Component, Config, Sequence, type Event } from 'heppy';
class Count extends Analyzer {
  static branches = ['x'];
  override beginLoop(): void { this.counter('n').register('all'); }
  override process(_e: Event): void { this.counter('n').inc('all'); }
}
export default new Config({
  components: [
${Array.from({ length: comps }, (_, c) => comp(c)).join('\n')}
  ],
  sequence: new Sequence(new Analyzer(Count, {})),
});
`);
}

export function heppy(dir: string, args: string[]): { code: number; ms: number; stdout: string; stderr: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [HEPPY, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, ms: performance.now() - t, stdout: r.stdout, stderr: r.stderr };
}

export function timeCmd(cmd: string, args: string[], cwd: string): { code: number; ms: number; out: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, ms: performance.now() - t, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
