// What `heppy report` shows, gathered from an Outdir: the build record, the verdict on every chunk
// and merged component (good, failed with its failure kind and the end of its log, stale), the
// yields, every merged histogram (TH1: MC scaled to the luminosity and stacked by component, data
// summed as points; TH2: one per component), and the last build's trace.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkChunks, checkMerged, discoverChunkDirs, headerProbe } from '../../check/index.js';
import { readMarker } from '../../chunkdir/marker.js';
import { recordedFailures, recordedLine, type RecordedFailure } from '../../check/recorded-failures.js';
import { chunkNames, readBuildRecord, type BuildRecord } from '../../engine/build-record.js';
import { readTrace, type TraceRow } from '../../engine/trace.js';
import { openRootFile } from '../../root/read/index.js';
import { formatFailure, ok, type Result } from '../../util/result.js';
import { computeYields, type Yields } from '../../yields/compute.js';

export type NodeStatus = 'good' | 'failed' | 'bad' | 'stale' | 'missing';

export interface NodeView {
  name: string;
  component: string;
  kind: 'chunk' | 'merge';
  status: NodeStatus;
  /** The failure kind (input, analysis, schema, resource, infrastructure, interrupted) when recorded. */
  failure: string | null;
  problems: string[];
  events: number | null;
  /** The last lines of log.txt, for chunks that are not good. */
  logTail: string | null;
  log: string | null;
}

/** One histogram as drawn: jsroot JSON objects (ROOT's JSON), ready for JSROOT.parse. */
export interface PlotView {
  /** `<Analyzer>/<file>/<key path>` */
  id: string;
  title: string;
  kind: 'th1' | 'th2';
  /** TH1: the MC stack (JSON of a THStack) or null; the data histogram or null; legend entries. */
  stack: string | null;
  data: string | null;
  legend: Array<{ name: string; color: number; kind: 'mc' | 'data' | 'other' }>;
  /** TH2 (or TH1 of components that are neither MC nor data): one histogram per component. */
  singles: Array<{ component: string; json: string }>;
}

export interface ReportData {
  outdir: string;
  generatedAt: string;
  build: BuildRecord | null;
  nodes: NodeView[];
  yields: Yields | null;
  yieldsProblem: string | null;
  plots: PlotView[];
  trace: TraceRow[];
}

const COLORS = [2, 4, 3, 6, 7, 5, 28, 46, 38, 30, 40, 9];

function tail(file: string, lines = 15): string | null {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return null;
  }
}

/** What a recorded failure adds to a chunk that is not good and has no failed marker of its own. */
function withRecorded(v: NodeView, rec: RecordedFailure | undefined): NodeView {
  if (rec === undefined || v.status === 'good' || v.status === 'stale' || v.failure !== null) return v;
  return { ...v, status: 'failed', failure: rec.failure.kind, problems: [recordedLine(rec), ...v.problems],
    logTail: v.logTail ?? (rec.log === null ? null : tail(rec.log)), log: v.log ?? rec.log };
}

async function nodeViews(outdir: string, build: BuildRecord | null): Promise<NodeView[]> {
  const recorded = await recordedFailures(outdir);
  const found = discoverChunkDirs([outdir]);
  const inBuild = new Set(build?.components.flatMap((c) => chunkNames(c)) ?? []);
  const compOf = new Map(build?.components.flatMap((c) => chunkNames(c).map((ch) => [ch, c.name] as const)) ?? []);
  const verdicts = await checkChunks(found.chunks, { probe: headerProbe });
  const out: NodeView[] = verdicts.map((v) => {
    const m = readMarker(v.dir);
    const marker = m.ok && m.value?.kind === 'chunk' ? m.value : null;
    const stale = build !== null && !inBuild.has(v.name);
    const status: NodeStatus = stale ? 'stale' : v.good ? 'good' : marker?.status === 'failed' ? 'failed' : 'bad';
    const logFile = join(v.dir, 'log.txt');
    return withRecorded({ name: v.name, component: compOf.get(v.name) ?? v.name.replace(/_Chunk\d+$/, ''), kind: 'chunk', status, failure: marker?.failure?.kind ?? null,
      problems: [...(stale ? ['not a chunk of the last build (an earlier split?)'] : []), ...v.problems.map((p) => p.message)], events: v.eventsProcessed,
      logTail: v.good && !stale ? null : tail(logFile), log: existsSync(logFile) ? logFile : null }, recorded.get(v.name));
  });
  // Chunks of the last build with no directory at all (never ran, or removed).
  const have = new Set(verdicts.map((v) => v.name));
  for (const c of build?.components ?? []) {
    for (const ch of chunkNames(c)) if (!have.has(ch)) out.push(withRecorded({ name: ch, component: c.name, kind: 'chunk', status: 'missing', failure: null, problems: ['no directory'], events: null, logTail: null, log: null }, recorded.get(ch)));
  }
  for (const dir of found.merged) {
    const v = await checkMerged(dir, { probe: headerProbe });
    const m = readMarker(dir);
    const failure = m.ok && m.value?.kind === 'hadd' ? m.value.failure?.kind ?? null : null;
    const status: NodeStatus = v.good ? 'good' : v.problems.some((p) => p.code === 'stale' || p.code === 'partial') ? 'stale' : m.ok && m.value?.status === 'failed' ? 'failed' : 'bad';
    out.push({ name: `${v.component} (merged)`, component: v.component, kind: 'merge', status, failure, problems: v.problems.map((p) => p.message), events: null, logTail: null, log: null });
  }
  return out;
}

