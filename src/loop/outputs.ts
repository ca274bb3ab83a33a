// What the framework keeps for one analyzer instance: its directory, counters, averages, booked
// histograms and trees (heppy's per-analyzer directory), and writing them out at the end.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyzerRuntime, BookedTree, BranchSpec, HistOptions, TreeOptions } from '../config/analyzer.js';
import type { Component } from '../config/component.js';
import { makeAxis, makeHist1, makeHist2, type Hist } from '../root/hist.js';
import { Average } from '../stats/average.js';
import { Counter, type WeightSource } from '../stats/counter.js';
import { statFileBase, writeStat } from '../stats/sidecar.js';
import { RootFileWriter, type FillValue } from '../root/write/index.js';
import { RNTupleWriter } from '../root/rntuple/writer.js';

interface RootFileOut {
  writer: RootFileWriter;
  hists: Hist[];
  /** TTree and RNTuple writers (both finish when their file closes). */
  trees: { spec: { name: string } }[];
}

/**
 * What an analyzer's tree() returns: one class for every chunk, so that the analyzer's fill call
 * site sees one shape (an object literal with a getter was a new hidden class per chunk: the
 * analyzer's process() was deoptimised at each chunk of a long-lived worker).
 */
class TreeHandle implements BookedTree {
  constructor(readonly name: string, private readonly t: { fill(row: Record<string, FillValue>): void; readonly entries: number }) {}
  fill(row: Record<string, FillValue>): void { this.t.fill(row); }
  get entries(): number { return this.t.entries; }
}

export class AnalyzerOutputs implements AnalyzerRuntime {
  readonly counters = new Map<string, Counter>();
  readonly averages = new Map<string, Average>();
  private readonly files = new Map<string, RootFileOut>();
  private readonly logFile: string;
  /** Lines for the analyzer's log.txt, written at the end (or on failure): no syscall per line. */
  private logLines: string[] = [];

  constructor(
    readonly name: string,
    readonly params: Record<string, unknown>,
    readonly component: Component,
    readonly dirName: string,
    /** Where counters take the weight of one entry (the looper's current event's eventWeight); null: 1. */
    private readonly weightFrom: WeightSource | null = null,
    /** Also gets each line the analyzer logs (`heppy run` prints them). */
    private readonly onLog?: (analyzer: string, message: string) => void,
  ) {
    mkdirSync(dirName, { recursive: true });
    this.logFile = join(dirName, 'log.txt');
    writeFileSync(this.logFile, ''); // heppy's per-analyzer logger creates it
  }

  /**
   * The last counter and average asked for: analyzers ask for the same one at every event with the
   * same string (`this.counter('cutflow')`), which an identity check finds without hashing it.
   */
  private lastCounter: Counter | null = null;
  private lastAverage: Average | null = null;

  counter(name: string): Counter {
    const last = this.lastCounter;
    if (last !== null && last.name === name) return last;
    const c = this.counterNamed(name);
    this.lastCounter = c;
    return c;
  }

  average(name: string): Average {
    const last = this.lastAverage;
    if (last !== null && last.name === name) return last;
    const a = this.averageNamed(name);
    this.lastAverage = a;
    return a;
  }

