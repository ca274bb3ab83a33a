// `heppy graph`: the build DAG as Graphviz dot or JSON.
import { Command, Option } from 'clipanion';
import { UserError } from '../util/result.js';
import { SessionCommand } from './session-flags.js';
import { openSession } from '../engine/session.js';

export class GraphCommand extends SessionCommand {
  static override paths = [['graph']];
  static override usage = Command.Usage({
    description: 'print the build graph (dot or json)',
    details: `
      One node per chunk, one hadd node per split component with an edge from each of its chunks.
      Nodes that would run are drawn bold (dot) or marked "upToDate": false (json).
    `,
    examples: [
      ['Render with Graphviz', '$0 graph | dot -Tsvg > graph.svg'],
      ['As JSON', '$0 graph --format json'],
    ],
  });

  format = Option.String('--format', 'dot', { description: 'dot (default) or json' });

  override async execute(): Promise<number> {
    if (this.format !== 'dot' && this.format !== 'json') throw new UserError(`--format must be dot or json, not '${this.format}'`);
    const s = await openSession(this.sessionFlags());
    try {
      const nodes = s.plan.graph.order.map((id) => {
        const g = s.plan.graph.nodes.get(id)!;
        const n = s.plan.nodes.get(id)!;
        return { id, kind: g.kind, component: n.component, deps: g.deps, upToDate: n.upToDate, key: n.key };
      });
      if (this.format === 'json') {
        process.stdout.write(JSON.stringify({ nodes }, null, 1) + '\n');
        return 0;
      }
      const q = (s: string): string => JSON.stringify(s);
      const lines = ['digraph heppy {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
      for (const n of nodes) lines.push(`  ${q(n.id)} [${n.kind === 'hadd' ? 'shape=ellipse, ' : ''}style=${n.upToDate ? 'solid' : 'bold'}];`);
      for (const n of nodes) for (const d of n.deps) lines.push(`  ${q(d)} -> ${q(n.id)};`);
      lines.push('}');
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } finally {
      await s.close();
    }
  }
}
