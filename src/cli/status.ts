// `heppy status`: the state of every node (up to date, to run and why, failed last time).
import { Command, Option } from 'clipanion';
import { SessionCommand } from './session-flags.js';
import { openSession } from '../engine/session.js';
import { haddId } from '../graph/dag.js';
import { readPlanFile } from '../chunkdir/plan-file.js';
import { describeBuildFlags, holderLine, STATUS_BUSY } from '../check/plan-view.js';
import { lockHolder } from '../store/lock.js';
import { damagedLine, predictSession } from '../engine/predict-merge.js';

export class StatusCommand extends SessionCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'show the state of every node: up to date, to run (and why), failed',
    details: `
      Plans the build exactly as \`heppy build\` would (same flags: -o and -N are part of the keys)
      and prints, per component, how many chunks are up to date (or would be restored from the output
      cache), then every node that would run or be restored, with the reason. When the last build of the
      Outdir used other -o options or -N, a line says so: \`heppy check\` judges that build's outputs. Runs nothing and writes nothing to Outdir.
    `,
    examples: [
      ['State of the analysis in ./heppyfile.ts', '$0 status'],
      ['Every node, machine-readable', '$0 status --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'one JSON document with every node' });
  all = Option.Boolean('-a,--all', false, { description: 'list up-to-date nodes too' });

  override async execute(): Promise<number> {
    const s = await openSession(this.sessionFlags());
    try {
      const records = s.store.allTasks();
      // As build decides: a node whose key the output cache holds (a merge's: predicted from its
      // inputs' results) is restored, not run; a damaged entry is not (engine/predict-merge.ts).
      // The cache is loaded only when something is not up to date.
      const work = [...s.plan.nodes.values()].some((n) => !n.upToDate);
      const fates = await predictSession(s, work ? (await import('../cache/output-cache.js')).OutputCache.open(s.store.cacheDir) : null, true);
      const nodes = [...s.plan.nodes.values()].map((n) => {
        const rec = records.get(n.id);
        const fate = fates.get(n.id)!;
        // Failed: its last attempt failed and no marker of a later run is adopted instead.
        const state = n.upToDate ? 'up to date' : fate.kind === 'restore' ? 'to restore' : rec?.status === 'failed' && n.adopted === undefined ? 'failed' : 'to run';
        const why = fate.kind === 'damaged' ? [...n.why, damagedLine(fate)] : (fate.kind === 'run' || fate.kind === 'restore' || fate.kind === 'after inputs') && fate.why ? fate.why : n.why;
        // The number of its last attempt (continued by the next build or check --resubmit).
        const attempt = n.kind === 'chunk' ? (n.adopted ?? rec)?.attempts ?? null : null;
        const key = fate.kind === 'restore' || fate.kind === 'damaged' ? fate.key : n.key;
        return { id: n.id, kind: n.kind, component: n.component, state, why, dir: n.dir, key, attempt,
          ...(rec?.status === 'failed' ? { lastFailure: rec.reason, ...(rec.failure ? { failure: rec.failure } : {}), log: rec.log } : {}) };
      });
      // A live build (or hadd, check --resubmit) on this Outdir: what it has not finished shows as to run.
      const holder = lockHolder(s.outdir);
      if (this.json) {
        const busy = holder === null ? {} : { busy: { command: holder.command, pid: holder.pid, host: holder.host, since: new Date(holder.startedAt).toISOString() } };
        process.stdout.write(JSON.stringify({ outdir: s.outdir, ...busy, nodes }, null, 1) + '\n');
      } else {
        const comps = new Map<string, { total: number; ok: number; failed: number; restore: number; merge: string }>();
        for (const n of nodes) {
          const c = comps.get(n.component) ?? { total: 0, ok: 0, failed: 0, restore: 0, merge: '' };
          if (n.kind === 'chunk') {
            c.total++;
            if (n.state === 'up to date') c.ok++;
            if (n.state === 'failed') c.failed++;
            if (n.state === 'to restore') c.restore++;
          } else if (n.id === haddId(n.component)) c.merge = n.state === 'up to date' ? 'merged' : n.state === 'to restore' ? 'merge to restore from cache' : 'not merged';
          comps.set(n.component, c);
        }
        const w = Math.max(...[...comps.keys()].map((k) => k.length), 9);
        process.stdout.write(`Outdir ${s.outdir}\n`);
        if (holder !== null) process.stdout.write(`${holderLine(holder, s.outdir, STATUS_BUSY)}\n`);
        const other = lastBuildDiffers(s.outdir, s.options, s.maxEvents);
        if (other !== null) process.stdout.write(`${other}\n`);
        for (const [name, c] of comps) {
          process.stdout.write(`  ${name.padEnd(w)}  ${c.ok}/${c.total} chunks up to date${c.restore ? `, ${c.restore} to restore from cache` : ''}${c.failed ? `, ${c.failed} failed` : ''}${c.merge ? `, ${c.merge}` : ''}\n`);
        }
        for (const n of nodes) {
          if (n.state === 'up to date' && !this.all) continue;
          process.stdout.write(`${n.state.padEnd(10)}  ${n.id}${n.why.length ? `: ${n.why.join('; ')}` : ''}${n.log ? ` (log: ${n.log})` : ''}\n`);
        }
      }
      return 0;
    } finally {
      await s.close();
    }
  }
}

/**
 * When the last build of the Outdir was made with other -o options or -N than these, one line saying
 * so (check and hadd judge that build; this status, and a build with these flags, plan other keys).
 */
function lastBuildDiffers(outdir: string, options: Readonly<Record<string, string | boolean>>, maxEvents: number | null): string | null {
  const r = readPlanFile(outdir);
  if (!r.ok || r.value === null) return null;
  const then = describeBuildFlags(r.value.options, r.value.maxEvents);
  const now = describeBuildFlags(options, maxEvents);
  if (then === now) return null;
  return `the last build of this Outdir used ${then} (heppy check and hadd judge its outputs); with ${now}, as here, a build would run or restore what is listed below`;
}
