// `heppy status`: the state of every node (up to date, to run and why, failed last time).
import { Command, Option } from 'clipanion';
import { SessionCommand } from './session-flags.js';
import { openSession } from '../engine/session.js';
import { haddId } from '../graph/dag.js';

export class StatusCommand extends SessionCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'show the state of every node: up to date, to run (and why), failed',
    details: `
      Plans the build exactly as \`heppy build\` would (same flags: -o and -N are part of the keys)
      and prints, per component, how many chunks are up to date, then every node that would run
      with the reason. Runs nothing and writes nothing to Outdir.
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
      const nodes = [...s.plan.nodes.values()].map((n) => {
        const rec = records.get(n.id);
        // Failed: its last attempt failed and no marker of a later run is adopted instead.
        const state = n.upToDate ? 'up to date' : rec?.status === 'failed' && n.adopted === undefined ? 'failed' : 'to run';
        // The number of its last attempt (continued by the next build or check --resubmit).
        const attempt = n.kind === 'chunk' ? (n.adopted ?? rec)?.attempts ?? null : null;
        return { id: n.id, kind: n.kind, component: n.component, state, why: n.why, dir: n.dir, key: n.key, attempt,
          ...(rec?.status === 'failed' ? { lastFailure: rec.reason, ...(rec.failure ? { failure: rec.failure } : {}), log: rec.log } : {}) };
      });
      if (this.json) {
        process.stdout.write(JSON.stringify({ outdir: s.outdir, nodes }, null, 1) + '\n');
      } else {
        const comps = new Map<string, { total: number; ok: number; failed: number; merge: string }>();
        for (const n of nodes) {
          const c = comps.get(n.component) ?? { total: 0, ok: 0, failed: 0, merge: '' };
          if (n.kind === 'chunk') {
            c.total++;
            if (n.state === 'up to date') c.ok++;
            if (n.state === 'failed') c.failed++;
          } else if (n.id === haddId(n.component)) c.merge = n.state === 'up to date' ? 'merged' : 'not merged';
          comps.set(n.component, c);
        }
        const w = Math.max(...[...comps.keys()].map((k) => k.length), 9);
        process.stdout.write(`Outdir ${s.outdir}\n`);
        for (const [name, c] of comps) {
          process.stdout.write(`  ${name.padEnd(w)}  ${c.ok}/${c.total} chunks up to date${c.failed ? `, ${c.failed} failed` : ''}${c.merge ? `, ${c.merge}` : ''}\n`);
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
