// Running a `-b` template once for a chunk: /bin/sh in the chunk directory, in a process group of
// its own (Ctrl-C on heppy leaves the submission alone), its output appended to the job log.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface TemplateRun {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

/**
 * Runs the template like os.system in heppy_batch, but with its output in a file (a `nohup … &`
 * keeps writing there after the shell returned; a pipe would keep heppy waiting for the job).
 */
export function runTemplate(template: string, cwd: string, outFile: string, jobName: string): Promise<TemplateRun> {
  const fd = openSync(outFile, 'a');
  return new Promise((resolvePromise) => {
    const child = spawn('/bin/sh', ['-c', template], { cwd, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, HEPPY_CHUNK_DIR: cwd, HEPPY_JOB_NAME: jobName } });
    let settled = false;
    const done = (r: TemplateRun): void => {
      if (settled) return;
      settled = true;
      closeSync(fd);
      resolvePromise(r);
    };
    child.on('error', (err) => done({ pid: child.pid ?? 0, code: null, signal: null, error: err.message }));
    child.on('exit', (code, signal) => done({ pid: child.pid ?? 0, code, signal }));
  });
}

/** What a template wrote so far to its job log ('' when there is none yet). */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
