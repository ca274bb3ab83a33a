// A real XRootD server for tests: Debian's xrootd-server, unauthenticated, on localhost, serving a
// temporary directory over root:// and (XrdHttp) over http:// on another port. Started per test
// file, stopped at the end. Where it cannot be started the tests skip with a SKIP line, unless
// HEPPY_REQUIRE_XROOTD=1 (CI), where that is an error.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface XrootdServer {
  /** Directory served: root://localhost:PORT//<name> is <data>/<name>. */
  data: string;
  rootUrl(name: string): string;
  httpUrl(name: string): string;
  rootPort: number;
  httpPort: number;
  /** The server's process id while it runs (benchmarks read its CPU time), else null. */
  pid(): number | null;
  /** Counted in the server's trace log: file opens, and reads (kXR_read, kXR_readv, and the reads the HTTP bridge makes). */
  fileOps(): { opens: number; reads: number };
  stop(): Promise<void>;
  /** Starts it again on the same ports (after stop). */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

function skip(why: string): null {
  if (process.env.HEPPY_REQUIRE_XROOTD === '1') throw new Error(`HEPPY_REQUIRE_XROOTD=1 but ${why}`);
  console.log(`SKIP: ${why}; tests against a real XRootD server are skipped`);
  return null;
}

/**
 * Starts a server (null after a SKIP line when it cannot). `trace: false` (benchmarks) leaves out
 * the per-request trace lines the tests count fileOps() by: the server then writes no log line
 * per request, as a production server does not.
 */
export async function startXrootd(opts: { trace?: boolean } = {}): Promise<XrootdServer | null> {
  const bin = which('xrootd');
  if (bin === null) return skip('no xrootd binary (apt-get install xrootd-server)');
  const base = mkdtempSync(join(tmpdir(), 'heppy-xrootd-'));
  const data = join(base, 'data');
  mkdirSync(data);
  // xrootd refuses to run as root: it then runs as the package's 'xrootd' user, which must reach these.
  chmodSync(base, 0o777); chmodSync(data, 0o777);
  const rootPort = await freePort(), httpPort = await freePort();
  const cfg = join(base, 'xrootd.cfg');
  writeFileSync(cfg, [
    `xrd.port ${rootPort}`,
    'all.export /',
    `oss.localroot ${data}`,
    `all.adminpath ${base}/admin`,
    `all.pidpath ${base}`,
    'xrootd.chksum adler32',
    ...(opts.trace === false ? [] : ['xrootd.trace all', 'ofs.trace open read']),
    'if exec xrootd',
    `xrd.protocol XrdHttp:${httpPort} libXrdHttp.so`,
    'fi',
    '',
  ].join('\n'));
  const log = join(base, 'xrootd.log');
  const asRoot = process.getuid?.() === 0;
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const args = ['-c', cfg, '-l', log, '-n', 'heppytest', ...(asRoot ? ['-R', 'xrootd'] : [])];
    child = spawn(bin, args, { stdio: 'ignore', detached: false });
    const c = child;
    for (let i = 0; i < 100; i++) {
      if (c.exitCode !== null) throw new Error(`xrootd exited with ${c.exitCode} (log: ${logPath()})`);
      if (await accepts(rootPort) && await accepts(httpPort)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`xrootd did not listen on ${rootPort}/${httpPort} within 10 s (log: ${logPath()})`);
  };
  const logPath = (): string => (existsSync(join(base, 'heppytest', 'xrootd.log')) ? join(base, 'heppytest', 'xrootd.log') : log);
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    await new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, 3000).unref(); });
    for (let i = 0; i < 50 && (await accepts(rootPort)); i++) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    await start();
  } catch (e) {
    await stop();
    rmSync(base, { recursive: true, force: true });
    return skip(`the xrootd server could not be started: ${(e as Error).message}`);
  }
  return {
    data, rootPort, httpPort,
    pid: () => (child as ChildProcess | null)?.pid ?? null,
    rootUrl: (name) => `root://localhost:${rootPort}//${name.replace(/^\/+/, '')}`,
    httpUrl: (name) => `http://localhost:${httpPort}/${name.replace(/^\/+/, '')}`,
    fileOps: () => {
      let text = '';
      try { text = readFileSync(logPath(), 'utf8'); } catch { /* no log yet */ }
      return { opens: (text.match(/ofs_open:/g) ?? []).length, reads: (text.match(/ofs_read|req=readv?\b/g) ?? []).length };
    },
    stop, start,
    dispose: async () => { await stop(); rmSync(base, { recursive: true, force: true }); },
  };
}

/** Whether `xrdcp` is installed (benchmarks compare with it). */
export function hasXrdcp(): boolean {
  try { execFileSync('xrdcp', ['--version'], { stdio: 'pipe' }); return true; } catch { return false; }
}
