// What one round trip to the local XRootD server costs, and why: the latency of a kXR_stat on a
// logged-in connection (the smallest request: the server stats a path and answers), of a kXR_open
// and of a kXR_readv of the whole HZZ file (0.22 MB), against a plain TCP echo by another Node
// process over the same loopback, each measured with the machine's cores otherwise idle and again
// with a busy-looping process (lowest priority) per core. On this VM an idle core halts and is
// woken by an interrupt from the host, so every wait for a reply can cost the wake-up of two cores
// (the server's, then the client's); with the cores kept busy no core halts and a round trip
// costs what the two programs do. A gap between the two columns is that wake-up cost, not the
// protocol, Nagle or the server's threads (the XRootD server answers in the thread that read
// the request: strace shows recvfrom, the file system calls and one writev per reply).
//
// Run: npm run build && node dist/bench/remote-rtt.js [N=2000]
// Figures: bench/README.md ("Remote reads, session 18").
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Connection } from '../src/io/xrootd/connection.js';
import { REQ } from '../src/io/xrootd/protocol.js';
import { XrdFile, closeAll } from '../src/io/xrootd/client.js';
import { parseLocation } from '../src/io/url.js';
import { sharedRootDir } from '../test/util/shared.js';
import { startXrootd } from '../test/util/xrootd.js';

const N = Number(process.argv[2] ?? 2000);
const FILE = 'uproot-HZZ.root';

const dir = sharedRootDir();
const server = dir === null ? null : await startXrootd({ trace: false });
if (dir === null || server === null) process.exit(0);
copyFileSync(join(dir, FILE), join(server.data, FILE));
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const us = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1000;
function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (f: number): string => s[Math.min(s.length - 1, Math.floor(f * s.length))]!.toFixed(0);
  return `p10 ${at(0.1)} / p50 ${at(0.5)} / p90 ${at(0.9)} µs`;
}

/** A TCP echo server in another Node process (the same loopback, no protocol work). */
async function echoServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', "require('net').createServer((s)=>{s.setNoDelay(true);s.on('data',(d)=>s.write(d))}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((r) => child.stdout!.once('data', (d) => r(Number(String(d)))));
  return { port, child };
}

async function measure(label: string, conn: Connection, echo: Socket): Promise<void> {
  const path = Buffer.from(`/${FILE}`);
  const stat: number[] = [], ping: number[] = [], open: number[] = [], readv: number[] = [];
  const loc = parseLocation(server!.rootUrl(FILE));
  if (loc.kind !== 'xrootd') throw new Error('not an XRootD URL');
  for (let i = 0; i < N; i++) {
    let t = process.hrtime.bigint();
    await conn.send(REQ.stat, Buffer.alloc(16), path, 10_000);
    stat.push(us(t));
    t = process.hrtime.bigint();
    await new Promise((r) => { echo.once('data', r); echo.write(Buffer.alloc(24)); });
    ping.push(us(t));
    if (i % 4 === 0) {
      t = process.hrtime.bigint();
      const f = await XrdFile.open(loc);
      open.push(us(t));
      t = process.hrtime.bigint();
      await f.readv([{ pos: 0, len: f.size }]);
      readv.push(us(t));
      await f.close();
    }
  }
  console.log(`${label} (load ${load()}):\n  kXR_stat round trip ${quantiles(stat)}\n  TCP echo round trip ${quantiles(ping)}\n` +
    `  kXR_open ${quantiles(open)}\n  kXR_readv of the whole file ${quantiles(readv)}`);
}

const conn = await Connection.open('localhost', server.rootPort, { timeoutMs: 10_000 });
const { port, child: echoChild } = await echoServer();
const echo = connect({ host: '127.0.0.1', port });
echo.setNoDelay(true);
await new Promise((r) => echo.once('connect', r));

console.log(`${N} round trips of each kind; ${cpus().length} cores`);
await measure('cores otherwise idle', conn, echo);
// One busy loop per core at the lowest priority: the cores never halt, the measured programs still run first.
const spinners = cpus().map(() => spawn('nice', ['-n', '19', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 200));
try {
  await measure('every core kept busy by a nice-19 loop', conn, echo);
} finally {
  for (const s of spinners) s.kill('SIGKILL');
}
echo.destroy(); echoChild.kill(); conn.close();
await closeAll();
await server.dispose();
