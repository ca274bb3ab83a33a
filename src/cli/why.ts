// `heppy why NODE`: why a node is (not) up to date: the difference between its recorded key
// parts and today's (code, sequence, options, component, slice, each input file…).
import { Command, Option } from 'clipanion';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/result.js';
import { SessionCommand } from './session-flags.js';
import { openSession } from '../engine/session.js';
import { predictSession} from '../engine/predict-merge.js';

export class WhyCommand extends SessionCommand {
  static override paths = [['why']];
  static override usage = Command.Usage({
    description: 'explain why a node is (not) up to date',
    details: `
      NODE is a chunk name (ggH_125_Chunk3), an unsplit component's name, or hadd:<component>
      (a split component's name also means its hadd). Prints "up to date" with the key, or each
      difference between the last recorded run and today: which part of the key changed (code,
      sequence, options, maxEvents, component, slice, version), which input files changed, which
      outputs are missing or modified, or the reason of the last failure.
    `,
    examples: [
      ['Why would this chunk run?', '$0 why ggH_125_Chunk3'],
      ['And the merge of the component', '$0 why ggH_125'],
    ],
  });

  node = Option.String({ name: 'NODE' });

  override async execute(): Promise<number> {
    const s = await openSession(this.sessionFlags());
    try {
      const n = s.plan.nodes.get(this.node) ?? s.plan.nodes.get(`hadd:${this.node}`);
      if (!n) {
        // A directory of an earlier split or of a removed component is there on disk, but no node of today's plan.
        const dir = join(s.outdir, this.node.replace(/^hadd:/, ''));
        if (/^[^/.][^/]*$/.test(this.node.replace(/^hadd:/, '')) && existsSync(dir)) {
          process.stdout.write(`${this.node} is not a node of this plan: ${dir} is left from an earlier build (an earlier split, a removed or renamed component); \`heppy check\` lists it as stale once a build of this plan ran, \`heppy clean --stale\` removes it\n`);
          return 1;
        }
        const names = [...s.plan.nodes.keys()];
        throw new UserError(`no node named '${this.node}' (there are ${names.length}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`);
      }
      const rec = s.store.getTask(n.id);
      if (n.upToDate) {
        const how = rec?.restoredFrom !== undefined ? `restored from cache (built at ${rec.restoredFrom})` : rec ? `built ${new Date(rec.finishedAt).toISOString()}` : '';
        process.stdout.write(`${n.id} is up to date (key ${n.key}${how ? `, ${how}` : ''})\n`);
        return 0;
      }
      // As the build decides: a node whose key the output cache holds (a merge's: predicted from its
      // inputs' results) is restored, not run, once its entry is verified as a restore verifies it.
      const fates = await predictSession(s, (await import('../cache/output-cache.js')).OutputCache.open(s.store.cacheDir), true);
      const fate = fates.get(n.id)!;
      if (fate.kind === 'restore') {
        process.stdout.write(`${n.id} would be restored from cache (built at ${fate.builtAt}, key ${fate.key}), not run:\n${(fate.why ?? n.why).map((w) => `  ${w}`).join('\n')}\n`);
        return 0;
      }
      if (fate.kind === 'damaged') {
        process.stdout.write(`${n.id} would run: cache entry damaged: ${fate.file}: ${fate.reason.replace(/; not restored$/, '')}; the build removes it\n${n.why.map((w) => `  ${w}`).join('\n')}\n`);
        return 0;
      }
      const why = fate.kind === 'run' || fate.kind === 'after inputs' ? fate.why ?? n.why : n.why;
      process.stdout.write(`${n.id} would run:\n${why.map((w) => `  ${w}`).join('\n')}\n`);
      if (rec?.status === 'failed' && rec.log) process.stdout.write(`  log of the failure: ${rec.log}\n`);
      return 0;
    } finally {
      await s.close();
    }
  }
}