  private counterNamed(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      this.checkStatName(name);
      c = new Counter(name);
      c.weightFrom = this.weightFrom;
      this.counters.set(name, c);
    }
    return c;
  }

  private averageNamed(name: string): Average {
    let a = this.averages.get(name);
    if (a === undefined) {
      this.checkStatName(name);
      a = new Average(name);
      this.averages.set(name, a);
    }
    return a;
  }

  private checkStatName(name: string): void {
    const base = statFileBase(name);
    if (name === '' || base.includes('/') || base === 'log') throw new Error(`${this.name}: invalid counter/average name '${name}'`);
    for (const other of [...this.counters.keys(), ...this.averages.keys()]) {
      if (statFileBase(other) === base) throw new Error(`${this.name}: a counter or average named '${name}' already exists`);
    }
  }

  private file(fileName: string | undefined, dflt: string): RootFileOut {
    const f = fileName ?? dflt;
    if (f === '' || f.includes('/') || !f.endsWith('.root')) throw new Error(`${this.name}: output file '${f}' must be a plain name ending in .root`);
    let out = this.files.get(f);
    if (out === undefined) {
      // Tree baskets compress on the codec thread while the loop goes on (same bytes).
      out = { writer: RootFileWriter.create(join(this.dirName, f), { compressAhead: true }), hists: [], trees: [] };
      this.files.set(f, out);
    }
    return out;
  }

  private addHist(h: Hist, opts: HistOptions | undefined): Hist {
    const out = this.file(opts?.file, 'histograms.root');
    if (out.hists.some((x) => x.name === h.name) || out.trees.some((t) => t.spec.name === h.name)) {
      throw new Error(`${this.name}: an object named '${h.name}' is already booked in ${opts?.file ?? 'histograms.root'}`);
    }
    out.hists.push(h);
    return h;
  }

  hist1(name: string, title: string, nbins: number, min: number, max: number, opts?: HistOptions): Hist {
    const kind = opts?.precision === 'F' ? 'TH1F' : 'TH1D';
    return this.addHist(makeHist1(kind, name, title, makeAxis(nbins, min, max, opts?.xTitle ?? '')), opts);
  }

  hist2(name: string, title: string, nx: number, xmin: number, xmax: number, ny: number, ymin: number, ymax: number, opts?: HistOptions): Hist {
    const kind = opts?.precision === 'F' ? 'TH2F' : 'TH2D';
    const h = makeHist2(kind, name, title, makeAxis(nx, xmin, xmax, opts?.xTitle ?? ''), makeAxis(ny, ymin, ymax, opts?.yTitle ?? ''));
    return this.addHist(h, opts);
  }

  tree(name: string, branches: BranchSpec[], opts?: TreeOptions): BookedTree {
    const out = this.file(opts?.file, 'tree.root');
    if (out.hists.some((x) => x.name === name) || out.trees.some((t) => t.spec.name === name)) {
      throw new Error(`${this.name}: an object named '${name}' is already booked in ${opts?.file ?? 'tree.root'}`);
    }
    const format = opts?.format ?? 'ttree';
    if (format !== 'ttree' && format !== 'rntuple') throw new Error(`${this.name}: tree '${name}': format must be 'ttree' or 'rntuple', got ${JSON.stringify(format)}`);
    const t = format === 'rntuple'
      ? new RNTupleWriter(out.writer, { name, description: opts?.title ?? '', branches: branches.map((b) => ({ ...b })) })
      : out.writer.createTree({ name, title: opts?.title ?? name, branches: branches.map((b) => ({ ...b })) });
    out.trees.push(t);
    return new TreeHandle(name, t);
  }

  log(message: string): void {
    this.onLog?.(this.name, message);
    this.logLines.push(message.endsWith('\n') ? message : message + '\n');
  }

  private flushLog(): void {
    if (this.logLines.length === 0) return;
    appendFileSync(this.logFile, this.logLines.join(''));
    this.logLines = [];
  }

  /** Writes counters, averages (text + sidecar), histograms, and closes the ROOT files. */
  async finish(): Promise<void> {
    this.flushLog();
    for (const c of this.counters.values()) writeStat(this.dirName, c);
    for (const a of this.averages.values()) writeStat(this.dirName, a);
    for (const f of this.files.values()) {
      await f.writer.drain(); // tree baskets still compressing go first, as when written at once
      for (const h of f.hists) f.writer.writeHist(h);
      await f.writer.close();
    }
  }

  /** After a failure: close what is open so that a long-lived worker does not leak descriptors. */
  async abandon(): Promise<void> {
    this.flushLog();
    for (const f of this.files.values()) await f.writer.close().catch(() => undefined);
  }
}
