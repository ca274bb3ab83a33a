// Remote globs in components' `files` (root://host//dir/*.root): kept unexpanded by the Component
// constructor (it is synchronous), expanded here once the heppyfile is imported, by listing the
// server's directories. No match is a failure naming the pattern, as for a local glob with none.
import { RemoteError, isTransient } from '../io/errors.js';
import { isUrl } from '../io/url.js';
import { fail, ok, UserError, type Result } from '../util/result.js';
import { hasMagic } from './component.js';

export async function expandRemoteGlobs(cfg: unknown): Promise<Result<void>> {
  const comps = (cfg as { components?: unknown } | null)?.components;
  if (!Array.isArray(comps)) return ok(undefined);
  for (const c of comps as { name?: unknown; files?: unknown }[]) {
    if (c === null || typeof c !== 'object' || !Array.isArray(c.files)) continue;
    if (!c.files.some((f) => typeof f === 'string' && isUrl(f) && hasMagic(f))) continue;
    const out: string[] = [];
    for (const f of c.files as unknown[]) {
      if (typeof f !== 'string' || !isUrl(f) || !hasMagic(f)) { out.push(f as string); continue; }
      try {
        // Loaded only for a remote glob: the network clients are not part of every build's start-up.
        const { remoteGlob } = await import('../io/open.js');
        const found = await remoteGlob(f);
        if (found.length === 0) return fail({ reason: `component '${String(c.name)}': no file matches ${f}` });
        out.push(...found);
      } catch (e) {
        // A server that does not answer (after the client's retries) is infrastructure: exit 3, not 2.
        if (e instanceof RemoteError) return fail({ reason: `component '${String(c.name)}': ${e.message}`, kind: isTransient(e.kind) ? 'infrastructure' : 'input' });
        if (e instanceof UserError) return fail({ reason: `component '${String(c.name)}': ${e.message}` });
        throw e;
      }
    }
    c.files = out;
  }
  return ok(undefined);
}