interface JsrootCore {
  toJSON(obj: unknown): string;
  parse(json: string): unknown;
  createTHStack(...h: unknown[]): unknown;
}

interface JsHistObj {
  _typename: string; fName: string; fTitle: string; fArray: ArrayLike<number>; fSumw2: ArrayLike<number>;
  fEntries: number; fTsumw: number; fTsumw2: number; fTsumwx: number; fTsumwx2: number;
  fFillColor: number; fLineColor: number; fMarkerStyle: number; fMarkerSize: number; fMarkerColor: number; fLineWidth: number;
  fXaxis: { fNbins: number; fTitle: string }; fYaxis: { fNbins: number; fTitle: string };
}

/** A histogram scaled by `f` (contents by f, errors² by f²), as a fresh object. */
function scaled(core: JsrootCore, h: JsHistObj, f: number): JsHistObj {
  const c = core.parse(core.toJSON(h)) as JsHistObj;
  const arr = Array.from(c.fArray, (v) => v * f);
  const sw2 = c.fSumw2 && c.fSumw2.length ? Array.from(c.fSumw2, (v) => v * f * f) : Array.from(h.fArray, (v) => v * f * f);
  Object.assign(c, { fArray: arr, fSumw2: sw2 });
  // the statistics: Σw, Σwx, Σwx², Σwy… scale with f; Σw² with f²
  const st = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(st)) if (k.startsWith('fTsumw') && typeof st[k] === 'number') st[k] = (st[k] as number) * (k === 'fTsumw2' ? f * f : f);
  return c;
}

function added(core: JsrootCore, hs: JsHistObj[]): JsHistObj {
  const c = core.parse(core.toJSON(hs[0]!)) as JsHistObj;
  const arr = Array.from(c.fArray), sw2 = c.fSumw2 && c.fSumw2.length ? Array.from(c.fSumw2) : Array.from(c.fArray);
  for (const h of hs.slice(1)) {
    Array.from(h.fArray).forEach((v, i) => { arr[i] = (arr[i] ?? 0) + v; });
    const s = h.fSumw2 && h.fSumw2.length ? Array.from(h.fSumw2) : Array.from(h.fArray);
    s.forEach((v, i) => { sw2[i] = (sw2[i] ?? 0) + v; });
    c.fEntries += h.fEntries; c.fTsumw += h.fTsumw; c.fTsumw2 += h.fTsumw2; c.fTsumwx += h.fTsumwx; c.fTsumwx2 += h.fTsumwx2;
  }
  Object.assign(c, { fArray: arr, fSumw2: sw2 });
  return c;
}

type Comp = NonNullable<Yields>['components'][number];
type Member = { comp: Comp; obj: JsHistObj };

