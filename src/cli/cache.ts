// `heppy cache stats|prune`: the output cache (cache/outputs/ next to the heppyfile, or --cache-dir).
import { Command, Option } from 'clipanion';
import { existsSync } from 'node:fs';
import { UserError } from '../util/result.js';

const SIZE = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i;

/** "20G", "500M", "1024" → bytes; null when it is not a size. */
export function parseSize(v: string): number | null {
  const m = SIZE.exec(v.trim());
  return m ? Math.round(Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase())) : null;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

abstract class CacheCommand extends Command {
  file = Option.String('-f,--file', { description: 'the heppyfile whose cache it is (default ./heppyfile.ts)' });
  cacheDir = Option.String('--cache-dir', { description: 'the cache directory (default cache/ next to the heppyfile)' });

  protected async open(maxBytes?: number) {
    const { resolvePaths } = await import('../engine/workspace.js');
    const { OutputCache } = await import('../cache/output-cache.js');
    const { cacheDir } = resolvePaths(this.file, this.cacheDir);
    (await import('../cache/format.js')).refuseNewer('cache', cacheDir);
    if (!existsSync(cacheDir)) throw new UserError(`no cache at ${cacheDir} (give --cache-dir, or run where the heppyfile is)`);
    return OutputCache.open(cacheDir, maxBytes);
  }
}

export class CacheStatsCommand extends CacheCommand {
  static override paths = [['cache', 'stats']];
  static override usage = Command.Usage({
    description: 'show what the output cache holds',
    details: `
      Every successful chunk and merge is kept in the output cache by its key (an entry
      cache/outputs/<kk>/<key>.json; its files stored once each by content in cache/objects/, hard
      links to the node's files), so that a build that comes back to a key (an option switched back, a reverted
      change, another Outdir of the same analysis) restores it instead of running it.
    `,
    examples: [['Entries and size', '$0 cache stats']],
  });
  json = Option.Boolean('--json', false, { description: 'print one JSON document' });

  override async execute(): Promise<number> {
    const c = await this.open();
    const s = c.stats();
    if (this.json) this.context.stdout.write(JSON.stringify({ root: c.root, ...s }) + '\n');
    else {
      const parked = s.parked === 0 ? '' : `; ${s.parked} node director${s.parked === 1 ? 'y' : 'ies'} parked in Outdirs, ${formatBytes(s.parkedBytes)} of their own`;
      this.context.stdout.write(`${c.root}: ${s.entries} entr${s.entries === 1 ? 'y' : 'ies'}, ${s.objects} stored file${s.objects === 1 ? '' : 's'}, ${formatBytes(s.bytes)} (limit ${formatBytes(s.maxBytes)})${parked}\n`);
    }
    return 0;
  }
}

export class CachePruneCommand extends CacheCommand {
  static override paths = [['cache', 'prune']];
  static override usage = Command.Usage({
    description: 'evict the least recently used entries of the output cache',
    details: `
      Removes the least recently used entries until the cache holds at most --max-size (default: the
      limit, HEPPY_CACHE_MAX_SIZE or 20 GiB; node directories a restore parked in an Outdir count with
      what they hold of their own), then the parked directories whose entry is gone. \`--max-size 0\`
      empties it. Builds prune after they ran something. Files still linked from an Outdir keep their
      space until that Outdir lets them go.
    `,
    examples: [['Keep at most 5 GiB', '$0 cache prune --max-size 5G'], ['Empty it', '$0 cache prune --max-size 0']],
  });
  maxSize = Option.String('--max-size', { description: 'size to keep, e.g. 5G, 500M, 0' });
  json = Option.Boolean('--json', false, { description: 'print one JSON document: what was removed and freed, and the stats left' });

  override async execute(): Promise<number> {
    const max = this.maxSize === undefined ? undefined : parseSize(this.maxSize);
    if (max === null) throw new UserError(`--max-size must be a size such as 5G or 500M, got '${this.maxSize}'`);
    const c = await this.open();
    const r = c.prune(max);
    const s = c.stats();
    const parked = r.parkedRemoved === 0 ? '' : ` and ${r.parkedRemoved} parked node director${r.parkedRemoved === 1 ? 'y' : 'ies'} of keys gone`;
    if (this.json) {
      this.context.stdout.write(JSON.stringify({ ...r, left: s }) + '\n');
      return 0;
    }
    // freedBytes and what is left are counted alike (cache/eviction.ts): they add up to what stats said.
    this.context.stdout.write(`removed ${r.removed} entr${r.removed === 1 ? 'y' : 'ies'}${parked} (${formatBytes(r.freedBytes)}); ${s.entries} left, ${formatBytes(s.bytes + s.parkedBytes)}\n`);
    return 0;
  }
}
