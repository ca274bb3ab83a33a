// One local worker over N trivial chunks, driven as the pool drives it (the spec in each message,
// the output cache's keep on, two chunks sent ahead), without the build: the worker's own CPU per
// chunk (utime + stime from /proc when its last chunk ended, start-up included), alternating with
// the worker of a base checkout (--base DIR) round by round. The chunks are those of build-full's
// project (its first build writes their chunk.json: the specs sent here).
// --flags "F": this checkout's worker also runs with the Node/V8 flags F in each round (as
// HEPPY_WORKER_NODE_FLAGS=F starts it), and the end prints its ratio to the worker without them.
// --trace: first one run of this checkout's worker with --trace-opt --trace-deopt, and per 100 chunks
// the TurboFan compiles and deopts it printed (session 22: a fixed ~110 compiles over a worker's life,
// no deopt loop), each counted at the chunk that had ended when the line arrived.
// Usage: node dist/bench/worker-chunks.js [chunks=500] [rounds=3] [--base DIR] [--flags "F"] [--trace]
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY, makeBenchProject, median, repo } from './build-setup.js';

const args = process.argv.slice(2);
const baseAt = args.indexOf('--base');
const baseDir = baseAt >= 0 ? args.splice(baseAt, 2)[1] : undefined;
const flagsAt = args.indexOf('--flags');
const flags = flagsAt >= 0 ? args.splice(flagsAt, 2)[1]!.split(' ').filter((x) => x !== '') : undefined;
const traceAt = args.indexOf('--trace');
const trace = traceAt >= 0 && args.splice(traceAt, 1).length === 1;
const chunks = Number(args[0] ?? 500);
const rounds = Number(args[1] ?? 3);
const dir = join(repo, '.bench-tmp', 'full-1000');
mkdirSync(dir, { recursive: true });
await makeBenchProject(dir, 1, 1000);
if (chunks > 1000) throw new Error('at most 1000 chunks (the project of build-full.js 1000)');

const specOf = (i: number): string => join(dir, 'Outdir', `c0_Chunk${i}`, 'chunk.json');
if (!existsSync(specOf(chunks - 1))) {
  const r = spawnSync(process.execPath, [HEPPY, 'build', '-j', '2'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}
const specs = Array.from({ length: chunks }, (_, i) => JSON.parse(readFileSync(specOf(i), 'utf8')) as { name: string; attempt: number });
const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU in clock ticks

/** utime + stime of a live process (seconds), from /proc. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK; // fields 14 and 15 of stat(5)
}

/** Runs the worker script `worker` over the chunks; its CPU when the last one ended, and the wall. */
function drive(worker: string, execArgv: string[] = [], onOut?: (text: string, ended: number) => void): Promise<{ cpu: number; wall: number }> {
  const out = join(dir, 'Outdir-worker');
  const cacheDir = join(dir, 'cache-worker');
  rmSync(out, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const w = fork(worker, [], { execArgv, stdio: ['ignore', onOut ? 'pipe' : 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    let sent = 0, ended = 0;
    if (onOut) w.stdout!.setEncoding('utf8').on('data', (t: string) => onOut(t, ended));
    const send = (): void => {
      const s = specs[sent++]!;
      w.send({ type: 'run', nodeId: s.name, attempt: s.attempt, chunkDir: join(out, s.name), spec: s, keepIn: join(cacheDir, 'outputs') });
    };
    w.on('message', (m: { type: string; ok?: boolean }) => {
      if (m.type === 'ready') for (let i = 0; i < Math.min(3, chunks); i++) send();
      if (m.type !== 'ended') return;
      if (m.ok !== true) { w.kill(); reject(new Error(`a chunk failed: ${JSON.stringify(m)}`)); return; }
      if (++ended === chunks) {
        const r = { cpu: cpuOf(w.pid!), wall: (performance.now() - t0) / 1000 };
        w.kill();
        resolve(r);
      } else if (sent < chunks) send();
    });
    w.on('error', reject);
  });
}

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
const mine: number[] = [];
const base: number[] = [];
const flagged: number[] = [];
const workerOf = (d: string): string => join(d, 'dist', 'cli', 'worker.js');
if (trace) {
  const per = new Map<number, { opt: number; deopt: number }>();
  let rest = '';
  await drive(workerOf(repo), ['--trace-opt', '--trace-deopt'], (text, ended) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    const b = per.get(Math.floor(ended / 100)) ?? { opt: 0, deopt: 0 };
    for (const l of lines) {
      if (l.startsWith('[completed optimizing')) b.opt++;
      else if (l.startsWith('[bailout')) b.deopt++;
    }
    per.set(Math.floor(ended / 100), b);
  });
  for (const [k, v] of [...per].sort((x, y) => x[0] - y[0])) {
    process.stdout.write(`chunks ${k * 100 + 1}-${Math.min(chunks, k * 100 + 100)}: ${v.opt} TurboFan compiles, ${v.deopt} deopts\n`);
  }
}
for (let i = 0; i < rounds; i++) {
  const a = await drive(workerOf(repo));
  mine.push(a.cpu);
  process.stdout.write(`round ${i + 1}  worker: ${chunks} chunks, CPU ${a.cpu.toFixed(2)} s (${(1000 * a.cpu / chunks).toFixed(2)} ms per chunk), wall ${a.wall.toFixed(2)} s  load ${load()}\n`);
  if (flags !== undefined) {
    const f = await drive(workerOf(repo), flags);
    flagged.push(f.cpu);
    process.stdout.write(`round ${i + 1}  worker ${flags.join(' ')}: CPU ${f.cpu.toFixed(2)} s (${(1000 * f.cpu / chunks).toFixed(2)} ms per chunk), wall ${f.wall.toFixed(2)} s  load ${load()}\n`);
  }
  if (baseDir !== undefined) {
    const b = await drive(workerOf(baseDir));
    base.push(b.cpu);
    process.stdout.write(`round ${i + 1}  base:   ${chunks} chunks, CPU ${b.cpu.toFixed(2)} s (${(1000 * b.cpu / chunks).toFixed(2)} ms per chunk), wall ${b.wall.toFixed(2)} s  load ${load()}\n`);
  }
}
process.stdout.write(`median worker CPU: ${median(mine).toFixed(2)} s (${(1000 * median(mine) / chunks).toFixed(2)} ms per chunk)`);
if (base.length > 0) process.stdout.write(`; base ${median(base).toFixed(2)} s; this/base ${(median(mine) / median(base)).toFixed(2)}x`);
if (flagged.length > 0) process.stdout.write(`; with ${flags!.join(' ')} ${median(flagged).toFixed(2)} s, flags/without ${(median(flagged) / median(mine)).toFixed(2)}x`);
process.stdout.write('\n');
