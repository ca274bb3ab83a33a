// Worker for fuzz.test.ts: reads each mutated file it is sent completely (keys, every
// tree's every branch, every histogram) and reports 'ok', a RootError, or another error.
// It runs in a worker thread so that the test can stop it if a read never ends.
import { parentPort } from 'node:worker_threads';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile } from '../../../../src/root/read/summary.js';
import { RootError } from '../../../../src/root/errors.js';

export interface FuzzRequest { id: number; path: string }
export interface FuzzReply { id: number; outcome: 'ok' | 'root-error' | 'other-error'; message: string }

const port = parentPort;
if (port === null) throw new Error('fuzz-worker must run in a worker thread');
port.on('message', (req: FuzzRequest) => {
  void (async () => {
    let reply: FuzzReply;
    try {
      const f = await openRootFile(req.path);
      try {
        await summarizeFile(f);
        for (const k of f.keys()) if (/^TH[12][FD]$/.test(k.className)) await f.hist(`${k.path};${k.cycle}`);
      } finally { f.close(); }
      reply = { id: req.id, outcome: 'ok', message: '' };
    } catch (e) {
      const err = e as Error;
      reply = { id: req.id, outcome: e instanceof RootError ? 'root-error' : 'other-error', message: `${err.name}: ${err.message}\n${err.stack ?? ''}` };
    }
    port.postMessage(reply);
  })();
});
