// Remote read benchmark: every numeric branch of the HZZ and issue412 files read with heppy's
// reader from the local file, over root:// and over http:// from a local XRootD server (Debian's
// xrootd-server started by test/util/xrootd.ts, without its per-request trace log), and `xrdcp`
// of the same file to /dev/null.
//
// A single read of issue412 takes a quarter of a second and varies ±15 % from one read to the
// next, so one sample is many reads: REPS reads of the file by each way, interleaved (local, root,
// http, local, root, http… with the starting way rotated each repetition), and the sample's
// ratio is local time / remote time summed over its reads. The figure is the median of SAMPLES
// such ratios with their quartiles and range. Fair by construction: the local reads and the
// server read the same file (the copy in the server's directory, page cache warm for both after
// the warm-up), through the reader each source gets in the product. The server runs on the same
// 2 cores as the client: its CPU (from /proc) is printed beside the client's (process.cpuUsage).
// Also printed: requests per read over each protocol, split into those made before the first
// basket is asked for (structure: open, header, keys, streamers, tree) and the rest, and the
// median time from the open to the first batch of values (round trips before decoding starts).
//
// Each way reads in a process of its own (kept for the whole run and told by this one which read
// to make next, so the reads still interleave in time), as a worker reads its inputs. In one
// shared process the garbage of the local reads, which never wait, was collected by V8's GC tasks
// while the remote reads waited for the server, and counted as theirs (HZZ, 150 reads of each
// way in one process: 0.0 scavenges per local read, 0.3 per root:// read; in separate processes
// 0.24 for every way), and each way ran reader code made polymorphic by the others' sources.
// `--in-process` keeps that older method (all ways in this process) for comparison.
//
// Run: npm run build && node dist/bench/remote-read.js [SAMPLES=9] [REPS_SCALE=1] [--base DIR] [--in-process]
//   --base DIR: another tree (built with tsc) read root:// and http:// in the same samples.
//   BENCH_XRDCP=0 leaves xrdcp out. (undici against http/raw.ts: the commit "Evaluation of undici", with
//   BENCH_HTTP_CLIENTS=undici,raw; bench/README.md.)
// Figures: bench/README.md.
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import type { openRootFile } from '../src/root/read/index.js';
import { sharedRootDir } from '../test/util/shared.js';
import { hasXrdcp, startXrootd } from '../test/util/xrootd.js';

const CASES = [{ file: 'uproot-HZZ.root', tree: 'events', reps: 16 }, { file: 'uproot-issue412.root', tree: 'test', reps: 4 }];
const args = process.argv.slice(2);
const CHILD = args[0] === '--child';
const inAt = args.indexOf('--in-process');
const IN_PROCESS = inAt >= 0 && args.splice(inAt, 1).length > 0;
const baseAt = args.indexOf('--base');
const BASE = baseAt >= 0 ? resolve(args.splice(baseAt, 2)[1]!) : null;
const SAMPLES = Number(args[0] ?? 9);
const SCALE = Number(args[1] ?? 1);
/** Reads of each file by each way before the samples (each process warms its own JIT). */
const WARMUP = IN_PROCESS ? 1 : 2;

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number): number => { const s = sorted(xs); return s[Math.min(s.length - 1, Math.floor(f * s.length))]!; };
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

type Open = typeof openRootFile;
interface Reader { open: Open; requests(): number; closeAll(): Promise<void> }
/** The reader of a built tree (`dir` holds dist/): loaded beside any other, with its own XRootD and HTTP connections. */
async function readerOf(dir: string): Promise<Reader> {
  const at = (m: string): string => pathToFileURL(join(dir, 'dist/src', m)).href;
  const r = await import(at('root/read/index.js')) as { openRootFile: Open };
  const x = await import(at('io/xrootd/client.js')) as { counters: { requests: number }; closeAll(): Promise<void> };
  const h = await import(at('io/http/request.js')) as { httpCounters: { requests: number } };
  return { open: r.openRootFile, requests: () => x.counters.requests + h.httpCounters.requests, closeAll: x.closeAll };
}

/** CPU time of a process in ms (utime + stime from /proc; 0 when it cannot be read). */
function procCpuMs(pid: number | null): number {
  if (pid === null) return 0;
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch { return 0; }
}

interface Read { ms: number; cpu: number; values: number; structure: number; baskets: number; first: number }

