// A merged component appears only complete: it is built in Outdir/.heppy/tmp/ and renamed into
// place (the old one moved to .heppy/trash/ first, then removed), as chunks are.
import { mkdirSync, mkdtempSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function makeTmpDir(outdir: string, label: string): string {
  const tmpRoot = join(outdir, '.heppy', 'tmp');
  mkdirSync(tmpRoot, { recursive: true });
  return mkdtempSync(join(tmpRoot, `${label}.hadd.`));
}

export function swapIntoPlace(tmp: string, target: string, outdir: string, label: string): void {
  let trash: string | null = null;
  if (existsSync(target)) {
    const trashRoot = join(outdir, '.heppy', 'trash');
    mkdirSync(trashRoot, { recursive: true });
    trash = join(mkdtempSync(join(trashRoot, `${label}.`)), 'old');
    renameSync(target, trash);
  }
  renameSync(tmp, target);
  if (trash) rmSync(join(trash, '..'), { recursive: true, force: true });
}