/** The TH1/TH2 objects of every component's analyzer ROOT files, grouped by analyzer/file/key (in component order). */
async function histGroups(outdir: string, comps: Comp[]): Promise<Map<string, Member[]>> {
  const groups = new Map<string, Member[]>();
  for (const comp of comps) {
    const dir = join(outdir, comp.name);
    for (const ana of readdirSync(dir).sort()) {
      const adir = join(dir, ana);
      if (!statSync(adir).isDirectory()) continue;
      for (const f of readdirSync(adir).filter((x) => x.endsWith('.root')).sort()) {
        const reader = await openRootFile(join(adir, f));
        try {
          for (const k of reader.keys()) {
            if (!/^TH[12][FDIS]$/.test(k.className)) continue;
            const obj = (await reader.object(k.path)) as JsHistObj;
            const id = `${ana}/${f}/${k.path}`;
            groups.set(id, [...(groups.get(id) ?? []), { comp, obj }]);
          }
        } finally {
          reader.close();
        }
      }
    }
  }
  return groups;
}

/** A TH1's view: the MC components stacked (normalised), the data added, the others alone. */
function th1View(core: JsrootCore, view: PlotView, members: Member[], first: JsHistObj, title: string): void {
  const mc = members.filter((m) => m.comp.kind === 'mc');
  const data = members.filter((m) => m.comp.kind === 'data');
  const other = members.filter((m) => m.comp.kind === 'other');
  if (mc.length) {
    const hs = mc.map((m, i) => {
      const h = scaled(core, m.obj, m.comp.norm ?? 1);
      const color = COLORS[i % COLORS.length]!;
      Object.assign(h, { fName: m.comp.name, fTitle: m.comp.name, fFillColor: color, fLineColor: color });
      view.legend.push({ name: m.comp.name + (m.comp.norm === null ? ' (not normalised)' : ''), color, kind: 'mc' });
      return h;
    });
    const stack = core.createTHStack(...hs) as { fName: string; fTitle: string };
    stack.fName = first.fName;
    stack.fTitle = title;
    view.stack = core.toJSON(stack);
  }
  if (data.length) {
    const d = added(core, data.map((m) => m.obj));
    Object.assign(d, { fName: 'data', fMarkerStyle: 20, fMarkerSize: 1, fMarkerColor: 1, fLineColor: 1, fFillColor: 0 });
    view.data = core.toJSON(d);
    view.legend.push({ name: data.map((m) => m.comp.name).join(' + '), color: 1, kind: 'data' });
  }
  view.singles = other.map((m) => ({ component: m.comp.name, json: core.toJSON(m.obj) }));
}

/** Every TH1/TH2 of every merged component's analyzer ROOT files, grouped by analyzer/file/key. */
async function plots(outdir: string, y: Yields | null): Promise<PlotView[]> {
  // @ts-ignore jsroot has no type declarations for its modules
  const core = (await import('jsroot/core')) as JsrootCore;
  const groups = await histGroups(outdir, y?.components ?? []);
  const out: PlotView[] = [];
  for (const [id, members] of groups) {
    const first = members[0]!.obj;
    const kind = first._typename.startsWith('TH2') ? 'th2' : 'th1';
    // ROOT's "title;x title;y title" convention: jsroot's stack does not split it, so it is done here.
    const [title = '', xTitle = '', yTitle = ''] = first.fTitle.split(';');
    for (const m of members) {
      m.obj.fTitle = title;
      if (xTitle && !m.obj.fXaxis.fTitle) m.obj.fXaxis.fTitle = xTitle;
      if (yTitle && !m.obj.fYaxis.fTitle) m.obj.fYaxis.fTitle = yTitle;
    }
    const view: PlotView = { id, title: title || first.fName, kind, stack: null, data: null, legend: [], singles: [] };
    if (kind === 'th2') {
      view.singles = members.map((m) => ({ component: m.comp.name, json: core.toJSON(m.comp.kind === 'mc' && m.comp.norm !== null ? scaled(core, m.obj, m.comp.norm) : m.obj) }));
    } else {
      th1View(core, view, members, first, title);
    }
    out.push(view);
  }
  return out;
}

export async function collectReport(outdir: string): Promise<Result<ReportData>> {
  const rec = readBuildRecord(outdir);
  if (!rec.ok) return rec;
  const y = computeYields(outdir);
  return ok({
    outdir, generatedAt: new Date().toISOString(), build: rec.value,
    nodes: await nodeViews(outdir, rec.value),
    yields: y.ok ? y.value : null, yieldsProblem: y.ok ? null : formatFailure(y.error),
    plots: await plots(outdir, y.ok ? y.value : null),
    trace: readTrace(outdir),
  });
}

export const reportName = (outdir: string): string => basename(outdir);