async function readAll(reader: Reader, where: string, tree: string): Promise<Read> {
  const requests = reader.requests;
  const t0 = performance.now(), c0 = cpuMs(), r0 = requests();
  const f = await reader.open(where);
  const t = await f.tree(tree);
  const names = t.branches.filter((b) => b.type !== null).map((b) => b.name);
  const r1 = requests();
  let values = 0, first = 0;
  for await (const b of t.batches(names)) {
    if (first === 0) first = performance.now() - t0;
    for (const n of names) values += b.columns[n]!.values.length;
  }
  f.close();
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, values, structure: r1 - r0, baskets: requests() - r1, first };
}

function xrdcp(url: string): { ms: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', 'xrdcp', '-f', '-s', url, '/dev/null'], { stdio: 'pipe', encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`xrdcp ${url}: ${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpu: ((u ?? 0) + (s ?? 0)) * 1000 };
}

/** Reads a file by one way: in this process, or in a child process of its own. */
interface Runner { read(where: string, tree: string): Promise<Read>; close(): Promise<void> }
interface Way { name: string; where: string; runner: Runner }

function inProcess(reader: Reader): Runner {
  return { read: (where, tree) => readAll(reader, where, tree), close: () => reader.closeAll() };
}

/** A child process (this script with --child DIR) that reads when asked and answers with the Read. */
function childProcess(dir: string): Runner {
  const p: ChildProcess = fork(new URL(import.meta.url).pathname, ['--child', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve(r: Read): void; reject(e: Error): void } | null = null;
  p.on('message', (m: Read | { error: string }) => {
    const w = waiting; waiting = null;
    if ('error' in m) w?.reject(new Error(m.error)); else w?.resolve(m);
  });
  p.on('exit', (code) => { waiting?.reject(new Error(`reader process (${dir}) exited with ${code}`)); waiting = null; });
  return {
    read: (where, tree) => new Promise<Read>((res, rej) => { waiting = { resolve: res, reject: rej }; p.send({ where, tree }); }),
    close: () => new Promise<void>((res) => { if (p.exitCode !== null) { res(); return; } p.once('exit', () => res()); p.disconnect(); }),
  };
}

/** The child: reads one file per message, one at a time, until the parent disconnects. */
async function child(dir: string): Promise<void> {
  const reader = await readerOf(dir);
  let queue = Promise.resolve();
  process.on('message', (m: { where: string; tree: string }) => {
    queue = queue.then(async () => {
      try { process.send!(await readAll(reader, m.where, m.tree)); } catch (e) { process.send!({ error: (e as Error).stack ?? String(e) }); }
    });
  });
  process.once('disconnect', () => { void queue.then(() => reader.closeAll()).then(() => process.exit(0)); });
}

if (CHILD) await child(args[1]!);
else await parent();

async function parent(): Promise<void> {
  interface Tally { ms: number; cpu: number; server: number; reads: number; structure: number; baskets: number; first: number[] }

  const dir = sharedRootDir();
  const server = dir === null ? null : await startXrootd({ trace: false });
  if (dir === null || server === null) process.exit(0);
  const hereDir = resolve(new URL('.', import.meta.url).pathname, '../..');
  const runner = async (dir: string): Promise<Runner> => IN_PROCESS ? inProcess(await readerOf(dir)) : childProcess(dir);
  const root = await runner(hereDir);
  const local = await runner(hereDir), http = await runner(hereDir);
  const base = BASE === null ? null : { root: await runner(BASE), http: await runner(BASE) };
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${SAMPLES} samples, load before: ${load()}; the XRootD server (pid ${server.pid()}) shares the client's 2 cores; ${IN_PROCESS ? 'all ways in this process' : 'each way in a process of its own'}${BASE === null ? '' : `; base: ${BASE}`}`);

  for (const c of CASES) {
    copyFileSync(join(dir, c.file), join(server.data, c.file));
    const localPath = join(server.data, c.file);
    const size = statSync(localPath).size;
    const reps = Math.max(1, Math.round(c.reps * SCALE));
    const ways: Way[] = [
      { name: 'local', where: localPath, runner: local }, { name: 'root', where: server.rootUrl(c.file), runner: root }, { name: 'http', where: server.httpUrl(c.file), runner: http },
    ];
    if (base !== null) ways.push({ name: 'base-root', where: server.rootUrl(c.file), runner: base.root }, { name: 'base-http', where: server.httpUrl(c.file), runner: base.http });
    let values = -1;
    for (let i = 0; i < WARMUP; i++) for (const w of ways) values = (await w.runner.read(w.where, c.tree)).values; // warm-up
    const samples: Record<string, Tally>[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const t: Record<string, Tally> = Object.fromEntries(ways.map((w) => [w.name, { ms: 0, cpu: 0, server: 0, reads: 0, structure: 0, baskets: 0, first: [] as number[] }]));
      for (let r = 0; r < reps; r++) {
        for (let i = 0; i < ways.length; i++) {
          const w = ways[(i + r + s) % ways.length]!;
          const s0 = procCpuMs(server.pid());
          const got = await w.runner.read(w.where, c.tree);
          if (got.values !== values) throw new Error(`${w.name}: ${got.values} values, expected ${values}`);
          const x = t[w.name]!;
          x.ms += got.ms; x.cpu += got.cpu; x.server += procCpuMs(server.pid()) - s0; x.reads++;
          x.structure += got.structure; x.baskets += got.baskets; x.first.push(got.first);
        }
      }
      samples.push(t);
    }
    const xr: { ms: number; cpu: number }[] = [];
    // xrdcp after the readers' samples (a process spawned between reads, and the server's work for
    // it, landed on the next reads).
    if (process.env.BENCH_XRDCP !== '0' && hasXrdcp()) for (let i = 0; i < SAMPLES; i++) xr.push(xrdcp(server.rootUrl(c.file)));

    const mbs = (ms: number): string => `${(size / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
    console.log(`\n${c.file} (${(size / 1e6).toFixed(2)} MB, ${values} values), ${SAMPLES} samples of ${reps} reads by each way`);
    for (const w of ways) {
      const per = samples.map((t) => t[w.name]!);
      const ms = per.map((x) => x.ms / x.reads), cpu = per.map((x) => x.cpu / x.reads);
      const srv = per.reduce((a, x) => a + x.server, 0) / per.reduce((a, x) => a + x.reads, 0); // mean: 10 ms ticks
      const ratio = samples.map((t) => t.local!.ms / t[w.name]!.ms);
      const cpuRatio = samples.map((t) => t.local!.cpu / (t[w.name]!.cpu + t[w.name]!.server));
      const reqs = per.reduce((a, x) => a + x.structure + x.baskets, 0) / per.reduce((a, x) => a + x.reads, 0);
      const st = per.reduce((a, x) => a + x.structure, 0) / per.reduce((a, x) => a + x.reads, 0);
      const first = q(per.flatMap((x) => x.first), 0.5);
      const line = `  ${w.name.padEnd(9)} ${q(ms, 0.5).toFixed(1)} ms/read (${mbs(q(ms, 0.5))}), first batch after ${first.toFixed(1)} ms; CPU client ${q(cpu, 0.5).toFixed(1)} + server ${srv.toFixed(1)} ms/read`;
      if (w.name === 'local') { console.log(line); continue; }
      console.log(`${line}; ${reqs.toFixed(1)} requests/read (${st.toFixed(1)} before the baskets)\n` +
        `            vs local: wall ${q(ratio, 0.5).toFixed(2)}x (quartiles ${q(ratio, 0.25).toFixed(2)}-${q(ratio, 0.75).toFixed(2)}, range ${q(ratio, 0).toFixed(2)}-${q(ratio, 1).toFixed(2)}), CPU client+server ${q(cpuRatio, 0.5).toFixed(2)}x`);
    }
    if (base !== null) {
      for (const k of ['root', 'http']) {
        const r = samples.map((t) => t[`base-${k}`]!.ms / t[k]!.ms);
        console.log(`  ${k} vs base-${k}: ${q(r, 0.5).toFixed(2)}x the base's throughput (quartiles ${q(r, 0.25).toFixed(2)}-${q(r, 0.75).toFixed(2)})`);
      }
    }
    if (xr.length > 0) {
      const m = q(xr.map((x) => x.ms), 0.5), rm = q(samples.map((t) => t.root!.ms / t.root!.reads), 0.5);
      console.log(`  xrdcp     ${m.toFixed(1)} ms (${mbs(m)}), CPU ${q(xr.map((x) => x.cpu), 0.5).toFixed(0)} ms (a process each, start-up included); heppy's root:// read vs xrdcp: ${(m / rm).toFixed(2)}x`);
    }
  }
  console.log(`\nload after: ${load()}`);
  for (const r of [root, local, http, ...(base === null ? [] : [base.root, base.http])]) await r.close();
  await server.dispose();
}
