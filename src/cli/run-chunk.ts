// `heppy run-chunk DIR`: run one chunk from its chunk.json (what batchScript.sh executes).
import { Command, Option } from 'clipanion';
import { readChunkSpec } from '../chunkdir/spec.js';
import { formatFailure, UserError } from '../util/result.js';
import { resolve } from 'node:path';

export class RunChunkCommand extends Command {
  static override paths = [['run-chunk']];
  static override usage = Command.Usage({
    description: 'run one chunk from DIR/chunk.json (what a batch job executes)',
    details: `
      Reads the chunk spec that \`heppy build\` wrote into DIR, runs the analysis over the chunk's
      event window in a temporary directory, and swaps the result into DIR with its marker
      heppy-status.json written last. Exit 0 on success, 1 when the chunk failed (DIR/log.txt says
      why). It does not touch the build's store: the next \`heppy build\` reads the marker.
    `,
    examples: [
      ['Run a chunk by hand', '$0 run-chunk Outdir/ggH_125_Chunk3'],
    ],
  });

  dir = Option.String({ name: 'DIR' });

  override async execute(): Promise<number> {
    const dir = resolve(this.dir);
    const spec = readChunkSpec(dir);
    if (!spec.ok) throw new UserError(formatFailure(spec.error));
    // heppy's SIGUSR2: stop after the current event and still write everything (Slurm can send
    // it before the time limit with --signal=USR2@60).
    const stop = new AbortController();
    const onUsr2 = (): void => { process.stderr.write('SIGUSR2 received, signaling graceful stop\n'); stop.abort(); };
    process.on('SIGUSR2', onUsr2);
    // Loaded here: the looper pulls in the ROOT reader and writer, which other commands do not need.
    const { runChunk } = await import('../loop/run-chunk.js');
    const r = await runChunk(spec.value, dir, { signal: stop.signal }).finally(() => process.off('SIGUSR2', onUsr2));
    if (!r.ok) {
      process.stderr.write(`heppy: chunk ${spec.value.name} failed: ${formatFailure(r.error)}\n`);
      return 1;
    }
    process.stdout.write(`${spec.value.name}: ${r.value.marker.eventsProcessed ?? 0} events processed\n`);
    return 0;
  }
}
