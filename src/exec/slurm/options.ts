// Settings of the Slurm executor (flags of `heppy build --executor slurm`).

export interface SlurmOptions {
  /** `--partition`; default: the cluster's default partition. */
  partition?: string;
  /** `--time` per array task (Slurm syntax, e.g. `1:00:00`); with packing it covers K chunks. */
  time?: string;
  /** `--mem` per array task, e.g. `2G`. */
  mem?: string;
  /** Bound on the memory of a job resubmitted after running out of it (`--max-mem`). Default 4 × --mem. */
  maxMem?: string;
  /** Bound on the time of a job resubmitted after its time limit (`--max-time`). Default 4 × --time. */
  maxTime?: string;
  /** Extra sbatch arguments, passed as they are (already split into words). */
  extraArgs?: string[];
  /** Chunks run one after another by one array task (packs tiny chunks). Default 1. */
  chunksPerJob?: number;
  /** How often markers are looked at and Slurm may be asked (ms). Default 5000. */
  pollIntervalMs?: number;
  /** Upper bound on squeue+sacct calls per minute, whatever the poll interval. Default 12 (one per 5 s). */
  maxQueriesPerMinute?: number;
  /** A job that left Slurm without a marker is failed only after this long (shared FS lag). Default 10 s. */
  markerGraceMs?: number;
  /** A job missing from squeue and sacct for this long is declared vanished. Default 60 s. */
  vanishGraceMs?: number;
  /** Largest array (tasks per sbatch call); bigger rounds use several calls. Default 1000. */
  maxArraySize?: number;
}

export interface ResolvedSlurmOptions extends Required<Omit<SlurmOptions, 'partition' | 'time' | 'mem' | 'maxMem' | 'maxTime'>> {
  partition?: string;
  time?: string;
  mem?: string;
  maxMem?: string;
  maxTime?: string;
}

export function resolveSlurmOptions(o: SlurmOptions = {}): ResolvedSlurmOptions {
  const pos = (v: number | undefined, d: number, what: string): number => {
    if (v === undefined) return d;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`slurm option ${what} must be positive, got ${v}`);
    return v;
  };
  return {
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(o.time !== undefined ? { time: o.time } : {}),
    ...(o.mem !== undefined ? { mem: o.mem } : {}),
    ...(o.maxMem !== undefined ? { maxMem: o.maxMem } : {}),
    ...(o.maxTime !== undefined ? { maxTime: o.maxTime } : {}),
    extraArgs: o.extraArgs ?? [],
    chunksPerJob: Math.floor(pos(o.chunksPerJob, 1, 'chunksPerJob')),
    pollIntervalMs: pos(o.pollIntervalMs, 5000, 'pollIntervalMs'),
    maxQueriesPerMinute: pos(o.maxQueriesPerMinute, 12, 'maxQueriesPerMinute'),
    markerGraceMs: pos(o.markerGraceMs, 10_000, 'markerGraceMs'),
    vanishGraceMs: pos(o.vanishGraceMs, 60_000, 'vanishGraceMs'),
    maxArraySize: Math.floor(pos(o.maxArraySize, 1000, 'maxArraySize')),
  };
}
