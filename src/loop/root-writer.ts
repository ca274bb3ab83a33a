// The slice of the ROOT writer (src/root/write, docs/internals.md) that booked outputs use.
// Loaded at run time so that the looper does not depend on the writer's internals.
import type { Hist } from '../root/hist.js';
import type { BranchSpec } from '../config/analyzer.js';

export type Row = Record<string, number | bigint | boolean | ArrayLike<number> | ArrayLike<bigint>>;

export interface TreeWriterLike {
  fill(row: Row): void;
  readonly entries: number;
}

export interface RootFileWriterLike {
  writeHist(hist: Hist, dir?: string): void | Promise<void>;
  createTree(spec: { name: string; title?: string; branches: BranchSpec[] }): TreeWriterLike;
  close(): Promise<void>;
}

interface WriterModule {
  RootFileWriter: { create(path: string, opts?: object): RootFileWriterLike | Promise<RootFileWriterLike> };
}

let mod: Promise<WriterModule> | null = null;

export async function createRootFile(path: string): Promise<RootFileWriterLike> {
  mod ??= import(new URL('../root/write/index.js', import.meta.url).href) as Promise<WriterModule>;
  const m = await mod;
  return await m.RootFileWriter.create(path, {});
}
